import type { Db } from '../../db/knex';
import { listenerApplicationName } from '../../api/verifications/invalidationListener';
import { call, startApi, type RunningApi } from '../support/api';
import { testDb } from '../support/database';
import { newCitizen, newToken, type TestCitizen } from '../support/fixtures';

/**
 * The invalidation channel dropping. Alone in its file: it kills every listening connection of
 * this jest worker, and it changes cards behind the API's back (directly in the database, which
 * announces the change exactly as a loss report on another instance would).
 */
let db: Db;
let api: RunningApi;
let unit: string;

beforeAll(async () => {
  db = testDb();
  unit = await newToken(db, 'unit', { unitId: 'icbc' });
  api = await startApi(db, { config: { VERIFICATION_LISTENER_RETRY_MS: 1_500 } });
}, 60_000);

afterAll(async () => {
  await api?.close();
  await db?.destroy();
});

const verify = (citizen: TestCitizen) =>
  call(api, 'POST', '/v1/verifications', { token: unit, body: { idNumber: citizen.idNumber, name: citizen.name, cardValidFrom: citizen.cards[0].validFrom } }).then((answer) => answer.body.result);
const reportLostBehindTheApisBack = (citizen: TestCitizen) => db('cards').where({ idNumber: citizen.idNumber }).update({ status: 'REPORTED_LOST' });
/** While listening, a change made behind the API's back reaches its cache by NOTIFY within this. */
const MAX_INVALIDATION_MS = 1_000;
const sleep = (ms: number) => new Promise((resolve) => setTimeout(resolve, ms));

async function listenerPids(): Promise<number[]> {
  const { rows } = await db.raw(`select pid from pg_stat_activity where application_name = ?`, [listenerApplicationName()]);
  return rows.map((row: { pid: number }) => row.pid);
}

async function untilListening(exceptPid?: number, timeoutMs = 10_000): Promise<number> {
  const started = Date.now();
  for (;;) {
    const pids = (await listenerPids()).filter((pid) => pid !== exceptPid);
    if (pids.length === 1) return pids[0];
    if (Date.now() - started > timeoutMs) throw new Error('the API is not listening');
    await sleep(50);
  }
}

async function untilInvalid(citizen: TestCitizen, timeoutMs = 1_000): Promise<number> {
  const started = performance.now();
  while ((await verify(citizen)) === 'VALID') {
    if (performance.now() - started > timeoutMs) throw new Error(`still VALID after ${timeoutMs} ms`);
  }
  return performance.now() - started;
}

test('when the notification connection is killed, then the cache is dropped and bypassed until it is back, and invalidation works again after', async () => {
  const [a, b, c, d] = await Promise.all([newCitizen(db), newCitizen(db), newCitizen(db), newCitizen(db)]);
  const pid = await untilListening();

  // Listening: answers are cached, and a change made anywhere reaches this instance by NOTIFY.
  expect(await verify(a)).toBe('VALID');
  expect(await verify(b)).toBe('VALID');
  await reportLostBehindTheApisBack(a);
  expect(await untilInvalid(a)).toBeLessThan(MAX_INVALIDATION_MS);

  const { rows } = await db.raw('select pg_terminate_backend(?) as killed', [pid]);
  expect(rows[0].killed).toBe(true);
  await sleep(200);

  // Down: a change whose notification nobody hears must not leave b's cached VALID behind…
  await reportLostBehindTheApisBack(b);
  expect(await verify(b)).toBe('INVALID');
  // …and nothing read meanwhile is kept: c reads VALID twice from the database, then INVALID at once.
  expect(await verify(c)).toBe('VALID');
  expect(await verify(c)).toBe('VALID');
  await reportLostBehindTheApisBack(c);
  expect(await verify(c)).toBe('INVALID');

  // Back (after the 1.5 s retry): listening again, caching again, invalidated again.
  await untilListening(pid);
  expect(await verify(d)).toBe('VALID');
  expect(await verify(d)).toBe('VALID');
  await reportLostBehindTheApisBack(d);
  expect(await untilInvalid(d)).toBeLessThan(MAX_INVALIDATION_MS);
}, 30_000);
