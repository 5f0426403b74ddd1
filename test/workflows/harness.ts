import { randomUUID } from 'node:crypto';
import { mkdir, writeFile } from 'node:fs/promises';
import path from 'node:path';
import { WorkflowUpdateFailedError, type WorkflowHandle } from '@temporalio/client';
import { ApplicationFailure } from '@temporalio/common';
import { TestWorkflowEnvironment } from '@temporalio/testing';
import { DefaultLogger, Runtime, type WorkflowBundleWithSourceMap } from '@temporalio/worker';
import { applicationWorkflowId } from '../../api/applications/workflowId';
import { provinceCodeOf } from '../../domain';
import { createUser, type Role } from '../../db/users';
import type { Db } from '../../db/knex';
import type { applicationWorkflow } from '../../workflows';
import { APPLICATION_WORKFLOW, taskQueues, updates, type ApplicationInput, type ApplicationSettings } from '../../workflows/contract';
import { createWorkers, shutdownWorkers } from '../../worker/workers';
import { CLOSE_BOUND_MS, failureOf, within } from '../support/bounds';
import { stationIn, COUNTIES, type TestCitizen } from '../support/fixtures';
import { testPayloadCodec } from '../support/payloadCodec';
import { workflowBundle } from '../support/workflowBundles';

export const DEV_SERVER = path.resolve(__dirname, '../../bin/temporal-dev-server');
export { DAY_MS as DAY } from '../../domain';

// Workers log only what needs attention; the runtime is per process, so a later file finds it installed.
try {
  Runtime.install({ logger: new DefaultLogger('WARN') });
} catch {
  // already installed by an earlier test file in this jest worker
}

/** One time-skipping environment on our embedded server, and the run's workflow bundle. */
export async function startEnvironment(): Promise<{ env: TestWorkflowEnvironment; bundle: WorkflowBundleWithSourceMap }> {
  const env = await TestWorkflowEnvironment.createTimeSkipping({
    server: { executable: { type: 'existing-path', path: DEV_SERVER } },
    client: { dataConverter: { payloadCodecs: [testPayloadCodec] } },
  });
  const bundle = await workflowBundle('application');
  return { env, bundle: withActiveMutant(bundle) };
}

/**
 * Under mutation testing (`npm run test:mutation`) Stryker names the active mutant in the test
 * process's environment, which the workflow sandbox cannot read: the bundle is told it directly.
 */
function withActiveMutant(bundle: WorkflowBundleWithSourceMap): WorkflowBundleWithSourceMap {
  const mutant = process.env.__STRYKER_ACTIVE_MUTANT__;
  if (!mutant) return bundle;
  return { ...bundle, code: `globalThis.__stryker__ = { activeMutant: ${JSON.stringify(mutant)} };\n${bundle.code}` };
}


export const defaultSettings = (taskQueuePrefix: string): ApplicationSettings => ({
  deadlineDays: 60,
  warningDays: 10,
  reviewReminderDays: 7,
  pickupReminderDays: 30,
  reprintLimit: 2,
  taskQueuePrefix,
});

/** Runs `body` while fresh workers (applications + the home province's production queue) poll a queue of the test's own. */
export async function withWorkers<T>(
  env: TestWorkflowEnvironment,
  bundle: WorkflowBundleWithSourceMap,
  db: Db,
  body: (prefix: string) => Promise<T>,
): Promise<T> {
  const prefix = `test-${randomUUID().slice(0, 8)}`;
  const workers = await createWorkers({
    connection: env.nativeConnection,
    namespace: env.namespace ?? 'default',
    taskQueuePrefix: prefix,
    db,
    payloadCodec: testPayloadCodec,
    productionProvinces: ['11', '31', '41', '44', '33', '51'],
    workflowBundle: bundle,
  });
  const running = Promise.all(workers.map((worker) => worker.run()));
  try {
    return await body(prefix);
  } finally {
    shutdownWorkers(workers);
    await running;
  }
}

/** Starts an application for `citizen` accepted at a station in `stationCounty`, and waits for it to be recorded. */
export async function startApplication(
  env: TestWorkflowEnvironment,
  prefix: string,
  citizen: TestCitizen,
  overrides: Partial<ApplicationInput> = {},
  stationCounty: string = COUNTIES.shenzhenNanshan,
): Promise<{ handle: WorkflowHandle<typeof applicationWorkflow>; input: ApplicationInput }> {
  const input = applicationInput(prefix, citizen, overrides, stationCounty);
  const handle = await env.client.workflow.start<typeof applicationWorkflow>(APPLICATION_WORKFLOW, {
    workflowId: applicationWorkflowId(citizen.idNumber),
    taskQueue: taskQueues.applications(prefix),
    args: [input],
    workflowIdConflictPolicy: 'FAIL',
    workflowIdReusePolicy: 'ALLOW_DUPLICATE',
  });
  await within(handle.executeUpdate(updates.accepted), CLOSE_BOUND_MS, 'the acceptance was not answered');
  return { handle, input };
}

/** A renewal of `citizen`'s card accepted at a station in `stationCounty`, on the workers of `prefix`. */
export function applicationInput(prefix: string, citizen: TestCitizen, overrides: Partial<ApplicationInput> = {}, stationCounty: string = COUNTIES.shenzhenNanshan): ApplicationInput {
  return {
    applicationId: randomUUID(),
    idNumber: citizen.idNumber,
    kind: 'renewal',
    reason: 'expired',
    acceptingStationCode: stationIn(stationCounty),
    homeRegionCode: citizen.homeRegionCode,
    fingerprintCaptured: true,
    appearanceChanged: false,
    temporaryCardRequested: false,
    acceptedBy: 'station-test',
    settings: defaultSettings(prefix),
    ...overrides,
  };
}

/** The type of the failure an update was rejected with (`wrong_stage`, `actor_not_allowed`…); fails the test when it was not rejected. */
export async function rejectionOf(promise: Promise<unknown>): Promise<string | null | undefined> {
  const error = await failureOf(promise);
  expect(error).toBeInstanceOf(WorkflowUpdateFailedError);
  const cause = (error as WorkflowUpdateFailedError).cause;
  expect(cause).toBeInstanceOf(ApplicationFailure);
  return (cause as ApplicationFailure).type;
}

/** Saves a finished workflow's history as a replay fixture when RECORD_HISTORIES=1. */
export async function recordHistory(handle: WorkflowHandle, name: string): Promise<void> {
  if (process.env.RECORD_HISTORIES !== '1') return;
  const history = await handle.fetchHistory();
  const dir = path.resolve(__dirname, 'histories');
  await mkdir(dir, { recursive: true });
  // protobufjs' own JSON form, which Worker.runReplayHistory reads back with historyFromJSON.
  await writeFile(path.join(dir, `${name}.json`), JSON.stringify(history, null, 1));
}

/** The user ids of the officials who may take each step on an application: the actors its updates carry. */
export interface Officials {
  /** The home region's reviewer: review, extension, temporary card. */
  reviewer: string;
  /** The home province's production centre: printed, print failed, dispatched. */
  production: string;
  /** The accepting station: arrival, pickup, withdrawal. */
  station: string;
}

/** Active accounts of one's own, with the jurisdiction each step on this application needs. */
export async function officialsFor(db: Db, application: { homeRegionCode: string; acceptingStationCode: string }): Promise<Officials> {
  return {
    reviewer: await newOfficial(db, 'reviewer', { regionCode: application.homeRegionCode }),
    production: await newOfficial(db, 'production', { provinceCode: provinceCodeOf(application.homeRegionCode) }),
    station: await newOfficial(db, 'station', { stationCode: application.acceptingStationCode }),
  };
}

/** One active account of one's own; its id. */
export async function newOfficial(db: Db, role: Role, jurisdiction: { stationCode?: string; regionCode?: string; provinceCode?: string }): Promise<string> {
  const id = `${role}-${randomUUID()}`;
  await createUser(db, { id, name: `test ${role}`, role, stationCode: jurisdiction.stationCode ?? null, regionCode: jurisdiction.regionCode ?? null, provinceCode: jurisdiction.provinceCode ?? null, unitId: null });
  return id;
}
