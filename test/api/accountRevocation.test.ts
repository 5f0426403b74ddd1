import type { Db } from '../../db/knex';
import { hashToken } from '../../db/users';
import { call, startApi, type RunningApi } from '../support/api';
import { testDb } from '../support/database';
import { COUNTIES, newCitizen, newToken, stationIn } from '../support/fixtures';

/** Accounts are cached per API instance for speed; a change to one must reach every instance at once. */
let db: Db;
let first: RunningApi;
let second: RunningApi;

beforeAll(async () => {
  db = testDb();
  first = await startApi(db);
  second = await startApi(db);
}, 60_000);

afterAll(async () => {
  await first?.close();
  await second?.close();
  await db?.destroy();
});

/** The account's id, from the token's hash (tokens are stored hashed). */
async function accountId(token: string): Promise<string> {
  return (await db('users').where('tokenHash', hashToken(token)).first('id')).id;
}

const lookUp = (api: RunningApi, token: string, loss: string) => call(api, 'GET', `/v1/loss-reports/${loss}`, { token });
const verify = (api: RunningApi, token: string, citizen: { idNumber: string; name: string; cards: Array<{ validFrom: string }> }) =>
  call(api, 'POST', '/v1/verifications', { token, body: { idNumber: citizen.idNumber, name: citizen.name, cardValidFrom: citizen.cards[0].validFrom } });

/** Every instance refuses a deleted or disabled account's token within this ("at once", with a NOTIFY between). */
const MAX_REVOCATION_MS = 1_000;

/** Asks until the answer is 401, for at most `ms`; returns how long it took. */
async function until401(ask: () => Promise<{ status: number }>, ms = MAX_REVOCATION_MS): Promise<number> {
  const started = Date.now();
  while ((await ask()).status !== 401) {
    if (Date.now() - started > ms) throw new Error(`still accepted after ${ms} ms`);
    await new Promise((resolve) => setTimeout(resolve, 10));
  }
  return Date.now() - started;
}

describe('revoking an account', () => {
  const missing = '00000000-0000-4000-8000-000000000000';

  test('when a station account is deleted, then every instance refuses its token at once (401), though each had it cached', async () => {
    const token = await newToken(db, 'station', { stationCode: stationIn(COUNTIES.shanghaiPudong) });
    for (const api of [first, second]) expect((await lookUp(api, token, missing)).status).toBe(404);
    await db('users').where('id', await accountId(token)).delete();
    for (const api of [first, second]) expect(await until401(() => lookUp(api, token, missing))).toBeLessThan(MAX_REVOCATION_MS);
  });

  test('when a unit account is disabled, then verifications with its token are refused at once on every instance', async () => {
    const token = await newToken(db, 'unit', { unitId: 'icbc' });
    const citizen = await newCitizen(db);
    for (const api of [first, second]) expect((await verify(api, token, citizen)).status).toBe(200);
    await db('users').where('id', await accountId(token)).update({ disabledAt: new Date() });
    for (const api of [first, second]) expect(await until401(() => verify(api, token, citizen))).toBeLessThan(MAX_REVOCATION_MS);
    expect((await lookUp(first, token, missing)).status).toBe(401);
  });

  test('when another account changes, then a cached account keeps working', async () => {
    const token = await newToken(db, 'station', { stationCode: stationIn(COUNTIES.shanghaiPudong) });
    const other = await newToken(db, 'station', { stationCode: stationIn(COUNTIES.shanghaiPudong) });
    expect((await lookUp(first, token, missing)).status).toBe(404);
    await db('users').where('id', await accountId(other)).delete();
    expect((await lookUp(first, token, missing)).status).toBe(404);
  });
});
