import { randomInt } from 'node:crypto';
import { makeIdNumber } from '../../domain';
import { isBlacklisted } from '../../db/queries/blacklist';
import { call } from '../support/api';
import { api, db } from '../support/apiPerFile';
import { acceptanceOf } from '../support/applicationsApi';
import { COUNTIES, newCitizen, newToken, stationIn, type TestCitizen } from '../support/fixtures';

let manager: string;
let henanManager: string;
let beijingManager: string;
let admin: string;
let station: string;
let unit: string;

beforeAll(async () => {
  manager = await newToken(db, 'manager');
  henanManager = await newToken(db, 'manager', { regionCode: '410000' });
  beijingManager = await newToken(db, 'manager', { regionCode: '110000' });
  admin = await newToken(db, 'admin');
  station = await newToken(db, 'station', { stationCode: stationIn(COUNTIES.shenzhenNanshan) });
  unit = await newToken(db, 'unit', { unitId: 'jinjiang-hotels' });
}, 60_000);

const blacklist = (citizen: { idNumber: string }, token = manager, overrides: Record<string, unknown> = {}) =>
  call(api, 'POST', '/v1/blacklist', { token, body: { idNumber: citizen.idNumber, category: 'FORGERY', source: 'Zhengzhou PSB case 2024-118', ...overrides } });
/** An acceptance at a Shenzhen station; without a workflow engine it stops at 503 once eligibility passes. */
const apply = (citizen: TestCitizen) =>
  call(api, 'POST', '/v1/applications', {
    token: station,
    body: acceptanceOf(citizen),
  });

describe('POST /v1/blacklist', () => {
  test('when a manager blacklists a person, then 201, audited, acceptance refuses them; after an admin removes the entry with a reason, acceptance no longer does', async () => {
    const citizen = await newCitizen(db);
    expect((await apply(citizen)).body.code).toBe('service_unavailable'); // eligible: only the absent engine stops it

    const added = await blacklist(citizen, manager, { note: 'forged household register' });
    expect(added.status).toBe(201);
    expect(added.body).toMatchObject({ blacklistEntryId: expect.any(String), idNumber: citizen.idNumber, category: 'FORGERY', removedAt: null, note: 'forged household register' });
    expect(await isBlacklisted(db, citizen.idNumber)).toBe(true);
    const refused = await apply(citizen);
    expect(refused.status).toBe(422);
    expect(refused.body.code).toBe('refused_blacklisted');

    expect((await call(api, 'DELETE', `/v1/blacklist/${added.body.blacklistEntryId}`, { token: manager, body: { reason: 'court ruling' } })).status).toBe(403);
    expect((await call(api, 'DELETE', `/v1/blacklist/${added.body.blacklistEntryId}`, { token: admin, body: {} })).status).toBe(400);
    const removed = await call(api, 'DELETE', `/v1/blacklist/${added.body.blacklistEntryId}`, { token: admin, body: { reason: 'overturned by court ruling' } });
    expect(removed.status).toBe(200);
    expect(removed.body).toMatchObject({ removedAt: expect.any(String), removalReason: 'overturned by court ruling' });
    expect(await isBlacklisted(db, citizen.idNumber)).toBe(false);
    expect((await apply(citizen)).body.code).toBe('service_unavailable'); // eligible: only the absent engine stops it
    expect((await call(api, 'DELETE', `/v1/blacklist/${added.body.blacklistEntryId}`, { token: admin, body: { reason: 'again' } })).body.code).toBe('already_removed');

    const actions = await db('auditLog').where({ subjectType: 'blacklist_entry', subjectId: added.body.blacklistEntryId }).orderBy('id').pluck('action');
    expect(actions).toEqual(['blacklist.added', 'blacklist.removed']);
    const read = await call(api, 'GET', `/v1/blacklist/${added.body.blacklistEntryId}`, { token: admin });
    expect(read.body).toMatchObject({ removedBy: expect.any(String), removalReason: 'overturned by court ruling' });
  });

  test('when the person is already blacklisted in that category, then 409 with the entry in force; another category is a new entry', async () => {
    const citizen = await newCitizen(db);
    const first = await blacklist(citizen);
    const again = await blacklist(citizen, admin);
    expect(again.status).toBe(409);
    expect(again.body).toMatchObject({ code: 'already_blacklisted', blacklistEntryId: first.body.blacklistEntryId });
    expect((await blacklist(citizen, admin, { category: 'CREDIT_PLATFORM' })).status).toBe(201);
  });

  test('when someone not in the registry is blacklisted (impersonators may use other numbers), then it is accepted', async () => {
    const stranger = makeIdNumber({ regionCode: '110105', birthDate: '1949-12-31', sequence: randomInt(0, 1000) });
    expect(await db('citizens').where('idNumber', stranger).first()).toBeUndefined();
    expect((await blacklist({ idNumber: stranger }, manager, { category: 'IMPERSONATION' })).status).toBe(201);
  });

  test('when a station or a unit tries, then 403; malformed bodies get 400', async () => {
    const citizen = await newCitizen(db);
    expect((await blacklist(citizen, station)).status).toBe(403);
    expect((await blacklist(citizen, unit)).status).toBe(403);
    expect((await blacklist(citizen, manager, { category: 'RUDE' })).body.code).toBe('validation_failed');
    expect((await blacklist(citizen, manager, { source: '' })).body.code).toBe('validation_failed');
    expect((await blacklist({ idNumber: '440305199001011230' }, manager)).body.code).toBe('invalid_id_number');
    expect((await call(api, 'DELETE', '/v1/blacklist/nope', { token: admin, body: { reason: 'x' } })).status).toBe(404);
  });
});

describe('a regional manager and the blacklist', () => {
  test('when a regional manager blacklists a person registered in their region, then 201 and they read the entry back', async () => {
    const henanResident = await newCitizen(db, { homeRegionCode: COUNTIES.zhengzhouJinshui });
    const added = await blacklist(henanResident, henanManager);
    expect(added.status).toBe(201);
    expect((await call(api, 'GET', `/v1/blacklist/${added.body.blacklistEntryId}`, { token: henanManager })).status).toBe(200);
  });

  test('when a regional manager blacklists a person registered elsewhere or not at all, then 403 and nothing is written', async () => {
    const beijingResident = await newCitizen(db, { homeRegionCode: COUNTIES.beijingChaoyang });
    const refused = await blacklist(beijingResident, henanManager);
    expect(refused.status).toBe(403);
    expect(refused.body.code).toBe('forbidden_jurisdiction');
    expect(JSON.stringify(refused.body)).not.toContain(beijingResident.idNumber);
    expect(await isBlacklisted(db, beijingResident.idNumber)).toBe(false);
    const stranger = makeIdNumber({ regionCode: COUNTIES.zhengzhouJinshui, birthDate: '1949-12-30', sequence: randomInt(0, 1000) });
    expect((await blacklist({ idNumber: stranger }, henanManager, { category: 'IMPERSONATION' })).status).toBe(403);
    expect(await isBlacklisted(db, stranger)).toBe(false);
  });

  test('when a regional manager reads an entry about a person registered elsewhere, then 403 without the entry', async () => {
    const beijingResident = await newCitizen(db, { homeRegionCode: COUNTIES.beijingChaoyang });
    const added = await blacklist(beijingResident, beijingManager);
    expect(added.status).toBe(201);
    const read = await call(api, 'GET', `/v1/blacklist/${added.body.blacklistEntryId}`, { token: henanManager });
    expect(read.status).toBe(403);
    expect(read.body.code).toBe('forbidden_jurisdiction');
    expect(JSON.stringify(read.body)).not.toContain(beijingResident.idNumber);
    expect((await call(api, 'GET', `/v1/blacklist/${added.body.blacklistEntryId}`, { token: manager })).status).toBe(200);
  });
});

describe('impersonation reports', () => {
  test('when a unit reports impersonation, then managers of the holder’s home region are told, and a confirmation blacklists the impersonator', async () => {
    const victim = await newCitizen(db, { homeRegionCode: COUNTIES.zhengzhouJinshui });
    const impersonator = await newCitizen(db);
    const reported = await call(api, 'POST', '/v1/impersonation-reports', { token: unit, body: { idNumber: victim.idNumber, cardValidFrom: victim.cards[0].validFrom, note: 'face did not match at check-in' } });
    expect(reported.status).toBe(201);
    expect(reported.body).toMatchObject({ impersonationReportId: expect.any(String), state: 'OPEN' });
    const id = reported.body.impersonationReportId;
    expect(await db('outbox').where({ dedupeKey: `impersonation:${id}:reported` }).first()).toMatchObject({ recipientRole: 'manager', recipientCode: COUNTIES.zhengzhouJinshui });

    const listed = await call(api, 'GET', '/v1/impersonation-reports?state=OPEN', { token: henanManager });
    expect(listed.body.items.map((item: { impersonationReportId: string }) => item.impersonationReportId)).toContain(id);
    const elsewhere = await call(api, 'GET', '/v1/impersonation-reports?state=OPEN', { token: beijingManager });
    expect(elsewhere.body.items.map((item: { impersonationReportId: string }) => item.impersonationReportId)).not.toContain(id);
    expect((await call(api, 'POST', `/v1/impersonation-reports/${id}/confirm`, { token: beijingManager, body: { impersonatorIdNumber: impersonator.idNumber } })).status).toBe(403);

    const confirmed = await call(api, 'POST', `/v1/impersonation-reports/${id}/confirm`, { token: henanManager, body: { impersonatorIdNumber: impersonator.idNumber } });
    expect(confirmed.status).toBe(200);
    expect(confirmed.body).toMatchObject({ state: 'CONFIRMED', blacklistEntryId: expect.any(String) });
    const entry = await db('blacklistEntries').where('id', confirmed.body.blacklistEntryId).first();
    expect(entry).toMatchObject({ idNumber: impersonator.idNumber, category: 'IMPERSONATION' });
    expect(await isBlacklisted(db, victim.idNumber)).toBe(false);
    expect((await apply(impersonator)).body.code).toBe('refused_blacklisted');
    expect((await call(api, 'POST', `/v1/impersonation-reports/${id}/dismiss`, { token: manager, body: { reason: 'late' } })).body.code).toBe('wrong_state');
    expect(await db('auditLog').where({ subjectType: 'impersonation_report', subjectId: id }).pluck('action')).toEqual(expect.arrayContaining(['impersonation.reported', 'impersonation.confirmed']));
  });

  test('when the impersonator is already blacklisted, then the confirmation links the entry in force', async () => {
    const victim = await newCitizen(db);
    const impersonator = await newCitizen(db);
    const existing = await blacklist(impersonator, manager, { category: 'IMPERSONATION' });
    const reported = await call(api, 'POST', '/v1/impersonation-reports', { token: unit, body: { idNumber: victim.idNumber } });
    const confirmed = await call(api, 'POST', `/v1/impersonation-reports/${reported.body.impersonationReportId}/confirm`, { token: admin, body: { impersonatorIdNumber: impersonator.idNumber } });
    expect(confirmed.body).toMatchObject({ state: 'CONFIRMED', blacklistEntryId: existing.body.blacklistEntryId });
  });

  test('when many reports are open, then managers page through them newest first with a cursor, each once', async () => {
    const chengduManager = await newToken(db, 'manager', { regionCode: '510000' });
    const victims = await Promise.all(Array.from({ length: 55 }, () => newCitizen(db, { homeRegionCode: COUNTIES.chengduWuhou })));
    for (const victim of victims) await call(api, 'POST', '/v1/impersonation-reports', { token: unit, body: { idNumber: victim.idNumber } });
    const first = await call(api, 'GET', '/v1/impersonation-reports', { token: chengduManager });
    expect(first.body.items).toHaveLength(50);
    const second = await call(api, 'GET', `/v1/impersonation-reports?cursor=${first.body.nextCursor}`, { token: chengduManager });
    expect(second.body).toMatchObject({ nextCursor: null });
    const seen = [...first.body.items, ...second.body.items].map((item: { impersonationReportId: string }) => item.impersonationReportId);
    expect(new Set(seen).size).toBe(55);
    const times = [...first.body.items, ...second.body.items].map((item: { reportedAt: string }) => item.reportedAt);
    expect([...times].sort().reverse()).toEqual(times);
    expect((await call(api, 'GET', '/v1/impersonation-reports?cursor=not-ours', { token: chengduManager })).body.code).toBe('invalid_cursor');
    const forged = Buffer.from(JSON.stringify({ reportedAt: 'yesterday', id: 'x' })).toString('base64url');
    expect((await call(api, 'GET', `/v1/impersonation-reports?cursor=${forged}`, { token: chengduManager })).body.code).toBe('invalid_cursor');
  });

  test('when a manager dismisses a report with a reason, then DISMISSED and nobody is blacklisted; only units report, only managers decide', async () => {
    const victim = await newCitizen(db);
    const reported = await call(api, 'POST', '/v1/impersonation-reports', { token: unit, body: { idNumber: victim.idNumber } });
    expect((await call(api, 'POST', `/v1/impersonation-reports/${reported.body.impersonationReportId}/dismiss`, { token: manager, body: {} })).status).toBe(400);
    const dismissed = await call(api, 'POST', `/v1/impersonation-reports/${reported.body.impersonationReportId}/dismiss`, { token: manager, body: { reason: 'twin sister, same card holder' } });
    expect(dismissed.body).toMatchObject({ state: 'DISMISSED', blacklistEntryId: null });
    expect((await call(api, 'POST', '/v1/impersonation-reports', { token: station, body: { idNumber: victim.idNumber } })).status).toBe(403);
    expect((await call(api, 'POST', `/v1/impersonation-reports/${reported.body.impersonationReportId}/dismiss`, { token: unit, body: { reason: 'x' } })).status).toBe(403);
    expect((await call(api, 'POST', '/v1/impersonation-reports', { token: unit, body: { idNumber: 'abc' } })).body.code).toBe('invalid_id_number');
  });
});
