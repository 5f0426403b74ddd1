import express, { type RequestHandler } from 'express';
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

/**
 * What every lookup without login declares (`api/operation.ts`): no role, the per-address limit
 * (429 past it), a JSON body of 2 kB at most, and 404 for anything that does not match, so that a
 * guesser learns nothing.
 */
export const anonymousLookup = {
  roles: [] as never[],
  other: [404, 429],
  before: ({ config }: { config: Pick<Config, 'STATUS_LOOKUP_RATE_LIMIT'> }): RequestHandler[] => [anonymousLookupLimit(config), express.json({ limit: '2kb' })],
};
