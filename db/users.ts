import { createHash, randomBytes } from 'node:crypto';
import type { Db } from './knex';

/** `loss_report_importer`: bulk import of old loss reports for one authority's region, nothing else. `platform`: reads the card-status feed. `police_post`: issues temporary identity certificates (its region). */
export type Role = 'station' | 'reviewer' | 'production' | 'manager' | 'unit' | 'admin' | 'loss_report_importer' | 'platform' | 'police_post';

export interface User {
  id: string;
  name: string;
  role: Role;
  stationCode: string | null;
  /** The station's own region for station users; the covered region for reviewers, managers and importers. */
  regionCode: string | null;
  provinceCode: string | null;
  unitId: string | null;
}

/**
 * An authenticated account typed by its role: the codes the `users_jurisdiction` constraint (and, for
 * a station, its station's row) guarantees a role are not nullable. A manager's region is null for a
 * national manager. Every variant is still a `User`.
 */
export type Caller =
  | (User & { role: 'station'; stationCode: string; regionCode: string })
  | (User & { role: 'reviewer'; regionCode: string })
  | (User & { role: 'production'; provinceCode: string })
  | (User & { role: 'manager' })
  | (User & { role: 'unit'; unitId: string })
  | (User & { role: 'admin' })
  | (User & { role: 'loss_report_importer'; regionCode: string })
  | (User & { role: 'platform' })
  | (User & { role: 'police_post'; regionCode: string });

/** The caller when its role is one of `R`. */
export type CallerAs<R extends Role> = Extract<Caller, { role: R }>;

export const hashToken = (token: string) => createHash('sha256').update(token).digest('hex');
export const newToken = (role: Role) => `${role}_${randomBytes(24).toString('base64url')}`;

/** A `User` as the app sees one, from `users` left-joined to `stations`: a station user's region is its station's. */
export const userColumns = (db: Db) => [
  'users.id',
  'users.name',
  'users.role',
  'users.stationCode',
  db.raw('coalesce(users.region_code, stations.region_code) as region_code'),
  'users.provinceCode',
  'users.unitId',
];

/** The user holding this bearer token, with a station user's region filled in, or undefined (also when disabled). */
export async function findUserByToken(db: Db, token: string): Promise<User | undefined> {
  return db('users')
    .leftJoin('stations', 'stations.code', 'users.stationCode')
    .where('users.tokenHash', hashToken(token))
    .whereNull('users.disabledAt')
    .first(...userColumns(db));
}

/**
 * The account with this id, with a station user's region filled in, or undefined when unknown or
 * disabled. In a transaction, `hold` keeps the row from being disabled or moved until it ends.
 */
export async function findActiveUser(db: Db, id: string, options: { hold?: boolean } = {}): Promise<User | undefined> {
  const query = db('users')
    .leftJoin('stations', 'stations.code', 'users.stationCode')
    .where('users.id', id)
    .whereNull('users.disabledAt');
  if (options.hold) query.forShare('users');
  return query.first(...userColumns(db));
}

export async function createUser(
  db: Db,
  user: Omit<User, 'regionCode'> & { regionCode?: string | null },
): Promise<{ user: User; token: string }> {
  const token = newToken(user.role);
  await db('users').insert({
    id: user.id,
    name: user.name,
    role: user.role,
    tokenHash: hashToken(token),
    stationCode: user.stationCode,
    regionCode: user.role === 'station' ? null : (user.regionCode ?? null),
    provinceCode: user.provinceCode,
    unitId: user.unitId,
  });
  return { user: (await findUserByToken(db, token))!, token };
}
