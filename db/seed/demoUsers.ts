import { randomBytes } from 'node:crypto';
import { mkdir, writeFile } from 'node:fs/promises';
import path from 'node:path';
import { hashPassword } from '../../api/session/passwords';
import type { Db } from '../knex';
import { PERSON_ROLES, setPassword } from '../logins';
import type { Role } from '../users';

export interface DemoUser {
  role: Role;
  username: string;
  password: string;
  name: string;
  stationCode?: string;
  regionCode?: string;
  provinceCode?: string;
}

/**
 * Console logins for the demo accounts of the people roles (the same accounts, so the same places as
 * the demo tokens), written to `DATA_DIR/demo-users.json`. Only while no account has a username yet:
 * a database whose people already log in (a first admin, real staff) gets no demo passwords.
 */
export async function ensureDemoLogins(db: Db, dataDir: string, log: (message: string) => void): Promise<void> {
  if (await db('users').whereNotNull('username').first('id')) return;
  const accounts = await db('users')
    .leftJoin('stations', 'stations.code', 'users.stationCode')
    .whereIn('users.role', PERSON_ROLES as Role[])
    .whereNull('users.disabledAt')
    .orderBy('users.id')
    .select('users.id', 'users.name', 'users.role', 'users.stationCode', db.raw('coalesce(users.region_code, stations.region_code) as region_code'), 'users.provinceCode');
  const users: DemoUser[] = [];
  for (const account of accounts) {
    const password = `demo-${randomBytes(9).toString('base64url')}`;
    await setPassword(db, account.id, account.id, await hashPassword(password));
    users.push({
      role: account.role,
      username: account.id,
      password,
      name: account.name,
      ...(account.stationCode ? { stationCode: account.stationCode } : {}),
      ...(account.regionCode ? { regionCode: account.regionCode } : {}),
      ...(account.provinceCode ? { provinceCode: account.provinceCode } : {}),
    });
  }
  await mkdir(dataDir, { recursive: true });
  await writeFile(path.join(dataDir, 'demo-users.json'), JSON.stringify(users, null, 2) + '\n', { mode: 0o600 });
  log(`wrote ${users.length} demo console logins to ${dataDir}`);
}
