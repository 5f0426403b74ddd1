import { randomUUID } from 'node:crypto';
import type { Db } from '../../db/knex';
import { call, startApi, type RunningApi } from '../support/api';
import { newPerson } from '../support/browser';
import { testDb } from '../support/database';
import { COUNTIES, newToken, stationIn } from '../support/fixtures';

/** Admins manage console accounts: create with role and jurisdiction, disable, enable, reset the password. */
let db: Db;
let api: RunningApi;
let adminToken: string;

beforeAll(async () => {
  db = testDb();
  api = await startApi(db);
  adminToken = await newToken(db, 'admin');
}, 60_000);

afterAll(async () => {
  await api?.close();
  await db?.destroy();
});

const PASSWORD = 'a long enough password';
const logIn = (username: string, password = PASSWORD) => call(api, 'POST', '/v1/session', { body: { username, password } });
const asAdmin = (method: string, path: string, body?: unknown) => call(api, method, path, { token: adminToken, body });
const newStationAccount = () =>
  asAdmin('POST', '/v1/users', { username: `clerk-${randomUUID().slice(0, 8)}`, name: '窗口民警', role: 'station', stationCode: stationIn(COUNTIES.shanghaiPudong), password: PASSWORD });

describe('/v1/users', () => {
  test('when an admin creates a station account, then that person logs in as that station', async () => {
    const created = await newStationAccount();
    expect(created.status).toBe(201);
    expect(created.body).toMatchObject({ role: 'station', stationCode: stationIn(COUNTIES.shanghaiPudong), disabled: false, locked: false });
    expect(created.body).not.toHaveProperty('password');
    const login = await logIn(created.body.username);
    expect(login.status).toBe(200);
    expect(login.body.user).toMatchObject({ role: 'station', regionCode: COUNTIES.shanghaiPudong });
    const listed = await asAdmin('GET', '/v1/users');
    expect(listed.status).toBe(200);
  });

  test('when a role lacks its jurisdiction, the place is unknown or the username is taken, then nothing is created', async () => {
    const username = `rev-${randomUUID().slice(0, 8)}`;
    const noRegion = await asAdmin('POST', '/v1/users', { username, name: '审核', role: 'reviewer', password: PASSWORD });
    expect(noRegion.status).toBe(400);
    expect(noRegion.body.errors).toEqual([expect.objectContaining({ field: 'regionCode' })]);
    const unknown = await asAdmin('POST', '/v1/users', { username, name: '窗口', role: 'station', stationCode: 'NOSUCHSTATION', password: PASSWORD });
    expect(unknown.body.code).toBe('unknown_place');
    const unit = await asAdmin('POST', '/v1/users', { username, name: '银行', role: 'unit', password: PASSWORD });
    expect(unit.status).toBe(400);
    const short = await asAdmin('POST', '/v1/users', { username, name: '审核', role: 'reviewer', regionCode: '410000', password: 'short' });
    expect(short.status).toBe(400);
    expect(await db('users').where('username', username).first('id')).toBeUndefined();
    const first = await newStationAccount();
    const again = await asAdmin('POST', '/v1/users', { username: first.body.username, name: '另一人', role: 'manager', password: PASSWORD });
    expect(again.status).toBe(409);
    expect(again.body.code).toBe('username_taken');
  });

  test('when an account is disabled, then its session ends at once and it cannot log in until enabled', async () => {
    const { body: account } = await newStationAccount();
    const login = await fetch(`${api.url}/v1/session`, { method: 'POST', headers: { 'content-type': 'application/json' }, body: JSON.stringify({ username: account.username, password: PASSWORD }) });
    const sessionCookie = (login.headers.get('set-cookie') ?? '').split(';')[0];
    expect((await call(api, 'GET', '/v1/session', { headers: { cookie: sessionCookie } })).status).toBe(200);
    expect((await asAdmin('POST', `/v1/users/${account.id}/disable`, {})).body.disabled).toBe(true);
    expect((await call(api, 'GET', '/v1/session', { headers: { cookie: sessionCookie } })).status).toBe(401);
    expect((await logIn(account.username)).status).toBe(401);
    expect((await asAdmin('POST', `/v1/users/${account.id}/enable`, {})).body.disabled).toBe(false);
    expect((await logIn(account.username)).status).toBe(200);
  });

  test('when an admin resets a password, then the old one no longer works and the new one does', async () => {
    const { body: account } = await newStationAccount();
    const reset = await asAdmin('POST', `/v1/users/${account.id}/password`, { password: 'the new password here' });
    expect(reset.status).toBe(200);
    expect((await logIn(account.username)).status).toBe(401);
    expect((await logIn(account.username, 'the new password here')).status).toBe(200);
  });

  test('when someone other than an admin asks, then 403, even with a console session', async () => {
    const manager = await newPerson(db, 'manager');
    const login = await fetch(`${api.url}/v1/session`, { method: 'POST', headers: { 'content-type': 'application/json' }, body: JSON.stringify({ username: manager.username, password: manager.password }) });
    const cookie = (login.headers.get('set-cookie') ?? '').split(';')[0];
    expect((await call(api, 'GET', '/v1/users', { headers: { cookie } })).status).toBe(403);
    expect((await call(api, 'GET', '/v1/users', { token: manager.token })).status).toBe(403);
  });
});
