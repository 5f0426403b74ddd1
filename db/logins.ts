import { randomBytes } from 'node:crypto';
import type { Db } from './knex';
import { hashToken, userColumns, type Role, type User } from './users';

/** Roles of people at counters and desks: the only ones that log in to the console with a password. */
export const PERSON_ROLES: readonly Role[] = ['station', 'reviewer', 'production', 'manager', 'admin', 'police_post'];

export interface LoginAccount {
  id: string;
  passwordHash: string | null;
  failedLogins: number;
  lockedUntil: Date | null;
  disabledAt: Date | null;
  role: Role;
}

export interface Session {
  user: User;
  csrfToken: string;
  expiresAt: Date;
  lastSeenAt: Date;
  createdAt: Date;
}

export async function findLoginAccount(db: Db, username: string): Promise<LoginAccount | undefined> {
  return db('users').where('username', username).first('id', 'passwordHash', 'failedLogins', 'lockedUntil', 'disabledAt', 'role');
}

/** One more failure, counted in the database (so every instance sees it); locks at `lockAfter`. Returns the new count. */
export async function recordFailedLogin(db: Db, userId: string, lockAfter: number, lockMs: number): Promise<number> {
  const [row] = await db('users')
    .where('id', userId)
    .update({
      failedLogins: db.raw('failed_logins + 1'),
      lockedUntil: db.raw(`CASE WHEN failed_logins + 1 >= ? THEN now() + (? * interval '1 millisecond') ELSE locked_until END`, [lockAfter, lockMs]),
    })
    .returning('failedLogins');
  return row.failedLogins;
}

export async function clearFailedLogins(db: Db, userId: string): Promise<void> {
  await db('users').where('id', userId).andWhere((q) => q.where('failedLogins', '>', 0).orWhereNotNull('lockedUntil')).update({ failedLogins: 0, lockedUntil: null });
}

export async function setPassword(db: Db, userId: string, username: string, passwordHash: string): Promise<void> {
  await db('users').where('id', userId).update({ username, passwordHash, failedLogins: 0, lockedUntil: null });
}

/** A new session; returns the cookie value (only its hash is stored) and the CSRF token. */
export async function createSession(db: Db, userId: string, idleMs: number): Promise<{ cookie: string; csrfToken: string }> {
  const cookie = randomBytes(32).toString('base64url');
  const csrfToken = randomBytes(24).toString('base64url');
  await db('sessions').insert({ idHash: hashToken(cookie), userId, csrfToken, expiresAt: new Date(Date.now() + idleMs) });
  return { cookie, csrfToken };
}

/** The live session with this cookie value (not expired, not revoked, its account not disabled). */
export async function findSession(db: Db, cookie: string): Promise<Session | undefined> {
  const row = await db('sessions')
    .join('users', 'users.id', 'sessions.userId')
    .leftJoin('stations', 'stations.code', 'users.stationCode')
    .where('sessions.idHash', hashToken(cookie))
    .whereNull('sessions.revokedAt')
    .where('sessions.expiresAt', '>', db.fn.now())
    .whereNull('users.disabledAt')
    .first(...userColumns(db), 'sessions.csrfToken', 'sessions.expiresAt', 'sessions.lastSeenAt', 'sessions.createdAt');
  if (!row) return undefined;
  const { csrfToken, expiresAt, lastSeenAt, createdAt, ...user } = row;
  return { user: user as User, csrfToken, expiresAt, lastSeenAt, createdAt };
}

/** Slides the idle expiry, never past the absolute limit counted from the session's start. */
export async function touchSession(db: Db, cookie: string, idleMs: number, maxMs: number): Promise<void> {
  await db('sessions')
    .where('idHash', hashToken(cookie))
    .update({
      lastSeenAt: db.fn.now(),
      expiresAt: db.raw(`least(now() + (? * interval '1 millisecond'), created_at + (? * interval '1 millisecond'))`, [idleMs, maxMs]),
    });
}

export async function revokeSession(db: Db, cookie: string): Promise<void> {
  await db('sessions').where('idHash', hashToken(cookie)).whereNull('revokedAt').update({ revokedAt: db.fn.now() });
}

/** Every session of an account ends (password reset, account disabled by an admin). */
export async function revokeSessionsOf(db: Db, userId: string): Promise<number> {
  return db('sessions').where('userId', userId).whereNull('revokedAt').update({ revokedAt: db.fn.now() });
}

export interface AccountRow {
  id: string;
  username: string;
  name: string;
  role: Role;
  stationCode: string | null;
  regionCode: string | null;
  provinceCode: string | null;
  disabledAt: Date | null;
  lockedUntil: Date | null;
  createdAt: Date;
}

/** Console accounts (those with a username), by username, keyset-paged. */
export async function listAccounts(db: Db, options: { after?: string; limit: number }): Promise<AccountRow[]> {
  return db('users')
    .whereNotNull('username')
    .modify((query) => (options.after !== undefined ? query.where('username', '>', options.after) : query))
    .orderBy('username')
    .limit(options.limit)
    .select('id', 'username', 'name', 'role', 'stationCode', 'regionCode', 'provinceCode', 'disabledAt', 'lockedUntil', 'createdAt');
}

export async function findAccount(db: Db, id: string): Promise<AccountRow | undefined> {
  return db('users').where('id', id).whereNotNull('username').first('id', 'username', 'name', 'role', 'stationCode', 'regionCode', 'provinceCode', 'disabledAt', 'lockedUntil', 'createdAt');
}

export async function setDisabled(db: Db, id: string, disabled: boolean): Promise<void> {
  await db('users').where('id', id).update({ disabledAt: disabled ? db.fn.now() : null });
}
