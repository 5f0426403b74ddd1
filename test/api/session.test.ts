import { randomUUID } from 'node:crypto';
import { hashPassword } from '../../api/session/passwords';
import type { Db } from '../../db/knex';
import { setPassword } from '../../db/logins';
import { createUser, type Role } from '../../db/users';
import { call, startApi, type RunningApi } from '../support/api';
import { testDb } from '../support/database';
import { COUNTIES, stationIn } from '../support/fixtures';

/** Console logins over real HTTP: username and password → an httpOnly session cookie and a CSRF token. */
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

const PASSWORD = 'correct horse battery staple';

/** An account of one's own with a console login; returns its username and bearer token. */
async function person(role: Role = 'station', password = PASSWORD): Promise<{ id: string; username: string; token: string }> {
  const id = `${role}-${randomUUID()}`;
  const { token } = await createUser(db, {
    id,
    name: `测试${role}`,
    role,
    stationCode: role === 'station' ? stationIn(COUNTIES.shanghaiPudong) : null,
    regionCode: role === 'reviewer' ? '410000' : null,
    provinceCode: role === 'production' ? '410000' : null,
    unitId: role === 'unit' ? 'icbc' : null,
  });
  await setPassword(db, id, id, await hashPassword(password));
  return { id, username: id, token };
}

async function logIn(username: string, password = PASSWORD) {
  const response = await fetch(`${api.url}/v1/session`, {
    method: 'POST',
    headers: { 'content-type': 'application/json' },
    body: JSON.stringify({ username, password }),
  });
  const setCookie = response.headers.get('set-cookie') ?? '';
  return { status: response.status, body: (await response.json()) as any, setCookie, cookie: setCookie.split(';')[0] };
}

describe('POST /v1/session (login)', () => {
  test('when the password is right, then a session cookie is set httpOnly and SameSite=Strict, with a CSRF token and the user', async () => {
    const { username } = await person('reviewer');
    const login = await logIn(username);
    expect(login.status).toBe(200);
    expect(login.setCookie).toMatch(/^idc_session=[\w-]{40,};/);
    expect(login.setCookie).toMatch(/HttpOnly/);
    expect(login.setCookie).toMatch(/SameSite=Strict/);
    expect(login.body).toMatchObject({ user: { role: 'reviewer', regionCode: '410000', name: '测试reviewer' }, csrfToken: expect.any(String) });
  });

  test('when the password is wrong, then 401 invalid_credentials and no cookie; an unknown username answers the same', async () => {
    const { username } = await person();
    const wrong = await logIn(username, 'not the password');
    expect(wrong.status).toBe(401);
    expect(wrong.body.code).toBe('invalid_credentials');
    expect(wrong.setCookie).toBe('');
    const unknown = await logIn(`nobody-${randomUUID()}`);
    expect(unknown.status).toBe(401);
    expect(unknown.body.code).toBe('invalid_credentials');
  });

  test('when the password is stored, then only as an argon2id hash', async () => {
    const { id } = await person();
    const { passwordHash } = await db('users').where('id', id).first('passwordHash');
    expect(passwordHash).toMatch(/^\$argon2id\$/);
    expect(passwordHash).not.toContain(PASSWORD);
  });

  test('when failures repeat, then each answer is slower, and after five the account is locked even for the right password', async () => {
    const { id, username } = await person();
    const took: number[] = [];
    for (let attempt = 0; attempt < 5; attempt++) {
      const started = Date.now();
      expect((await logIn(username, `wrong ${attempt}`)).status).toBe(401);
      took.push(Date.now() - started);
    }
    expect(took[4]).toBeGreaterThan(took[0] + 500);
    const locked = await logIn(username);
    expect(locked.status).toBe(429);
    expect(locked.body.code).toBe('account_locked');
    expect(locked.setCookie).toBe('');
    // Once the lock has run out, the right password opens a session again and the count starts afresh.
    await db('users').where('id', id).update({ lockedUntil: new Date(Date.now() - 1000) });
    expect((await logIn(username)).status).toBe(200);
    expect((await db('users').where('id', id).first('failedLogins')).failedLogins).toBe(0);
  });

  test('when a card-using unit has a password, then it still cannot log in to the console (machines use bearer tokens)', async () => {
    const { username } = await person('unit');
    expect((await logIn(username)).status).toBe(401);
  });

  test('when the body is a form, not JSON, then 415 (another site cannot post a login form)', async () => {
    const { username } = await person();
    const response = await fetch(`${api.url}/v1/session`, {
      method: 'POST',
      headers: { 'content-type': 'application/x-www-form-urlencoded' },
      body: `username=${username}&password=${PASSWORD}`,
    });
    expect(response.status).toBe(415);
  });
});

describe('calls with a session', () => {
  test('when a station reads with its session, then it gets what its bearer token gets', async () => {
    const { username, token } = await person('station');
    const { cookie } = await logIn(username);
    const missing = randomUUID();
    const bySession = await call(api, 'GET', `/v1/applications/${missing}`, { headers: { cookie } });
    const byToken = await call(api, 'GET', `/v1/applications/${missing}`, { token });
    expect(bySession.status).toBe(byToken.status);
    expect(bySession.body.code).toBe(byToken.body.code);
    const listBySession = await call(api, 'GET', '/v1/applications', { headers: { cookie } });
    const listByToken = await call(api, 'GET', '/v1/applications', { token });
    expect(listBySession.status).toBe(200);
    expect(listBySession.body).toEqual(listByToken.body);
  });

  test('when a change is sent without the CSRF token, then 403 csrf_failed; with it, the request goes through', async () => {
    const { username } = await person('station');
    const { cookie, body } = await logIn(username);
    const without = await call(api, 'POST', '/v1/found-cards/inquiries', { headers: { cookie }, body: {} });
    expect(without.status).toBe(403);
    expect(without.body.code).toBe('csrf_failed');
    const wrong = await call(api, 'POST', '/v1/found-cards/inquiries', { headers: { cookie, 'x-csrf-token': 'x'.repeat(32) }, body: {} });
    expect(wrong.body.code).toBe('csrf_failed');
    const withToken = await call(api, 'POST', '/v1/found-cards/inquiries', { headers: { cookie, 'x-csrf-token': body.csrfToken }, body: {} });
    expect(withToken.status).toBe(400); // past authentication: the empty body is what is wrong now
  });

  test('when the user logs out, then the session is revoked on the server: the old cookie is refused', async () => {
    const { username } = await person('manager');
    const { cookie, body } = await logIn(username);
    expect((await call(api, 'GET', '/v1/session', { headers: { cookie } })).status).toBe(200);
    expect((await call(api, 'DELETE', '/v1/session', { headers: { cookie } })).status).toBe(403);
    const out = await fetch(`${api.url}/v1/session`, { method: 'DELETE', headers: { cookie, 'x-csrf-token': body.csrfToken } });
    expect(out.status).toBe(204);
    expect(out.headers.get('set-cookie')).toMatch(/Max-Age=0/);
    expect((await call(api, 'GET', '/v1/session', { headers: { cookie } })).status).toBe(401);
    expect((await call(api, 'GET', '/v1/overdue', { headers: { cookie } })).status).toBe(401);
  });

  test('when a session has expired or its account is disabled, then its cookie is refused', async () => {
    const expiring = await person('manager');
    const first = await logIn(expiring.username);
    await db('sessions').where('userId', expiring.id).update({ expiresAt: new Date(Date.now() - 1000) });
    expect((await call(api, 'GET', '/v1/overdue', { headers: { cookie: first.cookie } })).status).toBe(401);
    const disabled = await person('manager');
    const second = await logIn(disabled.username);
    expect((await call(api, 'GET', '/v1/overdue', { headers: { cookie: second.cookie } })).status).toBe(200);
    await db('users').where('id', disabled.id).update({ disabledAt: new Date() });
    expect((await call(api, 'GET', '/v1/overdue', { headers: { cookie: second.cookie } })).status).toBe(401);
  });
});
