import { randomUUID } from 'node:crypto';
import Ajv2020, { type ValidateFunction } from 'ajv/dist/2020';
import addFormats from 'ajv-formats';
import { markStuck } from '../../db/queries/reconciliation';
import { call } from '../support/api';
import { acceptanceOf, startApplicationsApi, type ApplicationsApi } from '../support/applicationsApi';
import { COUNTIES, newCitizen, newToken, recordApplication, stationIn, type TestCitizen } from '../support/fixtures';

/**
 * The contract of the answers: every operation of GET /openapi.json declares its success answer,
 * and real answers — a success of every operation, errors of a sample — validate against the
 * schemas the served document declares for their status and media type (JSON Schema 2020-12).
 * Checked strictly: an answer member the schema does not declare fails too.
 */
let harness: ApplicationsApi;
let document: any;
const DOC_ID = 'https://openapi.test/openapi.json';
const ajv = new Ajv2020({ allErrors: false, strictTypes: false });
addFormats(ajv);
for (const keyword of ['components', 'x-code-labels', 'x-status-titles-zh-CN']) ajv.addKeyword(keyword);
const compiled = new Map<string, ValidateFunction>();

const station = stationIn(COUNTIES.hangzhouXihu);
const elsewhere = stationIn(COUNTIES.chengduWuhou);
const tokens = { station: '', elsewhere: '', reviewer: '', production: '', manager: '', admin: '', unit: '', platform: '', policePost: '', importer: '' };

/** Each answer's schema as the document declares it, with every declared object closed: an undeclared member fails. */
function strictened(schema: unknown): unknown {
  if (Array.isArray(schema)) return schema.map(strictened);
  if (!schema || typeof schema !== 'object') return schema;
  const copy: Record<string, unknown> = Object.fromEntries(Object.entries(schema).map(([key, value]) => [key, key === 'x-code-labels' || key === 'x-status-titles-zh-CN' ? value : strictened(value)]));
  if (typeof copy.$ref === 'string') copy.$ref = copy.$ref.replace(/^#/, `${DOC_ID}#`);
  // The Problem stays open: problems carry the facts of their refusal beside its members.
  if (copy.properties && copy.additionalProperties === undefined && !('x-code-labels' in copy)) copy.additionalProperties = false;
  return copy;
}

/** Operations answered successfully, `GET /v1/...` with the document's path template. */
const answered = new Set<string>();

type Answer = { status: number; contentType: string | null; body: any };

/** Validates an answer against the served document's schema for its operation, status and media type; names the operation and the first error. */
function expectDeclared(method: string, template: string, answer: Answer): void {
  const operation = `${method.toUpperCase()} ${template}`;
  const mediaType = (answer.contentType ?? '').split(';')[0].trim();
  const declared = document.paths[template]?.[method.toLowerCase()]?.responses?.[String(answer.status)]?.content?.[mediaType]?.schema;
  expect({ operation, status: answer.status, mediaType, declared: declared !== undefined }).toEqual({ operation, status: answer.status, mediaType, declared: true });
  const key = JSON.stringify(declared);
  let validate = compiled.get(key);
  if (!validate) {
    // The imports' outcome lines are declared open (a refusal carries its facts); the JSON answers closed.
    validate = ajv.compile((mediaType === 'application/x-ndjson' ? declared : strictened(declared)) as object);
    compiled.set(key, validate);
  }
  const bodies = mediaType === 'application/x-ndjson' ? String(answer.body).trim().split('\n').map((line) => JSON.parse(line)) : [answer.body];
  for (const body of bodies) {
    const first = validate(body) ? undefined : validate.errors![0];
    const error = first && `${first.instancePath || '(answer)'} ${first.message} ${JSON.stringify(first.params)} (${first.schemaPath})`;
    expect({ operation, status: answer.status, error }).toEqual({ operation, status: answer.status, error: undefined });
  }
  if (answer.status < 300) answered.add(operation);
}

async function request(method: string, template: string, path: string, options: { token?: string; body?: unknown; headers?: Record<string, string> } = {}, status?: number): Promise<Answer> {
  const answer = await call(harness.api, method, path, options);
  if (status !== undefined) expect({ operation: `${method} ${path}`, status: answer.status, body: answer.status === status ? undefined : answer.body }).toEqual({ operation: `${method} ${path}`, status, body: undefined });
  expectDeclared(method, template, answer);
  return answer;
}

beforeAll(async () => {
  harness = await startApplicationsApi({ productionProvinces: ['41'] });
  const { db } = harness;
  tokens.station = await newToken(db, 'station', { stationCode: station });
  tokens.elsewhere = await newToken(db, 'station', { stationCode: elsewhere });
  tokens.reviewer = await newToken(db, 'reviewer', { regionCode: '410000' });
  tokens.production = await newToken(db, 'production', { provinceCode: '410000' });
  tokens.manager = await newToken(db, 'manager');
  tokens.admin = await newToken(db, 'admin');
  tokens.unit = await newToken(db, 'unit', { unitId: 'air-china' });
  tokens.platform = await newToken(db, 'platform');
  tokens.policePost = await newToken(db, 'police_post', { regionCode: COUNTIES.hangzhouXihu });
  tokens.importer = await newToken(db, 'loss_report_importer', { regionCode: COUNTIES.zhengzhouJinshui });
  document = (await call(harness.api, 'GET', '/openapi.json')).body;
  ajv.addSchema({ $id: DOC_ID, components: strictened(document.components) });
}, 120_000);

afterAll(async () => {
  await harness?.stop();
});

const operations = () =>
  Object.entries(document.paths as Record<string, Record<string, { responses: Record<string, { content?: Record<string, { schema?: unknown }> }> }>>).flatMap(([path, methods]) =>
    Object.entries(methods).map(([method, operation]) => ({ name: `${method.toUpperCase()} ${path}`, responses: operation.responses })),
  );

describe('GET /openapi.json: every operation declares its answers', () => {
  test('when the document is read, then each operation has a success status with a media type and a schema', () => {
    const undeclared = operations()
      .filter(({ responses }) => {
        const successes = Object.entries(responses).filter(([status]) => /^2\d\d$/.test(status));
        return successes.length === 0 || successes.some(([, answer]) => !Object.values(answer.content ?? {}).some((media) => media.schema !== undefined));
      })
      .map(({ name }) => name);
    expect(undeclared).toEqual([]);
  });

  test('when the document is read, then every error status of every operation is the one Problem schema', () => {
    const others = operations().flatMap(({ name, responses }) =>
      Object.entries(responses)
        .filter(([status]) => Number(status) >= 400 && !(name === 'GET /health' && status === '503'))
        .filter(([, answer]) => JSON.stringify(answer.content) !== JSON.stringify({ 'application/problem+json': { schema: { $ref: '#/components/schemas/Problem' } } }))
        .map(([status]) => `${name} ${status}`),
    );
    expect(others).toEqual([]);
  });

  test('when a schema is wrong, then an answer fails against it, naming the operation', () => {
    const wrong = ajv.compile(strictened({ ...document.components.schemas.TakenLossReport, required: [...document.components.schemas.TakenLossReport.required, 'holderName'] }) as object);
    expect(wrong({ lossReportId: randomUUID(), cardValidFrom: '2020-03-01', cardStatus: 'REPORTED_LOST', reportedAt: new Date().toISOString() })).toBe(false);
    expect(wrong.errors![0].message).toBe("must have required property 'holderName'");
  });
});

describe('real answers validate against the served document', () => {
  let citizen: TestCitizen;
  let applicationId: string;
  let receiptNumber: string;

  test('an application from acceptance to pickup: acceptance, its replay, case files, lists, worklists, every step, the applicant lookup', async () => {
    citizen = await newCitizen(harness.db, { homeRegionCode: COUNTIES.zhengzhouJinshui });
    const key = `openapi-${randomUUID()}`;
    const body = acceptanceOf(citizen, { temporaryCardRequested: true, contactPhone: '13812345678' });
    const accepted = await request('POST', '/v1/applications', '/v1/applications', { token: tokens.station, body, headers: { 'Idempotency-Key': key } }, 201);
    ({ applicationId, receiptNumber } = accepted.body);
    await request('POST', '/v1/applications', '/v1/applications', { token: tokens.station, body, headers: { 'Idempotency-Key': key } }, 200);
    const path = `/v1/applications/${applicationId}`;
    const step = (name: string, token: string, stepBody: unknown, status = 200) => request('POST', `/v1/applications/{id}/${name}`, `${path}/${name}`, { token, body: stepBody }, status);

    await request('GET', '/v1/applications', '/v1/applications', { token: tokens.station }, 200);
    await request('POST', '/v1/application-search', '/v1/application-search', { token: tokens.station, body: { idNumber: citizen.idNumber } }, 200);
    await request('GET', '/v1/worklists/review', '/v1/worklists/review', { token: tokens.reviewer }, 200);
    await request('GET', '/v1/worklists/temporary-cards', '/v1/worklists/temporary-cards', { token: tokens.station }, 200);
    await step('extend', tokens.reviewer, { days: 10, reason: 'roads closed' });
    await step('temporary-card-issued', tokens.reviewer, {});
    await step('review', tokens.reviewer, { decision: 'approve' });
    await request('GET', '/v1/worklists/printing', '/v1/worklists/printing', { token: tokens.production }, 200);
    await step('print-failed', tokens.production, { reason: 'chip write error' });
    await step('printed', tokens.production, {});
    await step('dispatched', tokens.production, { trackingNumber: 'EMS-OPENAPI-1' });
    await request('GET', '/v1/worklists/arrivals', '/v1/worklists/arrivals', { token: tokens.station }, 200);
    await step('arrived', tokens.elsewhere, { trackingNumber: 'EMS-OPENAPI-1' }, 202);
    await step('arrived', tokens.station, {});
    await request('GET', '/v1/worklists/pickups', '/v1/worklists/pickups', { token: tokens.station }, 200);
    await request('GET', '/v1/applications/{id}', path, { token: tokens.station }, 200);
    await request('POST', '/v1/application-status', '/v1/application-status', { body: { receiptNumber, idNumber: citizen.idNumber } }, 200);
    await step('picked-up', tokens.station, { oldCardReturned: true, temporaryCardReturned: true });

    const withdrawn = await request('POST', '/v1/applications', '/v1/applications', { token: tokens.station, body: acceptanceOf(await newCitizen(harness.db)) }, 201);
    await request('POST', '/v1/applications/{id}/withdraw', `/v1/applications/${withdrawn.body.applicationId}/withdraw`, { token: tokens.station, body: { reason: 'changed their mind' } }, 200);
    const replacement = await request('POST', '/v1/applications', '/v1/applications', { token: tokens.station, body: acceptanceOf(await newCitizen(harness.db), { kind: 'replacement', reason: 'lost' }) }, 201);
    expect(replacement.body.lossReport).toEqual(expect.objectContaining({ cardStatus: 'REPORTED_LOST' }));
  }, 120_000);

  test("the manager's figures, lists and stuck cases", async () => {
    await request('GET', '/v1/worklists/due', '/v1/worklists/due', { token: tokens.manager }, 200);
    await request('GET', '/v1/overdue', '/v1/overdue', { token: tokens.manager }, 200);
    await request('GET', '/v1/stats', `/v1/stats?stationCode=${station}`, { token: tokens.manager }, 200);
    await request('GET', '/v1/stats/on-time-by-week', `/v1/stats/on-time-by-week?stationCode=${station}`, { token: tokens.manager }, 200);
    await request('GET', '/v1/stats/days-remaining', `/v1/stats/days-remaining?stationCode=${station}`, { token: tokens.manager }, 200);
    await request('GET', '/v1/stats/stations/{code}/open-applications', `/v1/stats/stations/${station}/open-applications`, { token: tokens.manager }, 200);

    const owner = await newCitizen(harness.db, { homeRegionCode: COUNTIES.zhengzhouJinshui });
    const stuckId = await recordApplication(harness.db, { idNumber: owner.idNumber, acceptingStationCode: station, homeRegionCode: owner.homeRegionCode });
    await markStuck(harness.db, { applicationId: stuckId, stage: 'HOME_REVIEW', reasonCode: 'workflow_lost', reason: 'the workflow was not found', at: new Date() });
    await request('GET', '/v1/stuck-applications', '/v1/stuck-applications', { token: tokens.manager }, 200);
    await request('POST', '/v1/stuck-applications/{id}/close', `/v1/stuck-applications/${stuckId}/close`, { token: tokens.manager, body: { reason: 'closed by hand' } }, 200);
  }, 60_000);

  test('loss reports at the counter and imported, verification, the card-status feed', async () => {
    const holder = await newCitizen(harness.db, { homeRegionCode: COUNTIES.hangzhouXihu });
    await request('POST', '/v1/verifications', '/v1/verifications', { token: tokens.unit, body: { idNumber: holder.idNumber, name: holder.name, cardValidFrom: holder.cards[0].validFrom } }, 200);
    const taken = await request('POST', '/v1/loss-reports', '/v1/loss-reports', { token: tokens.station, body: { idNumber: holder.idNumber, name: holder.name, circumstance: 'lost', fingerprintMatched: true } }, 201);
    await request('GET', '/v1/loss-reports', '/v1/loss-reports', { token: tokens.station }, 200);
    await request('GET', '/v1/loss-reports/{id}', `/v1/loss-reports/${taken.body.lossReportId}`, { token: tokens.station }, 200);
    await request('POST', '/v1/loss-reports/{id}/withdraw', `/v1/loss-reports/${taken.body.lossReportId}/withdraw`, { token: tokens.station, body: { reason: 'found it' } }, 200);

    const old = await newCitizen(harness.db, { homeRegionCode: COUNTIES.zhengzhouJinshui });
    const ndjson = { 'content-type': 'application/x-ndjson' };
    const reportedAt = new Date(Date.now() - 86_400_000).toISOString();
    const lines = [JSON.stringify({ idNumber: old.idNumber, name: old.name, cardValidFrom: old.cards[0].validFrom, fingerprintMatched: true, reportedAt, authorityRegionCode: COUNTIES.zhengzhouJinshui }), '{ not json'].join('\n');
    await request('POST', '/v1/loss-reports/import', '/v1/loss-reports/import', { token: tokens.importer, body: lines, headers: ndjson }, 200);
    await request('POST', '/v1/applications/import', '/v1/applications/import', { token: tokens.admin, body: '{ not json\n', headers: ndjson }, 200);

    await request('GET', '/v1/card-status-events', '/v1/card-status-events?after=0&limit=20', { token: tokens.platform }, 200);
  }, 60_000);

  test('found cards: hand-in, the lists, the inquiries, return and destruction', async () => {
    const owner = await newCitizen(harness.db, { homeRegionCode: COUNTIES.hangzhouXihu, cards: [{ validFrom: '2012-03-01', status: 'SUPERSEDED' }, { validFrom: '2022-03-01' }] });
    const current = await request('POST', '/v1/found-cards', '/v1/found-cards', { token: tokens.station, body: { idNumber: owner.idNumber, cardValidFrom: '2022-03-01' } }, 201);
    const superseded = await request('POST', '/v1/found-cards', '/v1/found-cards', { token: tokens.station, body: { idNumber: owner.idNumber, cardValidFrom: '2012-03-01' } }, 201);
    await request('GET', '/v1/found-cards', '/v1/found-cards', { token: tokens.station }, 200);
    await request('POST', '/v1/found-cards/inquiries', '/v1/found-cards/inquiries', { token: tokens.station, body: { idNumber: owner.idNumber, name: owner.name } }, 200);
    const inquiry = await request('POST', '/v1/lost-card-inquiries', '/v1/lost-card-inquiries', { body: { idNumber: owner.idNumber, name: owner.name } }, 200);
    expect(inquiry.body.cards.length).toBeGreaterThan(0);
    await request('POST', '/v1/found-cards/{id}/return', `/v1/found-cards/${current.body.foundCardId}/return`, { token: tokens.station, body: { note: 'handed back' } }, 200);
    await request('POST', '/v1/found-cards/{id}/destroy', `/v1/found-cards/${superseded.body.foundCardId}/destroy`, { token: tokens.station, body: {} }, 200);
  }, 60_000);

  test('the blacklist, impersonation reports, temporary certificates', async () => {
    const person = await newCitizen(harness.db, { homeRegionCode: COUNTIES.hangzhouXihu });
    const entry = await request('POST', '/v1/blacklist', '/v1/blacklist', { token: tokens.admin, body: { idNumber: person.idNumber, category: 'FORGERY', source: 'openapi contract test' } }, 201);
    await request('GET', '/v1/blacklist', '/v1/blacklist', { token: tokens.admin }, 200);
    await request('GET', '/v1/blacklist/{id}', `/v1/blacklist/${entry.body.blacklistEntryId}`, { token: tokens.admin }, 200);
    await request('DELETE', '/v1/blacklist/{id}', `/v1/blacklist/${entry.body.blacklistEntryId}`, { token: tokens.admin, body: { reason: 'entered by mistake' } }, 200);

    const victim = await newCitizen(harness.db, { homeRegionCode: COUNTIES.hangzhouXihu });
    const impostor = await newCitizen(harness.db, { homeRegionCode: COUNTIES.hangzhouXihu });
    const confirmed = await request('POST', '/v1/impersonation-reports', '/v1/impersonation-reports', { token: tokens.unit, body: { idNumber: victim.idNumber, cardValidFrom: victim.cards[0].validFrom } }, 201);
    const dismissed = await request('POST', '/v1/impersonation-reports', '/v1/impersonation-reports', { token: tokens.unit, body: { idNumber: victim.idNumber, note: 'looked different' } }, 201);
    await request('GET', '/v1/impersonation-reports', '/v1/impersonation-reports', { token: tokens.manager }, 200);
    await request('POST', '/v1/impersonation-reports/{id}/confirm', `/v1/impersonation-reports/${confirmed.body.impersonationReportId}/confirm`, { token: tokens.manager, body: { impersonatorIdNumber: impostor.idNumber } }, 200);
    await request('POST', '/v1/impersonation-reports/{id}/dismiss', `/v1/impersonation-reports/${dismissed.body.impersonationReportId}/dismiss`, { token: tokens.manager, body: { reason: 'the same person, older photo' } }, 200);

    const traveller = await newCitizen(harness.db, { homeRegionCode: COUNTIES.hangzhouXihu });
    const issued = await request('POST', '/v1/temporary-certificates', '/v1/temporary-certificates', { token: tokens.policePost, body: { idNumber: traveller.idNumber, name: traveller.name, fingerprintMatched: true } }, 201);
    await request('POST', '/v1/certificate-verifications', '/v1/certificate-verifications', { token: tokens.unit, body: { certificateNumber: issued.body.certificateNumber, name: traveller.name } }, 200);
  }, 60_000);

  test('the inbox and the dead letters', async () => {
    const { db } = harness;
    const [delivered] = await db('outbox').insert({ topic: 'openapi.test', recipientRole: 'station', recipientCode: station, payload: {}, dedupeKey: `openapi-inbox-${randomUUID()}`, deliveredAt: new Date() }).returning('id');
    const [message] = await db('inbox').insert({ outboxId: delivered.id, recipientRole: 'station', stationCode: station, topic: 'openapi.test', text: '测试消息' }).returning('id');
    await request('GET', '/v1/inbox', '/v1/inbox', { token: tokens.station }, 200);
    await request('GET', '/v1/inbox/unread-count', '/v1/inbox/unread-count', { token: tokens.station }, 200);
    await request('POST', '/v1/inbox/{id}/read', `/v1/inbox/${message.id}/read`, { token: tokens.station }, 200);

    const [dead] = await db('outbox').insert({ topic: 'openapi.test', recipientRole: 'station', recipientCode: station, payload: {}, dedupeKey: `openapi-dead-${randomUUID()}`, attempts: 8, lastError: 'sms_gateway_503', deadAt: new Date() }).returning('id');
    try {
      await request('GET', '/v1/notifications/dead-letters', '/v1/notifications/dead-letters', { token: tokens.admin }, 200);
      await request('POST', '/v1/notifications/dead-letters/{id}/retry', `/v1/notifications/dead-letters/${dead.id}/retry`, { token: tokens.admin }, 202);
    } finally {
      // Queued again: no other file's dispatcher is to deliver this test's row.
      await db('outbox').where('id', dead.id).update({ deliveredAt: new Date() });
    }
  });

  test('health and metrics', async () => {
    await request('GET', '/health', '/health', {}, 200);
    const response = await fetch(`${harness.api.metricsUrl}/metrics`);
    expectDeclared('GET', '/metrics', { status: response.status, contentType: response.headers.get('content-type'), body: await response.text() });
  });

  test('a sample of errors: each the Problem its status declares', async () => {
    const missing = randomUUID();
    const invalid = await request('POST', '/v1/applications', '/v1/applications', { token: tokens.station, body: { kind: 'renewal' } }, 400);
    expect(invalid.body.code).toBe('validation_failed');
    await request('GET', '/v1/applications', '/v1/applications', {}, 401);
    await request('GET', '/v1/stats', '/v1/stats', { token: tokens.station }, 403);
    await request('GET', '/v1/loss-reports/{id}', `/v1/loss-reports/${missing}`, { token: tokens.station }, 404);
    await request('POST', '/v1/applications/{id}/review', `/v1/applications/${applicationId}/review`, { token: tokens.reviewer, body: { decision: 'approve' } }, 409);
    await request('POST', '/v1/loss-reports', '/v1/loss-reports', { token: tokens.station, body: { idNumber: citizen.idNumber, name: '别人', circumstance: 'lost', fingerprintMatched: true } }, 422);
    await request('POST', '/v1/applications/import', '/v1/applications/import', { token: tokens.admin, body: '{}' }, 415);
    const wrongMethod = await call(harness.api, 'PUT', '/v1/applications', { token: tokens.station, body: {} });
    expectDeclared('GET', '/v1/applications', wrongMethod);
    expect(wrongMethod.status).toBe(405);
  });

  test('when every call above was made, then every operation of the document was answered successfully at least once', () => {
    expect(operations().map(({ name }) => name).filter((name) => !answered.has(name))).toEqual([]);
  });
});
