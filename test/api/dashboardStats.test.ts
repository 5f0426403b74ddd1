import { DAY_MS } from '../../domain';
import type { Db } from '../../db/knex';
import { call, startApi, type RunningApi } from '../support/api';
import { expectProblem } from '../support/applicationsApi';
import { testDb } from '../support/database';
import { newCitizen, newToken, recordApplication, stationIn } from '../support/fixtures';

/**
 * The manager dashboard's figures over HTTP, against real PostgreSQL: applications written straight
 * into the read model (these routes read nothing else) at a Chongqing (渝中) station for residents of
 * Chongqing (江北), a province no other test file's database rows use; Tianjin's manager is the outsider.
 */
const HOUR = 3_600_000;
const STATION_COUNTY = '500103';
const HOME_COUNTY = '500105';
const station = stationIn(STATION_COUNTY);
let db: Db;
let api: RunningApi;
const tokens = { chongqingManager: '', tianjinManager: '', station: '' };

/** This week's Monday, 00:00 in China, as an instant: China has no daylight saving, UTC+8 all year. */
function chinaMonday(now: number): number {
  const chinaDay = Math.floor((now + 8 * HOUR) / DAY_MS);
  const sinceMonday = (chinaDay + 3) % 7; // 1 January 1970 was a Thursday
  return (chinaDay - sinceMonday) * DAY_MS - 8 * HOUR;
}
const chinaDate = (instant: number) => new Date(instant + 8 * HOUR).toISOString().slice(0, 10);

async function application(fields: { stage: string; deadlineAt: number; readyForPickupAt?: number }): Promise<string> {
  const citizen = await newCitizen(db, { homeRegionCode: HOME_COUNTY });
  return recordApplication(db, {
    idNumber: citizen.idNumber,
    stage: fields.stage,
    acceptingStationCode: station,
    homeRegionCode: HOME_COUNTY,
    acceptedAt: new Date(fields.deadlineAt - 60 * DAY_MS),
    deadlineAt: new Date(fields.deadlineAt),
    overdue: fields.readyForPickupAt === undefined ? fields.deadlineAt < Date.now() : fields.readyForPickupAt > fields.deadlineAt,
    readyForPickupAt: fields.readyForPickupAt === undefined ? null : new Date(fields.readyForPickupAt),
  });
}

const now = Date.now();
const monday = chinaMonday(now);
const WEEK = 7 * DAY_MS;
const open: Record<string, string> = {};

beforeAll(async () => {
  db = testDb();
  api = await startApi(db);
  tokens.chongqingManager = await newToken(db, 'manager', { regionCode: '500000' });
  tokens.tianjinManager = await newToken(db, 'manager', { regionCode: '120000' });
  tokens.station = await newToken(db, 'station', { stationCode: station });

  // Finished (ready for pickup) in the window's weeks, on time when ready by the deadline.
  const finished = (readyForPickupAt: number, onTime: boolean) =>
    application({ stage: 'COMPLETED', readyForPickupAt, deadlineAt: onTime ? readyForPickupAt + HOUR : readyForPickupAt - HOUR });
  await finished(monday, true); // this week, at its very first instant
  await finished(monday - WEEK, true); // last week, at its first instant
  await finished(monday - WEEK + 3 * DAY_MS, true);
  await finished(monday - 1, false); // last week's last millisecond, late
  await finished(monday - 11 * WEEK, true); // the oldest of twelve weeks
  await finished(monday - 11 * WEEK - 1, false); // a week before the window: not counted
  // Ready on time, waiting for pickup past its deadline: neither overdue nor running against the deadline.
  open.waiting = await application({ stage: 'READY_FOR_PICKUP', readyForPickupAt: now - 100 * DAY_MS, deadlineAt: now - 2 * DAY_MS }); // ready before the window

  open.overdue = await application({ stage: 'HOME_REVIEW', deadlineAt: now - 2 * DAY_MS + HOUR }); // −2 days
  open.dueTomorrow = await application({ stage: 'PRINTING', deadlineAt: now + HOUR }); // 1 day
  open.dueInSeven = await application({ stage: 'SHIPPING', deadlineAt: now + 7 * DAY_MS - 60_000 }); // 7 days, last of 0–7
  open.dueInEight = await application({ stage: 'HOME_REVIEW', deadlineAt: now + 7 * DAY_MS + HOUR }); // 8 days, first of 8–15
  open.dueLater = await application({ stage: 'ACCEPTED', deadlineAt: now + 75 * DAY_MS }); // an extended case, 61+
}, 60_000);

afterAll(async () => {
  await api?.close();
  await db?.destroy();
});

describe('GET /v1/stats/on-time-by-week', () => {
  test('when a manager asks, then each of the last twelve China weeks (Monday first) is listed, oldest first, with what became ready that week and how much of it by the deadline', async () => {
    const answer = await call(api, 'GET', '/v1/stats/on-time-by-week', { token: tokens.chongqingManager });
    expect(answer.status).toBe(200);
    const weeks = answer.body.weeks as Array<{ weekStart: string; finished: number; onTime: number; onTimeRate: number | null }>;
    expect(weeks.map((week) => week.weekStart)).toEqual(Array.from({ length: 12 }, (_, index) => chinaDate(monday - (11 - index) * WEEK)));
    expect(weeks[0]).toEqual({ weekStart: chinaDate(monday - 11 * WEEK), finished: 1, onTime: 1, onTimeRate: 1 });
    expect(weeks[10]).toEqual({ weekStart: chinaDate(monday - WEEK), finished: 3, onTime: 2, onTimeRate: 0.667 });
    expect(weeks[11]).toEqual({ weekStart: chinaDate(monday), finished: 1, onTime: 1, onTimeRate: 1 });
    for (const week of weeks.slice(1, 10)) expect(week).toEqual({ weekStart: week.weekStart, finished: 0, onTime: 0, onTimeRate: null });
  });

  test('when a manager asks for four weeks of one station, then four weeks come back; bad week counts are refused field by field', async () => {
    const answer = await call(api, 'GET', `/v1/stats/on-time-by-week?weeks=4&stationCode=${station}`, { token: tokens.chongqingManager });
    expect(answer.status).toBe(200);
    expect(answer.body.weeks.map((week: { finished: number }) => week.finished)).toEqual([0, 0, 3, 1]);
    for (const weeks of ['0', '53', 'x']) {
      const refused = await call(api, 'GET', `/v1/stats/on-time-by-week?weeks=${weeks}`, { token: tokens.chongqingManager });
      expectProblem(refused, 400, 'validation_failed');
      expect(refused.body.errors.map((error: { field: string }) => error.field)).toEqual(['weeks']);
    }
  });

  test('when a manager of another region asks, then none of these cases count; a station may not ask', async () => {
    const tianjin = await call(api, 'GET', '/v1/stats/on-time-by-week', { token: tokens.tianjinManager });
    expect(tianjin.status).toBe(200);
    expect(tianjin.body.weeks.reduce((sum: number, week: { finished: number }) => sum + week.finished, 0)).toBe(0);
    expectProblem(await call(api, 'GET', `/v1/stats/on-time-by-week?stationCode=${station}`, { token: tokens.tianjinManager }), 403, 'forbidden_jurisdiction');
    expectProblem(await call(api, 'GET', '/v1/stats/on-time-by-week', { token: tokens.station }), 403, 'forbidden_role');
  });
});

describe('GET /v1/stats/days-remaining', () => {
  test('when a manager asks, then the open cases not yet ready are counted by days left, each on its side of the bucket edges', async () => {
    const answer = await call(api, 'GET', '/v1/stats/days-remaining', { token: tokens.chongqingManager });
    expect(answer.status).toBe(200);
    expect(answer.body.open).toBe(5);
    expect(answer.body.buckets).toEqual([
      { minDays: null, maxDays: -1, count: 1 },
      { minDays: 0, maxDays: 7, count: 2 },
      { minDays: 8, maxDays: 15, count: 1 },
      { minDays: 16, maxDays: 30, count: 0 },
      { minDays: 31, maxDays: 60, count: 0 },
      { minDays: 61, maxDays: null, count: 1 },
    ]);
    const tianjin = await call(api, 'GET', '/v1/stats/days-remaining', { token: tokens.tianjinManager });
    expect(tianjin.body.open).toBe(0);
  });
});

describe('GET /v1/stats/stations/{code}/open-applications', () => {
  test("when a manager opens a station, then its open cases not yet ready are listed soonest deadline first, the overdue one first, with the applicant's name", async () => {
    const answer = await call(api, 'GET', `/v1/stats/stations/${station}/open-applications`, { token: tokens.chongqingManager });
    expect(answer.status).toBe(200);
    expect(answer.body.items.map((item: { applicationId: string }) => item.applicationId)).toEqual([open.overdue, open.dueTomorrow, open.dueInSeven, open.dueInEight, open.dueLater]);
    expect(answer.body.items[0]).toMatchObject({ overdue: true, daysRemaining: -2, person: { name: expect.any(String) } });
    expect(answer.body.nextCursor).toBeNull();
  });

  test('when the station is outside the manager’s region or unknown, then 403 or 404 and nothing listed', async () => {
    expectProblem(await call(api, 'GET', `/v1/stats/stations/${station}/open-applications`, { token: tokens.tianjinManager }), 403, 'forbidden_jurisdiction');
    expectProblem(await call(api, 'GET', '/v1/stats/stations/S00000000/open-applications', { token: tokens.chongqingManager }), 404, 'not_found');
  });
});
