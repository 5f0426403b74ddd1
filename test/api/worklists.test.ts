import { DAY_MS } from '../../domain';
import type { Db } from '../../db/knex';
import { call, startApi, type RunningApi } from '../support/api';
import { expectProblem } from '../support/applicationsApi';
import { testDb } from '../support/database';
import { newCitizen, newToken, recordApplication, stationIn } from '../support/fixtures';

/**
 * Worklists over HTTP on read-model rows as the workflow's activities write them. Anhui and Jiangsu
 * are this file's own: no other test file places applications there, so each list is exact.
 */
let db: Db;
let api: RunningApi;
const HOME = '340104'; // 蜀山区, Hefei
const S1 = stationIn('320102'); // 玄武区, Nanjing
const S2 = stationIn('320505'); // 虎丘区, Suzhou
const tokens = { reviewer: '', otherReviewer: '', production: '', station1: '', station2: '', manager: '', jiangsuManager: '', otherManager: '' };
const ids: Record<string, string> = {};
const now = Date.now();
const inDays = (days: number) => new Date(now + days * DAY_MS);

async function application(name: string, row: Record<string, unknown>) {
  const citizen = await newCitizen(db, { homeRegionCode: HOME });
  ids[name] = await recordApplication(db, { idNumber: citizen.idNumber, reason: `reason ${name}`, acceptingStationCode: S1, homeRegionCode: HOME, ...row });
}

beforeAll(async () => {
  db = testDb();
  api = await startApi(db);
  tokens.reviewer = await newToken(db, 'reviewer', { regionCode: '340000' });
  tokens.otherReviewer = await newToken(db, 'reviewer', { regionCode: '320000' });
  tokens.production = await newToken(db, 'production', { provinceCode: '340000' });
  tokens.station1 = await newToken(db, 'station', { stationCode: S1 });
  tokens.station2 = await newToken(db, 'station', { stationCode: S2 });
  tokens.manager = await newToken(db, 'manager', { regionCode: '340000' });
  tokens.jiangsuManager = await newToken(db, 'manager', { regionCode: '320000' });
  tokens.otherManager = await newToken(db, 'manager', { regionCode: '330000' });
  const open = (acceptedDaysAgo: number, deadlineInDays: number) => ({ acceptedAt: inDays(-acceptedDaysAgo), deadlineAt: inDays(deadlineInDays) });
  await application('reviewSoon', { stage: 'HOME_REVIEW', ...open(50, 10 - 1 / 24), temporaryCardRequested: true, temporaryCardDueAt: inDays(-47) });
  await application('reviewLater', { stage: 'HOME_REVIEW', ...open(10, 50), temporaryCardRequested: true, temporaryCardDueAt: inDays(-7), temporaryCardIssuedAt: inDays(-8) });
  await application('printS2', { stage: 'PRINTING', acceptingStationCode: S2, ...open(40, 20) });
  await application('printS1First', { stage: 'PRINTING', ...open(55, 5) });
  await application('printS1Last', { stage: 'PRINTING', ...open(30, 30) });
  await application('shipping', { stage: 'SHIPPING', ...open(45, 15) });
  await application('waitingLong', { stage: 'READY_FOR_PICKUP', ...open(40, 20), readyForPickupAt: inDays(-12) });
  await application('waitingShort', { stage: 'READY_FOR_PICKUP', ...open(3, 57), readyForPickupAt: inDays(-2) });
  await application('tempDue', { stage: 'HOME_REVIEW', ...open(2, 58), temporaryCardRequested: true, temporaryCardDueAt: inDays(1) });
  await application('overdue', { stage: 'PRINTING', ...open(63, -3 + 1 / 24), overdue: true });
  await application('done', { stage: 'COMPLETED', ...open(70, -10), closedAt: inDays(-20), readyForPickupAt: inDays(-25) });
}, 60_000);

afterAll(async () => {
  await api?.close();
  await db?.destroy();
});

const get = (token: string, path: string) => call(api, 'GET', path, { token });
const idsOf = (body: { items: Array<{ applicationId: string }> }) => body.items.map((item) => Object.entries(ids).find(([, id]) => id === item.applicationId)?.[0] ?? 'someone else');

describe('GET /v1/worklists/review', () => {
  test("when the home region's reviewer asks, then its applications waiting for review, soonest deadline first, with age and days remaining", async () => {
    const { status, body } = await get(tokens.reviewer, '/v1/worklists/review');
    expect(status).toBe(200);
    expect(idsOf(body)).toEqual(['reviewSoon', 'reviewLater', 'tempDue']);
    expect(body.items[0]).toMatchObject({ ageDays: 50, daysRemaining: 10, reason: 'reason reviewSoon', acceptingStation: { code: S1, name: '玄武区户政窗口' }, person: { idNumberMasked: false } });
    expect(body.nextCursor).toBeNull();
  });

  test("when another region's reviewer asks, then none of these", async () => {
    expect((await get(tokens.otherReviewer, '/v1/worklists/review')).body).toEqual({ items: [], nextCursor: null });
  });

  test('when a station asks, then 403 forbidden_role', async () => {
    expectProblem(await get(tokens.station1, '/v1/worklists/review'), 403, 'forbidden_role');
  });
});

describe('GET /v1/worklists/printing', () => {
  test('when the production centre asks, then the cards to print soonest deadline first, grouped by the station they go back to, numbers masked', async () => {
    const { status, body } = await get(tokens.production, '/v1/worklists/printing');
    expect(status).toBe(200);
    expect(idsOf(body)).toEqual(['overdue', 'printS1First', 'printS2', 'printS1Last']);
    expect(body.byStation).toEqual([
      { acceptingStation: expect.objectContaining({ code: S1, name: '玄武区户政窗口' }), applicationIds: [ids.overdue, ids.printS1First, ids.printS1Last], earliestDeadlineAt: inDays(-3 + 1 / 24).toISOString(), count: 3 },
      { acceptingStation: expect.objectContaining({ code: S2, name: '虎丘区户政窗口' }), applicationIds: [ids.printS2], earliestDeadlineAt: inDays(20).toISOString(), count: 1 },
    ]);
    expect(body.items.every((item: { person: { idNumberMasked: boolean } }) => item.person.idNumberMasked)).toBe(true);
  });
});

describe("the station's worklists", () => {
  test('when the station asks for arrivals, then its cards on the way; another station sees none of them', async () => {
    expect(idsOf((await get(tokens.station1, '/v1/worklists/arrivals')).body)).toEqual(['shipping']);
    expect((await get(tokens.station2, '/v1/worklists/arrivals')).body.items).toEqual([]);
  });

  test('when the station asks for pickups, then the longest waiting first, with the days waiting', async () => {
    const { body } = await get(tokens.station1, '/v1/worklists/pickups');
    expect(idsOf(body)).toEqual(['waitingLong', 'waitingShort']);
    expect(body.items.map((item: { daysWaitingForPickup: number }) => item.daysWaitingForPickup)).toEqual([12, 2]);
  });

  test('when the station asks for temporary cards, then those not issued, soonest due first', async () => {
    const { body } = await get(tokens.station1, '/v1/worklists/temporary-cards');
    expect(idsOf(body)).toEqual(['reviewSoon', 'tempDue']);
    expect(body.items.map((item: { temporaryCard: { state: string } }) => item.temporaryCard.state)).toEqual(['DUE', 'DUE']);
  });
});

describe('GET /v1/worklists/due', () => {
  test('when a manager asks, then the overdue and those due within the warning days, not ready, soonest deadline first, numbers masked', async () => {
    const { status, body } = await get(tokens.manager, '/v1/worklists/due');
    expect(status).toBe(200);
    expect(idsOf(body)).toEqual(['overdue', 'printS1First', 'reviewSoon']);
    expect(body.items.map((item: { daysRemaining: number; overdue: boolean }) => [item.daysRemaining, item.overdue])).toEqual([[-3, true], [5, false], [10, false]]);
    expect(body.items[0].person.idNumberMasked).toBe(true);
  });

  test("when the accepting stations' manager narrows to a station, then only that station's; another region's manager sees none", async () => {
    expect(idsOf((await get(tokens.jiangsuManager, `/v1/worklists/due?stationCode=${S1}`)).body)).toEqual(['overdue', 'printS1First', 'reviewSoon']);
    expect((await get(tokens.otherManager, '/v1/worklists/due')).body.items.filter((item: { applicationId: string }) => Object.values(ids).includes(item.applicationId))).toEqual([]);
    expectProblem(await get(tokens.otherManager, '/v1/worklists/due?regionCode=340000'), 403, 'forbidden_jurisdiction');
  });

  test('when the cursor or a parameter is bad, then 400 naming the query, not the body', async () => {
    expectProblem(await get(tokens.manager, '/v1/worklists/due?cursor=nope'), 400, 'invalid_cursor');
    const unknown = await get(tokens.manager, '/v1/worklists/due?colour=red');
    expectProblem(unknown, 400, 'validation_failed');
    expect(unknown.body.errors).toEqual([{ field: '(query)', message: expect.any(String), code: 'unknown_field' }]);
  });
});

describe('GET /v1/stats: per region and per station, days to a tenth', () => {
  test('when a manager asks for the region, then days per stage rounded to a tenth and each accepting station with its open, overdue and on-time rate', async () => {
    const start = inDays(-70);
    await db('applicationStageHistory').insert([
      { applicationId: ids.done, stage: 'ACCEPTED', at: start },
      // 53 ms in ACCEPTED: 6.13e-7 days, shown as 0.
      { applicationId: ids.done, stage: 'HOME_REVIEW', at: new Date(start.getTime() + 53) },
      { applicationId: ids.done, stage: 'PRINTING', at: new Date(start.getTime() + 53 + 2.25 * DAY_MS) },
    ]);
    const { status, body } = await get(tokens.manager, '/v1/stats?regionCode=340000');
    expect(status).toBe(200);
    expect(body.daysPerStage).toEqual([
      { stage: 'ACCEPTED', medianDays: 0, p90Days: 0 },
      { stage: 'HOME_REVIEW', medianDays: 2.3, p90Days: 2.3 },
    ]);
    expect(body.byStation).toEqual([
      { station: { code: S1, name: '玄武区户政窗口', regionCode: '320102' }, open: 9, overdue: 1, onTimeRate: 1 },
      { station: { code: S2, name: '虎丘区户政窗口', regionCode: '320505' }, open: 1, overdue: 0, onTimeRate: null },
    ]);
  });

  test('when a manager narrows to a station, then only its figures; a station outside the region is 403', async () => {
    const { body } = await get(tokens.jiangsuManager, `/v1/stats?stationCode=${S2}`);
    expect(body).toMatchObject({ stationCode: S2, countsByStage: { PRINTING: 1, HOME_REVIEW: 0 } });
    expect(body.byStation).toEqual([{ station: { code: S2, name: '虎丘区户政窗口', regionCode: '320505' }, open: 1, overdue: 0, onTimeRate: null }]);
    expectProblem(await get(tokens.otherManager, `/v1/stats?stationCode=${S2}`), 403, 'forbidden_jurisdiction');
  });
});
