import type { Db } from '../../db/knex';
import { call, startApi, type RunningApi } from '../support/api';
import { testDb } from '../support/database';
import { COUNTIES, newCitizen, newToken, stationIn, type TestCitizen } from '../support/fixtures';

let db: Db;
let api: RunningApi;
let unit: string;
let station: string;

beforeAll(async () => {
  db = testDb();
  api = await startApi(db);
  unit = await newToken(db, 'unit', { unitId: 'air-china' });
  station = await newToken(db, 'station', { stationCode: stationIn(COUNTIES.hangzhouXihu) });
}, 60_000);

afterAll(async () => {
  await api?.close();
  await db?.destroy();
});

const verifyBody = (citizen: TestCitizen, overrides: Record<string, unknown> = {}) => ({
  idNumber: citizen.idNumber,
  name: citizen.name,
  cardValidFrom: citizen.cards[0].validFrom,
  ...overrides,
});
const verify = (body: unknown, options: { token?: string; on?: RunningApi; headers?: Record<string, string> } = {}) =>
  call(options.on ?? api, 'POST', '/v1/verifications', { token: options.token ?? unit, body, headers: options.headers });

async function until<T>(read: () => Promise<T>, done: (value: T) => boolean, timeoutMs = 3_000): Promise<T> {
  const started = Date.now();
  for (;;) {
    const value = await read();
    if (done(value) || Date.now() - started > timeoutMs) return value;
    await new Promise((resolve) => setTimeout(resolve, 25));
  }
}

/** checkedAt is the time of the check: the test's clock and the API's agree to within this. */
const MAX_CHECKED_AT_DRIFT_MS = 5_000;

describe('POST /v1/verifications: answers', () => {
  test('when the card is valid and the name matches, then VALID with checkedAt and nothing else about the person', async () => {
    const citizen = await newCitizen(db);
    const answer = await verify(verifyBody(citizen));
    expect(answer.status).toBe(200);
    expect(answer.body).toEqual({ result: 'VALID', checkedAt: expect.any(String) });
    expect(Math.abs(Date.parse(answer.body.checkedAt) - Date.now())).toBeLessThan(MAX_CHECKED_AT_DRIFT_MS);
    const again = await verify(verifyBody(citizen, { idNumber: citizen.idNumber.toLowerCase(), name: ` ${citizen.name} ` }));
    expect(again.body.result).toBe('VALID');
  });

  test.each([
    ['the name is someone else’s', (c: TestCitizen) => verifyBody(c, { name: '冒用者' }), 'NAME_MISMATCH'],
    ['no card has that validity start', (c: TestCitizen) => verifyBody(c, { cardValidFrom: '2001-01-01' }), 'NOT_ISSUED'],
  ])('when %s, then INVALID %s', async (_what, body, reason) => {
    const citizen = await newCitizen(db);
    expect((await verify(body(citizen))).body).toEqual({ result: 'INVALID', reason, checkedAt: expect.any(String) });
  });

  test('when the card was replaced, expired or expired by date only, then INVALID with that reason', async () => {
    const replaced = await newCitizen(db, { cards: [{ validFrom: '2005-01-10', validUntil: '2025-01-10', status: 'SUPERSEDED' }, { validFrom: '2020-01-10' }] });
    const expired = await newCitizen(db, { cards: [{ validFrom: '2000-01-10', validUntil: '2010-01-10', status: 'EXPIRED' }] });
    const lapsed = await newCitizen(db, { cards: [{ validFrom: '2001-01-10', validUntil: '2011-01-10', status: 'ACTIVE' }] });
    expect((await verify(verifyBody(replaced))).body.reason).toBe('SUPERSEDED');
    expect((await verify(verifyBody(replaced, { cardValidFrom: '2020-01-10' }))).body.result).toBe('VALID');
    expect((await verify(verifyBody(expired))).body.reason).toBe('EXPIRED');
    expect((await verify(verifyBody(lapsed))).body.reason).toBe('EXPIRED');
  });

  test('when a card is issued after it was asked about, then it reads VALID (the NOT_ISSUED answer is not kept)', async () => {
    const citizen = await newCitizen(db, { cards: [] });
    const body = { idNumber: citizen.idNumber, name: citizen.name, cardValidFrom: '2024-04-01' };
    expect((await verify(body)).body.reason).toBe('NOT_ISSUED');
    await db('cards').insert({ idNumber: citizen.idNumber, validFrom: '2024-04-01', validUntil: '2044-04-01', status: 'ACTIVE', hasFingerprints: true });
    expect((await until(() => verify(body), (answer) => answer.body.result === 'VALID', 1_000)).body.result).toBe('VALID');
  });
});

describe('POST /v1/verifications: authorization', () => {
  test('when no token or an unknown token is sent, then 401; when a station asks, then 403', async () => {
    const citizen = await newCitizen(db);
    expect((await call(api, 'POST', '/v1/verifications', { body: verifyBody(citizen) })).status).toBe(401);
    expect((await verify(verifyBody(citizen), { token: 'unit_nobody' })).status).toBe(401);
    const forbidden = await verify(verifyBody(citizen), { token: station });
    expect(forbidden.status).toBe(403);
    expect(forbidden.body.code).toBe('forbidden_role');
  });
});

describe('POST /v1/verifications: validation', () => {
  test.each([
    ['a citizen number with a wrong check character', { idNumber: '11010519491231002Y' }, 'invalid_id_number'],
    ['a citizen number of 17 digits', { idNumber: '11010519491231002' }, 'invalid_id_number'],
    ['a missing name', { name: undefined }, 'validation_failed'],
    ['an empty name', { name: '  ' }, 'validation_failed'],
    ['a name of 51 characters', { name: '名'.repeat(51) }, 'validation_failed'],
    ['a NUL in the name', { name: '张\u0000三' }, 'validation_failed'],
    ['a lone surrogate in the name', { name: '张\ud800三' }, 'validation_failed'],
    ['a number as the date', { cardValidFrom: 20200101 }, 'validation_failed'],
    ['an impossible date', { cardValidFrom: '2020-13-01' }, 'validation_failed'],
    ['an extra field', { photo: 'x' }, 'validation_failed'],
  ])('when the body has %s, then 400 %s listing the field', async (_what, overrides, code) => {
    const citizen = await newCitizen(db);
    const answer = await verify(verifyBody(citizen, overrides));
    expect(answer.status).toBe(400);
    expect(answer.contentType).toMatch(/application\/problem\+json/);
    expect(answer.body).toMatchObject({ code, status: 400, type: expect.any(String), title: expect.any(String), detail: expect.any(String) });
    expect(answer.body.errors).toEqual(expect.arrayContaining([expect.objectContaining({ field: expect.any(String), message: expect.any(String) })]));
  });

  test('when a cached card is asked with a name the schema refuses, then 400 as for an uncached one: the fast path refuses what the schema refuses', async () => {
    const citizen = await newCitizen(db);
    expect((await verify(verifyBody(citizen))).status).toBe(200); // now in the cache
    for (const name of ['张\ud800三', '张\u0000三', '名'.repeat(51)]) {
      const answer = await verify(verifyBody(citizen, { name }));
      expect(answer.status).toBe(400);
      expect(answer.body.errors).toEqual([expect.objectContaining({ field: 'name' })]);
    }
  });

  test.each([
    ['malformed JSON', '{"idNumber": ', 'application/json', 400, 'malformed_json'],
    ['an empty body', '', 'application/json', 400, 'malformed_json'],
    ['JSON null', 'null', 'application/json', 400, 'validation_failed'],
    ['a JSON array', '[1,2]', 'application/json', 400, 'validation_failed'],
    ['a JSON string', '"hello"', 'application/json', 400, 'validation_failed'],
    ['a form body', 'idNumber=1', 'application/x-www-form-urlencoded', 415, 'unsupported_media_type'],
    ['a body over 4 KB', JSON.stringify({ idNumber: 'x'.repeat(5_000) }), 'application/json', 413, 'payload_too_large'],
  ])('when the request carries %s, then %s and never a 5xx', async (_what, body, type, status, code) => {
    const answer = await verify(body, { headers: { 'content-type': type } });
    expect(answer.status).toBe(status);
    expect(answer.body.code).toBe(code);
  });
});

/** jinjiang-hotels' own limit (its rateLimitPerSecond in db/seed/referenceData.ts). */
const HOTEL_LIMIT_PER_SECOND = 50;
/** Of 120 calls at once, at most this many answered: the limit refused some, whatever second they fell in. */
const MAX_ANSWERED_OF_120 = 90;

describe('POST /v1/verifications: rate limit', () => {
  test('when a unit exceeds its own limit (jinjiang-hotels: 50 a second), then 429 with Retry-After, and refused calls are not audited', async () => {
    const limited = await startApi(db);
    try {
      const hotel = await newToken(db, 'unit', { unitId: 'jinjiang-hotels' });
      const citizen = await newCitizen(db);
      const answers = await Promise.all(
        Array.from({ length: 120 }, () =>
          fetch(`${limited.url}/v1/verifications`, {
            method: 'POST',
            headers: { authorization: `Bearer ${hotel}`, 'content-type': 'application/json' },
            body: JSON.stringify(verifyBody(citizen)),
          }).then(async (response) => ({ status: response.status, retryAfter: response.headers.get('retry-after'), body: await response.json() })),
        ),
      );
      const ok = answers.filter((answer) => answer.status === 200);
      const refused = answers.filter((answer) => answer.status === 429);
      expect(ok.length).toBeGreaterThanOrEqual(HOTEL_LIMIT_PER_SECOND);
      expect(ok.length).toBeLessThan(MAX_ANSWERED_OF_120);
      expect(ok.length + refused.length).toBe(120);
      expect(refused[0]).toMatchObject({ retryAfter: '1', body: { code: 'rate_limited' } });
      const audited = await until(
        () => db('verificationAudit').where({ idNumber: citizen.idNumber }).count({ n: '*' }).first(),
        (row) => Number(row?.n) >= ok.length,
      );
      expect(Number(audited?.n)).toBe(ok.length);
    } finally {
      await limited.close();
    }
  });
});

describe('POST /v1/verifications: audit', () => {
  test('when a unit makes verifications, then one audit row per answer records the unit, the card, the answer and its time', async () => {
    const mobile = await newToken(db, 'unit', { unitId: 'china-mobile' });
    const citizens = await Promise.all([newCitizen(db), newCitizen(db), newCitizen(db)]);
    const made: Array<{ idNumber: string; cardValidFrom: string; result: string; reason: string | null; checkedAt: string }> = [];
    await Promise.all(
      Array.from({ length: 60 }, async (_, i) => {
        const citizen = citizens[i % 3];
        const body = verifyBody(citizen, i % 4 === 0 ? { name: '某人' } : i % 5 === 0 ? { cardValidFrom: '2002-02-02' } : {});
        const answer = await verify(body, { token: mobile });
        expect(answer.status).toBe(200);
        made.push({ idNumber: citizen.idNumber, cardValidFrom: body.cardValidFrom as string, result: answer.body.result, reason: answer.body.reason ?? null, checkedAt: answer.body.checkedAt });
      }),
    );
    const rows = await until(
      () => db('verificationAudit').whereIn('idNumber', citizens.map((c) => c.idNumber)),
      (found) => found.length >= made.length,
    );
    const normalise = (entries: Array<{ idNumber: string; cardValidFrom: string; result: string; reason: string | null; checkedAt: string | Date }>) =>
      entries.map((e) => [e.idNumber, e.cardValidFrom, e.result, e.reason, new Date(e.checkedAt).toISOString()].join(' ')).sort();
    expect(rows.every((row: { unitId: string }) => row.unitId === 'china-mobile')).toBe(true);
    expect(normalise(rows)).toEqual(normalise(made));
  });

  test('when the instance shuts down, then the audit rows still waiting for their batch are written', async () => {
    const slow = await startApi(db, { config: { VERIFICATION_AUDIT_FLUSH_MS: 60_000, VERIFICATION_AUDIT_BATCH_SIZE: 10_000 } });
    const citizen = await newCitizen(db);
    for (let i = 0; i < 5; i++) expect((await verify(verifyBody(citizen), { on: slow })).status).toBe(200);
    expect(await db('verificationAudit').where({ idNumber: citizen.idNumber })).toHaveLength(0);
    await slow.close();
    expect(await db('verificationAudit').where({ idNumber: citizen.idNumber })).toHaveLength(5);
  });

  test('when anyone tries to change an audit row, then the database refuses', async () => {
    await expect(db('verificationAudit').update({ result: 'VALID' }).where('id', 1)).rejects.toMatchObject({ code: '42501' });
  });
});
