import { timingSafeEqual } from 'node:crypto';
import type { NextFunction, Request } from 'express';
import type { Db } from '../../db/knex';
import { findSession, touchSession } from '../../db/logins';
import { callerOf } from '../caller';
import { problems } from '../problems';
import { CSRF_HEADER } from './cookies';

/** A session ends after this long without a request… */
export const SESSION_IDLE_MS = 30 * 60_000;
/** …and in any case this long after the login. */
export const SESSION_MAX_MS = 12 * 60 * 60_000;
/** The idle expiry is pushed forward at most this often (one write per minute per session, not per request). */
const TOUCH_EVERY_MS = 60_000;

const SAFE_METHODS = new Set(['GET', 'HEAD', 'OPTIONS']);

const sameToken = (a: string, b: string) => a.length === b.length && timingSafeEqual(Buffer.from(a), Buffer.from(b));

/**
 * Authenticates a console request by its session cookie. A request that changes anything must also
 * send the session's CSRF token in `X-CSRF-Token` (the console got it at login; another site's page
 * can neither read it nor, with SameSite=Strict, send the cookie).
 */
export function authenticateSession(db: Db, req: Request, cookie: string, next: NextFunction): void {
  findSession(db, cookie).then(async (session) => {
    if (!session) return next(problems.unauthenticated());
    if (!SAFE_METHODS.has(req.method)) {
      const sent = req.get(CSRF_HEADER);
      if (!sent || !sameToken(sent, session.csrfToken)) return next(problems.csrfFailed());
    }
    if (Date.now() - session.lastSeenAt.getTime() > TOUCH_EVERY_MS) await touchSession(db, cookie, SESSION_IDLE_MS, SESSION_MAX_MS);
    req.user = callerOf(session.user);
    next();
  }, next);
}
