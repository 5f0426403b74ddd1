import { randomUUID } from 'node:crypto';
import { readFileSync } from 'node:fs';
import path from 'node:path';
import type { WorkflowHandle } from '@temporalio/client';
import Long from 'long';
import { decodeTypedSearchAttributes } from '@temporalio/common/lib/converter/payload-search-attributes';
import { loadConfig } from '../../config';
import { createLogger } from '../../config/logger';
import { createUser } from '../../db/users';
import { DAY_MS } from '../../domain';
import { cliTypeName, ensureSearchAttributes } from '../../worker/searchAttributes';
import { reconcileOnce, type ReconciliationDeps } from '../../worker/reconciliation';
import { APPLICATION_SEARCH_ATTRIBUTE_KEYS } from '../../workflows/searchAttributes';
import { call } from '../support/api';
import { resultWithin } from '../support/bounds';
import { acceptanceOf, startApplicationsApi, type ApplicationsApi } from '../support/applicationsApi';
import { newCitizen, newToken, stationIn, type TestCitizen } from '../support/fixtures';
import { recordHistory } from './harness';
import { firedAt, timelineOf } from './timeline';

/**
 * Issue 13: every application workflow carries ApplicationStage, AcceptingStation, HomeRegion,
 * DeadlineAt and Overdue, so operators find cases with `list()` — set at each start (acceptance,
 * reconciliation's restart, the go-live import) and upserted by the workflow as they change. Over
 * HTTP against real PostgreSQL and the embedded engine (time skipping): a Wenzhou (温州) station's
 * cases for Ganzhou (赣州, 江西) residents, regions no other test file uses. The test that skips to the
 * deadline runs last: the engine's clock is ahead of the API's after it.
 */
let harness: ApplicationsApi;
const STATION = stationIn('330302');
const HOME = '360702';
const tokens = { station: '', reviewer: '', production: '', admin: '' };

beforeAll(async () => {
  harness = await startApplicationsApi({ productionProvinces: ['36'] });
  const { db } = harness;
  tokens.station = await newToken(db, 'station', { stationCode: STATION });
  tokens.reviewer = await newToken(db, 'reviewer', { regionCode: '360000' });
  tokens.production = await newToken(db, 'production', { provinceCode: '360000' });
  tokens.admin = (await createUser(db, { id: `admin-${randomUUID()}`, name: 'go-live importer', role: 'admin', stationCode: null, provinceCode: null, unitId: null })).token;
}, 120_000);

afterAll(async () => {
  await harness?.stop();
});

const MINUTE = 60_000;
const post = (token: string, path: string, body: unknown) => call(harness.api, 'POST', path, { token, body });

/** The runs (`workflowId/runId`) the engine's list filter finds. */
async function found(query: string): Promise<string[]> {
  const runs: string[] = [];
  for await (const run of harness.env.client.workflow.list({ query })) runs.push(`${run.workflowId}/${run.runId}`);
  return runs;
}

/** The attributes as plain values (datetimes as ISO strings). */
const everyAttribute = (attributes: ReturnType<typeof decodeTypedSearchAttributes>) =>
  Object.fromEntries(attributes.getAll().map(({ key, value }) => [key.name, value instanceof Date ? value.toISOString() : value]));
/**
 * The application's own attributes, as plain values. The SDK also upserts `TemporalChangeVersion`
 * (the patches a run took) when it first meets each `patched()`: not ours, left out.
 */
const OURS = new Set(APPLICATION_SEARCH_ATTRIBUTE_KEYS.map((key) => key.name));
const plain = (attributes: ReturnType<typeof decodeTypedSearchAttributes>) => Object.fromEntries(Object.entries(everyAttribute(attributes)).filter(([name]) => OURS.has(name)));

/** What the run was started with (its first history event). */
async function startedWith(handle: WorkflowHandle): Promise<Record<string, unknown>> {
  const history = await handle.fetchHistory();
  return plain(decodeTypedSearchAttributes(history.events![0].workflowExecutionStartedEventAttributes!.searchAttributes?.indexedFields));
}

/** Each upsert of the application's attributes by the run, with the workflow time of the task that decided it. */
async function upsertsOf(handle: WorkflowHandle): Promise<Array<{ decidedAt: number; attributes: Record<string, unknown> }>> {
  const history = await handle.fetchHistory();
  const upserts: Array<{ decidedAt: number; attributes: Record<string, unknown> }> = [];
  let workflowTime = 0;
  for (const event of history.events ?? []) {
    if (event.workflowTaskStartedEventAttributes) workflowTime = Number(event.eventTime!.seconds) * 1000 + Math.floor((event.eventTime!.nanos ?? 0) / 1e6);
    const upsert = event.upsertWorkflowSearchAttributesEventAttributes;
    const attributes = upsert ? plain(decodeTypedSearchAttributes(upsert.searchAttributes?.indexedFields)) : {};
    if (Object.keys(attributes).length > 0) upserts.push({ decidedAt: workflowTime, attributes });
  }
  return upserts;
}

/** A new Ganzhou resident's application accepted at the Wenzhou station. */
async function accept(): Promise<{ citizen: TestCitizen; id: string; path: string; deadlineAt: string; workflowId: string; run: string; handle: WorkflowHandle }> {
  const citizen = await newCitizen(harness.db, { homeRegionCode: HOME });
  const accepted = await post(tokens.station, '/v1/applications', acceptanceOf(citizen));
  expect(accepted.status).toBe(201);
  const id: string = accepted.body.applicationId;
  const { workflowId, runId } = await harness.db('applications').where('id', id).first();
  return { citizen, id, path: `/v1/applications/${id}`, deadlineAt: accepted.body.deadlineAt, workflowId, run: `${workflowId}/${runId}`, handle: harness.env.client.workflow.getHandle(workflowId, runId) };
}

async function step(token: string, path: string, body: unknown, stage: string): Promise<void> {
  const answer = await post(token, path, body);
  expect({ status: answer.status, stage: answer.body?.stage }).toEqual({ status: 200, stage });
}

describe('search attributes of the application workflow', () => {
  test('when a station accepts an application, then its run starts with stage, station, region and overdue, and once recorded it is found by each attribute — and by no other value of it', async () => {
    const app = await accept();
    expect(await startedWith(app.handle)).toEqual({ ApplicationStage: 'ACCEPTED', AcceptingStation: STATION, HomeRegion: HOME, Overdue: false });

    const own = `WorkflowId = '${app.workflowId}'`;
    expect(await found(`${own} AND ApplicationStage = 'HOME_REVIEW'`)).toEqual([app.run]);
    expect(await found(`${own} AND AcceptingStation = '${STATION}'`)).toEqual([app.run]);
    expect(await found(`${own} AND HomeRegion = '${HOME}'`)).toEqual([app.run]);
    expect(await found(`${own} AND DeadlineAt = '${app.deadlineAt}'`)).toEqual([app.run]);
    expect(await found(`${own} AND Overdue = false`)).toEqual([app.run]);
    // The other side of each.
    expect(await found(`${own} AND ApplicationStage IN ('ACCEPTED', 'PRINTING')`)).toEqual([]);
    expect(await found(`${own} AND AcceptingStation != '${STATION}'`)).toEqual([]);
    expect(await found(`${own} AND HomeRegion = '360000'`)).toEqual([]);
    expect(await found(`${own} AND DeadlineAt > '${app.deadlineAt}'`)).toEqual([]);
    expect(await found(`${own} AND Overdue = true`)).toEqual([]);
    // Without the run's id: the station's open cases, the home region's, those due within 61 days.
    expect(await found(`AcceptingStation = '${STATION}' AND ExecutionStatus = 'Running'`)).toContain(app.run);
    expect(await found(`HomeRegion = '${HOME}' AND ApplicationStage = 'HOME_REVIEW'`)).toContain(app.run);
    expect(await found(`DeadlineAt < '${new Date(Date.parse(app.deadlineAt) + DAY_MS).toISOString()}' AND Overdue = false`)).toContain(app.run);

    // Exactly these five, and nothing of the person: the engine holds them in clear.
    const { typedSearchAttributes } = await app.handle.describe();
    expect(plain(typedSearchAttributes)).toEqual({ ApplicationStage: 'HOME_REVIEW', AcceptingStation: STATION, HomeRegion: HOME, DeadlineAt: app.deadlineAt, Overdue: false });
    const all = everyAttribute(typedSearchAttributes);
    expect(Object.keys(all).filter((name) => !OURS.has(name))).toEqual(['TemporalChangeVersion']);
    expect(JSON.stringify(all)).not.toContain(app.citizen.idNumber);
    expect(JSON.stringify(all)).not.toContain(app.citizen.name);
  });

  test("when the home region approves, then the run leaves ApplicationStage = 'HOME_REVIEW' for 'PRINTING', and each step after moves it on to COMPLETED", async () => {
    const app = await accept();
    const own = `WorkflowId = '${app.workflowId}'`;
    expect(await found(`${own} AND ApplicationStage = 'HOME_REVIEW'`)).toEqual([app.run]);
    expect(await found(`${own} AND ApplicationStage = 'PRINTING'`)).toEqual([]);

    // The step's answer comes once the upsert is in: no waiting.
    await step(tokens.reviewer, `${app.path}/review`, { decision: 'approve' }, 'PRINTING');
    expect(await found(`${own} AND ApplicationStage = 'HOME_REVIEW'`)).toEqual([]);
    expect(await found(`${own} AND ApplicationStage = 'PRINTING'`)).toEqual([app.run]);

    await step(tokens.production, `${app.path}/printed`, {}, 'PRINTING');
    await step(tokens.production, `${app.path}/dispatched`, { trackingNumber: 'EMS-SA-1' }, 'SHIPPING');
    expect(await found(`${own} AND ApplicationStage = 'SHIPPING'`)).toEqual([app.run]);
    await step(tokens.station, `${app.path}/arrived`, {}, 'READY_FOR_PICKUP');
    expect(await found(`${own} AND ApplicationStage = 'READY_FOR_PICKUP'`)).toEqual([app.run]);
    await step(tokens.station, `${app.path}/picked-up`, { oldCardReturned: true }, 'COMPLETED');
    expect((await resultWithin(app.handle, 'the application workflow did not complete after the pickup')).stage).toBe('COMPLETED');
    expect(await found(`${own} AND ApplicationStage = 'COMPLETED' AND ExecutionStatus = 'Completed'`)).toEqual([app.run]);
    // One upsert per change: acceptance recorded (stage and deadline), then each stage.
    expect((await upsertsOf(app.handle)).map((upsert) => upsert.attributes)).toEqual([
      { ApplicationStage: 'HOME_REVIEW', DeadlineAt: app.deadlineAt },
      { ApplicationStage: 'PRINTING' },
      { ApplicationStage: 'SHIPPING' },
      { ApplicationStage: 'READY_FOR_PICKUP' },
      { ApplicationStage: 'COMPLETED' },
    ]);
    await recordHistory(app.handle, 'search-attributes-completed');
  });

  test('when reconciliation restarts a lost run, then the new run starts with the recorded stage, deadline and overdue mark and is found by them', async () => {
    const app = await accept();
    await step(tokens.reviewer, `${app.path}/review`, { decision: 'approve' }, 'PRINTING');
    await app.handle.terminate('state lost');
    const deps: ReconciliationDeps = { db: harness.db, temporal: harness.env.client, config: { ...loadConfig(), TEMPORAL_TASK_QUEUE_PREFIX: harness.prefix }, logger: createLogger('silent') };
    expect((await reconcileOnce(deps)).restarted).toContain(app.id);

    const { runId } = await harness.db('applications').where('id', app.id).first();
    expect(`${app.workflowId}/${runId}`).not.toBe(app.run);
    const restarted = harness.env.client.workflow.getHandle(app.workflowId, runId);
    expect(await startedWith(restarted)).toEqual({ ApplicationStage: 'PRINTING', AcceptingStation: STATION, HomeRegion: HOME, DeadlineAt: app.deadlineAt, Overdue: false });
    const running = `WorkflowId = '${app.workflowId}' AND ExecutionStatus = 'Running'`;
    expect(await found(`${running} AND ApplicationStage = 'PRINTING' AND DeadlineAt = '${app.deadlineAt}' AND Overdue = false AND HomeRegion = '${HOME}' AND AcceptingStation = '${STATION}'`)).toEqual([`${app.workflowId}/${runId}`]);
    // The lost run keeps what it had; the new one needed no upsert to carry them.
    expect(await found(`WorkflowId = '${app.workflowId}' AND ExecutionStatus = 'Terminated' AND ApplicationStage = 'PRINTING'`)).toEqual([app.run]);
    expect(await upsertsOf(restarted)).toEqual([]);
    await restarted.terminate('test over');
  });

  test('when an application 65 days old is imported at go-live, then its run starts overdue at its stage with its deadline', async () => {
    const citizen = await newCitizen(harness.db, { homeRegionCode: HOME });
    const acceptedAt = new Date(Date.now() - 65 * DAY_MS).toISOString();
    const line = JSON.stringify({ externalReference: `WZ-${randomUUID().slice(0, 8)}`, idNumber: citizen.idNumber, name: citizen.name, kind: 'renewal', reason: 'card expiring', acceptingStationCode: STATION, fingerprintCaptured: true, acceptedAt, stage: 'HOME_REVIEW' });
    const answer = await call(harness.api, 'POST', '/v1/applications/import', { token: tokens.admin, body: line, headers: { 'content-type': 'application/x-ndjson' } });
    const [outcome] = String(answer.body).trim().split('\n').map((text) => JSON.parse(text));
    expect(outcome).toMatchObject({ line: 1, status: 'imported' });
    const { workflowId, runId } = await harness.db('applications').where('id', outcome.applicationId).first();
    const deadlineAt = new Date(Date.parse(acceptedAt) + 60 * DAY_MS).toISOString();
    const handle = harness.env.client.workflow.getHandle(workflowId, runId);
    expect(await startedWith(handle)).toEqual({ ApplicationStage: 'HOME_REVIEW', AcceptingStation: STATION, HomeRegion: HOME, DeadlineAt: deadlineAt, Overdue: true });
    expect(await found(`WorkflowId = '${workflowId}' AND ApplicationStage = 'HOME_REVIEW' AND Overdue = true AND DeadlineAt = '${deadlineAt}'`)).toEqual([`${workflowId}/${runId}`]);
    await handle.terminate('test over');
  });

  test('when the worker registers the attributes again (a second start, another worker), then nothing changes and nothing fails', async () => {
    // The file's workers registered them at start; two more starts at once find them there.
    expect(await Promise.all([ensureSearchAttributes(harness.env.nativeConnection, 'default'), ensureSearchAttributes(harness.env.connection, 'default')])).toEqual([[], []]);
    const { customAttributes } = await harness.env.connection.operatorService.listSearchAttributes({ namespace: 'default' });
    expect(Object.fromEntries(APPLICATION_SEARCH_ATTRIBUTE_KEYS.map((key) => [key.name, customAttributes[key.name]]))).toEqual({ ApplicationStage: 2, AcceptingStation: 2, HomeRegion: 2, DeadlineAt: 6, Overdue: 5 });
  });

  test('when a namespace lacks them, then the first registration adds them with their types and a second adds nothing', async () => {
    const namespace = `sa-${randomUUID().slice(0, 8)}`;
    await harness.env.connection.workflowService.registerNamespace({ namespace, workflowExecutionRetentionPeriod: { seconds: Long.fromNumber(86_400) } });
    expect(await ensureSearchAttributes(harness.env.connection, namespace)).toEqual(['ApplicationStage', 'AcceptingStation', 'HomeRegion', 'DeadlineAt', 'Overdue']);
    expect(await ensureSearchAttributes(harness.env.connection, namespace)).toEqual([]);
    const { customAttributes } = await harness.env.connection.operatorService.listSearchAttributes({ namespace });
    expect(Object.fromEntries(APPLICATION_SEARCH_ATTRIBUTE_KEYS.map((key) => [key.name, customAttributes[key.name]]))).toEqual({ ApplicationStage: 2, AcceptingStation: 2, HomeRegion: 2, DeadlineAt: 6, Overdue: 5 });
  });

  test('when compose registers them on the real cluster, then it names the same attributes with the same types', () => {
    const compose = readFileSync(path.resolve(__dirname, '../../docker-compose.yml'), 'utf8');
    const listed = /for attribute in ([^;]+); do/.exec(compose)?.[1].trim().split(/\s+/);
    expect(listed).toEqual(APPLICATION_SEARCH_ATTRIBUTE_KEYS.map((key) => `${key.name}=${cliTypeName(key.type)}`));
  });

  // Last: it moves the engine's clock 60 days ahead of the API's.
  test('when the deadline passes, then Overdue turns true at its first overdue instant and not a second before, and an extension to a deadline still ahead turns it false with the new DeadlineAt', async () => {
    const { env } = harness;
    const sleepUntil = async (at: number) => env.sleep(Math.max(0, at - (await env.currentTimeMs())));
    const app = await accept();
    const own = `WorkflowId = '${app.workflowId}'`;
    const deadline = Date.parse(app.deadlineAt);

    await sleepUntil(deadline - 1_000);
    expect(await found(`${own} AND Overdue = false`)).toEqual([app.run]);
    expect(await found(`${own} AND Overdue = true`)).toEqual([]);
    await sleepUntil(deadline + MINUTE);
    expect(await found(`${own} AND Overdue = true`)).toEqual([app.run]);
    expect(await found(`${own} AND Overdue = false`)).toEqual([]);
    // Decided by the timer set for the first overdue instant (1 ms past the deadline), in the task it fired.
    expect(firedAt(await timelineOf(app.handle))).toContain(deadline + 1);
    const overdue = (await upsertsOf(app.handle)).filter((upsert) => upsert.attributes.Overdue === true);
    expect(overdue).toHaveLength(1);
    expect(overdue[0].attributes).toEqual({ Overdue: true });
    expect(overdue[0].decidedAt).toBeGreaterThanOrEqual(deadline + 1);
    expect(overdue[0].decidedAt - deadline).toBeLessThan(MINUTE);

    // 30 more days from acceptance: the new deadline lies ahead of the engine's clock.
    await step(tokens.reviewer, `${app.path}/extend`, { days: 30, reason: 'fingerprints to be taken again' }, 'HOME_REVIEW');
    const extended = new Date(deadline + 30 * DAY_MS).toISOString();
    expect(await found(`${own} AND Overdue = false AND DeadlineAt = '${extended}'`)).toEqual([app.run]);
    expect(await found(`${own} AND Overdue = true`)).toEqual([]);
    expect((await upsertsOf(app.handle)).at(-1)!.attributes).toEqual({ DeadlineAt: extended, Overdue: false });

    await step(tokens.station, `${app.path}/withdraw`, { reason: 'moved abroad' }, 'WITHDRAWN');
    await resultWithin(app.handle, 'the application workflow did not end after the withdrawal');
    expect(await found(`${own} AND ApplicationStage = 'WITHDRAWN' AND Overdue = false`)).toEqual([app.run]);
    await recordHistory(app.handle, 'search-attributes-overdue-extended');
  }, 120_000);
});
