import { randomUUID } from 'node:crypto';
import type { Db } from '../../db/knex';
import { call, startApi, type RunningApi } from '../support/api';
import { expectProblem } from '../support/applicationsApi';
import { testDb } from '../support/database';
import { newCitizen, newToken, stationIn, type TestCitizen } from '../support/fixtures';

// Counties of this file's own: Nanchong (511302) and Mianyang (510703), Sichuan; the manager covers Nanchong city (5113).
const NANCHONG = '511302';
const MIANYANG = '510703';

let db: Db;
let api: RunningApi;
let nanchong: string;
let mianyang: string;
let cityManager: string;
let nationalManager: string;
let unit: string;

beforeAll(async () => {
  db = testDb();
  api = await startApi(db);
  nanchong = await newToken(db, 'station', { stationCode: stationIn(NANCHONG) });
  mianyang = await newToken(db, 'station', { stationCode: stationIn(MIANYANG) });
  cityManager = await newToken(db, 'manager', { regionCode: '511300' });
  nationalManager = await newToken(db, 'manager');
  unit = await newToken(db, 'unit', { unitId: 'icbc' });
}, 60_000);

afterAll(async () => {
  await api?.close();
  await db?.destroy();
});

const masked = (idNumber: string) => `${idNumber.slice(0, 6)}********${idNumber.slice(-4)}`;

const reportLost = async (citizen: TestCitizen, token: string) => {
  const answer = await call(api, 'POST', '/v1/loss-reports', { token, body: { idNumber: citizen.idNumber, name: citizen.name, cardValidFrom: citizen.cards[0].validFrom, circumstance: 'lost', fingerprintMatched: true } });
  expect(answer.status).toBe(201);
  return answer.body.lossReportId as string;
};

const handIn = async (citizen: TestCitizen, token: string) => {
  const answer = await call(api, 'POST', '/v1/found-cards', { token, body: { idNumber: citizen.idNumber, cardValidFrom: citizen.cards[0].validFrom } });
  expect(answer.status).toBe(201);
  return answer.body.foundCardId as string;
};

/** Every page of a list, following nextCursor. */
async function allPages(path: string, token: string): Promise<any[]> {
  const items: any[] = [];
  let next: string | null = null;
  do {
    const page = await call(api, 'GET', `${path}${path.includes('?') ? '&' : '?'}${next ? `cursor=${next}` : ''}`, { token });
    expect(page.status).toBe(200);
    items.push(...page.body.items);
    next = page.body.nextCursor;
  } while (next);
  return items;
}

describe('GET /v1/loss-reports', () => {
  test('when a station lists its loss reports, then those taken at its counter, newest first, each person by name and full citizen number; not another station’s', async () => {
    const [first, second] = [await newCitizen(db), await newCitizen(db)];
    const elsewhere = await newCitizen(db);
    const firstId = await reportLost(first, nanchong);
    const secondId = await reportLost(second, nanchong);
    const elsewhereId = await reportLost(elsewhere, mianyang);

    const page = await call(api, 'GET', '/v1/loss-reports', { token: nanchong });
    expect(page.status).toBe(200);
    const ids = page.body.items.map((item: { lossReportId: string }) => item.lossReportId);
    expect(ids.indexOf(secondId)).toBeGreaterThanOrEqual(0);
    expect(ids.indexOf(secondId)).toBeLessThan(ids.indexOf(firstId));
    expect(ids).not.toContain(elsewhereId);
    expect(page.body.items.every((item: { reportingStation: { code: string } }) => item.reportingStation.code === stationIn(NANCHONG))).toBe(true);
    expect(page.body.items.find((item: { lossReportId: string }) => item.lossReportId === firstId)).toEqual({
      lossReportId: firstId,
      reportedAt: expect.any(String),
      state: 'OPEN',
      circumstance: 'lost',
      source: 'station',
      person: { name: first.name, idNumber: first.idNumber, idNumberMasked: false },
      cardValidFrom: first.cards[0].validFrom,
      cardStatus: 'REPORTED_LOST',
      reportingStation: { code: stationIn(NANCHONG), name: expect.stringContaining('户政窗口') },
      authorityRegionCode: NANCHONG,
      applicationId: null,
      withdrawnAt: null,
      withdrawnByStationCode: null,
    });
  });

  test('when a city manager lists loss reports, then the city’s stations’ with citizen numbers masked, not another city’s; a station or region named outside the city is 403', async () => {
    const [here, there] = [await newCitizen(db), await newCitizen(db)];
    const hereId = await reportLost(here, nanchong);
    const thereId = await reportLost(there, mianyang);

    const listed = await allPages('/v1/loss-reports', cityManager);
    const ours = listed.find((item) => item.lossReportId === hereId);
    expect(ours.person).toEqual({ name: here.name, idNumber: masked(here.idNumber), idNumberMasked: true });
    expect(listed.map((item) => item.lossReportId)).not.toContain(thereId);
    expect(JSON.stringify(listed)).not.toContain(here.idNumber);

    const byStation = await call(api, 'GET', `/v1/loss-reports?stationCode=${stationIn(NANCHONG)}`, { token: nationalManager });
    expect(byStation.body.items.map((item: { lossReportId: string }) => item.lossReportId)).toContain(hereId);
    expect(byStation.body.items.every((item: { reportingStation: { code: string } }) => item.reportingStation.code === stationIn(NANCHONG))).toBe(true);

    expectProblem(await call(api, 'GET', `/v1/loss-reports?stationCode=${stationIn(MIANYANG)}`, { token: cityManager }), 403, 'forbidden_jurisdiction');
    expectProblem(await call(api, 'GET', '/v1/loss-reports?regionCode=510703', { token: cityManager }), 403, 'forbidden_jurisdiction');
    expectProblem(await call(api, 'GET', `/v1/loss-reports?stationCode=${stationIn(MIANYANG)}`, { token: nanchong }), 403, 'forbidden_jurisdiction');
    expectProblem(await call(api, 'GET', '/v1/loss-reports?stationCode=S99999901', { token: nationalManager }), 404, 'not_found');
    expectProblem(await call(api, 'GET', '/v1/loss-reports', { token: unit }), 403, 'forbidden_role');
    expectProblem(await call(api, 'GET', '/v1/loss-reports?state=lost', { token: nanchong }), 400, 'validation_failed');
    expectProblem(await call(api, 'GET', '/v1/loss-reports?cursor=bm90LW91cnM', { token: nanchong }), 400, 'invalid_cursor');
  });

  test('when a report is withdrawn, then it lists as WITHDRAWN under state=withdrawn and no longer under state=open', async () => {
    const citizen = await newCitizen(db);
    const id = await reportLost(citizen, nanchong);
    expect((await call(api, 'POST', `/v1/loss-reports/${id}/withdraw`, { token: nanchong, body: { reason: 'found at home' } })).status).toBe(200);
    const withdrawn = await allPages('/v1/loss-reports?state=withdrawn', nanchong);
    expect(withdrawn.find((item) => item.lossReportId === id)).toMatchObject({ state: 'WITHDRAWN', withdrawnAt: expect.any(String), withdrawnByStationCode: stationIn(NANCHONG), cardStatus: 'ACTIVE' });
    expect((await allPages('/v1/loss-reports?state=open', nanchong)).map((item) => item.lossReportId)).not.toContain(id);
  });

  test('when a station has more reports than a page, then the cursor walks them all, each once, newest first', async () => {
    const station = stationIn(MIANYANG);
    const citizens = await Promise.all(Array.from({ length: 55 }, () => newCitizen(db)));
    const cards: Array<{ id: number }> = await db('cards').whereIn('idNumber', citizens.map((citizen) => citizen.idNumber)).select('id');
    // Stored directly (not 55 requests): the listing is under test, not the report. Several share an instant.
    const base = Date.now() - 60_000;
    const ids = cards.map((card, i) => ({ id: randomUUID(), cardId: card.id, circumstance: 'lost', reportingStationCode: station, authorityRegionCode: MIANYANG, source: 'station', reportedAt: new Date(base + Math.floor(i / 3) * 1000) }));
    await db('lossReports').insert(ids);
    const listed = await allPages(`/v1/loss-reports?stationCode=${station}`, nationalManager);
    const ours = listed.filter((item) => ids.some((row) => row.id === item.lossReportId));
    expect(ours).toHaveLength(55);
    expect(new Set(listed.map((item) => item.lossReportId)).size).toBe(listed.length);
    const times = listed.map((item) => item.reportedAt);
    expect([...times].sort().reverse()).toEqual(times);
  });
});

describe('GET /v1/found-cards', () => {
  test('when a station lists found cards, then those it holds, newest first, by name and full citizen number; returned ones under state=RETURNED only; a city manager sees them masked', async () => {
    const [older, newer, returned] = [await newCitizen(db), await newCitizen(db), await newCitizen(db)];
    const elsewhere = await newCitizen(db);
    const olderId = await handIn(older, nanchong);
    const newerId = await handIn(newer, nanchong);
    const returnedId = await handIn(returned, nanchong);
    const elsewhereId = await handIn(elsewhere, mianyang);
    expect((await call(api, 'POST', `/v1/found-cards/${returnedId}/return`, { token: nanchong, body: {} })).status).toBe(200);

    const held = await allPages('/v1/found-cards', nanchong);
    const ids = held.map((item) => item.foundCardId);
    expect(ids.indexOf(newerId)).toBeGreaterThanOrEqual(0);
    expect(ids.indexOf(newerId)).toBeLessThan(ids.indexOf(olderId));
    expect(ids).not.toContain(returnedId);
    expect(ids).not.toContain(elsewhereId);
    expect(held.every((item) => item.state === 'HELD' && item.handedInStation.code === stationIn(NANCHONG))).toBe(true);
    expect(held.find((item) => item.foundCardId === olderId)).toEqual({
      foundCardId: olderId,
      handedInAt: expect.any(String),
      state: 'HELD',
      disposition: 'HOLD_FOR_OWNER',
      person: { name: older.name, idNumber: older.idNumber, idNumberMasked: false },
      cardValidFrom: older.cards[0].validFrom,
      cardStatus: 'ACTIVE',
      handedInStation: { code: stationIn(NANCHONG), name: expect.stringContaining('户政窗口') },
      closedAt: null,
      closedByStationCode: null,
    });

    const closed = await allPages('/v1/found-cards?state=RETURNED', nanchong);
    expect(closed.find((item) => item.foundCardId === returnedId)).toMatchObject({ state: 'RETURNED', closedAt: expect.any(String), closedByStationCode: stationIn(NANCHONG) });

    const managed = await allPages('/v1/found-cards?state=all', cityManager);
    expect(managed.find((item) => item.foundCardId === olderId).person).toEqual({ name: older.name, idNumber: masked(older.idNumber), idNumberMasked: true });
    expect(managed.map((item) => item.foundCardId)).toEqual(expect.arrayContaining([olderId, newerId, returnedId]));
    expect(managed.map((item) => item.foundCardId)).not.toContain(elsewhereId);

    expectProblem(await call(api, 'GET', '/v1/found-cards?state=held', { token: nanchong }), 400, 'validation_failed');
    expectProblem(await call(api, 'GET', '/v1/found-cards?regionCode=510703', { token: nanchong }), 403, 'forbidden_jurisdiction');
    expectProblem(await call(api, 'GET', '/v1/found-cards', { token: unit }), 403, 'forbidden_role');
  });
});
