/**
 * `npm run users -- create-admin [--username admin] [--name 系统管理员]`: the first administrator of a
 * fresh database (the compose deployment has no other way to get one). The password comes from
 * ADMIN_PASSWORD, or is generated and printed once; only its argon2id hash is stored.
 */
import { randomBytes, randomUUID } from 'node:crypto';
import { hashPassword } from '../../api/session/passwords';
import { createDb } from '../knex';
import { setPassword } from '../logins';
import { migrateToLatest } from '../migrate';
import { createUser } from '../users';
import { connectForCommand } from './connect';

const USAGE = 'usage: npm run users -- create-admin [--username NAME] [--name DISPLAY_NAME]   (password from ADMIN_PASSWORD, else generated)';

function option(args: string[], name: string): string | undefined {
  const at = args.indexOf(name);
  return at >= 0 ? args[at + 1] : undefined;
}

async function createAdmin(args: string[]): Promise<void> {
  const username = option(args, '--username') ?? 'admin';
  const name = option(args, '--name') ?? '系统管理员';
  const password = process.env.ADMIN_PASSWORD || randomBytes(12).toString('base64url');
  if (password.length < 12) throw new Error('ADMIN_PASSWORD must be at least 12 characters');
  const { databaseUrl, release } = await connectForCommand();
  const db = createDb(databaseUrl);
  try {
    await migrateToLatest(db);
    if (await db('users').where('username', username).first('id')) throw new Error(`a user named ${username} already exists`);
    const id = `admin-${randomUUID()}`;
    await db.transaction(async (trx) => {
      await createUser(trx, { id, name, role: 'admin', stationCode: null, provinceCode: null, unitId: null });
      await setPassword(trx, id, username, await hashPassword(password));
    });
    console.log(`created admin ${username}`);
    if (!process.env.ADMIN_PASSWORD) console.log(`password (shown once): ${password}`);
  } finally {
    await db.destroy();
    await release();
  }
}

async function run(): Promise<void> {
  const [command, ...args] = process.argv.slice(2);
  if (command === 'create-admin') return createAdmin(args);
  console.error(USAGE);
  process.exitCode = 2;
}

run().catch((error) => {
  console.error(error instanceof Error ? error.message : error);
  process.exit(1);
});
