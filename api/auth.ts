import type { NextFunction, Request, RequestHandler, Response } from 'express';
import type { Db } from '../db/knex';
import { findUserByToken, type Role, type User } from '../db/users';
import { problems } from './problems';

declare module 'express-serve-static-core' {
  interface Request {
    user?: User;
  }
}

const MAX_AUTHORIZATION_LENGTH = 256;

/**
 * Bearer-token authentication. Users are cached for a short while by the raw `Authorization`
 * header, so the verification hot path neither queries the database nor hashes the token per
 * request. The cache is bounded: when full, the oldest entry goes.
 */
export function authenticate(db: Db, options: { cacheMs?: number; max?: number } = {}): RequestHandler {
  const ttlMs = options.cacheMs ?? 30_000;
  const max = options.max ?? 10_000;
  const cache = new Map<string, { user: User | false; until: number }>();
  const remember = (header: string, user: User | false) => {
    cache.delete(header); // re-inserted last: the Map's order is the age order
    if (cache.size >= max) cache.delete(cache.keys().next().value!);
    cache.set(header, { user, until: Date.now() + ttlMs });
  };
  return (req, _res, next) => {
    const header = req.headers.authorization;
    // Tokens are short; a long header is no token, and must not take a cache slot its size.
    if (header === undefined || header.length > MAX_AUTHORIZATION_LENGTH) return next(problems.unauthenticated());
    const cached = cache.get(header);
    if (cached !== undefined && cached.until > Date.now()) {
      if (!cached.user) return next(problems.unauthenticated());
      req.user = cached.user;
      return next();
    }
    const token = header.startsWith('Bearer ') ? header.slice(7).trim() : undefined;
    if (!token) return next(problems.unauthenticated());
    findUserByToken(db, token).then((user) => {
      remember(header, user ?? false);
      if (!user) return next(problems.unauthenticated());
      req.user = user;
      next();
    }, next);
  };
}

/** Only these roles may go on. */
export const allow =
  (...roles: Role[]) =>
  (req: Request, _res: Response, next: NextFunction) =>
    next(req.user && roles.includes(req.user.role) ? undefined : problems.forbiddenRole(roles));

/** The authenticated user; routes behind `authenticate` always have one. */
export function userOf(req: Request): User {
  if (!req.user) throw problems.unauthenticated();
  return req.user;
}
