import type { NextFunction, Request, RequestHandler, Response } from 'express';
import type { Db } from '../db/knex';
import { findUserByToken, type Caller, type Role } from '../db/users';
import { callerOf } from './caller';
import { problems } from './problems';
import { sessionCookieOf } from './session/cookies';
import { authenticateSession } from './session/sessions';

declare module 'express-serve-static-core' {
  interface Request {
    user?: Caller;
  }
}

const MAX_AUTHORIZATION_LENGTH = 256;

/** The `user_changed` NOTIFY payload is the changed account's id (see the users trigger). */
export const USER_CHANGED_CHANNEL = 'user_changed';

/**
 * Authenticated users cached by the raw `Authorization` header, so the verification hot path neither
 * queries the database nor hashes the token per request. An account's change (disabled, deleted,
 * moved) is announced by PostgreSQL on `user_changed` and `invalidate` drops it at once, on every
 * instance. Caching is off until `resume()` (the channel listens) and again after `suspend()` (it
 * dropped): then every request reads the database. A read that started before a change was announced
 * never fills the cache. Bounded: when full, the oldest entry goes.
 */
export class UserCache {
  private readonly entries = new Map<string, { user: Caller | false; until: number }>();
  private enabled = false;
  /** Bumped by every invalidation: a read begun before one is not cached. */
  private generation = 0;

  constructor(
    private readonly ttlMs = 30_000,
    private readonly max = 10_000,
  ) {}

  get(header: string): Caller | false | undefined {
    const entry = this.enabled ? this.entries.get(header) : undefined;
    return entry !== undefined && entry.until > Date.now() ? entry.user : undefined;
  }

  /** Where a read starts; hand it to `remember`. */
  get mark(): number {
    return this.generation;
  }

  remember(header: string, user: Caller | false, mark: number): void {
    if (!this.enabled || mark !== this.generation) return;
    this.entries.delete(header); // re-inserted last: the Map's order is the age order
    if (this.entries.size >= this.max) this.entries.delete(this.entries.keys().next().value!);
    this.entries.set(header, { user, until: Date.now() + this.ttlMs });
  }

  /** The account with this id changed: forget it. */
  invalidate(userId: string): void {
    this.generation++;
    for (const [header, entry] of this.entries) if (entry.user && entry.user.id === userId) this.entries.delete(header);
  }

  suspend(): void {
    this.enabled = false;
    this.generation++;
    this.entries.clear();
  }

  resume(): void {
    this.generation++;
    this.entries.clear();
    this.enabled = true;
  }
}

/** Bearer-token authentication, through the instance's `UserCache`; without a bearer token, the console's session cookie. */
export function authenticate(db: Db, cache: UserCache): RequestHandler {
  return (req, _res, next) => {
    const header = req.headers.authorization;
    if (header === undefined) {
      const cookie = sessionCookieOf(req);
      if (cookie) return authenticateSession(db, req, cookie, next);
    }
    // Tokens are short; a long header is no token, and must not take a cache slot its size.
    if (header === undefined || header.length > MAX_AUTHORIZATION_LENGTH) return next(problems.unauthenticated());
    const cached = cache.get(header);
    if (cached !== undefined) {
      if (!cached) return next(problems.unauthenticated());
      req.user = cached;
      return next();
    }
    const token = header.startsWith('Bearer ') ? header.slice(7).trim() : undefined;
    if (!token) return next(problems.unauthenticated());
    const mark = cache.mark;
    findUserByToken(db, token).then((user) => {
      const caller = user && callerOf(user);
      cache.remember(header, caller ?? false, mark);
      if (!caller) return next(problems.unauthenticated());
      req.user = caller;
      next();
    }, next);
  };
}

/** Only these roles may go on. */
export const allow =
  (...roles: Role[]) =>
  (req: Request, _res: Response, next: NextFunction) =>
    next(req.user && roles.includes(req.user.role) ? undefined : problems.forbiddenRole(roles));

/** The authenticated caller; routes behind `authenticate` always have one. */
export function userOf(req: Request): Caller {
  if (!req.user) throw problems.unauthenticated();
  return req.user;
}
