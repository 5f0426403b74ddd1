import type { RequestHandler } from 'express';
import { rateLimit } from 'express-rate-limit';
import type { Config } from '../config';
import { problems } from './problems';

const WINDOW_MS = 60_000;

/**
 * The per-address limit on lookups anyone may make without logging in (application status, lost
 * cards): `STATUS_LOOKUP_RATE_LIMIT` a minute, each route with its own count.
 */
export function anonymousLookupLimit(config: Pick<Config, 'STATUS_LOOKUP_RATE_LIMIT'>): RequestHandler {
  return rateLimit({
    windowMs: WINDOW_MS,
    limit: config.STATUS_LOOKUP_RATE_LIMIT,
    standardHeaders: 'draft-8',
    legacyHeaders: false,
    handler: (_req, _res, next) => next(problems.tooManyRequests(WINDOW_MS / 1000)),
    // Which proxies name the client is TRUST_PROXY's deliberate choice: a forwarded header it ignores is no misconfiguration.
    validate: { xForwardedForHeader: false },
  });
}
