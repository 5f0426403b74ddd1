import { createDb, type Db } from '../../db/knex';
import { call, startApi, type RunningApi } from '../support/api';
import { testDb } from '../support/database';
import { COUNTIES, newCitizen, newToken, stationIn, type TestCitizen } from '../support/fixtures';
import { startTcpProxy, type TcpProxy } from '../support/tcpProxy';

/**
 * A lost card never reads VALID after its 201, on any instance (issue 11). Three API instances over
 * real HTTP on one real PostgreSQL; the third reaches the database through a proxy that delays
 * everything the database sends it — its notifications included — as a busy instance or a slow
 * network would. The loss report is taken on the first instance.
 */
const REPLY_DELAY_MS = 150;

let db: Db;
let slowDb: Db;
let proxy: TcpProxy;
let reporter: RunningApi;
let other: RunningApi;
let slow: RunningApi;
let station: string;
let unit: string;

beforeAll(async () => {
  db = testDb();
  const url = new URL(process.env.DATABASE_URL!);
  proxy = await startTcpProxy(Number(url.port));
  proxy.delayReplies(REPLY_DELAY_MS);
  url.port = String(proxy.port);
  slowDb = createDb(url.toString(), { poolMax: 5 });
  reporter = await startApi(db);
  other = await startApi(db);
  slow = await startApi(slowDb);
  station = await newToken(db, 'station', { stationCode: stationIn(COUNTIES.shenzhenNanshan) });
  unit = await newToken(db, 'unit', { unitId: 'icbc' });
}, 60_000);

afterAll(async () => {
  await reporter?.close();
  await other?.close();
  await slow?.close();
  await slowDb?.destroy();
  await proxy?.close();
  await db?.destroy();
});

const verify = (on: RunningApi, citizen: TestCitizen) =>
  call(on, 'POST', '/v1/verifications', { token: unit, body: { idNumber: citizen.idNumber, name: citizen.name, cardValidFrom: citizen.cards[0].validFrom } }).then((answer) => answer.body.result);

const report = (citizen: TestCitizen) =>
  call(reporter, 'POST', '/v1/loss-reports', {
    token: station,
    body: { idNumber: citizen.idNumber, name: citizen.name, cardValidFrom: citizen.cards[0].validFrom, circumstance: 'lost', fingerprintMatched: true },
  });

/** Until every instance answers this card from its cache (a second verification costs no database round trip). */
async function cachedEverywhere(citizen: TestCitizen): Promise<void> {
  for (const on of [reporter, other, slow]) {
    expect(await verify(on, citizen)).toBe('VALID');
  }
  const started = performance.now();
  for (;;) {
    const timed = performance.now();
    expect(await verify(slow, citizen)).toBe('VALID');
    if (performance.now() - timed < REPLY_DELAY_MS / 2) return;
    if (performance.now() - started > 10_000) throw new Error('the slow instance never answered from its cache');
  }
}

describe('POST /v1/loss-reports with several API instances', () => {
  test('when a card is reported lost on one instance, then no instance reads it VALID once the 201 is held, even one whose notifications arrive late', async () => {
    const citizens = await Promise.all(Array.from({ length: 5 }, () => newCitizen(db)));
    for (const citizen of citizens) await cachedEverywhere(citizen);

    for (const citizen of citizens) {
      expect((await report(citizen)).status).toBe(201);
      const answers = await Promise.all([verify(slow, citizen), verify(other, citizen), verify(reporter, citizen)]);
      expect(answers).toEqual(['INVALID', 'INVALID', 'INVALID']);
    }
  });

  test('when an instance cannot confirm in time, then the 201 waits no longer than the lease, and that instance no longer answers from its cache', async () => {
    const LEASE_MS = 600;
    const url = new URL(process.env.DATABASE_URL!);
    const stallingProxy = await startTcpProxy(Number(url.port));
    url.port = String(stallingProxy.port);
    const stallingDb = createDb(url.toString(), { poolMax: 5, acquireTimeoutMs: 8_000 });
    const quickReporter = await startApi(db, { config: { VERIFICATION_CACHE_LEASE_MS: LEASE_MS } });
    const stalling = await startApi(stallingDb, { config: { VERIFICATION_CACHE_LEASE_MS: LEASE_MS } });
    try {
      const citizen = await newCitizen(db);
      expect(await verify(stalling, citizen)).toBe('VALID');
      for (const started = performance.now(); ; ) {
        const timed = performance.now();
        expect(await verify(stalling, citizen)).toBe('VALID');
        if (performance.now() - timed < 20) break; // answered from its cache
        if (performance.now() - started > 10_000) throw new Error('never answered from its cache');
      }
      // From now on everything the database tells this instance arrives 3 s late: no acknowledgement, no lease.
      stallingProxy.delayReplies(3_000);
      const started = performance.now();
      const answer = await call(quickReporter, 'POST', '/v1/loss-reports', {
        token: station,
        body: { idNumber: citizen.idNumber, name: citizen.name, cardValidFrom: citizen.cards[0].validFrom, circumstance: 'lost', fingerprintMatched: true },
      });
      const took = performance.now() - started;
      expect(answer.status).toBe(201);
      expect(took).toBeGreaterThanOrEqual(LEASE_MS);
      expect(took).toBeLessThan(LEASE_MS + 1_000);
      // The instance now reads the database, whose replies come 3 s late: INVALID, or, when a busy machine
      // makes its pool wait past the acquire timeout, a 503. Never VALID from the cache.
      const after = await call(stalling, 'POST', '/v1/verifications', { token: unit, body: { idNumber: citizen.idNumber, name: citizen.name, cardValidFrom: citizen.cards[0].validFrom } });
      if (after.status === 503) expect(after.body.code).toBe('service_unavailable');
      else expect({ status: after.status, result: after.body.result }).toEqual({ status: 200, result: 'INVALID' });
    } finally {
      await quickReporter.close();
      stallingProxy.cut(); // its audit row and registry row are left behind: the row expires
      await stalling.close();
      await stallingDb.destroy();
      await stallingProxy.close();
    }
  }, 30_000);
});
