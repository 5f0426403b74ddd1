import { loadConfig } from '../../config';
import { createLogger } from '../../config/logger';
import { chinaDateOf, DAY_MS as DAY, MAX_RESTARTS_PER_STAGE, stuckReasons } from '../../domain';
import { queries } from '../../workflows/contract';
import { reconcileOnce, startReconciliation, type ReconciliationDeps } from '../../worker/reconciliation';
import { call } from '../support/api';
import { acceptanceOf, eventually, expectProblem, startApplicationsApi, type ApplicationsApi } from '../support/applicationsApi';
import { resultWithin } from '../support/bounds';
import { COUNTIES, newCitizen, newToken, stationIn, type TestCitizen } from '../support/fixtures';

/**
 * Issue 9, "nothing stuck, ever": an application whose workflow the engine lost is restarted by
 * reconciliation at its recorded stage with its original deadline, or shown to managers as stuck
 * with the reason; a manager closes a stuck case and the person may apply again.
 */
let harness: ApplicationsApi;
let deps: ReconciliationDeps;
const stationCode = stationIn(COUNTIES.hangzhouXihu);
const tokens = { station: '', reviewer: '', production: '', managerHome: '', managerStation: '', managerElsewhere: '', admin: '' };

beforeAll(async () => {
  harness = await startApplicationsApi({ productionProvinces: ['51'] });
  deps = { db: harness.db, temporal: harness.env.client, config: { ...loadConfig(), TEMPORAL_TASK_QUEUE_PREFIX: harness.prefix }, logger: createLogger('silent') };
  tokens.station = await newToken(harness.db, 'station', { stationCode });
  tokens.reviewer = await newToken(harness.db, 'reviewer', { regionCode: '510000' });
  tokens.production = await newToken(harness.db, 'production', { provinceCode: '510000' });
  tokens.managerHome = await newToken(harness.db, 'manager', { regionCode: '510000' });
  tokens.managerStation = await newToken(harness.db, 'manager', { regionCode: '330000' });
  tokens.managerElsewhere = await newToken(harness.db, 'manager', { regionCode: '440000' });
  tokens.admin = await newToken(harness.db, 'admin');
}, 120_000);

afterAll(async () => {
  await harness?.stop();
});

const post = (token: string, path: string, body: unknown) => call(harness.api, 'POST', path, { token, body });
const get = (token: string, path: string) => call(harness.api, 'GET', path, { token });
const row = (id: string) => harness.db('applications').where('id', id).first();

type Stage = 'HOME_REVIEW' | 'PRINTING' | 'SHIPPING' | 'READY_FOR_PICKUP';
const ORDER: Stage[] = ['HOME_REVIEW', 'PRINTING', 'SHIPPING', 'READY_FOR_PICKUP'];

/** The steps from one stage to the next, over HTTP. */
const stepFrom: Record<Stage | 'PRINTING_PRINTED', (path: string) => Promise<unknown>> = {
  HOME_REVIEW: (path) => expectOk(post(tokens.reviewer, `${path}/review`, { decision: 'approve' }), 'PRINTING'),
  PRINTING: (path) => expectOk(post(tokens.production, `${path}/printed`, {}), 'PRINTING'),
  PRINTING_PRINTED: (path) => expectOk(post(tokens.production, `${path}/dispatched`, { trackingNumber: 'EMS-RECONCILE' }), 'SHIPPING'),
  SHIPPING: (path) => expectOk(post(tokens.station, `${path}/arrived`, {}), 'READY_FOR_PICKUP'),
  READY_FOR_PICKUP: (path) => expectOk(post(tokens.station, `${path}/picked-up`, { oldCardReturned: true }), 'COMPLETED'),
};
const STEPS_TO: Record<Stage, Array<keyof typeof stepFrom>> = {
  HOME_REVIEW: [],
  PRINTING: ['HOME_REVIEW'],
  SHIPPING: ['HOME_REVIEW', 'PRINTING', 'PRINTING_PRINTED'],
  READY_FOR_PICKUP: ['HOME_REVIEW', 'PRINTING', 'PRINTING_PRINTED', 'SHIPPING'],
};
const ALL_STEPS: Array<keyof typeof stepFrom> = ['HOME_REVIEW', 'PRINTING', 'PRINTING_PRINTED', 'SHIPPING', 'READY_FOR_PICKUP'];

async function expectOk(pending: Promise<Awaited<ReturnType<typeof call>>>, stage: string) {
  const answer = await pending;
  expect({ status: answer.status, stage: answer.body?.stage }).toEqual({ status: 200, stage });
  return answer;
}

/** A new person's application accepted at the Hangzhou station and taken to `stage` over HTTP. */
async function applicationAt(stage: Stage): Promise<{ citizen: TestCitizen; id: string; path: string; acceptedAt: string; deadlineAt: string; workflowId: string; runId: string }> {
  const citizen = await newCitizen(harness.db, { homeRegionCode: COUNTIES.chengduWuhou });
  const accepted = await post(tokens.station, '/v1/applications', acceptanceOf(citizen));
  expect(accepted.status).toBe(201);
  const id: string = accepted.body.applicationId;
  const path = `/v1/applications/${id}`;
  for (const step of STEPS_TO[stage]) await stepFrom[step](path);
  const { workflowId, runId } = await row(id);
  return { citizen, id, path, acceptedAt: accepted.body.acceptedAt, deadlineAt: accepted.body.deadlineAt, workflowId, runId };
}

/** The engine loses the application's workflow behind its back. */
const loseWorkflow = (workflowId: string) => harness.env.client.workflow.getHandle(workflowId).terminate('state lost');

const verdictOf = (report: Awaited<ReturnType<typeof reconcileOnce>>, id: string) =>
  report.restarted.includes(id) ? 'restarted' : report.stuck.includes(id) ? 'stuck' : 'not restarted, not stuck';

describe('reconciliation of open applications with the workflow engine', () => {
  test.each(ORDER)(
    'when the workflow of an application at %s is terminated behind its back, then reconciliation restarts it at that stage with its original deadline, and it goes on to COMPLETED',
    async (stage) => {
      const app = await applicationAt(stage);
      await loseWorkflow(app.workflowId);

      const report = await reconcileOnce(deps);
      expect(verdictOf(report, app.id)).toBe('restarted');

      const after = await row(app.id);
      expect(after.runId).not.toBe(app.runId);
      expect({ stage: after.stage, acceptedAt: after.acceptedAt.toISOString(), deadlineAt: after.deadlineAt.toISOString(), overdue: after.overdue }).toEqual({
        stage,
        acceptedAt: app.acceptedAt,
        deadlineAt: app.deadlineAt,
        overdue: false,
      });
      const handle = harness.env.client.workflow.getHandle(app.workflowId);
      const description = await handle.describe();
      expect({ status: description.status.name, runId: description.runId }).toEqual({ status: 'RUNNING', runId: after.runId });
      const state = await handle.query(queries.state);
      expect({ stage: state.stage, acceptedAt: state.acceptedAt, deadlineAt: state.deadlineAt, overdue: state.overdue }).toEqual({ stage, acceptedAt: app.acceptedAt, deadlineAt: app.deadlineAt, overdue: false });
      expect(Date.parse(state.deadlineAt) - Date.parse(state.acceptedAt)).toBe(60 * DAY);

      const restarts = await harness.db('applicationRestarts').where('applicationId', app.id).select('previousRunId', 'runId', 'stage', 'deadlineAt');
      expect(restarts).toEqual([{ previousRunId: app.runId, runId: after.runId, stage, deadlineAt: new Date(app.deadlineAt) }]);
      // The restarted run's first activity records that it took over.
      const resumed = () => harness.db('auditLog').where({ subjectType: 'application', subjectId: app.id, action: 'application.resumed' }).select('actor', 'details');
      await eventually(async () => (await resumed()).length > 0, 10_000, 'the resumption audit entry');
      expect(await resumed()).toEqual([{ actor: 'system', details: { stage, restart: 1, previousRunId: app.runId, runId: after.runId } }]);

      // A second pass finds it running: nothing is restarted twice.
      expect(verdictOf(await reconcileOnce(deps), app.id)).toBe('not restarted, not stuck');

      for (const step of ALL_STEPS.slice(STEPS_TO[stage].length)) await stepFrom[step](app.path);
      const read = await get(tokens.station, app.path);
      expect(read.status).toBe(200);
      expect(read.body).toMatchObject({ stage: 'COMPLETED', acceptedAt: app.acceptedAt, deadlineAt: app.deadlineAt, overdue: false, trackingNumber: 'EMS-RECONCILE' });
      expect(read.body.history.map((entry: { stage: string }) => entry.stage)).toEqual(['ACCEPTED', 'HOME_REVIEW', 'PRINTING', 'SHIPPING', 'READY_FOR_PICKUP', 'COMPLETED']);
      expect((await resultWithin(handle, 'the restarted application workflow did not complete after the pickup')).stage).toBe('COMPLETED');
      const cards = await harness.db('cards').where('idNumber', app.citizen.idNumber).orderBy('validFrom').select('validFrom', 'status', 'issuedForApplicationId');
      expect(cards).toEqual([
        { validFrom: app.citizen.cards[0].validFrom, status: 'SUPERSEDED', issuedForApplicationId: null },
        { validFrom: chinaDateOf(Date.now()) /* printed with the dates derived: today, China's */, status: 'ACTIVE', issuedForApplicationId: app.id },
      ]);
      // The print job is queued once, whether or not the lost run had queued it.
      expect(await harness.db('outbox').whereRaw("payload->>'applicationId' = ?", [app.id]).where('topic', 'print.job').count({ count: '*' })).toEqual([{ count: 1 }]);
    },
  );

  test('when the run was lost after recording the acceptance and before sending it home (ACCEPTED), then the restarted run sends it home and it can be reviewed', async () => {
    const app = await applicationAt('HOME_REVIEW');
    const sentHome = await harness.db('applicationStageHistory').where({ applicationId: app.id, stage: 'HOME_REVIEW' }).first('at');
    // The read model as the lost run left it: accepted, not yet sent home.
    await harness.db('applicationStageHistory').where({ applicationId: app.id, stage: 'HOME_REVIEW' }).delete();
    await harness.db('applications').where('id', app.id).update({ stage: 'ACCEPTED' });
    await loseWorkflow(app.workflowId);

    expect(verdictOf(await reconcileOnce(deps), app.id)).toBe('restarted');
    await eventually(async () => (await row(app.id)).stage === 'HOME_REVIEW', 10_000, 'the application sent home');
    const history = await harness.db('applicationStageHistory').where('applicationId', app.id).orderBy('at').select('stage', 'at');
    expect(history.map((entry: { stage: string }) => entry.stage)).toEqual(['ACCEPTED', 'HOME_REVIEW']);
    expect(history[1].at.getTime()).toBeGreaterThanOrEqual(sentHome.at.getTime());
    expect(await harness.db('applicationRestarts').where('applicationId', app.id).pluck('stage')).toEqual(['ACCEPTED']);
    const reviewed = await post(tokens.reviewer, `${app.path}/review`, { decision: 'approve' });
    expect(reviewed.body).toMatchObject({ stage: 'PRINTING', deadlineAt: app.deadlineAt, acceptedAt: app.acceptedAt });
  });

  test('when the worker process starts, then its first reconciliation pass restarts a lost workflow before any interval elapses', async () => {
    const app = await applicationAt('PRINTING');
    await loseWorkflow(app.workflowId);
    const reconciliation = startReconciliation(deps, 3_600_000);
    await reconciliation.firstPass;
    await reconciliation.stop();
    const after = await row(app.id);
    expect(after.runId).not.toBe(app.runId);
    expect((await harness.env.client.workflow.getHandle(app.workflowId).describe()).runId).toBe(after.runId);
    expect(await harness.db('applicationRestarts').where('applicationId', app.id).pluck('stage')).toEqual(['PRINTING']);
  });

  test(`when a workflow is lost at the same stage more than ${MAX_RESTARTS_PER_STAGE} times, then the application is listed stuck with restart_limit_reached, once`, async () => {
    const app = await applicationAt('HOME_REVIEW');
    for (let restart = 1; restart <= MAX_RESTARTS_PER_STAGE; restart++) {
      await loseWorkflow(app.workflowId);
      expect(verdictOf(await reconcileOnce(deps), app.id)).toBe('restarted');
    }
    await loseWorkflow(app.workflowId);
    expect(verdictOf(await reconcileOnce(deps), app.id)).toBe('stuck');
    expect(verdictOf(await reconcileOnce(deps), app.id)).toBe('stuck');

    const listed = await get(tokens.managerHome, '/v1/stuck-applications');
    expect(listed.status).toBe(200);
    expect(listed.body.items.find((item: { applicationId: string }) => item.applicationId === app.id)).toEqual({
      applicationId: app.id,
      kind: 'renewal',
      stage: 'HOME_REVIEW',
      acceptingStationCode: stationCode,
      homeRegionCode: COUNTIES.chengduWuhou,
      acceptedAt: app.acceptedAt,
      deadlineAt: app.deadlineAt,
      overdue: false,
      reasonCode: 'restart_limit_reached',
      reason: stuckReasons.restart_limit_reached,
      stuckSince: expect.any(String),
      lastCheckedAt: expect.any(String),
      restarts: MAX_RESTARTS_PER_STAGE,
    });
    const entry = await harness.db('stuckApplications').where('applicationId', app.id).first('since', 'checkedAt');
    expect(entry.checkedAt.getTime()).toBeGreaterThan(entry.since.getTime());
    expect(await harness.db('applicationRestarts').where('applicationId', app.id).count({ count: '*' })).toEqual([{ count: MAX_RESTARTS_PER_STAGE }]);
  });
});

describe('GET /v1/stuck-applications and POST /v1/stuck-applications/{id}/close', () => {
  /** An application at SHIPPING whose printed card is missing from the record, and whose workflow is lost: it cannot be restarted. */
  async function stuckApplication() {
    const app = await applicationAt('SHIPPING');
    await harness.db('applications').where('id', app.id).update({ newCardValidFrom: null, newCardValidUntil: null });
    await loseWorkflow(app.workflowId);
    expect(verdictOf(await reconcileOnce(deps), app.id)).toBe('stuck');
    return app;
  }
  const listedIds = async (token: string, query = '') => {
    const answer = await get(token, `/v1/stuck-applications${query}`);
    expect(answer.status).toBe(200);
    return answer.body.items.map((item: { applicationId: string }) => item.applicationId);
  };

  test('when an application cannot be restarted, then managers of its regions and admins see it with the reason, and the person meets duplicate_application until it is closed', async () => {
    const app = await stuckApplication();
    const listed = await get(tokens.managerStation, '/v1/stuck-applications?regionCode=330106');
    expect(listed.status).toBe(200);
    expect(listed.body.items.find((item: { applicationId: string }) => item.applicationId === app.id)).toMatchObject({
      stage: 'SHIPPING',
      reasonCode: 'card_not_recorded',
      reason: stuckReasons.card_not_recorded,
      deadlineAt: app.deadlineAt,
      restarts: 0,
    });
    expect(await listedIds(tokens.managerHome)).toContain(app.id);
    expect(await listedIds(tokens.admin, '?regionCode=510107')).toContain(app.id);
    expect(await row(app.id)).toMatchObject({ stage: 'SHIPPING', runId: app.runId });
    expect(await harness.db('applicationRestarts').where('applicationId', app.id)).toEqual([]);

    const again = await post(tokens.station, '/v1/applications', acceptanceOf(app.citizen));
    expectProblem(again, 409, 'duplicate_application');
    expect(again.body.applicationId).toBe(app.id);
  });

  test('when a manager closes a stuck case with a reason, then it is CLOSED with who and why, audited, off the list, and the same person may apply again', async () => {
    const app = await stuckApplication();
    const closed = await post(tokens.managerHome, `/v1/stuck-applications/${app.id}/close`, { reason: 'card reissued by hand after the outage' });
    expect(closed.status).toBe(200);
    expect(closed.body).toMatchObject({ applicationId: app.id, stage: 'CLOSED', closureReason: 'card reissued by hand after the outage', deadlineAt: app.deadlineAt, daysRemaining: null });
    const closer = await harness.db('users').whereIn('id', harness.db('applications').where('id', app.id).select('closedBy')).first('role', 'regionCode');
    expect(closer).toEqual({ role: 'manager', regionCode: '510000' });
    expect(closed.body.closedBy).toBe((await row(app.id)).closedBy);
    expect(closed.body.history.at(-1)).toEqual({ stage: 'CLOSED', at: closed.body.closedAt, note: 'card reissued by hand after the outage', actedBy: { name: 'test manager', role: 'manager' } });
    expect(closed.body.history.map((entry: { stage: string }) => entry.stage)).toEqual(['ACCEPTED', 'HOME_REVIEW', 'PRINTING', 'SHIPPING', 'CLOSED']);
    expect(await row(app.id)).toMatchObject({ stage: 'CLOSED', closureReason: 'card reissued by hand after the outage', closedAt: new Date(closed.body.closedAt) });
    const audit = await harness.db('auditLog').where({ subjectType: 'application', subjectId: app.id, action: 'application.closed_stuck' }).select('actor', 'details');
    expect(audit).toEqual([{ actor: closed.body.closedBy, details: { reason: 'card reissued by hand after the outage', stage: 'SHIPPING', stuckReasonCode: 'card_not_recorded' } }]);
    expect(await listedIds(tokens.managerHome)).not.toContain(app.id);
    expect(verdictOf(await reconcileOnce(deps), app.id)).toBe('not restarted, not stuck');

    const again = await post(tokens.station, '/v1/applications', acceptanceOf(app.citizen));
    expect(again.status).toBe(201);
    expect(again.body).toMatchObject({ stage: 'HOME_REVIEW', homeRegionCode: COUNTIES.chengduWuhou, acceptingStationCode: stationCode });
    expect(again.body.applicationId).not.toBe(app.id);
    expect(await harness.db('applications').where('idNumber', app.citizen.idNumber).orderBy('acceptedAt').pluck('stage')).toEqual(['CLOSED', 'HOME_REVIEW']);

    const twice = await post(tokens.admin, `/v1/stuck-applications/${app.id}/close`, { reason: 'again' });
    expectProblem(twice, 409, 'not_stuck');
  });

  test('when an admin closes a stuck case, then it is CLOSED by the admin', async () => {
    const app = await stuckApplication();
    const closed = await post(tokens.admin, `/v1/stuck-applications/${app.id}/close`, { reason: 'duplicate record from the migration' });
    expect(closed.status).toBe(200);
    expect(closed.body).toMatchObject({ applicationId: app.id, stage: 'CLOSED', closureReason: 'duplicate record from the migration' });
    expect((await harness.db('users').where('id', closed.body.closedBy).first('role')).role).toBe('admin');
  });

  describe('authorization and jurisdiction', () => {
    test('when a manager of another region lists or closes, then the case is not listed, their region filter outside is 403, and closing is 403 forbidden_jurisdiction with nothing changed', async () => {
      const app = await stuckApplication();
      expect(await listedIds(tokens.managerElsewhere)).not.toContain(app.id);
      expectProblem(await get(tokens.managerElsewhere, '/v1/stuck-applications?regionCode=510000'), 403, 'forbidden_jurisdiction');
      expectProblem(await post(tokens.managerElsewhere, `/v1/stuck-applications/${app.id}/close`, { reason: 'not mine' }), 403, 'forbidden_jurisdiction');
      expect(await row(app.id)).toMatchObject({ stage: 'SHIPPING', closedBy: null, closureReason: null });
      expect(await listedIds(tokens.managerHome)).toContain(app.id);
    });

    test.each(['station', 'reviewer', 'production'] as const)('when a %s asks, then it is 403 forbidden_role', async (role) => {
      const app = await stuckApplication();
      expectProblem(await get(tokens[role], '/v1/stuck-applications'), 403, 'forbidden_role');
      expectProblem(await post(tokens[role], `/v1/stuck-applications/${app.id}/close`, { reason: 'mine?' }), 403, 'forbidden_role');
      expect((await row(app.id)).stage).toBe('SHIPPING');
    });

    test('when no token is sent, then it is 401', async () => {
      expectProblem(await call(harness.api, 'GET', '/v1/stuck-applications'), 401, 'unauthenticated');
    });
  });

  describe('validation', () => {
    test.each([
      ['no body', undefined],
      ['an empty reason', { reason: '  ' }],
      ['an unknown field', { reason: 'ok', extra: true }],
      ['a reason too long', { reason: 'x'.repeat(501) }],
    ])('when closing with %s, then it is 400 validation_failed and nothing changes', async (_what, body) => {
      const app = await stuckApplication();
      const answer = await call(harness.api, 'POST', `/v1/stuck-applications/${app.id}/close`, { token: tokens.managerHome, body });
      expectProblem(answer, 400, 'validation_failed');
      expect((await row(app.id)).stage).toBe('SHIPPING');
    });

    test('when closing an unknown application or one that is not stuck, then it is 404 not_found or 409 not_stuck', async () => {
      expectProblem(await post(tokens.admin, '/v1/stuck-applications/00000000-0000-4000-8000-000000000000/close', { reason: 'x' }), 404, 'not_found');
      expectProblem(await post(tokens.admin, '/v1/stuck-applications/not-a-uuid/close', { reason: 'x' }), 404, 'not_found');
      const running = await applicationAt('HOME_REVIEW');
      expectProblem(await post(tokens.managerHome, `/v1/stuck-applications/${running.id}/close`, { reason: 'x' }), 409, 'not_stuck');
      expect((await row(running.id)).stage).toBe('HOME_REVIEW');
    });

    test('when the listing has a bad region or cursor, then it is 400 with a stable code', async () => {
      expectProblem(await get(tokens.admin, '/v1/stuck-applications?regionCode=51'), 400, 'validation_failed');
      expectProblem(await get(tokens.admin, '/v1/stuck-applications?cursor=bm9wZQ'), 400, 'invalid_cursor');
      expectProblem(await get(tokens.admin, '/v1/stuck-applications?stage=PRINTING'), 400, 'validation_failed');
    });
  });
});

// Last: it moves the engine's clock two months on for every workflow of this file.
describe('the original deadline after a restart', () => {
  test('when an application restarted at HOME_REVIEW is still not ready 60 days after acceptance, then it turns overdue at its original deadline, warned once', async () => {
    const app = await applicationAt('HOME_REVIEW');
    await loseWorkflow(app.workflowId);
    expect(verdictOf(await reconcileOnce(deps), app.id)).toBe('restarted');
    const handle = harness.env.client.workflow.getHandle(app.workflowId);

    await harness.env.sleep(59 * DAY);
    expect((await row(app.id)).overdue).toBe(false);
    await harness.env.sleep(2 * DAY);
    const overdue = await row(app.id);
    expect({ overdue: overdue.overdue, deadlineAt: overdue.deadlineAt.toISOString() }).toEqual({ overdue: true, deadlineAt: app.deadlineAt });
    expect((await handle.query(queries.state)).overdue).toBe(true);
    const notices = await harness.db('outbox').whereRaw("payload->>'applicationId' = ?", [app.id]).whereIn('topic', ['deadline.warning', 'deadline.overdue']).orderBy('dedupeKey').select('dedupeKey');
    expect(notices.map((notice: { dedupeKey: string }) => notice.dedupeKey)).toEqual([`${app.id}:deadline.overdue:${app.deadlineAt}`, `${app.id}:deadline.overdue:${app.deadlineAt}:home`, `${app.id}:deadline.warning:${app.deadlineAt}`]);
    const read = await get(tokens.managerHome, '/v1/overdue?regionCode=510107');
    expect(read.body.items.find((item: { applicationId: string }) => item.applicationId === app.id)).toMatchObject({ stage: 'HOME_REVIEW', overdue: true, deadlineAt: app.deadlineAt });
  }, 120_000);

  test('when the deadline passed while the workflow was lost, then the restarted run marks it overdue at once, against the original deadline', async () => {
    const app = await applicationAt('PRINTING');
    await loseWorkflow(app.workflowId);
    await harness.env.sleep(61 * DAY);
    expect((await row(app.id)).overdue).toBe(false);

    expect(verdictOf(await reconcileOnce(deps), app.id)).toBe('restarted');
    await eventually(async () => (await row(app.id)).overdue === true, 10_000, 'the overdue mark');
    // The notices are written by the activities after the mark's.
    const noticesOf = () => harness.db('outbox').whereRaw("payload->>'applicationId' = ?", [app.id]).whereIn('topic', ['deadline.overdue']);
    await eventually(async () => (await noticesOf()).length === 2, 10_000, 'the overdue notices');
    const notices = await harness.db('outbox').whereRaw("payload->>'applicationId' = ?", [app.id]).whereIn('topic', ['deadline.warning', 'deadline.overdue']).orderBy('dedupeKey').select('dedupeKey');
    expect(notices.map((notice: { dedupeKey: string }) => notice.dedupeKey)).toEqual([
      `${app.id}:deadline.overdue:${app.deadlineAt}`,
      `${app.id}:deadline.overdue:${app.deadlineAt}:home`,
      `${app.id}:deadline.warning:${app.deadlineAt}`,
    ]);
    const state = await harness.env.client.workflow.getHandle(app.workflowId).query(queries.state);
    expect({ stage: state.stage, deadlineAt: state.deadlineAt, overdue: state.overdue }).toEqual({ stage: 'PRINTING', deadlineAt: app.deadlineAt, overdue: true });
  }, 120_000);
});
