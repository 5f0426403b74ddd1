import type { TestWorkflowEnvironment } from '@temporalio/testing';
import type { WorkflowBundleWithSourceMap, Worker } from '@temporalio/worker';
import { chinaDateOf } from '../../domain';
import type { Db } from '../../db/knex';
import { createWorkers, shutdownWorkers } from '../../worker/workers';
import { testPayloadCodec } from '../support/payloadCodec';
import { call, startApi, type RunningApi } from '../support/api';
import { acceptanceOf } from '../support/applicationsApi';
import { testDb } from '../support/database';
import { COUNTIES, newCitizen, newToken, stationIn } from '../support/fixtures';
import { startEnvironment } from '../workflows/harness';

let env: TestWorkflowEnvironment;
let bundle: WorkflowBundleWithSourceMap;
let db: Db;
let api: RunningApi;
let workers: Worker[];
let running: Promise<unknown>;
const prefix = `api-${process.pid}`;

const station = { county: COUNTIES.shenzhenNanshan, code: stationIn(COUNTIES.shenzhenNanshan) };
let stationToken: string;
let otherStationToken: string;
let henanReviewer: string;
let beijingReviewer: string;
let henanProduction: string;
let nationalManager: string;

beforeAll(async () => {
  ({ env, bundle } = await startEnvironment());
  db = testDb();
  workers = await createWorkers({ connection: env.nativeConnection, namespace: 'default', taskQueuePrefix: prefix, db, payloadCodec: testPayloadCodec, productionProvinces: ['41'], workflowBundle: bundle });
  running = Promise.all(workers.map((worker) => worker.run()));
  api = await startApi(db, { temporal: env.client, config: { TEMPORAL_TASK_QUEUE_PREFIX: prefix } });
  stationToken = await newToken(db, 'station', { stationCode: station.code });
  otherStationToken = await newToken(db, 'station', { stationCode: stationIn(COUNTIES.beijingChaoyang) });
  henanReviewer = await newToken(db, 'reviewer', { regionCode: '410000' });
  beijingReviewer = await newToken(db, 'reviewer', { regionCode: '110000' });
  henanProduction = await newToken(db, 'production', { provinceCode: '410000' });
  nationalManager = await newToken(db, 'manager');
}, 120_000);

afterAll(async () => {
  await api?.close();
  if (workers) shutdownWorkers(workers);
  await running;
  await env?.teardown();
  await db?.destroy();
});

const accept = async (body: Record<string, unknown>, headers: Record<string, string> = {}) =>
  call(api, 'POST', '/v1/applications', { token: stationToken, body, headers });
const acceptance = (citizen: { idNumber: string; name: string }) => acceptanceOf(citizen);

describe('POST /v1/applications', () => {
  test('when a station accepts an eligible person, then 201 with the deadline 60 days on, and the application can be read back', async () => {
    const citizen = await newCitizen(db);
    const response = await accept(acceptance(citizen));
    expect(response.status).toBe(201);
    expect(response.body).toMatchObject({ stage: 'HOME_REVIEW', homeRegionCode: citizen.homeRegionCode, acceptingStationCode: station.code });
    expect(Date.parse(response.body.deadlineAt) - Date.parse(response.body.acceptedAt)).toBe(60 * 86_400_000);

    const read = await call(api, 'GET', `/v1/applications/${response.body.applicationId}`, { token: stationToken });
    expect(read.status).toBe(200);
    expect(read.body).toMatchObject({ applicationId: response.body.applicationId, overdue: false, daysRemaining: 60 });
    expect(read.body.history[0].stage).toBe('ACCEPTED');
  });

  test('when the same Idempotency-Key is sent again, then the same application comes back', async () => {
    const citizen = await newCitizen(db);
    const first = await accept(acceptance(citizen), { 'Idempotency-Key': `key-${citizen.idNumber}` });
    const again = await accept(acceptance(citizen), { 'Idempotency-Key': `key-${citizen.idNumber}` });
    expect(first.status).toBe(201);
    expect(again.body.applicationId).toBe(first.body.applicationId);
    expect(await db('applications').where('idNumber', citizen.idNumber)).toHaveLength(1);
  });

  test('when a station accepts a replacement, then the 201 names the loss report it made (the lost card, REPORTED_LOST at the acceptance instant), the same again for the same Idempotency-Key; a renewal names none', async () => {
    const citizen = await newCitizen(db);
    const key = `replacement-${citizen.idNumber}`;
    const first = await accept(acceptanceOf(citizen, { kind: 'replacement', reason: 'lost on the metro' }), { 'Idempotency-Key': key });
    expect(first.status).toBe(201);
    const stored = await db('lossReports').where('applicationId', first.body.applicationId).first();
    expect(stored).toMatchObject({ source: 'application', reportingStationCode: station.code });
    expect(first.body.lossReport).toEqual({ lossReportId: stored.id, cardValidFrom: citizen.cards[0].validFrom, cardStatus: 'REPORTED_LOST', reportedAt: first.body.acceptedAt });
    expect(stored.reportedAt.toISOString()).toBe(first.body.acceptedAt);

    const again = await accept(acceptanceOf(citizen, { kind: 'replacement', reason: 'lost on the metro' }), { 'Idempotency-Key': key });
    expect(again.status).toBe(200);
    expect(again.body.lossReport).toEqual(first.body.lossReport);
    // The station reads the report it names, as one taken at its counter.
    const read = await call(api, 'GET', `/v1/loss-reports/${first.body.lossReport.lossReportId}`, { token: stationToken });
    expect(read.body).toMatchObject({ lossReportId: stored.id, cardValidFrom: citizen.cards[0].validFrom, cardStatus: 'REPORTED_LOST', source: 'application' });

    const renewal = await accept(acceptance(await newCitizen(db)));
    expect(renewal.status).toBe(201);
    expect(renewal.body).not.toHaveProperty('lossReport');

    const { body: document } = await call(api, 'GET', '/openapi.json');
    expect(document.paths['/v1/applications'].post.responses['201'].content['application/json'].schema).toEqual({ $ref: '#/components/schemas/Accepted' });
    expect(document.components.schemas.Accepted.properties.lossReport.anyOf).toEqual([{ $ref: '#/components/schemas/TakenLossReport' }, { type: 'null' }]);
    expect(document.components.schemas.TakenLossReport.required).toEqual(['lossReportId', 'cardValidFrom', 'cardStatus', 'reportedAt']);
  });

  test('when a replacement is accepted for a card already reported lost at a counter, then its 201 says it made no loss report (null) and the counter’s report stays the card’s', async () => {
    const citizen = await newCitizen(db);
    const counter = await call(api, 'POST', '/v1/loss-reports', { token: stationToken, body: { idNumber: citizen.idNumber, name: citizen.name, circumstance: 'lost', fingerprintMatched: true } });
    expect(counter.status).toBe(201);
    const replacement = await accept(acceptanceOf(citizen, { kind: 'replacement', reason: 'lost, reported yesterday' }));
    expect(replacement.status).toBe(201);
    expect(replacement.body.lossReport).toBeNull();
    const reports = await db('lossReports').join('cards', 'cards.id', 'lossReports.cardId').where('cards.idNumber', citizen.idNumber).select('lossReports.id');
    expect(reports).toEqual([{ id: counter.body.lossReportId }]);
  });

  test('when an Idempotency-Key is reused for another person, then 422 idempotency_key_reused and nothing is recorded for them', async () => {
    const citizen = await newCitizen(db);
    const other = await newCitizen(db);
    const key = `reused-${citizen.idNumber}`;
    expect((await accept(acceptance(citizen), { 'Idempotency-Key': key })).status).toBe(201);
    const reused = await accept(acceptance(other), { 'Idempotency-Key': key });
    expect(reused.status).toBe(422);
    expect(reused.body.code).toBe('idempotency_key_reused');
    expect(await db('applications').where('idNumber', other.idNumber)).toHaveLength(0);
  });

  test('when the person already has an application in progress, then 409 duplicate_application names it', async () => {
    const citizen = await newCitizen(db);
    const first = await accept(acceptance(citizen));
    const second = await call(api, 'POST', '/v1/applications', { token: otherStationToken, body: acceptance(citizen) });
    expect(second.status).toBe(409);
    expect(second.contentType).toMatch(/application\/problem\+json/);
    expect(second.body).toMatchObject({ code: 'duplicate_application', applicationId: first.body.applicationId });
  });

  test('when the rules refuse the person, then a problem with the refusal code and nothing is recorded', async () => {
    const blacklisted = await newCitizen(db);
    await db('blacklistEntries').insert({ id: crypto.randomUUID(), idNumber: blacklisted.idNumber, category: 'IMPERSONATION', source: 'test', addedBy: 'test', addedAt: new Date() });
    const refused = await accept(acceptance(blacklisted));
    expect(refused.status).toBe(422);
    expect(refused.body.code).toBe('refused_blacklisted');

    const noFingerprints = await newCitizen(db, { hasFingerprints: false });
    const changed = await accept({ ...acceptance(noFingerprints), appearanceChanged: true });
    expect(changed.body.code).toBe('refused_no_fingerprints');

    const stranger = await newCitizen(db);
    const mismatch = await accept({ ...acceptance(stranger), name: '别人' });
    expect(mismatch.body.code).toBe('name_mismatch');
    expect(await db('applications').whereIn('idNumber', [blacklisted.idNumber, noFingerprints.idNumber, stranger.idNumber])).toHaveLength(0);
  });

  test('when the body is malformed, then 400 lists each bad field, never a 5xx', async () => {
    const bad = await accept({ idNumber: '110105194912310021', name: '', kind: 'new', fingerprintCaptured: 'yes' });
    expect(bad.status).toBe(400);
    // Several fields wrong: the request as a whole is validation_failed, each field with its own code.
    expect(bad.body.code).toBe('validation_failed');
    expect(bad.body.errors.map((error: { field: string; code: string }) => [error.field, error.code]).sort()).toEqual([
      ['appearanceChanged', 'invalid_type'],
      ['fingerprintCaptured', 'invalid_type'],
      ['idNumber', 'invalid_id_number'],
      ['kind', 'invalid_value'],
      ['name', 'too_small'],
      ['reason', 'invalid_type'],
    ]);
    const citizen = await newCitizen(db);
    const onlyTheNumber = await accept({ ...acceptance(citizen), idNumber: '110105194912310021' });
    expect({ status: onlyTheNumber.status, code: onlyTheNumber.body.code }).toEqual({ status: 400, code: 'invalid_id_number' });
    const notJson = await call(api, 'POST', '/v1/applications', { token: stationToken, body: '{oops', headers: { 'content-type': 'application/json' } });
    expect(notJson.status).toBe(400);
    expect(notJson.body.code).toBe('malformed_json');
  });

  test('when a query string carries an unknown parameter, then 400 naming the query, not the body', async () => {
    const answer = await call(api, 'GET', '/v1/applications?colour=red', { token: stationToken });
    expect(answer.status).toBe(400);
    expect(answer.body).toMatchObject({ code: 'validation_failed', errors: [{ field: '(query)', message: expect.any(String), code: 'unknown_field' }] });
  });

  test('when a reviewer, a unit or no token tries to accept, then 403 or 401', async () => {
    const citizen = await newCitizen(db);
    expect((await call(api, 'POST', '/v1/applications', { token: henanReviewer, body: acceptance(citizen) })).status).toBe(403);
    expect((await call(api, 'POST', '/v1/applications', { body: acceptance(citizen) })).status).toBe(401);
    expect((await call(api, 'POST', '/v1/applications', { token: 'station_forged', body: acceptance(citizen) })).status).toBe(401);
  });
});

describe('the steps after acceptance', () => {
  test('when review, printing, shipping and pickup go through the API, then each caller acts only in its jurisdiction and the card is issued', async () => {
    const citizen = await newCitizen(db, { homeRegionCode: COUNTIES.zhengzhouJinshui });
    const { body: accepted } = await accept(acceptance(citizen));
    const id = accepted.applicationId;

    expect((await call(api, 'POST', `/v1/applications/${id}/review`, { token: beijingReviewer, body: { decision: 'approve' } })).body.code).toBe('not_found');
    expect((await call(api, 'POST', `/v1/applications/${id}/printed`, { token: henanProduction, body: {} })).body.code).toBe('wrong_stage');
    expect((await call(api, 'POST', `/v1/applications/${id}/review`, { token: henanReviewer, body: { decision: 'refuse' } })).status).toBe(400);

    const reviewed = await call(api, 'POST', `/v1/applications/${id}/review`, { token: henanReviewer, body: { decision: 'approve' } });
    expect(reviewed.status).toBe(200);
    expect(reviewed.body.stage).toBe('PRINTING');
    expect((await call(api, 'POST', `/v1/applications/${id}/printed`, { token: henanProduction, body: {} })).status).toBe(200);
    expect((await call(api, 'POST', `/v1/applications/${id}/dispatched`, { token: henanProduction, body: { trackingNumber: 'EMS42' } })).body.stage).toBe('SHIPPING');

    // Another station holds the parcel: without its tracking number it learns nothing and flags nothing.
    const unproven = await call(api, 'POST', `/v1/applications/${id}/arrived`, { token: otherStationToken, body: {} });
    expect({ status: unproven.status, code: unproven.body.code }).toEqual({ status: 404, code: 'not_found' });
    expect((await call(api, 'POST', `/v1/applications/${id}/arrived`, { token: otherStationToken, body: { trackingNumber: 'EMS41' } })).status).toBe(404);
    expect((await call(api, 'GET', `/v1/applications/${id}`, { token: stationToken })).body.misrouted).toBe(false);
    const elsewhere = await call(api, 'POST', `/v1/applications/${id}/arrived`, { token: otherStationToken, body: { trackingNumber: 'EMS42' } });
    expect(elsewhere.status).toBe(202);
    expect(elsewhere.body).toMatchObject({ misrouted: true, resentTo: station.code });

    expect((await call(api, 'POST', `/v1/applications/${id}/arrived`, { token: stationToken, body: {} })).body.stage).toBe('READY_FOR_PICKUP');
    const picked = await call(api, 'POST', `/v1/applications/${id}/picked-up`, { token: stationToken, body: { oldCardReturned: true } });
    expect(picked.status).toBe(200);
    expect(picked.body.stage).toBe('COMPLETED');
    expect(picked.body.history.map((entry: { stage: string }) => entry.stage)).toEqual(['ACCEPTED', 'HOME_REVIEW', 'PRINTING', 'SHIPPING', 'READY_FOR_PICKUP', 'COMPLETED']);
    expect((await call(api, 'POST', `/v1/applications/${id}/withdraw`, { token: stationToken, body: { reason: 'late' } })).body.code).toBe('wrong_stage');
  });

  test('when a replacement is printed with the validity start of a card the person already holds, then 422 and, printed on a new day, the person ends with a valid card', async () => {
    const day = (offset: number) => chinaDateOf(Date.now() + offset * 86_400_000);
    const citizen = await newCitizen(db, { homeRegionCode: COUNTIES.zhengzhouJinshui, cards: [{ validFrom: day(-3) }] });
    const { body: accepted } = await accept(acceptanceOf(citizen, { kind: 'replacement', reason: 'lost the new card' }));
    const id = accepted.applicationId;
    expect((await call(api, 'POST', `/v1/applications/${id}/review`, { token: henanReviewer, body: { decision: 'approve' } })).body.stage).toBe('PRINTING');

    const colliding = await call(api, 'POST', `/v1/applications/${id}/printed`, { token: henanProduction, body: { validFrom: day(-3), } });
    expect(colliding.status).toBe(422);
    expect(colliding.contentType).toMatch(/^application\/problem\+json/);
    expect(colliding.body.code).toBe('valid_from_not_after_existing_card');
    expect(JSON.stringify(colliding.body)).not.toContain(citizen.idNumber);
    expect((await call(api, 'POST', `/v1/applications/${id}/printed`, { token: henanProduction, body: { validFrom: day(-4), } })).body.code).toBe('valid_from_not_after_existing_card');
    expect((await call(api, 'GET', `/v1/applications/${id}`, { token: stationToken })).body.stage).toBe('PRINTING');

    expect((await call(api, 'POST', `/v1/applications/${id}/printed`, { token: henanProduction, body: { validFrom: day(0), } })).status).toBe(200);
    expect((await call(api, 'POST', `/v1/applications/${id}/dispatched`, { token: henanProduction, body: { trackingNumber: 'EMS-SAME-DAY' } })).status).toBe(200);
    expect((await call(api, 'POST', `/v1/applications/${id}/arrived`, { token: stationToken, body: {} })).status).toBe(200);
    expect((await call(api, 'POST', `/v1/applications/${id}/picked-up`, { token: stationToken, body: { oldCardReturned: false } })).body.stage).toBe('COMPLETED');
    const cards = await db('cards').where('idNumber', citizen.idNumber).orderBy('validFrom').select('validFrom', 'status');
    expect(cards).toEqual([
      { validFrom: day(-3), status: 'SUPERSEDED' },
      { validFrom: day(0), status: 'ACTIVE' },
    ]);
  });

  test('when a manager lists applications and stats, then they see their own, newest first, with per-stage counts', async () => {
    const citizen = await newCitizen(db);
    const { body: accepted } = await accept(acceptance(citizen));
    const list = await call(api, 'GET', '/v1/applications?stage=HOME_REVIEW', { token: nationalManager });
    expect(list.status).toBe(200);
    expect(list.body.items.some((item: { applicationId: string }) => item.applicationId === accepted.applicationId)).toBe(true);
    const mine = await call(api, 'GET', '/v1/applications', { token: otherStationToken });
    expect(mine.body.items.some((item: { applicationId: string }) => item.applicationId === accepted.applicationId)).toBe(false);
    expect((await call(api, 'GET', `/v1/applications/${accepted.applicationId}`, { token: otherStationToken })).status).toBe(403);
    const stats = await call(api, 'GET', '/v1/stats', { token: nationalManager });
    expect(stats.status).toBe(200);
    expect(stats.body.countsByStage.HOME_REVIEW).toBeGreaterThanOrEqual(1);
    expect((await call(api, 'GET', '/v1/overdue', { token: nationalManager })).status).toBe(200);
    expect((await call(api, 'GET', '/v1/applications?cursor=nonsense', { token: nationalManager })).body.code).toBe('invalid_cursor');
  });
});
