import { execFile } from 'node:child_process';
import { randomUUID } from 'node:crypto';
import path from 'node:path';
import { promisify } from 'node:util';
import type { Db } from '../../db/knex';
import { call, startApi, type RunningApi } from '../support/api';
import { within } from '../support/bounds';
import { testDb } from '../support/database';

/** `npm run users -- create-admin` (as the schema owner, like migrations): the first administrator of a database, who can then log in to the console. */
const run = promisify(execFile);
const CLI = path.resolve(__dirname, '../../dist/db/cli/users.js');
let db: Db;
let api: RunningApi;

beforeAll(async () => {
  db = testDb();
  api = await startApi(db);
}, 60_000);

afterAll(async () => {
  await api?.close();
  await db?.destroy();
});

/** The CLI connects, hashes one password and exits: seconds. */
const CLI_BOUND_MS = 30_000;

// A CLI that never exits fails with that, and is killed a second later.
const createAdmin = (username: string, password: string) =>
  within(
    run(process.execPath, [CLI, 'create-admin', '--username', username, '--name', '首位管理员'], { timeout: CLI_BOUND_MS + 1_000, env: { ...process.env, MIGRATION_DATABASE_URL: process.env.TEST_OWNER_DATABASE_URL, ADMIN_PASSWORD: password, LOG_LEVEL: 'silent' } }),
    CLI_BOUND_MS,
    'npm run users -- create-admin did not exit',
  );

describe('npm run users -- create-admin', () => {
  test('when run, then an admin exists who logs in with that password; the password is neither printed nor stored in clear', async () => {
    const username = `admin-${randomUUID().slice(0, 8)}`;
    const password = `first-admin-${randomUUID()}`;
    const { stdout } = await createAdmin(username, password);
    expect(stdout).toContain(`created admin ${username}`);
    expect(stdout).not.toContain(password);
    const row = await db('users').where('username', username).first('role', 'name', 'passwordHash');
    expect(row).toMatchObject({ role: 'admin', name: '首位管理员', passwordHash: expect.stringMatching(/^\$argon2id\$/) });
    const login = await call(api, 'POST', '/v1/session', { body: { username, password } });
    expect(login.status).toBe(200);
    expect(login.body.user).toMatchObject({ role: 'admin', name: '首位管理员' });
  });

  test('when the username is taken, then it fails and changes nothing', async () => {
    const username = `admin-${randomUUID().slice(0, 8)}`;
    await createAdmin(username, `first-admin-${randomUUID()}`);
    await expect(createAdmin(username, `second-admin-${randomUUID()}`)).rejects.toMatchObject({ code: 1 });
    expect(Number((await db('users').where('username', username).count({ n: '*' }))[0].n)).toBe(1);
  });
});
