/**
 * Operator commands on activities (the Temporal CLI's `temporal activity pause|unpause|reset|update-options`):
 * `PauseActivity`, `UnpauseActivity`, `ResetActivity` and `UpdateActivityOptions` on a workflow's
 * activities, and `PauseActivityExecution`, `UnpauseActivityExecution`, `ResetActivityExecution`,
 * `UpdateActivityExecutionOptions` and `DeleteActivityExecution` on standalone ones, with what the
 * worker hears by heartbeat and the refusals the real server answers. Where an attempt must be held
 * at a given point, the test plays the worker through the client's raw WorkflowService.
 */
import { mkdtempSync } from 'node:fs';
import { tmpdir } from 'node:os';
import path from 'node:path';
import { setTimeout as delay } from 'node:timers/promises';
import { status } from '@grpc/grpc-js';
import { Client, Connection, type WorkflowHandle } from '@temporalio/client';
import { Context } from '@temporalio/activity';
import { msToTs, optionalTsToMs } from '@temporalio/common/lib/time';
import { temporal } from '@temporalio/proto';
import type { TestWorkflowEnvironment } from '@temporalio/testing';
import { NativeConnection, Worker } from '@temporalio/worker';
import { runsActivity } from './fixtures/workflows';
import { expectReplays, fixturesBundle, SERVER_LISTENING_BOUND_MS, spawnServer, timeSkippingEnv, uniqueId, uniqueQueue, withWorker } from './helpers';
import { freePort } from '../support/freePort';
import { CLOSE_BOUND_MS, eventually, EXIT_BOUND_MS, killed, resultWithin } from '../support/bounds';

type PendingActivity = temporal.api.workflow.v1.IPendingActivityInfo;
const State = temporal.api.enums.v1.PendingActivityState;

let env: TestWorkflowEnvironment;

beforeAll(async () => {
  env = await timeSkippingEnv();
});

afterAll(async () => {
  await env?.teardown();
});

const namespace = 'default';
const service = () => env.client.workflowService;

/** The gRPC status a call is refused with (the SDK's own calls keep it as the cause). */
async function refusal(call: Promise<unknown>): Promise<{ code?: number; details?: string; cause?: { code?: number } }> {
  try {
    await call;
  } catch (error) {
    const { code, details, cause } = error as { code?: number; details?: string; cause?: { code?: number } };
    return { code, details, cause };
  }
  throw new Error('the call was not refused');
}

/** Takes the next activity task from `taskQueue` as a worker would, without running any code. */
async function pollActivity(taskQueue: string) {
  const task = await service().pollActivityTaskQueue({ namespace, taskQueue: { name: taskQueue }, identity: 'raw-test-worker' });
  expect(task.taskToken?.length).toBeGreaterThan(0);
  return task;
}

async function failAttempt(taskToken: Uint8Array | null | undefined, message: string): Promise<void> {
  await service().respondActivityTaskFailed({ namespace, taskToken, failure: { message, applicationFailureInfo: { type: 'Test' } } });
}

/** The run's only pending activity once `check` holds of it (described every 25 ms, at most 400 times: a loaded machine is slow). */
async function pendingActivity(handle: WorkflowHandle, check: (activity: PendingActivity) => boolean = () => true): Promise<PendingActivity> {
  let last: PendingActivity | undefined;
  for (let i = 0; i < 400; i++) {
    last = (await handle.describe()).raw.pendingActivities?.[0] ?? undefined;
    if (last && check(last)) return last;
    await delay(25);
  }
  throw new Error(`the pending activity never got there: ${JSON.stringify(last)}`);
}

/** Starts `runsActivity` with the activity `name` on `activityQueue` (where the test decides who polls). */
function startWithActivity(taskQueue: string, activityQueue: string, name: string, options: object = {}) {
  return env.client.workflow.start(runsActivity, {
    taskQueue,
    workflowId: uniqueId(),
    args: [name, [], { taskQueue: activityQueue, startToCloseTimeout: '1 minute', retry: { initialInterval: '1 hour' }, ...options }],
  });
}

const attemptNumber = async () => Context.current().info.attempt;

describe('a workflow activity', () => {
  test('when one waiting for a worker is paused, then describe shows it paused and no worker gets it until it is unpaused', async () => {
    const activityQueue = uniqueQueue();
    const calls = jest.fn(attemptNumber);
    await withWorker(env, async (taskQueue) => {
      const handle = await startWithActivity(taskQueue, activityQueue, 'attemptNumber');
      const { activityId } = await pendingActivity(handle);
      const execution = { workflowId: handle.workflowId };
      await service().pauseActivity({ namespace, execution, id: activityId, identity: 'operator', reason: 'maintenance', requestId: 'pause-1' });
      const paused = await pendingActivity(handle);
      expect(paused).toMatchObject({ state: State.PENDING_ACTIVITY_STATE_PAUSED, paused: true, attempt: 1 });
      expect(paused.pauseInfo?.manual).toMatchObject({ identity: 'operator', reason: 'maintenance' });
      expect(paused.activityOptions?.taskQueue?.name).toBe(activityQueue);
      // The same request again changes nothing; another pause is refused.
      await service().pauseActivity({ namespace, execution, id: activityId, requestId: 'pause-1' });
      expect((await refusal(service().pauseActivity({ namespace, execution, id: activityId, requestId: 'pause-2' }))).code).toBe(status.FAILED_PRECONDITION);

      const worker = await Worker.create({ connection: env.nativeConnection, taskQueue: activityQueue, activities: { attemptNumber: calls } });
      await worker.runUntil(async () => {
        await delay(500);
        expect(calls).not.toHaveBeenCalled();
        await service().unpauseActivity({ namespace, execution, id: activityId, identity: 'operator' });
        expect(await resultWithin(handle)).toBe(1);
      });
      expect(calls).toHaveBeenCalledTimes(1);
      await expectReplays(handle);
    });
  });

  test('when one a worker holds is paused, then its heartbeat answers paused and its failed attempt waits for the unpause', async () => {
    const activityQueue = uniqueQueue();
    await withWorker(env, async (taskQueue) => {
      const handle = await startWithActivity(taskQueue, activityQueue, 'attemptNumber', { retry: { initialInterval: '100ms' } });
      const task = await pollActivity(activityQueue);
      // The `…Execution` form with a workflow id names the workflow's activity.
      await service().pauseActivityExecution({ namespace, workflowId: handle.workflowId, activityId: task.activityId, reason: 'look at it', requestId: 'p' });
      expect((await pendingActivity(handle)).state).toBe(State.PENDING_ACTIVITY_STATE_PAUSE_REQUESTED);
      const beat = await service().recordActivityTaskHeartbeat({ namespace, taskToken: task.taskToken });
      expect(beat).toMatchObject({ activityPaused: true, cancelRequested: false, activityReset: false });

      await failAttempt(task.taskToken, 'Activity paused');
      const paused = await pendingActivity(handle, (activity) => activity.attempt === 2);
      expect(paused).toMatchObject({ state: State.PENDING_ACTIVITY_STATE_PAUSED, paused: true });
      expect(paused.lastFailure?.message).toBe('Activity paused');

      const calls = jest.fn(attemptNumber);
      const worker = await Worker.create({ connection: env.nativeConnection, taskQueue: activityQueue, activities: { attemptNumber: calls } });
      await worker.runUntil(async () => {
        await delay(500);
        expect(calls).not.toHaveBeenCalled();
        await service().unpauseActivity({ namespace, execution: { workflowId: handle.workflowId }, type: 'attemptNumber' });
        expect(await resultWithin(handle)).toBe(2);
      });
      await expectReplays(handle);
    });
  });

  test('when one waiting to retry is paused and unpaused, then it goes out at once, from attempt 1 when asked', async () => {
    const activityQueue = uniqueQueue();
    await withWorker(env, async (taskQueue) => {
      const handle = await startWithActivity(taskQueue, activityQueue, 'attemptNumber');
      await failAttempt((await pollActivity(activityQueue)).taskToken, 'attempt 1 failed');
      const execution = { workflowId: handle.workflowId };
      expect((await pendingActivity(handle, (activity) => activity.attempt === 2)).nextAttemptScheduleTime).toBeTruthy();
      await service().pauseActivity({ namespace, execution, type: 'attemptNumber' });
      const paused = await pendingActivity(handle);
      expect(paused).toMatchObject({ state: State.PENDING_ACTIVITY_STATE_PAUSED, attempt: 2 });
      expect(paused.nextAttemptScheduleTime).toBeFalsy();
      // The hour of backoff is not waited for: the unpaused attempt goes out now.
      await service().unpauseActivity({ namespace, execution, type: 'attemptNumber', resetAttempts: true });
      const task = await pollActivity(activityQueue);
      expect(task.attempt).toBe(1);
      await service().respondActivityTaskCompleted({ namespace, taskToken: task.taskToken, result: { payloads: [{ metadata: { encoding: Buffer.from('json/plain') }, data: Buffer.from('1') }] } });
      expect(await resultWithin(handle)).toBe(1);
      await expectReplays(handle);
    });
  });

  test('when the start-to-close timeout of an attempt a worker holds is shortened, then the attempt times out on the new one', async () => {
    const activityQueue = uniqueQueue();
    await withWorker(env, async (taskQueue) => {
      const handle = await startWithActivity(taskQueue, activityQueue, 'attemptNumber', { retry: { initialInterval: '1s', maximumAttempts: 1 } });
      const task = await pollActivity(activityQueue);
      await service().updateActivityOptions({
        namespace,
        execution: { workflowId: handle.workflowId },
        id: task.activityId,
        activityOptions: { startToCloseTimeout: msToTs(500) },
        updateMask: { paths: ['start_to_close_timeout'] },
      });
      const error = await resultWithin(handle).catch((e: unknown) => e);
      expect((error as { cause?: { cause?: { message?: string } } }).cause?.cause?.message).toBe('activity StartToClose timeout');
      await expectReplays(handle);
    });
  });

  test('when one waiting to retry is reset, then it runs again at once from attempt 1, without its heartbeat details when asked', async () => {

    const activityQueue = uniqueQueue();
    await withWorker(env, async (taskQueue) => {
      const handle = await startWithActivity(taskQueue, activityQueue, 'attemptNumber');
      const first = await pollActivity(activityQueue);
      await service().recordActivityTaskHeartbeat({ namespace, taskToken: first.taskToken, details: { payloads: [{ metadata: { encoding: Buffer.from('json/plain') }, data: Buffer.from('3') }] } });
      await failAttempt(first.taskToken, 'attempt 1 failed');
      const waiting = await pendingActivity(handle, (activity) => activity.attempt === 2);
      expect(waiting.state).toBe(State.PENDING_ACTIVITY_STATE_SCHEDULED);
      expect(waiting.nextAttemptScheduleTime).toBeTruthy();
      expect(waiting.heartbeatDetails?.payloads).toHaveLength(1);

      await service().resetActivity({ namespace, execution: { workflowId: handle.workflowId }, type: 'attemptNumber', resetHeartbeat: true });
      const reset = await pendingActivity(handle);
      expect(reset).toMatchObject({ attempt: 1, state: State.PENDING_ACTIVITY_STATE_SCHEDULED });
      expect(reset.nextAttemptScheduleTime).toBeFalsy();
      expect(reset.heartbeatDetails).toBeFalsy();
      const again = await pollActivity(activityQueue);
      expect(again.attempt).toBe(1);
      expect(again.heartbeatDetails).toBeFalsy();

      // Reset while a worker holds it: the worker hears of it, the attempt counts from 1 at once.
      await service().resetActivity({ namespace, execution: { workflowId: handle.workflowId }, id: again.activityId });
      expect(await service().recordActivityTaskHeartbeat({ namespace, taskToken: again.taskToken })).toMatchObject({ activityReset: true, activityPaused: false });
      expect((await pendingActivity(handle)).attempt).toBe(1);
      await service().respondActivityTaskCompleted({ namespace, taskToken: again.taskToken, result: { payloads: [{ metadata: { encoding: Buffer.from('json/plain') }, data: Buffer.from('1') }] } });
      expect(await resultWithin(handle)).toBe(1);
      await expectReplays(handle);
    });
  });

  test('when its options are updated by field mask, then it moves to the new task queue with the new timeout, and can be restored', async () => {
    const oldQueue = uniqueQueue();
    const newQueue = uniqueQueue();
    let seenTimeoutMs: number | undefined;
    await withWorker(env, async (taskQueue) => {
      const handle = await startWithActivity(taskQueue, oldQueue, 'timeoutSeen');
      const { activityId } = await pendingActivity(handle);
      const execution = { workflowId: handle.workflowId };
      const updated: temporal.api.workflowservice.v1.IUpdateActivityOptionsResponse = await service().updateActivityOptions({
        namespace,
        execution,
        id: activityId,
        activityOptions: { taskQueue: { name: newQueue }, startToCloseTimeout: msToTs(30000), heartbeatTimeout: msToTs(99000) },
        updateMask: { paths: ['task_queue.name', 'start_to_close_timeout'] },
      });
      expect(updated.activityOptions?.taskQueue?.name).toBe(newQueue);
      expect(optionalTsToMs(updated.activityOptions?.startToCloseTimeout)).toBe(30_000);
      // A field the mask does not name is left as it was.
      expect(optionalTsToMs(updated.activityOptions?.heartbeatTimeout) ?? 0).toBe(0);
      expect((await pendingActivity(handle)).activityOptions?.taskQueue?.name).toBe(newQueue);

      const restored: temporal.api.workflowservice.v1.IUpdateActivityOptionsResponse = await service().updateActivityOptions({ namespace, execution, id: activityId, restoreOriginal: true });
      expect(restored.activityOptions?.taskQueue?.name).toBe(oldQueue);
      expect(optionalTsToMs(restored.activityOptions?.startToCloseTimeout)).toBe(60_000);
      await service().updateActivityOptions({
        namespace,
        execution,
        type: 'timeoutSeen',
        activityOptions: { taskQueue: { name: newQueue }, startToCloseTimeout: msToTs(30000) },
        updateMask: { paths: ['taskQueue.name', 'startToCloseTimeout'] },
      });

      const timeoutSeen = async () => {
        seenTimeoutMs = Context.current().info.startToCloseTimeoutMs;
        return 'ran';
      };
      const worker = await Worker.create({ connection: env.nativeConnection, taskQueue: newQueue, activities: { timeoutSeen } });
      expect(await worker.runUntil(resultWithin(handle))).toBe('ran');
      await expectReplays(handle);
    });
    expect(seenTimeoutMs).toBe(30_000);
  });

  test('when no pending activity matches or the run is closed, then each command is NOT_FOUND; a bad update is INVALID_ARGUMENT', async () => {
    const activityQueue = uniqueQueue();
    await withWorker(env, async (taskQueue) => {
      const handle = await startWithActivity(taskQueue, activityQueue, 'attemptNumber');
      const { activityId } = await pendingActivity(handle);
      const execution = { workflowId: handle.workflowId };
      const mask = { paths: ['start_to_close_timeout'] };
      const options = { startToCloseTimeout: msToTs(5000) };
      for (const target of [{ id: 'no-such-activity' }, { type: 'noSuchType' }]) {
        expect((await refusal(service().pauseActivity({ namespace, execution, ...target }))).code).toBe(status.NOT_FOUND);
        expect((await refusal(service().unpauseActivity({ namespace, execution, ...target }))).code).toBe(status.NOT_FOUND);
        expect((await refusal(service().resetActivity({ namespace, execution, ...target }))).code).toBe(status.NOT_FOUND);
        expect((await refusal(service().updateActivityOptions({ namespace, execution, ...target, activityOptions: options, updateMask: mask }))).code).toBe(status.NOT_FOUND);
      }
      expect((await refusal(service().updateActivityOptions({ namespace, execution, id: activityId, activityOptions: options }))).code).toBe(status.INVALID_ARGUMENT);
      expect((await refusal(service().updateActivityOptions({ namespace, execution, id: activityId, restoreOriginal: true, updateMask: mask }))).code).toBe(status.INVALID_ARGUMENT);
      // Unpausing one that is not paused changes nothing.
      await service().unpauseActivity({ namespace, execution, id: activityId });
      expect((await pendingActivity(handle)).state).toBe(State.PENDING_ACTIVITY_STATE_SCHEDULED);

      await handle.terminate('done');
      const closed = await refusal(service().pauseActivity({ namespace, execution, id: activityId }));
      expect(closed).toMatchObject({ code: status.NOT_FOUND, details: 'workflow execution already completed' });
      expect((await refusal(service().resetActivity({ namespace, execution, id: activityId }))).code).toBe(status.NOT_FOUND);
    });
  });
});

describe('a standalone activity', () => {
  const describeActivity = (activityId: string) => env.client.activity.getHandle(activityId).describe({ includeLastFailure: true });

  test('when one waiting for a worker is paused, then describe shows it paused and no worker gets it until it is unpaused', async () => {
    const taskQueue = uniqueQueue();
    const id = uniqueId('act');
    const handle = await env.client.activity.start('attemptNumber', { id, taskQueue, startToCloseTimeout: '1 minute' });
    await handle.pause({ reason: 'maintenance' });
    expect(await handle.describe()).toMatchObject({ status: 'RUNNING', runState: 'PAUSED', attempt: 1 });
    // Paused already: a second pause is refused.
    expect((await refusal(service().pauseActivityExecution({ namespace, activityId: id, requestId: 'another' }))).code).toBe(status.FAILED_PRECONDITION);

    const calls = jest.fn(attemptNumber);
    const worker = await Worker.create({ connection: env.nativeConnection, taskQueue, activities: { attemptNumber: calls } });
    await worker.runUntil(async () => {
      await delay(500);
      expect(calls).not.toHaveBeenCalled();
      await handle.unpause();
      expect(await resultWithin(handle)).toBe(1);
    });
    // Not paused (closed): unpause is refused.
    expect((await refusal(service().unpauseActivityExecution({ namespace, activityId: id }))).code).toBe(status.FAILED_PRECONDITION);
  });

  test('when one a worker holds is paused, then its heartbeat answers paused and its failed attempt waits for the unpause', async () => {
    const taskQueue = uniqueQueue();
    const id = uniqueId('act');
    const handle = await env.client.activity.start('attemptNumber', { id, taskQueue, startToCloseTimeout: '1 minute', retry: { initialInterval: '100ms' } });
    const task = await pollActivity(taskQueue);
    await service().pauseActivityExecution({ namespace, activityId: id, identity: 'operator', reason: 'look at it' });
    expect((await handle.describe()).runState).toBe('PAUSE_REQUESTED');
    expect(await service().recordActivityTaskHeartbeat({ namespace, taskToken: task.taskToken })).toMatchObject({ activityPaused: true, activityReset: false });
    await failAttempt(task.taskToken, 'Activity paused');
    const paused = await describeActivity(id);
    expect(paused).toMatchObject({ runState: 'PAUSED', attempt: 2 });
    expect((await paused.getLastFailure())?.message).toBe('Activity paused');
    // Unpausing a running one that is not paused is refused.
    await handle.unpause();
    expect((await refusal(service().unpauseActivityExecution({ namespace, activityId: id }))).code).toBe(status.FAILED_PRECONDITION);
    const worker = await Worker.create({ connection: env.nativeConnection, taskQueue, activities: { attemptNumber } });
    expect(await worker.runUntil(resultWithin(handle))).toBe(2);
  });

  test('when reset waiting to retry it runs again at once from attempt 1; reset while a worker holds it, its failure restarts attempt 1 without backoff', async () => {
    const taskQueue = uniqueQueue();
    const id = uniqueId('act');
    const handle = await env.client.activity.start('attemptNumber', { id, taskQueue, startToCloseTimeout: '1 minute', retry: { initialInterval: '1 hour' } });
    await failAttempt((await pollActivity(taskQueue)).taskToken, 'attempt 1 failed');
    expect(await handle.describe()).toMatchObject({ runState: 'SCHEDULED', attempt: 2 });

    await service().resetActivityExecution({ namespace, activityId: id, identity: 'operator' });
    expect(await handle.describe()).toMatchObject({ runState: 'SCHEDULED', attempt: 1 });
    const again = await pollActivity(taskQueue);
    expect(again.attempt).toBe(1);

    await service().resetActivityExecution({ namespace, activityId: id, requestId: 'reset-running' });
    // The same request again is a no-op; another reset while one is pending is refused.
    await service().resetActivityExecution({ namespace, activityId: id, requestId: 'reset-running' });
    expect((await refusal(service().resetActivityExecution({ namespace, activityId: id }))).code).toBe(status.FAILED_PRECONDITION);
    expect(await service().recordActivityTaskHeartbeat({ namespace, taskToken: again.taskToken })).toMatchObject({ activityReset: true });
    await failAttempt(again.taskToken, 'Activity reset');
    const third = await pollActivity(taskQueue);
    expect(third.attempt).toBe(1);
    await handle.terminate('done');
    expect((await refusal(service().resetActivityExecution({ namespace, activityId: id }))).code).toBe(status.FAILED_PRECONDITION);
  });

  test('when its options are updated, then it moves to the new task queue with the new timeouts, and can be restored', async () => {
    const oldQueue = uniqueQueue();
    const newQueue = uniqueQueue();
    const id = uniqueId('act');
    const handle = await env.client.activity.start('timeoutSeen', { id, taskQueue: oldQueue, startToCloseTimeout: '1 minute', startDelay: '1 hour' });
    const updated = await handle.updateOptions({ taskQueue: newQueue, startToCloseTimeout: '30s', startDelay: 0 });
    expect(updated).toMatchObject({ taskQueue: newQueue, startToCloseTimeout: 30_000 });
    expect(await handle.describe()).toMatchObject({ taskQueue: newQueue, startToCloseTimeoutMs: 30_000 });
    const restored = await handle.restoreOriginalOptions();
    expect(restored).toMatchObject({ taskQueue: oldQueue, startToCloseTimeout: 60_000 });
    // The first attempt went out when the start delay went to 0: the delay can no longer change.
    expect((await refusal(handle.updateOptions({ startDelay: '1 hour' }))).cause?.code).toBe(status.FAILED_PRECONDITION);
    await handle.updateOptions({ taskQueue: newQueue, startToCloseTimeout: '30s' });

    let seenTimeoutMs: number | undefined;
    const timeoutSeen = async () => {
      seenTimeoutMs = Context.current().info.startToCloseTimeoutMs;
      return 'ran';
    };
    const worker = await Worker.create({ connection: env.nativeConnection, taskQueue: newQueue, activities: { timeoutSeen } });
    expect(await worker.runUntil(resultWithin(handle))).toBe('ran');
    expect(seenTimeoutMs).toBe(30_000);
    // Closed: its options cannot change, nor can it be paused.
    const closedUpdate = await refusal(service().updateActivityExecutionOptions({ namespace, activityId: id, activityOptions: { startToCloseTimeout: msToTs(5000) }, updateMask: { paths: ['start_to_close_timeout'] } }));
    expect(closedUpdate.code).toBe(status.FAILED_PRECONDITION);
    const closedPause = await refusal(service().pauseActivityExecution({ namespace, activityId: id }));
    expect(closedPause).toMatchObject({ code: status.FAILED_PRECONDITION, details: 'activity is in non-pausable state ACTIVITY_EXECUTION_STATUS_COMPLETED' });
  });

  test('when deleted, running or closed, then it is gone and its id may start afresh; an unknown one is NOT_FOUND for every command', async () => {
    const taskQueue = uniqueQueue();
    const running = uniqueId('act');
    await env.client.activity.start('attemptNumber', { id: running, taskQueue, startToCloseTimeout: '1 minute' });
    await service().deleteActivityExecution({ namespace, activityId: running });
    expect((await refusal(service().describeActivityExecution({ namespace, activityId: running }))).code).toBe(status.NOT_FOUND);
    const fresh = await env.client.activity.start('attemptNumber', { id: running, taskQueue, startToCloseTimeout: '1 minute', idReusePolicy: 'REJECT_DUPLICATE' });
    await fresh.terminate('closed');
    await service().deleteActivityExecution({ namespace, activityId: running, runId: fresh.runId });
    expect((await refusal(service().describeActivityExecution({ namespace, activityId: running }))).code).toBe(status.NOT_FOUND);

    const unknown = { namespace, activityId: uniqueId('none') };
    expect((await refusal(service().deleteActivityExecution(unknown))).code).toBe(status.NOT_FOUND);
    expect((await refusal(service().pauseActivityExecution(unknown))).code).toBe(status.NOT_FOUND);
    expect((await refusal(service().unpauseActivityExecution(unknown))).code).toBe(status.NOT_FOUND);
    expect((await refusal(service().resetActivityExecution(unknown))).code).toBe(status.NOT_FOUND);
    expect((await refusal(service().updateActivityExecutionOptions({ ...unknown, activityOptions: {}, updateMask: { paths: [] } }))).code).toBe(status.NOT_FOUND);
  });
});

if (process.env.TEMPORAL_SERVER_DB !== 'file') {
  test('when the server is killed and restarted on its file, then paused activities are still paused, and run once unpaused', async () => {
    const dbFilename = path.join(mkdtempSync(path.join(tmpdir(), 'activity-ops-')), 'temporal.db');
    const port = await freePort();
    const address = `127.0.0.1:${port}`;
    const taskQueue = uniqueQueue();
    const activityQueue = uniqueQueue();
    const standalone = uniqueId('act');
    const workflowId = uniqueId();
    let server = await spawnServer(port, dbFilename);
    try {
      const native = await NativeConnection.connect({ address });
      const connection = await Connection.connect({ address });
      try {
        const client = new Client({ connection });
        const worker = await Worker.create({ connection: native, taskQueue, workflowBundle: await fixturesBundle() });
        await worker.runUntil(async () => {
          await client.workflow.start(runsActivity, { taskQueue, workflowId, args: ['attemptNumber', [], { taskQueue: activityQueue, startToCloseTimeout: '1 minute' }] });
          await eventually(async () => !!(await client.workflow.getHandle(workflowId).describe()).raw.pendingActivities?.length, 10_000, 'the pending activity');
        });
        await client.workflowService.pauseActivity({ namespace, execution: { workflowId }, type: 'attemptNumber', reason: 'before the crash' });
        await client.activity.start('attemptNumber', { id: standalone, taskQueue: activityQueue, startToCloseTimeout: '1 minute' });
        await client.activity.getHandle(standalone).pause({ reason: 'before the crash' });
      } finally {
        await connection.close();
        await native.close();
      }
      await killed(server, 'the server');

      server = await spawnServer(port, dbFilename);
      const native2 = await NativeConnection.connect({ address });
      const connection2 = await Connection.connect({ address });
      try {
        const client = new Client({ connection: connection2 });
        const workflow = client.workflow.getHandle(workflowId);
        const [pending] = (await workflow.describe()).raw.pendingActivities ?? [];
        expect(pending).toMatchObject({ state: State.PENDING_ACTIVITY_STATE_PAUSED, paused: true });
        expect(pending.pauseInfo?.manual?.reason).toBe('before the crash');
        expect((await client.activity.getHandle(standalone).describe()).runState).toBe('PAUSED');

        const calls = jest.fn(attemptNumber);
        const workflowWorker = await Worker.create({ connection: native2, taskQueue, workflowBundle: await fixturesBundle() });
        const activityWorker = await Worker.create({ connection: native2, taskQueue: activityQueue, activities: { attemptNumber: calls } });
        await Promise.all([
          workflowWorker.runUntil(async () => {
            await activityWorker.runUntil(async () => {
              await delay(500);
              expect(calls).not.toHaveBeenCalled();
              await client.workflowService.unpauseActivity({ namespace, execution: { workflowId }, unpauseAll: true });
              await client.activity.getHandle(standalone).unpause();
              expect(await Promise.all([resultWithin(workflow), resultWithin(client.activity.getHandle(standalone))])).toEqual([1, 1]);
            });
          }),
        ]);
        expect(calls).toHaveBeenCalledTimes(2);
      } finally {
        await connection2.close();
        await native2.close();
      }
    } finally {
      server.kill('SIGKILL');
    }
  }, 2 * SERVER_LISTENING_BOUND_MS + EXIT_BOUND_MS + CLOSE_BOUND_MS + 25_000); // its bounds in turn (two starts, the kill, the results), and 25 s for the rest
}
