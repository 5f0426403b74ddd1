import { chinaDateOf, DAY_MS } from '../../domain';
import type { Db } from '../../db/knex';
import { call, startApi, type RunningApi } from '../support/api';
import { testDb } from '../support/database';
import { COUNTIES, newCitizen, newToken, stationIn, type TestCitizen } from '../support/fixtures';

let db: Db;
let api: RunningApi;
let second: RunningApi;
let station: string;
let sameCountyStation: string;
let otherStation: string;
let unit: string;
let manager: string;

beforeAll(async () => {
  db = testDb();
  api = await startApi(db);
  second = await startApi(db);
  station = await newToken(db, 'station', { stationCode: stationIn(COUNTIES.shenzhenNanshan) });
  // Another login at a station of the same county: the same authority.
  sameCountyStation = await newToken(db, 'station', { stationCode: stationIn(COUNTIES.shenzhenNanshan) });
  otherStation = await newToken(db, 'station', { stationCode: stationIn(COUNTIES.beijingChaoyang) });
  unit = await newToken(db, 'unit', { unitId: 'icbc' });
  manager = await newToken(db, 'manager');
}, 60_000);

afterAll(async () => {
  await api?.close();
  await second?.close();
  await db?.destroy();
});

/** A card reported lost on one instance reads INVALID on another within this ("at once", with a NOTIFY between). */
const MAX_INVALIDATION_MS = 1_000;
/** The race below runs at least this many verifications, as its name says. */
const MIN_RACING_VERIFICATIONS = 1_000;

const verify = (on: RunningApi, citizen: TestCitizen, card = citizen.cards[0]) =>
  call(on, 'POST', '/v1/verifications', { token: unit, body: { idNumber: citizen.idNumber, name: citizen.name, cardValidFrom: card.validFrom } });

const report = (citizen: TestCitizen, overrides: Record<string, unknown> = {}, token = station, on = api) =>
  call(on, 'POST', '/v1/loss-reports', {
    token,
    body: { idNumber: citizen.idNumber, name: citizen.name, cardValidFrom: citizen.cards[0]?.validFrom, circumstance: 'lost', fingerprintMatched: true, ...overrides },
  });

/** Polls `on` until the card reads INVALID; the milliseconds it took. */
async function untilInvalid(on: RunningApi, citizen: TestCitizen, timeoutMs = 2_000): Promise<number> {
  const started = performance.now();
  for (;;) {
    const answer = await verify(on, citizen);
    if (answer.body.result === 'INVALID') return performance.now() - started;
    if (performance.now() - started > timeoutMs) throw new Error(`still ${answer.body.result} after ${timeoutMs} ms`);
  }
}

async function untilValid(on: RunningApi, citizen: TestCitizen, timeoutMs = 2_000): Promise<void> {
  const started = performance.now();
  while ((await verify(on, citizen)).body.result !== 'VALID') {
    if (performance.now() - started > timeoutMs) throw new Error(`not VALID after ${timeoutMs} ms`);
  }
}

describe('POST /v1/loss-reports', () => {
  test('when the card is not named, then the person\'s current card is reported: the newest, invalid at once; an older card is not the one reported', async () => {
    const citizen = await newCitizen(db, { cards: [{ validFrom: '2008-07-01', validUntil: '2028-07-01', status: 'SUPERSEDED' }, { validFrom: '2022-07-01' }] });
    const answer = await report(citizen, { cardValidFrom: undefined });
    expect(answer.status).toBe(201);
    expect(answer.body).toMatchObject({ cardValidFrom: '2022-07-01', cardStatus: 'REPORTED_LOST' });
    expect((await verify(api, citizen, citizen.cards[1])).body).toMatchObject({ result: 'INVALID', reason: 'REPORTED_LOST' });
    expect((await db('cards').where({ idNumber: citizen.idNumber, validFrom: '2008-07-01' }).first('status')).status).toBe('SUPERSEDED');
    // The current card reported, asking again without naming it says so.
    expect((await report(citizen, { cardValidFrom: undefined })).body.code).toBe('already_reported_lost');
  });

  test('when the card is not named and the newest card is no longer valid, then 409 card_not_active; a person with no card is 404', async () => {
    const expired = await newCitizen(db, { cards: [{ validFrom: '2000-07-01', validUntil: '2010-07-01', status: 'EXPIRED' }] });
    const answer = await report(expired, { cardValidFrom: undefined });
    expect(answer.status).toBe(409);
    expect(answer.body.code).toBe('card_not_active');
    const noCard = await newCitizen(db, { cards: [] });
    expect((await report(noCard, { cardValidFrom: undefined })).body.code).toBe('card_not_found');
  });

  test('when a station reports a card lost, then 201 and the card reads INVALID REPORTED_LOST on this instance at once and on a second instance', async () => {
    const citizen = await newCitizen(db);
    expect((await verify(api, citizen)).body.result).toBe('VALID');
    expect((await verify(second, citizen)).body.result).toBe('VALID'); // both caches hold it now

    const reported = await report(citizen);
    expect(reported.status).toBe(201);
    expect(reported.body).toEqual({ lossReportId: expect.any(String), cardValidFrom: citizen.cards[0].validFrom, cardStatus: 'REPORTED_LOST', reportedAt: expect.any(String) });

    expect((await verify(api, citizen)).body).toEqual({ result: 'INVALID', reason: 'REPORTED_LOST', checkedAt: expect.any(String) });
    expect(await untilInvalid(second, citizen)).toBeLessThan(MAX_INVALIDATION_MS);
    expect((await verify(second, citizen)).body.reason).toBe('REPORTED_LOST');

    const stored = await db('lossReports').where('id', reported.body.lossReportId).first();
    expect(stored).toMatchObject({ source: 'station', authorityRegionCode: COUNTIES.shenzhenNanshan, reportingStationCode: stationIn(COUNTIES.shenzhenNanshan), withdrawnAt: null });
    const events = await db('cardStatusEvents').where({ idNumber: citizen.idNumber }).orderBy('seq');
    expect(events.at(-1)).toMatchObject({ status: 'REPORTED_LOST', previousStatus: 'ACTIVE' });
    expect(await db('auditLog').where({ subjectType: 'loss_report', subjectId: reported.body.lossReportId, action: 'loss_report.created' })).toHaveLength(1);
  });

  test('when the fingerprints do not match, then 422 fingerprint_mismatch and the card stays valid', async () => {
    const citizen = await newCitizen(db, { hasFingerprints: true });
    const refused = await report(citizen, { fingerprintMatched: false });
    expect(refused.status).toBe(422);
    expect(refused.contentType).toMatch(/application\/problem\+json/);
    expect(refused.body.code).toBe('fingerprint_mismatch');
    const unchecked = await report(citizen, { fingerprintMatched: undefined });
    expect(unchecked.body.code).toBe('fingerprint_check_required');
    expect((await verify(api, citizen)).body.result).toBe('VALID');
    expect(await db('lossReports').join('cards', 'cards.id', 'lossReports.cardId').where('cards.idNumber', citizen.idNumber)).toHaveLength(0);
  });

  test('when the card carries no fingerprints, then the report needs no comparison', async () => {
    const citizen = await newCitizen(db, { hasFingerprints: false });
    expect((await report(citizen, { fingerprintMatched: undefined })).status).toBe(201);
  });

  test('when the card is already reported lost, then 409 already_reported_lost with the open report', async () => {
    const citizen = await newCitizen(db);
    const first = await report(citizen);
    const again = await report(citizen, {}, otherStation);
    expect(again.status).toBe(409);
    expect(again.body).toMatchObject({ code: 'already_reported_lost', lossReportId: first.body.lossReportId });
  });

  test('when the same card is reported at two stations at once, then exactly one report is taken', async () => {
    const citizen = await newCitizen(db);
    const answers = await Promise.all([report(citizen), report(citizen, {}, otherStation), report(citizen, {}, station, second)]);
    expect(answers.map((answer) => answer.status).sort()).toEqual([201, 409, 409]);
  });

  test('when the name, the card or the caller is wrong, then a problem response and nothing is written', async () => {
    const citizen = await newCitizen(db);
    expect((await report(citizen, { name: '别人' })).body.code).toBe('name_mismatch');
    expect((await report(citizen, { cardValidFrom: '2001-01-01' })).status).toBe(404);
    expect((await report(citizen, {}, unit)).status).toBe(403);
    expect((await report(citizen, {}, manager)).status).toBe(403);
    expect((await call(api, 'POST', '/v1/loss-reports', { body: {} })).status).toBe(401);
    expect((await verify(api, citizen)).body.result).toBe('VALID');
  });

  test('when the card was already replaced, then 409 card_not_active', async () => {
    const citizen = await newCitizen(db, { cards: [{ validFrom: '2010-05-01', validUntil: '2030-05-01', status: 'SUPERSEDED' }, { validFrom: '2021-05-01' }] });
    const answer = await report(citizen);
    expect(answer.status).toBe(409);
    expect(answer.body).toMatchObject({ code: 'card_not_active', cardStatus: 'SUPERSEDED', title: '证件已失效', detail: '该证件已失效（已换领新证），无需挂失。' });
  });

  test('when the card is valid only from tomorrow (China’s date), then 422 reported_before_valid_from and nothing is written; a card valid from today is reported', async () => {
    const tomorrow = chinaDateOf(Date.now() + DAY_MS);
    const notYet = await newCitizen(db, { cards: [{ validFrom: tomorrow }] });
    const refused = await report(notYet);
    expect(refused.status).toBe(422);
    expect(refused.body).toMatchObject({ code: 'reported_before_valid_from', cardValidFrom: tomorrow, detail: expect.stringContaining(tomorrow) });
    expect(await db('lossReports').join('cards', 'cards.id', 'lossReports.cardId').where('cards.idNumber', notYet.idNumber)).toHaveLength(0);
    expect((await db('cards').where('idNumber', notYet.idNumber).first('status')).status).toBe('ACTIVE');

    const fromToday = await newCitizen(db, { cards: [{ validFrom: chinaDateOf(Date.now()) }] });
    expect((await report(fromToday)).status).toBe(201);
  });

  test.each([
    ['a malformed citizen number', { idNumber: '110105199001011234' }, 'invalid_id_number'],
    ['a missing circumstance', { circumstance: undefined }, 'validation_failed'],
    ['an unknown circumstance', { circumstance: 'burnt' }, 'validation_failed'],
    ['an impossible date', { cardValidFrom: '2021-02-30' }, 'validation_failed'],
    ['an extra field', { extra: 1 }, 'validation_failed'],
  ])('when the body has %s, then 400 %s', async (_what, overrides, code) => {
    const citizen = await newCitizen(db);
    const answer = await report(citizen, overrides);
    expect(answer.status).toBe(400);
    expect(answer.body.code).toBe(code);
    expect(answer.body.errors.length).toBeGreaterThan(0);
  });

  test('when the body is not JSON, then 400 malformed_json', async () => {
    const answer = await call(api, 'POST', '/v1/loss-reports', { token: station, body: '{"idNumber":', headers: { 'content-type': 'application/json' } });
    expect(answer.status).toBe(400);
    expect(answer.body.code).toBe('malformed_json');
  });
});

describe('POST /v1/loss-reports/{id}/withdraw', () => {
  test('when a station of the authority withdraws the report, then the card reads VALID again on both instances', async () => {
    const citizen = await newCitizen(db);
    const reported = await report(citizen);
    expect((await verify(second, citizen)).body.result).toBe('INVALID');

    const withdrawn = await call(api, 'POST', `/v1/loss-reports/${reported.body.lossReportId}/withdraw`, { token: sameCountyStation, body: { reason: 'card found at home' } });
    expect(withdrawn.status).toBe(200);
    expect(withdrawn.body).toMatchObject({ lossReportId: reported.body.lossReportId, cardStatus: 'ACTIVE' });
    expect((await verify(api, citizen)).body.result).toBe('VALID');
    await untilValid(second, citizen);
    expect(await db('auditLog').where({ subjectId: reported.body.lossReportId, action: 'loss_report.withdrawn' })).toHaveLength(1);

    const again = await call(api, 'POST', `/v1/loss-reports/${reported.body.lossReportId}/withdraw`, { token: station, body: {} });
    expect(again.status).toBe(409);
    expect(again.body.code).toBe('already_withdrawn');
  });

  test('when a station of another authority tries, then 403 forbidden_jurisdiction and the card stays invalid', async () => {
    const citizen = await newCitizen(db);
    const reported = await report(citizen);
    const refused = await call(api, 'POST', `/v1/loss-reports/${reported.body.lossReportId}/withdraw`, { token: otherStation, body: {} });
    expect(refused.status).toBe(403);
    expect(refused.body.code).toBe('forbidden_jurisdiction');
    expect((await verify(api, citizen)).body.reason).toBe('REPORTED_LOST');
  });

  test('when a replacement card was issued after the report, then 409 card_superseded and the card stays invalid', async () => {
    const citizen = await newCitizen(db);
    const reported = await report(citizen);
    await db.transaction(async (trx) => {
      await trx('cards').where({ idNumber: citizen.idNumber, validFrom: citizen.cards[0].validFrom }).update({ status: 'SUPERSEDED' });
      await trx('cards').insert({ idNumber: citizen.idNumber, validFrom: '2025-06-01', validUntil: '2045-06-01', status: 'ACTIVE', hasFingerprints: true });
    });
    const refused = await call(api, 'POST', `/v1/loss-reports/${reported.body.lossReportId}/withdraw`, { token: station, body: {} });
    expect(refused.status).toBe(409);
    expect(refused.body.code).toBe('card_superseded');
    expect((await verify(api, citizen)).body).toMatchObject({ result: 'INVALID', reason: 'SUPERSEDED' });
    expect((await db('lossReports').where('id', reported.body.lossReportId).first()).withdrawnAt).toBeNull();
  });

  test('when the report does not exist or the id is malformed, then 404', async () => {
    expect((await call(api, 'POST', '/v1/loss-reports/7a6b4c2e-0000-4000-8000-000000000000/withdraw', { token: station, body: {} })).status).toBe(404);
    expect((await call(api, 'POST', '/v1/loss-reports/not-a-uuid/withdraw', { token: station, body: {} })).status).toBe(404);
  });
});

describe('GET /v1/loss-reports/{id}', () => {
  test('when the authority reads its report, then it sees the card and the state; another station gets 403', async () => {
    const citizen = await newCitizen(db);
    const reported = await report(citizen, { circumstance: 'stolen' });
    const read = await call(api, 'GET', `/v1/loss-reports/${reported.body.lossReportId}`, { token: station });
    expect(read.status).toBe(200);
    expect(read.body).toMatchObject({ idNumber: citizen.idNumber, cardStatus: 'REPORTED_LOST', circumstance: 'stolen', source: 'station', withdrawnAt: null });
    expect((await call(api, 'GET', `/v1/loss-reports/${reported.body.lossReportId}`, { token: otherStation })).status).toBe(403);
  });
});

describe('loss reports racing verifications', () => {
  test('when a thousand loss reports and verifications run at once, then no verification started after a report’s 201 reads VALID', async () => {
    const racing = await startApi(db, { config: { VERIFICATION_RATE_LIMIT: 1_000_000 } });
    try {
      const citizens: TestCitizen[] = [];
      for (let i = 0; i < 250; i += 25) citizens.push(...(await Promise.all(Array.from({ length: 25 }, () => newCitizen(db, { hasFingerprints: false })))));
      const answeredAt = new Map<string, number>();
      const seen: Array<{ idNumber: string; startedAt: number; result: string }> = [];

      const check = async (citizen: TestCitizen) => {
        const startedAt = performance.now();
        const answer = await verify(racing, citizen);
        expect(answer.status).toBe(200);
        seen.push({ idNumber: citizen.idNumber, startedAt, result: answer.body.result });
      };
      // Verifications of random cards keep the cache full of VALID answers while reports land.
      const background = async () => {
        for (let i = 0; i < 30; i++) await check(citizens[Math.floor(Math.random() * citizens.length)]);
      };
      const reportThenCheck = async (citizen: TestCitizen) => {
        await check(citizen);
        const answer = await report(citizen, { fingerprintMatched: undefined }, station, racing);
        expect(answer.status).toBe(201);
        answeredAt.set(citizen.idNumber, performance.now());
        await check(citizen);
      };
      await Promise.all([...Array.from({ length: 25 }, background), ...citizens.map(reportThenCheck)]);

      expect(seen.length).toBeGreaterThanOrEqual(MIN_RACING_VERIFICATIONS);
      const validAfter201 = seen.filter((entry) => entry.result === 'VALID' && entry.startedAt > answeredAt.get(entry.idNumber)!);
      expect(validAfter201).toEqual([]);
    } finally {
      await racing.close();
    }
  }, 120_000);
});
