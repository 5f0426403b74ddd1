import type { Role } from '../../db/users';
import { call } from '../support/api';
import { acceptanceOf, expectProblem, startApplicationsApi, type ApplicationsApi } from '../support/applicationsApi';
import { COUNTIES, newCitizen, newToken, stationIn } from '../support/fixtures';

/**
 * Who may call which application route, in and out of jurisdiction. The application under test is
 * accepted at a Shenzhen (广东) station for a person whose home region is Zhengzhou (河南).
 */
let harness: ApplicationsApi;
const acceptingStation = stationIn(COUNTIES.shenzhenNanshan);
const homeRegion = COUNTIES.zhengzhouJinshui;

const callers = {
  'the accepting station': { role: 'station', jurisdiction: { stationCode: acceptingStation } },
  'another station': { role: 'station', jurisdiction: { stationCode: stationIn(COUNTIES.beijingChaoyang) } },
  'a reviewer of the home province': { role: 'reviewer', jurisdiction: { regionCode: '410000' } },
  'a reviewer of the home city': { role: 'reviewer', jurisdiction: { regionCode: '410100' } },
  'a Beijing reviewer': { role: 'reviewer', jurisdiction: { regionCode: '110000' } },
  "the home province's production centre": { role: 'production', jurisdiction: { provinceCode: '410000' } },
  "the accepting province's production centre": { role: 'production', jurisdiction: { provinceCode: '440000' } },
  'a national manager': { role: 'manager', jurisdiction: {} },
  'a manager of the home province': { role: 'manager', jurisdiction: { regionCode: '410000' } },
  'a manager of the accepting province': { role: 'manager', jurisdiction: { regionCode: '440000' } },
  'a Shanghai manager': { role: 'manager', jurisdiction: { regionCode: '310000' } },
  'a card-using unit': { role: 'unit', jurisdiction: { unitId: 'icbc' } },
  'an admin': { role: 'admin', jurisdiction: {} },
  'a caller without a token': { role: undefined, jurisdiction: {} },
  'a caller with an unknown token': { role: undefined, jurisdiction: {} },
} as const satisfies Record<string, { role: Role | undefined; jurisdiction: Record<string, string> }>;
type Caller = keyof typeof callers;
const tokens = {} as Record<Caller, string | undefined>;

/**
 * One row per route of the contract. `roles` may pass the role check; every caller of those roles
 * has its outcome spelled out: `status code`, and for listings whether the application is `listed`.
 * Callers of other roles get 403 forbidden_role, callers without a valid token 401 unauthenticated.
 * `fresh`: each call gets an application of its own, because an allowed call changes it.
 */
interface Route {
  route: string;
  method: 'GET' | 'POST';
  path: (id: string) => string;
  body?: unknown;
  roles: Role[];
  fresh?: boolean;
  outcomes: Partial<Record<Caller, string>>;
}

const FORBIDDEN = '403 forbidden_jurisdiction';
/** A step outside the caller's jurisdiction answers exactly as for an unknown application: nothing about its stage. */
const HIDDEN = '404 not_found';
const viewing = (ok: string, hidden: string) => ({
  'the accepting station': ok,
  'another station': hidden,
  'a reviewer of the home province': ok,
  'a reviewer of the home city': ok,
  'a Beijing reviewer': hidden,
  "the home province's production centre": ok,
  "the accepting province's production centre": hidden,
  'a national manager': ok,
  'a manager of the home province': ok,
  'a manager of the accepting province': ok,
  'a Shanghai manager': hidden,
});
const reviewerStep = (ok: string) => ({ 'a reviewer of the home province': ok, 'a reviewer of the home city': ok, 'a Beijing reviewer': HIDDEN });
const productionStep = { "the home province's production centre": '409 wrong_stage', "the accepting province's production centre": HIDDEN };
type Manager = 'a national manager' | 'a manager of the home province' | 'a manager of the accepting province' | 'a Shanghai manager';
const managerReport = (outcomes: Record<Manager, string>) => outcomes;

const routes: Route[] = [
  { route: 'POST /v1/applications', method: 'POST', path: () => '/v1/applications', roles: ['station'], outcomes: { 'the accepting station': '201', 'another station': '201' } },
  { route: 'GET /v1/applications/{id}', method: 'GET', path: (id) => `/v1/applications/${id}`, roles: ['station', 'reviewer', 'production', 'manager'], outcomes: viewing('200', FORBIDDEN) },
  { route: 'GET /v1/applications', method: 'GET', path: () => '/v1/applications?stage=HOME_REVIEW', roles: ['station', 'reviewer', 'production', 'manager'], outcomes: viewing('200 listed', '200 unlisted') },
  { route: 'POST /v1/applications/{id}/review', method: 'POST', path: (id) => `/v1/applications/${id}/review`, body: { decision: 'approve' }, roles: ['reviewer'], fresh: true, outcomes: reviewerStep('200') },
  { route: 'POST /v1/applications/{id}/extend', method: 'POST', path: (id) => `/v1/applications/${id}/extend`, body: { days: 10, reason: 'roads closed' }, roles: ['reviewer'], fresh: true, outcomes: reviewerStep('200') },
  // No temporary card was requested: a caller who passes authorization meets the workflow's rule.
  { route: 'POST /v1/applications/{id}/temporary-card-issued', method: 'POST', path: (id) => `/v1/applications/${id}/temporary-card-issued`, body: {}, roles: ['reviewer'], outcomes: reviewerStep('409 no_temporary_card') },
  // The application is still under review: a caller who passes authorization meets the stage rule.
  { route: 'POST /v1/applications/{id}/printed', method: 'POST', path: (id) => `/v1/applications/${id}/printed`, body: {}, roles: ['production'], outcomes: productionStep },
  { route: 'POST /v1/applications/{id}/print-failed', method: 'POST', path: (id) => `/v1/applications/${id}/print-failed`, body: { reason: 'ribbon torn' }, roles: ['production'], outcomes: productionStep },
  { route: 'POST /v1/applications/{id}/dispatched', method: 'POST', path: (id) => `/v1/applications/${id}/dispatched`, body: { trackingNumber: 'EMS1' }, roles: ['production'], outcomes: productionStep },
  // Another station reports an arrival (a misrouted card) only with the parcel's tracking number in hand: without it, nothing is revealed.
  { route: 'POST /v1/applications/{id}/arrived', method: 'POST', path: (id) => `/v1/applications/${id}/arrived`, body: {}, roles: ['station'], outcomes: { 'the accepting station': '409 wrong_stage', 'another station': HIDDEN } },
  { route: 'POST /v1/applications/{id}/arrived (a guessed tracking number)', method: 'POST', path: (id) => `/v1/applications/${id}/arrived`, body: { trackingNumber: 'EMS1' }, roles: ['station'], outcomes: { 'the accepting station': '409 wrong_stage', 'another station': HIDDEN } },
  { route: 'POST /v1/applications/{id}/picked-up', method: 'POST', path: (id) => `/v1/applications/${id}/picked-up`, body: { oldCardReturned: true }, roles: ['station'], outcomes: { 'the accepting station': '409 wrong_stage', 'another station': HIDDEN } },
  { route: 'POST /v1/applications/{id}/withdraw', method: 'POST', path: (id) => `/v1/applications/${id}/withdraw`, body: { reason: 'moved back home' }, roles: ['station'], fresh: true, outcomes: { 'the accepting station': '200', 'another station': HIDDEN } },
  { route: 'GET /v1/overdue', method: 'GET', path: () => '/v1/overdue', roles: ['manager'], outcomes: managerReport({ 'a national manager': '200', 'a manager of the home province': '200', 'a manager of the accepting province': '200', 'a Shanghai manager': '200' }) },
  { route: 'GET /v1/overdue?regionCode=410000', method: 'GET', path: () => '/v1/overdue?regionCode=410000', roles: ['manager'], outcomes: managerReport({ 'a national manager': '200', 'a manager of the home province': '200', 'a manager of the accepting province': FORBIDDEN, 'a Shanghai manager': FORBIDDEN }) },
  { route: 'GET /v1/stats', method: 'GET', path: () => '/v1/stats', roles: ['manager'], outcomes: managerReport({ 'a national manager': '200', 'a manager of the home province': '200', 'a manager of the accepting province': '200', 'a Shanghai manager': '200' }) },
  { route: 'GET /v1/stats?regionCode=410000', method: 'GET', path: () => '/v1/stats?regionCode=410000', roles: ['manager'], outcomes: managerReport({ 'a national manager': '200', 'a manager of the home province': '200', 'a manager of the accepting province': FORBIDDEN, 'a Shanghai manager': FORBIDDEN }) },
];

/** The full matrix: every caller against every route. */
const matrix = routes.map((route) => ({
  ...route,
  cells: (Object.keys(callers) as Caller[]).map((caller) => {
    const { role } = callers[caller];
    if (!role) return { caller, outcome: '401 unauthenticated' };
    if (!route.roles.includes(role)) return { caller, outcome: '403 forbidden_role' };
    const outcome = route.outcomes[caller];
    if (!outcome) throw new Error(`the matrix has no outcome for ${caller} on ${route.route}`);
    return { caller, outcome };
  }),
}));

let shared: { id: string; acceptedAt: string };

beforeAll(async () => {
  harness = await startApplicationsApi({ productionProvinces: ['41'] });
  for (const [caller, { role, jurisdiction }] of Object.entries(callers) as Array<[Caller, (typeof callers)[Caller]]>) {
    tokens[caller] = role ? await newToken(harness.db, role, jurisdiction) : undefined;
  }
  tokens['a caller with an unknown token'] = 'station_not-a-token-anyone-was-given';
  shared = await acceptOne();
}, 120_000);

afterAll(async () => {
  await harness?.stop();
});

async function acceptOne(): Promise<{ id: string; acceptedAt: string }> {
  const citizen = await newCitizen(harness.db, { homeRegionCode: homeRegion });
  const accepted = await call(harness.api, 'POST', '/v1/applications', { token: tokens['the accepting station'], body: acceptanceOf(citizen) });
  expect(accepted.status).toBe(201);
  return { id: accepted.body.applicationId, acceptedAt: accepted.body.acceptedAt };
}

/** What the read model holds of an application, to show a refused call changed nothing. */
const snapshot = async (id: string) => ({
  application: await harness.db('applications').where('id', id).first(),
  history: await harness.db('applicationStageHistory').where('applicationId', id).count({ n: '*' }),
});

/** Whether a listing shows the application, paging until it is found or the listing passes its acceptance time. */
async function listed(token: string | undefined, path: string, application: { id: string; acceptedAt: string }): Promise<boolean> {
  let next: string | null = null;
  do {
    const separator: string = path.includes('?') ? '&' : '?';
    const page = await call(harness.api, 'GET', next ? `${path}${separator}cursor=${next}` : path, { token });
    expect(page.status).toBe(200);
    const items: Array<{ applicationId: string; acceptedAt: string }> = page.body.items;
    if (items.some((item) => item.applicationId === application.id)) return true;
    if (items.some((item) => Date.parse(item.acceptedAt) < Date.parse(application.acceptedAt))) return false;
    next = page.body.nextCursor;
  } while (next);
  return false;
}

describe.each(matrix)('$route', ({ method, path, body, fresh, route, cells }) => {
  test.each(cells)('when $caller calls it, then $outcome', async ({ caller, outcome }) => {
    const [statusText, detail] = outcome.split(' ');
    const status = Number(statusText);
    const token = tokens[caller];

    if (route === 'POST /v1/applications') {
      const citizen = await newCitizen(harness.db, { homeRegionCode: homeRegion });
      const answer = await call(harness.api, 'POST', path(''), { token, body: acceptanceOf(citizen) });
      if (status >= 400) expectProblem(answer, status, detail);
      else expect(answer.status).toBe(status);
      expect(await harness.db('applications').where('idNumber', citizen.idNumber)).toHaveLength(status >= 400 ? 0 : 1);
      return;
    }

    const application = fresh ? await acceptOne() : shared;
    if (detail === 'listed' || detail === 'unlisted') {
      expect(await listed(token, path(application.id), application)).toBe(detail === 'listed');
      return;
    }
    const before = await snapshot(application.id);
    const answer = await call(harness.api, method, path(application.id), { token, body });
    if (status >= 400) {
      expectProblem(answer, status, detail);
      expect(await snapshot(application.id)).toEqual(before);
    } else {
      expect(answer.status).toBe(status);
      expect(answer.contentType).toMatch(/^application\/json/);
    }
  });
});

describe('jurisdiction beyond the status code', () => {
  test('when a Beijing reviewer tries to refuse a Henan-home application, then 404 not_found and it stays under review', async () => {
    const application = await acceptOne();
    const refused = await call(harness.api, 'POST', `/v1/applications/${application.id}/review`, { token: tokens['a Beijing reviewer'], body: { decision: 'refuse', reason: 'not ours to decide' } });
    expectProblem(refused, 404, 'not_found');
    const read = await call(harness.api, 'GET', `/v1/applications/${application.id}`, { token: tokens['a reviewer of the home province'] });
    expect(read.body).toMatchObject({ stage: 'HOME_REVIEW', refusalReason: null });
  });

  test('when an application does not exist, then callers of every viewing role get 404 not_found', async () => {
    const missing = '00000000-0000-4000-8000-000000000000';
    for (const caller of ['the accepting station', 'a reviewer of the home province', "the home province's production centre", 'a national manager'] as const) {
      expectProblem(await call(harness.api, 'GET', `/v1/applications/${missing}`, { token: tokens[caller] }), 404, 'not_found');
    }
  });

  test('when a step is sent from outside the jurisdiction, then the answer is the very one for an unknown application, whatever the stage', async () => {
    const missing = '00000000-0000-4000-8000-000000000000';
    const cases = [
      ['another station', 'arrived', {}],
      ['another station', 'picked-up', { oldCardReturned: true }],
      ['a Beijing reviewer', 'temporary-card-issued', {}],
      ["the accepting province's production centre", 'printed', {}],
    ] as const;
    for (const [caller, step, body] of cases) {
      const outside = await call(harness.api, 'POST', `/v1/applications/${shared.id}/${step}`, { token: tokens[caller], body });
      const unknown = await call(harness.api, 'POST', `/v1/applications/${missing}/${step}`, { token: tokens[caller], body });
      expectProblem(outside, 404, 'not_found');
      expect(outside.body).toEqual({ ...unknown.body, detail: unknown.body.detail.replace(missing, shared.id) });
      expect(JSON.stringify(outside.body)).not.toMatch(/HOME_REVIEW|stage/i);
    }
  });

  test("when a regional manager lists overdue applications without a region, then every item lies in the manager's region", async () => {
    const answer = await call(harness.api, 'GET', '/v1/overdue', { token: tokens['a Shanghai manager'] });
    expect(answer.status).toBe(200);
    for (const item of answer.body.items as Array<{ homeRegionCode: string; acceptingStationCode: string }>) {
      expect(item.homeRegionCode.startsWith('31') || item.acceptingStationCode.startsWith('S31')).toBe(true);
    }
  });
});
