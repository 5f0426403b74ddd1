import { randomUUID } from 'node:crypto';
import { chinaDateOf, DAY_MS } from '../../domain';
import type { Db } from '../../db/knex';
import { call, startApi, type RunningApi } from '../support/api';
import { testDb } from '../support/database';
import { COUNTIES, newCitizen, newToken, recordApplication, stationIn, type TestCitizen } from '../support/fixtures';

let db: Db;
let api: RunningApi;
let citizen: TestCitizen;
let applicationId: string;
// Accepted 30 days ago at 02:00 UTC, 10:00 that day in Shanghai: the receipt number carries China's date.
const acceptedAt = new Date((Math.floor(Date.now() / DAY_MS) - 30) * DAY_MS + 2 * 3_600_000);
const deadlineAt = new Date(acceptedAt.getTime() + 60 * DAY_MS);
let receiptNumber: string;
const station = stationIn(COUNTIES.shanghaiPudong);

beforeAll(async () => {
  db = testDb();
  api = await startApi(db);
  citizen = await newCitizen(db);
  // The read model row as the workflow's activities write it.
  applicationId = await recordApplication(db, {
    idNumber: citizen.idNumber,
    stage: 'PRINTING',
    acceptingStationCode: station,
    homeRegionCode: citizen.homeRegionCode,
    acceptedAt,
    deadlineAt,
    contactPhone: '13800000000',
  });
  ({ receiptNumber } = await db('applications').where('id', applicationId).first('receiptNumber'));
});

afterAll(async () => {
  await api?.close();
  await db?.destroy();
});

describe('GET /openapi.json', () => {
  test('when fetched, then an OpenAPI 3.1 document lists every route of the contract with the schemas the handlers parse', async () => {
    const { status, body } = await call(api, 'GET', '/openapi.json');
    expect(status).toBe(200);
    expect(body.openapi).toBe('3.1.0');
    for (const [path, method] of [
      ['/v1/applications', 'post'],
      ['/v1/applications', 'get'],
      ['/v1/applications/{id}', 'get'],
      ['/v1/applications/{id}/review', 'post'],
      ['/v1/applications/{id}/picked-up', 'post'],
      ['/v1/overdue', 'get'],
      ['/v1/stats', 'get'],
      ['/v1/loss-reports', 'post'],
      ['/v1/verifications', 'post'],
      ['/v1/found-cards', 'post'],
      ['/v1/blacklist/{id}', 'delete'],
      ['/v1/application-status', 'post'],
      ['/v1/application-search', 'post'],
      ['/v1/worklists/review', 'get'],
      ['/v1/worklists/printing', 'get'],
      ['/v1/worklists/arrivals', 'get'],
      ['/v1/worklists/pickups', 'get'],
      ['/v1/worklists/temporary-cards', 'get'],
      ['/v1/worklists/due', 'get'],
    ]) {
      expect(body.paths[path]?.[method]).toBeDefined();
    }
    const acceptance = body.paths['/v1/applications'].post.requestBody.content['application/json'].schema;
    expect(acceptance.required).toEqual(expect.arrayContaining(['idNumber', 'name', 'kind', 'reason', 'fingerprintCaptured', 'appearanceChanged']));
    expect(acceptance.properties.kind.enum).toEqual(['renewal', 'replacement']);
    expect(acceptance.additionalProperties).toBe(false);
    expect(body.paths['/v1/overdue'].get.parameters.map((p: { name: string }) => p.name)).toEqual(expect.arrayContaining(['regionCode', 'stationCode', 'cursor']));
    expect(Object.keys(body.paths['/v1/application-status'].post.requestBody.content['application/json'].schema.properties).sort()).toEqual(['applicationId', 'idNumber', 'receiptNumber']);
    expect(body.paths['/v1/application-search'].post.requestBody.content['application/json'].schema.required).toEqual(['idNumber']);
    expect(body.paths['/v1/stats'].get.parameters.map((p: { name: string }) => p.name)).toEqual(['regionCode', 'stationCode', 'from', 'to']);
    expect(body.paths['/v1/worklists/due'].get.description).toBe('Roles: manager.');
    expect(body.paths['/v1/applications'].get.responses['405'].content['application/problem+json']).toBeDefined();
  });
});

describe('GET /metrics', () => {
  test('when asked on the public port, then 404: metrics are served on METRICS_PORT only', async () => {
    const response = await call(api, 'GET', '/metrics');
    expect(response.status).toBe(404);
    expect(response.contentType).toMatch(/^application\/problem\+json/);
  });

  test('when scraped on the metrics port after some requests, then Prometheus text with request timings by route pattern and the verification cache gauges', async () => {
    await call(api, 'GET', `/v1/applications/${applicationId}`);
    const stationToken = await newToken(db, 'station', { stationCode: station });
    expect((await call(api, 'GET', `/v1/applications/${applicationId}`, { token: stationToken })).status).toBe(200);
    expect((await call(api, 'GET', `/v1/applications/${randomUUID()}`, { token: stationToken })).status).toBe(404);
    const response = await fetch(`${api.metricsUrl}/metrics`);
    const text = await response.text();
    expect(response.status).toBe(200);
    expect(response.headers.get('content-type')).toMatch(/^text\/plain/);
    expect(text).toMatch(/http_request_duration_seconds_count\{method="GET",route="unmatched",status="401"\} 1/);
    expect(text).not.toContain(applicationId); // route patterns, never concrete ids
    // Answered by the route and by the error handler alike, one route keeps one label.
    expect(text).toMatch(/http_request_duration_seconds_count\{method="GET",route="\/v1\/applications\/:id",status="200"\} 1/);
    expect(text).toMatch(/http_request_duration_seconds_count\{method="GET",route="\/v1\/applications\/:id",status="404"\} 1/);
    expect(text).toMatch(/verification_cache_entries \d+/);
    expect(text).toMatch(/verification_audit_backlog \d+/);
    expect(text).toMatch(/process_cpu_seconds_total/);
  });
});

describe('request ids', () => {
  test('when a caller sends X-Request-Id, then the answer carries it; otherwise a new one', async () => {
    const given = await fetch(`${api.url}/v1/applications`, { headers: { 'x-request-id': 'trace-123' } });
    expect(given.headers.get('x-request-id')).toBe('trace-123');
    const fresh = await fetch(`${api.url}/v1/applications`);
    expect(fresh.headers.get('x-request-id')).toMatch(/^[0-9a-f-]{36}$/);
    const odd = await fetch(`${api.url}/v1/applications`, { headers: { 'x-request-id': 'a b<script>' } });
    expect(odd.headers.get('x-request-id')).toMatch(/^[0-9a-f-]{36}$/);
  });
});

describe('POST /v1/application-status (no login)', () => {
  const lookup = (body: unknown, target = api) => call(target, 'POST', '/v1/application-status', { body });

  test('when the application number and the citizen number match, then the stage, the deadline and the pickup station, nothing more', async () => {
    const { status, body } = await lookup({ applicationId, idNumber: citizen.idNumber });
    expect(status).toBe(200);
    expect(body).toEqual({
      applicationId,
      receiptNumber,
      stage: 'PRINTING',
      deadlineAt: deadlineAt.toISOString(),
      pickupStation: { code: station, name: expect.any(String) },
    });
  });

  test('when the receipt number is given, then it was the day of acceptance in China and the same answer comes back as for the UUID', async () => {
    const acceptanceDay = chinaDateOf(acceptedAt.getTime()).slice(2).replaceAll('-', '');
    expect(receiptNumber).toMatch(new RegExp(`^${acceptanceDay}-\\d{7}$`));
    const byReceipt = await lookup({ receiptNumber, idNumber: citizen.idNumber });
    expect(byReceipt.status).toBe(200);
    expect(byReceipt.body).toEqual((await lookup({ applicationId, idNumber: citizen.idNumber })).body);
    const typedWithoutDash = await lookup({ receiptNumber: ` ${receiptNumber.replace('-', ' ')} `, idNumber: citizen.idNumber });
    expect(typedWithoutDash.body.applicationId).toBe(applicationId);
  });

  test('when the receipt number belongs to someone else, or both or neither number is given, then 404 or 400', async () => {
    const other = await newCitizen(db);
    expect((await lookup({ receiptNumber, idNumber: other.idNumber })).status).toBe(404);
    const both = await lookup({ receiptNumber, applicationId, idNumber: citizen.idNumber });
    expect(both.status).toBe(400);
    expect(both.body.errors).toEqual([expect.objectContaining({ field: 'receiptNumber', message: 'give either receiptNumber or applicationId' })]);
    expect((await lookup({ idNumber: citizen.idNumber })).status).toBe(400);
    const malformed = await lookup({ receiptNumber: 'R-12', idNumber: citizen.idNumber });
    expect(malformed.body.errors).toEqual([expect.objectContaining({ field: 'receiptNumber' })]);
  });

  test('when the citizen number belongs to someone else, then 404 exactly as for an unknown application', async () => {
    const other = await newCitizen(db);
    const wrongPerson = await lookup({ applicationId, idNumber: other.idNumber });
    const unknown = await lookup({ applicationId: randomUUID(), idNumber: citizen.idNumber });
    expect(wrongPerson.status).toBe(404);
    expect(wrongPerson.contentType).toMatch(/^application\/problem\+json/);
    expect(unknown.status).toBe(404);
    expect(wrongPerson.body.detail).toBe(unknown.body.detail);
    expect(JSON.stringify(wrongPerson.body)).not.toContain(other.idNumber);
  });

  test('when the fields are malformed, then 400 naming each one', async () => {
    const { status, body } = await lookup({ applicationId: 'A-1', idNumber: '110105199001011234', extra: 1 });
    expect(status).toBe(400);
    expect(body.errors.map((error: { field: string }) => error.field).sort()).toEqual(['(body)', 'applicationId', 'idNumber'].sort());
  });

  test('when one address asks too often, then 429 with Retry-After', async () => {
    const limited = await startApi(db, { config: { STATUS_LOOKUP_RATE_LIMIT: 3 } });
    try {
      const answers = [];
      for (let i = 0; i < 4; i++) answers.push(await fetch(`${limited.url}/v1/application-status`, { method: 'POST', headers: { 'content-type': 'application/json' }, body: JSON.stringify({ applicationId, idNumber: citizen.idNumber }) }));
      expect(answers.map((answer) => answer.status)).toEqual([200, 200, 200, 429]);
      expect(Number(answers[3].headers.get('retry-after'))).toBeGreaterThan(0);
      expect(((await answers[3].json()) as { code: string }).code).toBe('rate_limited');
    } finally {
      await limited.close();
    }
  });

  const lookupFrom = (target: RunningApi, forwardedFor: string) =>
    fetch(`${target.url}/v1/application-status`, { method: 'POST', headers: { 'content-type': 'application/json', 'x-forwarded-for': forwardedFor }, body: JSON.stringify({ applicationId, idNumber: citizen.idNumber }) });

  test('when one address varies X-Forwarded-For and no proxy is configured, then it still has one budget', async () => {
    const limited = await startApi(db, { config: { STATUS_LOOKUP_RATE_LIMIT: 3 } });
    try {
      const statuses = [];
      for (let i = 0; i < 4; i++) statuses.push((await lookupFrom(limited, `203.0.113.${i + 1}`)).status);
      expect(statuses).toEqual([200, 200, 200, 429]);
    } finally {
      await limited.close();
    }
  });

  test('when TRUST_PROXY names the proxy in front, then the address it forwards is the one limited', async () => {
    const limited = await startApi(db, { config: { STATUS_LOOKUP_RATE_LIMIT: 1, TRUST_PROXY: ['loopback'] } });
    try {
      expect((await lookupFrom(limited, '198.51.100.1')).status).toBe(200);
      expect((await lookupFrom(limited, '198.51.100.1')).status).toBe(429);
      expect((await lookupFrom(limited, '198.51.100.2')).status).toBe(200);
    } finally {
      await limited.close();
    }
  });
});
