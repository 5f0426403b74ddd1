import express, { type Request } from 'express';
import { rateLimit } from 'express-rate-limit';
import { z } from 'zod';
import type { AppDependencies } from '../app';
import { clearFailedLogins, createSession, findLoginAccount, findSession, PERSON_ROLES, recordFailedLogin, revokeSession } from '../../db/logins';
import { problems } from '../problems';
import { parse } from '../validation';
import type { Logger } from '../../config/logger';
import { clearSessionCookie, sessionCookieOf, setSessionCookie } from './cookies';
import { verifyPassword } from './passwords';
import { authenticateSession, SESSION_IDLE_MS } from './sessions';

/** Consecutive failures that lock an account, and for how long. */
export const LOCK_AFTER_FAILURES = 5;
export const LOCK_MS = 15 * 60_000;
/** A failed login is answered after 100 ms, doubled with each consecutive failure, at most 2 s. */
const failureDelayMs = (failures: number) => Math.min(100 * 2 ** (failures - 1), 2_000);

const credentials = z.object({ username: z.string().trim().min(1).max(64), password: z.string().min(1).max(256) });

const sleep = (ms: number) => new Promise((resolve) => setTimeout(resolve, ms));

/** What the console needs of its user: who, which role, where. */
const publicUser = (user: { name: string; role: string; stationCode: string | null; regionCode: string | null; provinceCode: string | null }) => ({
  name: user.name,
  role: user.role,
  stationCode: user.stationCode,
  regionCode: user.regionCode,
  provinceCode: user.provinceCode,
});

/**
 * The console's login: `POST /v1/session` (username and password → session cookie and CSRF token),
 * `GET /v1/session` (who is logged in, and the CSRF token again after a reload), `DELETE /v1/session`
 * (logout: the session is revoked on the server, not only forgotten by the browser).
 */
export function sessionRoutes({ db }: AppDependencies) {
  const router = express.Router();
  // Per client address, on top of the per-account lock: guessing across many usernames is slowed too.
  const limiter = rateLimit({ windowMs: 60_000, limit: 30, standardHeaders: 'draft-7', legacyHeaders: false, handler: (_req, _res, next) => next(problems.tooManyRequests(60)) });

  router.post('/v1/session', limiter, express.json({ limit: '2kb' }), async (req, res) => {
    // JSON only: a plain HTML form on another site cannot post JSON.
    if (!req.is('application/json')) throw problems.unsupportedMediaType('application/json');
    const { username, password } = parse(credentials, req.body);
    const account = await findLoginAccount(db, username);
    if (account?.lockedUntil && account.lockedUntil.getTime() > Date.now()) {
      throw problems.accountLocked(Math.ceil((account.lockedUntil.getTime() - Date.now()) / 1000));
    }
    const usable = account && !account.disabledAt && PERSON_ROLES.includes(account.role);
    const ok = await verifyPassword(usable ? account.passwordHash : null, password);
    if (!ok || !account) {
      const failures = account ? await recordFailedLogin(db, account.id, LOCK_AFTER_FAILURES, LOCK_MS) : 1;
      await sleep(failureDelayMs(failures));
      (req as { log?: Logger }).log?.info({ event: 'login.failed', failures }, 'login failed');
      throw problems.invalidCredentials();
    }
    await clearFailedLogins(db, account.id);
    const { cookie, csrfToken } = await createSession(db, account.id, SESSION_IDLE_MS);
    const session = (await findSession(db, cookie))!;
    setSessionCookie(req, res, cookie);
    res.setHeader('cache-control', 'no-store');
    res.json({ user: publicUser(session.user), csrfToken, expiresAt: session.expiresAt });
  });

  router.get('/v1/session', (req, res, next) => {
    const cookie = sessionCookieOf(req);
    if (!cookie) return next(problems.unauthenticated());
    findSession(db, cookie).then((session) => {
      if (!session) return next(problems.unauthenticated());
      res.setHeader('cache-control', 'no-store');
      res.json({ user: publicUser(session.user), csrfToken: session.csrfToken, expiresAt: session.expiresAt });
    }, next);
  });

  router.delete('/v1/session', (req: Request, res, next) => {
    const cookie = sessionCookieOf(req);
    if (!cookie) return next(problems.unauthenticated());
    authenticateSession(db, req, cookie, (error?: unknown) => {
      if (error) return next(error);
      revokeSession(db, cookie).then(() => {
        clearSessionCookie(req, res);
        res.status(204).end();
      }, next);
    });
  });
  return router;
}
