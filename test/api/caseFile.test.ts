import { call } from '../support/api';
import { acceptanceOf, expectProblem, startApplicationsApi, type ApplicationsApi } from '../support/applicationsApi';
import { COUNTIES, newCitizen, newToken, stationIn } from '../support/fixtures';

/** The case file: each role that acts on an application sees the person and the facts its work needs, and no more. */
let harness: ApplicationsApi;
const station = stationIn(COUNTIES.shenzhenNanshan);
const elsewhere = stationIn(COUNTIES.beijingChaoyang);
const tokens = { station: '', elsewhere: '', reviewer: '', otherReviewer: '', production: '', manager: '', guangdongManager: '', sichuanManager: '' };

beforeAll(async () => {
  harness = await startApplicationsApi({ productionProvinces: ['41'] });
  const { db } = harness;
  tokens.station = await newToken(db, 'station', { stationCode: station });
  tokens.elsewhere = await newToken(db, 'station', { stationCode: elsewhere });
  tokens.reviewer = await newToken(db, 'reviewer', { regionCode: '410000' });
  tokens.otherReviewer = await newToken(db, 'reviewer', { regionCode: '510000' });
  tokens.production = await newToken(db, 'production', { provinceCode: '410000' });
  tokens.manager = await newToken(db, 'manager');
  tokens.guangdongManager = await newToken(db, 'manager', { regionCode: '440000' });
  tokens.sichuanManager = await newToken(db, 'manager', { regionCode: '510000' });
}, 120_000);

afterAll(async () => {
  await harness?.stop();
});

const post = (token: string, path: string, body: unknown) => call(harness.api, 'POST', path, { token, body });
const get = (token: string, path: string) => call(harness.api, 'GET', path, { token });
const masked = (idNumber: string) => `${idNumber.slice(0, 6)}********${idNumber.slice(-4)}`;

describe('GET /v1/applications/{id}: the case file', () => {
  let citizen: Awaited<ReturnType<typeof newCitizen>>;
  let id: string;
  let receiptNumber: string;

  beforeAll(async () => {
    citizen = await newCitizen(harness.db, { homeRegionCode: COUNTIES.zhengzhouJinshui, name: '张案卷' });
    const accepted = await post(tokens.station, '/v1/applications', acceptanceOf(citizen, { reason: 'card damaged', appearanceChanged: true, temporaryCardRequested: true, contactPhone: '13812345678' }));
    expect(accepted.status).toBe(201);
    ({ applicationId: id, receiptNumber } = accepted.body);
    const path = `/v1/applications/${id}`;
    expect((await post(tokens.reviewer, `${path}/extend`, { days: 20, reason: 'mountain roads closed' })).status).toBe(200);
    expect((await post(tokens.reviewer, `${path}/review`, { decision: 'approve' })).status).toBe(200);
    expect((await post(tokens.production, `${path}/print-failed`, { reason: 'chip write error' })).status).toBe(200);
    expect((await post(tokens.production, `${path}/printed`, {})).status).toBe(200);
    expect((await post(tokens.production, `${path}/dispatched`, { trackingNumber: 'EMS-CASE-1' })).status).toBe(200);
    expect((await post(tokens.elsewhere, `${path}/arrived`, { trackingNumber: 'EMS-CASE-1' })).status).toBe(202);
    expect((await post(tokens.station, `${path}/arrived`, {})).status).toBe(200);
  }, 60_000);

  test('when the accepting station reads it, then the person in full, the facts, the places by name, failures, misroutes and who acted', async () => {
    const { status, body } = await get(tokens.station, `/v1/applications/${id}`);
    expect(status).toBe(200);
    expect(body).toMatchObject({
      applicationId: id,
      receiptNumber,
      kind: 'renewal',
      stage: 'READY_FOR_PICKUP',
      ageDays: 0,
      daysWaitingForPickup: 0,
      person: { name: '张案卷', idNumber: citizen.idNumber, idNumberMasked: false, contactPhone: '138****5678' },
      reason: 'card damaged',
      fingerprintCaptured: true,
      appearanceChanged: true,
      acceptingStation: { code: station, name: '南山区户政窗口', regionCode: COUNTIES.shenzhenNanshan, regionName: '南山区' },
      homeRegion: { code: COUNTIES.zhengzhouJinshui, name: '金水区' },
      productionCentre: { code: 'P410000', name: '河南省制证中心' },
      extensionDays: 20,
      extension: { days: 20, reason: 'mountain roads closed' },
      temporaryCard: { state: 'DUE', issuedAt: null, overdue: false },
      printFailures: 1,
      printFailureReasons: [{ at: expect.any(String), attempt: 1, reason: 'chip write error' }],
      misrouted: true,
      misroutes: [{ at: expect.any(String), arrivedAt: { code: elsewhere, name: '朝阳区户政窗口' } }],
      trackingNumber: 'EMS-CASE-1',
    });
    expect(body.history.map((entry: { stage: string; actedBy: unknown }) => [entry.stage, entry.actedBy])).toEqual([
      ['ACCEPTED', { name: 'test station', role: 'station' }],
      ['HOME_REVIEW', { name: 'test station', role: 'station' }],
      ['PRINTING', { name: 'test reviewer', role: 'reviewer' }],
      ['SHIPPING', { name: 'test production', role: 'production' }],
      ['READY_FOR_PICKUP', { name: 'test station', role: 'station' }],
    ]);
    expect(JSON.stringify(body)).not.toContain('13812345678');
  });

  test('when the home-region reviewer reads it, then the citizen number in full', async () => {
    const { status, body } = await get(tokens.reviewer, `/v1/applications/${id}`);
    expect(status).toBe(200);
    expect(body.person).toEqual({ name: '张案卷', idNumber: citizen.idNumber, idNumberMasked: false, contactPhone: '138****5678' });
  });

  test.each([
    ['the production centre', 'production'],
    ['a national manager', 'manager'],
    ["the accepting station's regional manager", 'guangdongManager'],
  ] as const)('when %s reads it, then the citizen number masked and nowhere in full', async (_who, role) => {
    const { status, body } = await get(tokens[role], `/v1/applications/${id}`);
    expect(status).toBe(200);
    expect(body.person).toEqual({ name: '张案卷', idNumber: masked(citizen.idNumber), idNumberMasked: true, contactPhone: '138****5678' });
    expect(JSON.stringify(body)).not.toContain(citizen.idNumber);
  });

  test.each([
    ['another station', 'elsewhere'],
    ["another region's reviewer", 'otherReviewer'],
    ["another region's manager", 'sichuanManager'],
  ] as const)('when %s reads it, then 403 and nothing of the person', async (_who, role) => {
    const answer = await get(tokens[role], `/v1/applications/${id}`);
    expectProblem(answer, 403, 'forbidden_jurisdiction');
    expect(JSON.stringify(answer.body)).not.toContain('张案卷');
  });

  test('when the reviewer lists the region, then each item carries the person, the reason and the places by name, but no history', async () => {
    const { status, body } = await get(tokens.reviewer, '/v1/applications?stage=READY_FOR_PICKUP');
    expect(status).toBe(200);
    const item = body.items.find((candidate: { applicationId: string }) => candidate.applicationId === id);
    expect(item).toMatchObject({
      receiptNumber,
      person: { name: '张案卷', idNumber: citizen.idNumber, idNumberMasked: false, contactPhone: '138****5678' },
      reason: 'card damaged',
      acceptingStation: { code: station, name: '南山区户政窗口' },
      homeRegion: { code: COUNTIES.zhengzhouJinshui, name: '金水区' },
      extension: { days: 20, reason: 'mountain roads closed' },
    });
    expect(item.history).toBeUndefined();
  });

  test('when a manager lists the overdue, then the items are case files with the number masked', async () => {
    await harness.db('applications').where('id', id).update({ overdue: true });
    try {
      const { status, body } = await get(tokens.manager, `/v1/overdue?stationCode=${station}`);
      expect(status).toBe(200);
      const item = body.items.find((candidate: { applicationId: string }) => candidate.applicationId === id);
      expect(item.person).toEqual({ name: '张案卷', idNumber: masked(citizen.idNumber), idNumberMasked: true, contactPhone: '138****5678' });
    } finally {
      await harness.db('applications').where('id', id).update({ overdue: false });
    }
  });
});

describe('POST /v1/application-search: by citizen number, within jurisdiction', () => {
  let citizen: Awaited<ReturnType<typeof newCitizen>>;
  let accepted: { applicationId: string; receiptNumber: string; deadlineAt: string };

  beforeAll(async () => {
    citizen = await newCitizen(harness.db, { homeRegionCode: COUNTIES.zhengzhouJinshui, name: '李查询' });
    const answer = await post(tokens.station, '/v1/applications', acceptanceOf(citizen));
    expect(answer.status).toBe(201);
    accepted = answer.body;
  }, 30_000);

  const search = (token: string, body: unknown) => post(token, '/v1/application-search', body);

  test('when the accepting station searches the number, then its application comes back as a case file, the number in full', async () => {
    const { status, body } = await search(tokens.station, { idNumber: citizen.idNumber });
    expect(status).toBe(200);
    expect(body.nextCursor).toBeNull();
    expect(body.items).toHaveLength(1);
    expect(body.items[0]).toMatchObject({ applicationId: accepted.applicationId, receiptNumber: accepted.receiptNumber, stage: 'HOME_REVIEW', person: { name: '李查询', idNumber: citizen.idNumber, idNumberMasked: false } });
  });

  test('when typed in lowercase with spaces around, then the same person is found', async () => {
    const withX = citizen.idNumber.endsWith('X') ? citizen.idNumber.toLowerCase() : citizen.idNumber;
    const { body } = await search(tokens.reviewer, { idNumber: ` ${withX} ` });
    expect(body.items.map((item: { applicationId: string }) => item.applicationId)).toEqual([accepted.applicationId]);
  });

  test('when production searches, then it finds it with the number masked', async () => {
    const { body } = await search(tokens.production, { idNumber: citizen.idNumber });
    expect(body.items).toHaveLength(1);
    expect(body.items[0].person.idNumber).toBe(masked(citizen.idNumber));
    expect(JSON.stringify(body)).not.toContain(citizen.idNumber);
  });

  test.each([
    ['another station', 'elsewhere'],
    ["another region's reviewer", 'otherReviewer'],
    ["another region's manager", 'sichuanManager'],
  ] as const)('when %s searches, then nothing is found', async (_who, role) => {
    const { status, body } = await search(tokens[role], { idNumber: citizen.idNumber });
    expect(status).toBe(200);
    expect(body).toEqual({ items: [], nextCursor: null });
  });

  test('when the number is not a valid citizen number, then 400 invalid_id_number; in the query string it is not read at all', async () => {
    expectProblem(await search(tokens.station, { idNumber: '110105199001011234' }), 400, 'invalid_id_number');
    expectProblem(await call(harness.api, 'POST', `/v1/application-search?idNumber=${citizen.idNumber}`, { token: tokens.station, body: {} }), 400, 'validation_failed');
  });

  test('when another station tries to accept the same person, then 409 duplicate_application saying where the other one stands, nothing more about the person', async () => {
    const answer = await post(tokens.elsewhere, '/v1/applications', acceptanceOf(citizen));
    expectProblem(answer, 409, 'duplicate_application');
    expect(answer.body.applicationId).toBe(accepted.applicationId);
    expect(answer.body.inProgress).toEqual({ acceptingStation: { code: station, name: '南山区户政窗口' }, stage: 'HOME_REVIEW', deadlineAt: accepted.deadlineAt });
    expect(JSON.stringify(answer.body)).not.toContain(citizen.idNumber);
    expect(JSON.stringify(answer.body)).not.toContain('李查询');
  });
});
