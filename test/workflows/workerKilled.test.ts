import { fork, type ChildProcess } from 'node:child_process';
import { randomUUID } from 'node:crypto';
import path from 'node:path';
import { temporal } from '@temporalio/proto';
import type { TestWorkflowEnvironment } from '@temporalio/testing';
import type { Db } from '../../db/knex';
import { updates } from '../../workflows/contract';
import { killed, resultWithin, updateWithin, within } from '../support/bounds';
import { testDb } from '../support/database';
import { newCitizen } from '../support/fixtures';
import { officialsFor, startApplication, startEnvironment } from './harness';

/** A worker process loads the workflow bundle and connects before it says ready: seconds, more on a loaded machine. */
const WORKER_READY_BOUND_MS = 45_000;
/** The review's write starts as soon as a worker takes the update's workflow task. */
const WRITE_STARTED_BOUND_MS = 20_000;
/** On SIGTERM the SDK lets the worker's tasks in flight finish, then the process closes its connections. */
const GRACEFUL_EXIT_BOUND_MS = 15_000;

let env: TestWorkflowEnvironment;
let db: Db;

beforeAll(async () => {
  ({ env } = await startEnvironment());
  db = testDb();
}, 120_000);

afterAll(async () => {
  await env?.teardown();
  await db?.destroy();
});

function startWorkerProcess(prefix: string, hold?: { activity: string; at: 'before' | 'after' }): Promise<ChildProcess> {
  const child = fork(path.join(__dirname, 'support/workerProcess.ts'), [], {
    execArgv: ['--import', 'tsx'],
    env: { ...process.env, TEMPORAL_ADDRESS: env.address, TASK_QUEUE_PREFIX: prefix, ...(hold ? { HOLD_ACTIVITY: hold.activity, HOLD_AT: hold.at } : {}) },
    stdio: ['ignore', 'ignore', 'inherit', 'ipc'],
  });
  const ready = new Promise<ChildProcess>((resolve, reject) => {
    child.once('message', () => resolve(child));
    child.once('exit', (code) => reject(new Error(`worker process exited early with ${code}`)));
  });
  return within(ready, WORKER_READY_BOUND_MS, 'the worker process did not say ready');
}


// Killed between steps, no activity running: the test.each below kills it inside one.
test('when the worker is killed with SIGKILL between steps, every application part-way, then a new worker finishes every application exactly once', async () => {
  const prefix = `killed-${randomUUID().slice(0, 8)}`;
  const first = await startWorkerProcess(prefix);
  const citizens = await Promise.all(Array.from({ length: 5 }, () => newCitizen(db)));
  const applications = [];
  for (const citizen of citizens) {
    const application = await startApplication(env, prefix, citizen);
    applications.push({ ...application, as: await officialsFor(db, application.input) });
  }
  for (const { handle, as } of applications) await updateWithin(handle, updates.review, { args: [{ decision: 'approve', actor: as.reviewer }] });

  await killed(first, 'the first worker process');

  const second = await startWorkerProcess(prefix);
  try {
    // Each workflow's next task first waits out the dead worker's sticky queue (as on a real server): in parallel.
    await Promise.all(
      applications.map(async ({ handle, input, as }) => {
        await updateWithin(handle, updates.printed, { args: [{ validFrom: '2026-12-01', validUntil: '2046-12-01', actor: as.production }] });
        await updateWithin(handle, updates.dispatched, { args: [{ trackingNumber: `T-${input.applicationId.slice(0, 6)}`, actor: as.production }] });
        await updateWithin(handle, updates.arrived, { args: [{ stationCode: input.acceptingStationCode, actor: as.station }] });
        await updateWithin(handle, updates.pickedUp, { args: [{ oldCardReturned: true, actor: as.station }] });
      }),
    );
    // One result at a time: each unlocks time skipping for its wait, and the test server counts the locks.
    for (const { handle } of applications) expect((await resultWithin(handle, 'an application workflow did not complete after the pickup')).stage).toBe('COMPLETED');
  } finally {
    await killed(second, 'the second worker process', 'SIGTERM', GRACEFUL_EXIT_BOUND_MS);
  }
  for (const [index, citizen] of citizens.entries()) {
    const { applicationId } = applications[index].input;
    const history = await db('applicationStageHistory').where({ applicationId }).orderBy('id').select('stage');
    expect(history.map((row) => row.stage)).toEqual(['ACCEPTED', 'HOME_REVIEW', 'PRINTING', 'SHIPPING', 'READY_FOR_PICKUP', 'COMPLETED']);
    const cards = await db('cards').where({ idNumber: citizen.idNumber, status: 'ACTIVE' });
    expect(cards).toHaveLength(1);
    expect(await db('outbox').whereRaw("payload->>'applicationId' = ?", [applicationId]).where('topic', 'print.job')).toHaveLength(1);
  }
}, 120_000);

test.each([
  ['before', 'before its transaction'],
  ['after', 'after its transaction committed, before the engine heard of it'],
] as const)('when the worker is killed inside the review\'s write (%s: %s), then a new worker completes the step exactly once', async (at, _when) => {
  const prefix = `held-${at}-${randomUUID().slice(0, 8)}`;
  const first = await startWorkerProcess(prefix, { activity: 'recordProgress', at });
  const holding = new Promise<void>((resolve) => first.on('message', (message) => message === 'holding' && resolve()));
  const citizen = await newCitizen(db);
  const { handle, input } = await startApplication(env, prefix, citizen);
  const as = await officialsFor(db, input);
  let reviewed = false;
  // Left unanswered across the kill on purpose: the engine-clock steps below bound it, not updateWithin.
  const review = handle.executeUpdate(updates.review, { args: [{ decision: 'approve', actor: as.reviewer }] }).finally(() => {
    reviewed = true;
  });
  await within(holding, WRITE_STARTED_BOUND_MS, 'the worker did not start the review\'s write');
  // The write has started and not finished, as the engine sees it too: the worker dies inside it.
  const [pending] = (await handle.describe()).raw.pendingActivities ?? [];
  expect({ activity: pending?.activityType?.name, state: pending?.state }).toEqual({ activity: 'recordProgress', state: temporal.api.enums.v1.PendingActivityState.PENDING_ACTIVITY_STATE_STARTED });
  expect(reviewed).toBe(false);
  await killed(first, 'the first worker process');
  const written = await db('applicationStageHistory').where({ applicationId: input.applicationId, stage: 'PRINTING' });
  expect(written).toHaveLength(at === 'after' ? 1 : 0);

  const second = await startWorkerProcess(prefix);
  try {
    // The engine finds the activity lost at its start-to-close timeout (10 s) and retries it 1 s later,
    // on the engine's clock: move it on a few seconds at a time until the update is answered.
    for (let step = 0; step < 12 && !reviewed; step += 1) await env.sleep(5_000);
    expect(reviewed).toBe(true);
    expect((await review).stage).toBe('PRINTING');
  } finally {
    await killed(second, 'the second worker process');
  }
  const history = await db('applicationStageHistory').where({ applicationId: input.applicationId }).orderBy('id').select('stage');
  expect(history.map((row) => row.stage)).toEqual(['ACCEPTED', 'HOME_REVIEW', 'PRINTING']);
  const audit = await db('auditLog').where({ subjectType: 'application', subjectId: input.applicationId }).where('action', 'review.approved').select('action');
  expect(audit).toHaveLength(1);
}, 120_000);
