import fc from 'fast-check';
import { call } from '../support/api';
import { acceptanceOf, startApplicationsApi, type ApplicationsApi } from '../support/applicationsApi';
import { COUNTIES, newCitizen, newToken, stationIn } from '../support/fixtures';

/**
 * Whatever a client sends to the application routes, the answer is a 4xx problem (or, for a request
 * that happens to be valid, a success): never a 5xx, never a hang.
 */
let harness: ApplicationsApi;
const stationCode = stationIn(COUNTIES.chengduWuhou);
const homeRegion = '420106'; // Wuchang, Wuhan
const tokens = { station: '', reviewer: '', production: '', manager: '' };
/** Applications the properties aim at: one under review, one being printed. */
const shared = { reviewing: '', printing: '' };
/** Per route and property: ten routes keep the total in the thousands while the file stays quick. */
const NUM_RUNS = 75;
/** A request that has not answered by then is stuck (a workflow activity retrying forever, say). */
const ANSWER_WITHIN_MS = 8_000;

beforeAll(async () => {
  harness = await startApplicationsApi({ productionProvinces: ['42'] });
  tokens.station = await newToken(harness.db, 'station', { stationCode });
  tokens.reviewer = await newToken(harness.db, 'reviewer', { regionCode: '420000' });
  tokens.production = await newToken(harness.db, 'production', { provinceCode: '420000' });
  tokens.manager = await newToken(harness.db, 'manager');
  shared.reviewing = await acceptOne();
  shared.printing = await approvedOne();
}, 120_000);

afterAll(async () => {
  await harness?.stop();
});

async function acceptOne(): Promise<string> {
  const citizen = await newCitizen(harness.db, { homeRegionCode: homeRegion });
  const accepted = await call(harness.api, 'POST', '/v1/applications', { token: tokens.station, body: acceptanceOf(citizen) });
  expect(accepted.status).toBe(201);
  return accepted.body.applicationId;
}

async function approvedOne(): Promise<string> {
  const id = await acceptOne();
  expect((await call(harness.api, 'POST', `/v1/applications/${id}/review`, { token: tokens.reviewer, body: { decision: 'approve' } })).status).toBe(200);
  return id;
}

interface Sent {
  status: number;
  contentType: string | null;
  text: string;
}

/** A raw HTTP request: the body goes as given, with whatever content type the test chooses. */
async function send(method: string, path: string, options: { token?: string; headers?: Record<string, string>; body?: string } = {}): Promise<Sent> {
  const response = await fetch(harness.api.url + path, {
    method,
    headers: { ...(options.token ? { authorization: `Bearer ${options.token}` } : {}), ...options.headers },
    body: options.body,
    signal: AbortSignal.timeout(ANSWER_WITHIN_MS),
  });
  return { status: response.status, contentType: response.headers.get('content-type'), text: await response.text() };
}

const sendJson = (method: string, path: string, token: string, body: unknown, headers: Record<string, string> = {}) =>
  send(method, path, { token, body: JSON.stringify(body), headers: { 'content-type': 'application/json', ...headers } });

/** No 5xx; a refusal is problem+json with the contract's members and a snake_case code. */
function expectNoServerError(answer: Sent, allowSuccess = false): void {
  expect(answer.status).toBeLessThan(500);
  if (allowSuccess && answer.status < 400) return;
  expect(answer.status).toBeGreaterThanOrEqual(400);
  expect(answer.contentType).toMatch(/^application\/problem\+json/);
  const problem = JSON.parse(answer.text);
  expect(problem).toEqual(expect.objectContaining({ type: expect.any(String), title: expect.any(String), status: answer.status, detail: expect.any(String), code: expect.stringMatching(/^[a-z][a-z0-9_]*$/) }));
}

/** Every POST route of an application, with who may call it and which application it is aimed at. */
const stepRoutes = [
  { path: 'review', token: () => tokens.reviewer, application: () => shared.reviewing },
  { path: 'extend', token: () => tokens.reviewer, application: () => shared.reviewing },
  { path: 'temporary-card-issued', token: () => tokens.reviewer, application: () => shared.reviewing },
  { path: 'printed', token: () => tokens.production, application: () => shared.printing },
  { path: 'print-failed', token: () => tokens.production, application: () => shared.printing },
  { path: 'dispatched', token: () => tokens.production, application: () => shared.printing },
  { path: 'arrived', token: () => tokens.station, application: () => shared.reviewing },
  { path: 'picked-up', token: () => tokens.station, application: () => shared.reviewing },
  { path: 'withdraw', token: () => tokens.station, application: () => shared.reviewing },
];
const routes = [{ path: '', route: 'POST /v1/applications', token: () => tokens.station, target: () => '/v1/applications' }].concat(
  stepRoutes.map((step) => ({ path: step.path, route: `POST /v1/applications/{id}/${step.path}`, token: step.token, target: () => `/v1/applications/${step.application()}/${step.path}` })),
);

/** Field names the routes know, so generated objects come close to valid ones. */
const knownFields = ['idNumber', 'name', 'kind', 'reason', 'fingerprintCaptured', 'appearanceChanged', 'temporaryCardRequested', 'contactPhone', 'decision', 'days', 'validFrom', 'validUntil', 'trackingNumber', 'oldCardReturned', 'temporaryCardReturned'];
const anyString = fc.oneof(fc.string(), fc.string({ unit: 'binary', maxLength: 64 }), fc.constantFrom('', ' ', '\u0000', '2026-02-30', '0000-01-01', '110105194912310021', '11010519491231002X', 'approve', 'refuse', 'renewal', 'NaN', '__proto__'));
const wrongishValue = fc.oneof(fc.jsonValue({ maxDepth: 2 }), anyString, fc.integer(), fc.double(), fc.boolean(), fc.constant(null));
const wrongishObject = fc.dictionary(fc.oneof(fc.constantFrom(...knownFields), fc.string({ maxLength: 12 })), wrongishValue, { maxKeys: 8 });

describe.each(routes)('$route', ({ token, target }) => {
  test('when the body is any JSON value at all, then never a 5xx', async () => {
    await fc.assert(
      fc.asyncProperty(fc.jsonValue({ maxDepth: 3 }), async (body) => expectNoServerError(await sendJson('POST', target(), token(), body), true)),
      { numRuns: NUM_RUNS },
    );
  });

  test('when the body has the right field names with wrong types, unknown fields and odd strings, then never a 5xx', async () => {
    await fc.assert(
      fc.asyncProperty(wrongishObject, async (body) => expectNoServerError(await sendJson('POST', target(), token(), body), true)),
      { numRuns: NUM_RUNS },
    );
  });

  test.each<{ what: string; headers: Record<string, string>; body: string }>([
    { what: 'text that is not JSON under a JSON content type', headers: { 'content-type': 'application/json' }, body: '{"idNumber": ' },
    { what: 'JSON under text/plain', headers: { 'content-type': 'text/plain' }, body: '{"reason":"x"}' },
    { what: 'a form', headers: { 'content-type': 'application/x-www-form-urlencoded' }, body: 'reason=x&decision=approve' },
    { what: 'multipart', headers: { 'content-type': 'multipart/form-data; boundary=x' }, body: '--x\r\nContent-Disposition: form-data; name="reason"\r\n\r\nx\r\n--x--' },
    { what: 'no content type at all', headers: {}, body: '{"reason":"x"}' },
    { what: 'an empty JSON body', headers: { 'content-type': 'application/json' }, body: '' },
    { what: 'a JSON null', headers: { 'content-type': 'application/json' }, body: 'null' },
    { what: 'a JSON string', headers: { 'content-type': 'application/json' }, body: '"approve"' },
    { what: 'JSON in an unsupported charset', headers: { 'content-type': 'application/json; charset=utf-16' }, body: '{}' },
    { what: 'a body claiming gzip that is not', headers: { 'content-type': 'application/json', 'content-encoding': 'gzip' }, body: '{}' },
    { what: 'an unknown content encoding', headers: { 'content-type': 'application/json', 'content-encoding': 'zz' }, body: '{}' },
    { what: 'a body over the size limit', headers: { 'content-type': 'application/json' }, body: JSON.stringify({ reason: 'x'.repeat(200_000) }) },
    { what: 'deeply nested JSON', headers: { 'content-type': 'application/json' }, body: `{"reason":${'['.repeat(20_000)}${']'.repeat(20_000)}}` },
    { what: 'a string field of 90,000 characters', headers: { 'content-type': 'application/json' }, body: JSON.stringify({ name: '名'.repeat(30_000) }) },
  ])('when the request carries $what, then a 4xx problem', async ({ headers, body }) => {
    expectNoServerError(await send('POST', target(), { token: token(), headers, body }));
  });
});

describe('POST /v1/applications headers', () => {
  test('when the Idempotency-Key is any printable text, then the key or the body is refused, never a 5xx', async () => {
    await fc.assert(
      fc.asyncProperty(fc.string({ maxLength: 300 }), wrongishObject, async (key, body) => expectNoServerError(await sendJson('POST', '/v1/applications', tokens.station, body, { 'Idempotency-Key': key }))),
      { numRuns: 100 },
    );
  });

  test.each(['Bearer', 'Bearer ', 'Basic c3RhdGlvbjpzZWNyZXQ=', `Bearer ${'t'.repeat(5_000)}`, 'bearer lowercase-scheme', 'Bearer a b c'])('when Authorization is %p, then 401', async (authorization) => {
    const answer = await send('POST', '/v1/applications', { headers: { authorization, 'content-type': 'application/json' }, body: '{}' });
    expectNoServerError(answer);
    expect(answer.status).toBe(401);
  });
});

describe('application ids and queries', () => {
  test('when the application id in the path is any text, then a 4xx problem', async () => {
    await fc.assert(
      fc.asyncProperty(
        fc.oneof(fc.string({ minLength: 1 }), fc.string({ unit: 'binary', minLength: 1, maxLength: 40 }), fc.stringMatching(/^[0-9a-f-]{36}$/), fc.uuid()),
        fc.constantFrom('', '/review', '/arrived', '/withdraw', '/nonsense'),
        async (id, suffix) => {
          const answer = suffix ? await sendJson('POST', `/v1/applications/${encodeURIComponent(id)}${suffix}`, suffix === '/review' ? tokens.reviewer : tokens.station, { reason: 'x', decision: 'approve' }) : await send('GET', `/v1/applications/${encodeURIComponent(id)}`, { token: tokens.manager });
          expectNoServerError(answer);
        },
      ),
      { numRuns: 150 },
    );
  });

  test('when an application id is malformed percent-encoding, then a 4xx problem', async () => {
    expectNoServerError(await send('GET', '/v1/applications/%E0%A4%A', { token: tokens.manager }));
  });

  const forgedCursor = fc
    .record({ acceptedAt: fc.oneof(fc.string(), fc.date({ noInvalidDate: true }).map((date) => date.toISOString())), deadlineAt: fc.oneof(fc.string(), fc.constant('2026-01-01T00:00:00.000Z')), id: fc.oneof(fc.string(), fc.uuid()) }, { requiredKeys: ['id'] })
    .map((parts) => Buffer.from(JSON.stringify(parts)).toString('base64url'));
  const queryValue = fc.oneof(anyString, fc.constantFrom('HOME_REVIEW', 'true', 'false', '440000', '440305', '2026-01-01', 'S44030501'), forgedCursor);
  const queryKeys = ['stage', 'overdue', 'cursor', 'regionCode', 'stationCode', 'from', 'to', 'limit'];
  const query = fc.array(fc.tuple(fc.oneof(fc.constantFrom(...queryKeys), fc.string({ maxLength: 8 })), queryValue), { maxLength: 5 }).map((pairs) => new URLSearchParams(pairs).toString());

  test.each(['/v1/applications', '/v1/overdue', '/v1/stats'])('when GET %s has any query string, then 200 or a 4xx problem', async (path) => {
    await fc.assert(
      fc.asyncProperty(query, async (search) => expectNoServerError(await send('GET', `${path}?${search}`, { token: tokens.manager }), true)),
      { numRuns: 150 },
    );
  });

  test.each([
    { path: '/v1/applications', cursor: { acceptedAt: 'not a time', id: '00000000-0000-4000-8000-000000000000' } },
    { path: '/v1/applications', cursor: { acceptedAt: '2026-01-01T00:00:00.000Z', id: 'not-a-uuid' } },
    { path: '/v1/overdue', cursor: { deadlineAt: 'yesterday', id: '00000000-0000-4000-8000-000000000000' } },
    { path: '/v1/overdue', cursor: { deadlineAt: '2026-01-01T00:00:00.000Z', id: '------------------------------------' } },
    { path: '/v1/overdue', cursor: { deadlineAt: '0000-01-01T00:00:00.000Z', id: '00000000-0000-4000-8000-000000000000' } },
    { path: '/v1/impersonation-reports', cursor: { reportedAt: '0000-06-01T00:00:00.000Z', id: '00000000-0000-4000-8000-000000000000' } },
  ])('when $path gets a forged cursor $cursor, then 400 invalid_cursor', async ({ path, cursor }) => {
    const answer = await send('GET', `${path}?cursor=${Buffer.from(JSON.stringify(cursor)).toString('base64url')}`, { token: tokens.manager });
    expectNoServerError(answer);
    expect(JSON.parse(answer.text).code).toBe('invalid_cursor');
  });
});

describe('odd text that passes the schema reaches the database', () => {
  /** Each field is stored by a workflow activity; a value PostgreSQL refuses would leave it retrying and the caller waiting. */
  const fields = [
    { field: 'the reason of an acceptance', run: async (text: string) => sendJson('POST', '/v1/applications', tokens.station, acceptanceOf(await newCitizen(harness.db, { homeRegionCode: homeRegion }), { reason: text })) },
    { field: 'the reason of a refusal', run: async (text: string) => sendJson('POST', `/v1/applications/${await acceptOne()}/review`, tokens.reviewer, { decision: 'refuse', reason: text }) },
    { field: 'the reason of an extension', run: async (text: string) => sendJson('POST', `/v1/applications/${await acceptOne()}/extend`, tokens.reviewer, { days: 5, reason: text }) },
    { field: 'the reason of a withdrawal', run: async (text: string) => sendJson('POST', `/v1/applications/${await acceptOne()}/withdraw`, tokens.station, { reason: text }) },
    { field: 'the reason of a print failure', run: async (text: string) => sendJson('POST', `/v1/applications/${await approvedOne()}/print-failed`, tokens.production, { reason: text }) },
    {
      field: 'a tracking number',
      run: async (text: string) => {
        const id = await approvedOne();
        expect((await sendJson('POST', `/v1/applications/${id}/printed`, tokens.production, {})).status).toBe(200);
        return sendJson('POST', `/v1/applications/${id}/dispatched`, tokens.production, { trackingNumber: text });
      },
    },
  ];
  const texts = ['a\u0000b', '\u0007\u001b[31mred\u001b[0m\r\n', '\ud800 lone surrogate', '𠀀😀 astral', "'); drop table applications; --", '   ', 'x'.repeat(64)];

  test.each(fields)('when $field is odd text, then it is stored or refused with 400, never a 5xx or a hang', async ({ run }) => {
    for (const text of texts) {
      const answer = await run(text);
      expectNoServerError(answer, true);
      if (answer.status >= 400) expect({ text, status: answer.status }).toEqual({ text, status: 400 });
    }
  });

  test('when a card is printed with a validity starting in year 0000, then 400, never a 5xx or a hang', async () => {
    const answer = await sendJson('POST', `/v1/applications/${await approvedOne()}/printed`, tokens.production, { validFrom: '0000-01-01', validUntil: '2046-12-01' });
    expectNoServerError(answer);
    expect(answer.status).toBe(400);
  });

  test.each(['/v1/stats?from=0000-01-01', '/v1/stats?to=0000-12-31', '/v1/overdue?stationCode=S%00', '/v1/applications?stage=%00'])('when a manager asks for %s, then 400', async (path) => {
    const answer = await send('GET', path, { token: tokens.manager });
    expectNoServerError(answer);
    expect(answer.status).toBe(400);
  });
});
