import type { NextFunction, Request, RequestHandler, Response } from 'express';
import { LRUCache } from 'lru-cache';
import type { Db } from '../db/knex';
import { findUserByToken, hashToken, type Role, type User } from '../db/users';
import { problems } from './problems';

declare module 'express-serve-static-core' {
  interface Request {
    user?: User;
  }
}

/**
 * Bearer-token authentication. Users are cached for a short while by token hash, so the
 * verification hot path does not query the database per request.
 */
export function authenticate(db: Db, options: { cacheMs?: number } = {}): RequestHandler {
  const cache = new LRUCache<string, User | false>({ max: 10_000, ttl: options.cacheMs ?? 30_000 });
  return (req, _res, next) => {
    const header = req.headers.authorization;
    const token = header?.startsWith('Bearer ') ? header.slice(7).trim() : undefined;
    if (!token) return next(problems.unauthenticated());
    const key = hashToken(token);
    const cached = cache.get(key);
    if (cached !== undefined) {
      if (!cached) return next(problems.unauthenticated());
      req.user = cached;
      return next();
    }
    findUserByToken(db, token).then((user) => {
      cache.set(key, user ?? false);
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
