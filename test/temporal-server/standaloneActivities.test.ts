/**
 * Standalone activities (SDK 1.24 `client.activity`): started by a client, run by an unchanged
 * worker polling the task queue, retried, timed out, cancelled and terminated as the real server
 * does, described, listed and counted, and recovered after a restart on a `--db-filename` file.
 */
import { mkdtempSync } from 'node:fs';
import { tmpdir } from 'node:os';
import path from 'node:path';
import { ActivityExecutionAlreadyStartedError, ActivityExecutionFailedError, Client, Connection } from '@temporalio/client';
import { ApplicationFailure, CancelledFailure, TerminatedFailure, TimeoutFailure } from '@temporalio/common';
import { Context, sleep, type Info } from '@temporalio/activity';
import { temporal } from '@temporalio/proto';
import { msToTs, tsToMs } from '@temporalio/common/lib/time';
import type { TestWorkflowEnvironment } from '@temporalio/testing';
import { NativeConnection, Worker } from '@temporalio/worker';
import * as activities from './fixtures/activities';
import { SERVER_LISTENING_BOUND_MS, spawnServer, timeSkippingEnv, uniqueId, uniqueQueue } from './helpers';
import { freePort } from '../support/freePort';
import { CLOSE_BOUND_MS, eventually, EXIT_BOUND_MS, killed, resultWithin, within } from '../support/bounds';

let env: TestWorkflowEnvironment;

beforeAll(async () => {
  env = await timeSkippingEnv();
});

afterAll(async () => {
  await env?.teardown();
});

const HOUR = 60 * 60 * 1000;

/** Runs `body` while a worker with only activities polls `taskQueue` on `connection`. */
async function withActivityWorker<T>(connection: NativeConnection, taskQueue: string, body: () => Promise<T>, acts: object = activities): Promise<T> {
  const worker = await Worker.create({ connection, namespace: 'default', taskQueue, activities: acts });
  return worker.runUntil(body());
}

/** The server's (virtual) clock. */
async function serverNow(): Promise<number> {
  const { time } = await env.connection.testService!.getCurrentTime({});
  return tsToMs(time!);
}

/** Lets the test server skip time while `body` runs, as the SDK does around a workflow's result. */
async function skippingTime<T>(body: () => Promise<T>): Promise<T> {
  await env.connection.testService!.unlockTimeSkipping({});
  try {
    return await body();
  } finally {
    await env.connection.testService!.lockTimeSkipping({});
  }
}

/** Waits until the activity is with a worker. */
async function untilStarted(client: Client, activityId: string): Promise<void> {
  for (let i = 0; i < 200; i++) {
    const description = await client.activity.getHandle(activityId).describe();
    if (description.runState === 'STARTED') return;
    await new Promise((resolve) => setTimeout(resolve, 25));
  }
  throw new Error(`activity ${activityId} never started`);
}

describe('start and result', () => {
  test('when a client starts an activity, then a worker polling its queue runs it as a standalone activity and the client gets the result', async () => {
    const taskQueue = uniqueQueue();
    const id = uniqueId('act');
    let seen: Info | undefined;
    const handle = await env.client.activity.start('echo', { id, taskQueue, args: ['hello'], startToCloseTimeout: '10s' });
    expect(handle.runId).toBeTruthy();
    const before = await handle.describe();
    expect(before).toMatchObject({ status: 'RUNNING', runState: 'SCHEDULED', attempt: 1, activityId: id, activityRunId: handle.runId, activityType: 'echo', taskQueue });

    const echo = async (text: string) => {
      seen = Context.current().info;
      return text;
    };
    const result = await withActivityWorker(env.nativeConnection, taskQueue, () => resultWithin(handle), { echo });
    expect(result).toBe('hello');
    expect(seen).toMatchObject({ inWorkflow: false, activityId: id, activityRunId: handle.runId, activityType: 'echo', attempt: 1 });
    expect(seen?.workflowExecution).toBeUndefined();

    // Once finished, a handle from the id alone reads the same result.
    expect(await resultWithin(env.client.activity.getHandle(id))).toBe('hello');
  });

  test('when described with input and outcome, then the description has the status, attempt, timeouts, input and result', async () => {
    const taskQueue = uniqueQueue();
    const id = uniqueId('act');
    const result = await withActivityWorker(env.nativeConnection, taskQueue, () =>
      within(env.client.activity.execute('echo', { id, taskQueue, args: ['described'], startToCloseTimeout: '10s', scheduleToCloseTimeout: '1m', heartbeatTimeout: '5s' }), CLOSE_BOUND_MS, 'the echo activity did not complete'),
    );
    expect(result).toBe('described');
    const description = await env.client.activity.getHandle(id).describe({ includeInput: true, includeOutcome: true });
    expect(description).toMatchObject({
      activityId: id,
      activityType: 'echo',
      status: 'COMPLETED',
      taskQueue,
      attempt: 1,
      startToCloseTimeoutMs: 10_000,
      scheduleToCloseTimeoutMs: 60_000,
      heartbeatTimeoutMs: 5_000,
      hasInput: true,
      hasResult: true,
      hasOutcomeFailure: false,
    });
    expect(await description.getInput()).toEqual(['described']);
    expect(await description.getResult()).toBe('described');
    expect(description.lastWorkerIdentity).toBeTruthy();
    expect(description.closeTime!.getTime()).toBeGreaterThanOrEqual(description.scheduleTime!.getTime());
    expect(description.expirationTime!.getTime()).toBe(description.scheduleTime!.getTime() + 60_000);
    // Without asking, neither input nor outcome is sent.
    const bare = await env.client.activity.getHandle(id).describe();
    expect(bare.hasInput).toBe(false);
    expect(bare.hasResult).toBe(false);
  });
});

describe('retries and timeouts', () => {
  test('when every attempt fails, then it is retried with backoff until maximumAttempts and the client gets the last failure', async () => {
    const taskQueue = uniqueQueue();
    const id = uniqueId('act');
    const flaky = jest.fn(activities.flaky);
    const from = await serverNow();
    const error = await withActivityWorker(
      env.nativeConnection,
      taskQueue,
      () =>
        skippingTime(() =>
          env.client.activity
            .execute('flaky', { id, taskQueue, args: [10], startToCloseTimeout: '10s', retry: { maximumAttempts: 3, initialInterval: '1 hour', backoffCoefficient: 2 } })
            .catch((e: unknown) => e),
        ),
      { flaky },
    );
    expect(error).toBeInstanceOf(ActivityExecutionFailedError);
    const cause = (error as ActivityExecutionFailedError).cause;
    expect(cause).toBeInstanceOf(ApplicationFailure);
    expect(cause?.message).toBe('attempt 3 failed');
    expect(flaky).toHaveBeenCalledTimes(3);
    // The backoffs (1 h, then 2 h) were skipped on the virtual clock, not waited for.
    expect((await serverNow()) - from).toBeGreaterThanOrEqual(3 * HOUR);
    const description = await env.client.activity.getHandle(id).describe({ includeLastFailure: true });
    expect(description).toMatchObject({ status: 'FAILED', attempt: 3, hasLastFailure: true });
    expect((await description.getLastFailure())?.message).toBe('attempt 3 failed');
  });

  test('when an attempt fails and the next succeeds, then the result is the later attempt', async () => {
    const taskQueue = uniqueQueue();
    const result = await withActivityWorker(env.nativeConnection, taskQueue, () =>
      within(skippingTime(() => env.client.activity.execute('flaky', { id: uniqueId('act'), taskQueue, args: [2], startToCloseTimeout: '10s', retry: { maximumAttempts: 3, initialInterval: '1 hour' } })), CLOSE_BOUND_MS, 'the flaky activity did not complete'),
    );
    expect(result).toBe(2);
  });

  test('when the failure is non-retryable, then there is exactly one attempt', async () => {
    const taskQueue = uniqueQueue();
    const flaky = jest.fn(activities.flaky);
    const error = await withActivityWorker(
      env.nativeConnection,
      taskQueue,
      () => within(env.client.activity.execute('flaky', { id: uniqueId('act'), taskQueue, args: [10, 'Fatal'], startToCloseTimeout: '10s', retry: { maximumAttempts: 5, nonRetryableErrorTypes: ['Fatal'] } }), CLOSE_BOUND_MS, 'the flaky activity did not fail').catch((e: unknown) => e),
      { flaky },
    );
    expect((error as ActivityExecutionFailedError).cause?.message).toBe('attempt 1 failed');
    expect(flaky).toHaveBeenCalledTimes(1);
  });

  test('when each attempt outlives its start-to-close timeout, then it is retried after a skipped backoff and ends timed out', async () => {
    const taskQueue = uniqueQueue();
    const id = uniqueId('act');
    const slow = jest.fn(activities.slow);
    const from = await serverNow();
    const error = await withActivityWorker(
      env.nativeConnection,
      taskQueue,
      () =>
        within(skippingTime(() => env.client.activity.execute('slow', { id, taskQueue, args: [4_000], startToCloseTimeout: '1s', retry: { maximumAttempts: 2, initialInterval: '1 hour' } })), CLOSE_BOUND_MS, 'the slow activity did not time out').catch((e: unknown) => e),
      { slow },
    );
    const cause = (error as ActivityExecutionFailedError).cause;
    expect(cause).toBeInstanceOf(TimeoutFailure);
    expect((cause as TimeoutFailure).timeoutType).toBe('START_TO_CLOSE');
    expect(slow).toHaveBeenCalledTimes(2);
    expect((await serverNow()) - from).toBeGreaterThanOrEqual(HOUR + 2_000);
    expect(await env.client.activity.getHandle(id).describe()).toMatchObject({ status: 'TIMED_OUT', attempt: 2 });
  });

  test('when an attempt times out and no retry fits before schedule-to-close, then it ends timed out on that deadline', async () => {
    const taskQueue = uniqueQueue();
    const id = uniqueId('act');
    const slow = jest.fn(activities.slow);
    const error = await withActivityWorker(
      env.nativeConnection,
      taskQueue,
      () =>
        env.client.activity
          .execute('slow', { id, taskQueue, args: [3_000], startToCloseTimeout: '1s', scheduleToCloseTimeout: '1 hour', retry: { initialInterval: '2 hours' } })
          .catch((e: unknown) => e),
      { slow },
    );
    const cause = (error as ActivityExecutionFailedError).cause as TimeoutFailure;
    expect(cause).toBeInstanceOf(TimeoutFailure);
    expect(cause.timeoutType).toBe('SCHEDULE_TO_CLOSE');
    expect(cause.message).toBe('Not enough time to schedule next retry before activity ScheduleToClose timeout, giving up retrying');
    expect(slow).toHaveBeenCalledTimes(1);
    const description = await env.client.activity.getHandle(id).describe({ includeLastFailure: true });
    expect(description).toMatchObject({ status: 'TIMED_OUT', attempt: 1 });
    expect(((await description.getLastFailure()) as TimeoutFailure).timeoutType).toBe('START_TO_CLOSE');
  });

  test('when no worker takes it before schedule-to-close, then it times out without a retry', async () => {
    const id = uniqueId('act');
    // A task waiting for a worker holds the clock, as a workflow's activity does: this one runs out in real time.
    const handle = await env.client.activity.start('echo', { id, taskQueue: uniqueQueue(), args: ['x'], scheduleToCloseTimeout: '1500ms' });
    const error = await resultWithin(handle).catch((e: unknown) => e);
    const cause = (error as ActivityExecutionFailedError).cause;
    expect((cause as TimeoutFailure).timeoutType).toBe('SCHEDULE_TO_CLOSE');
    expect(await handle.describe()).toMatchObject({ status: 'TIMED_OUT', attempt: 1 });
  });
});

describe('cancel and terminate', () => {
  test('when a running activity is asked to cancel, then it learns so by heartbeat and ends cancelled', async () => {
    const taskQueue = uniqueQueue();
    const id = uniqueId('act');
    /** Heartbeats its progress until cancelled. */
    const progress = async (): Promise<string> => {
      for (;;) {
        Context.current().heartbeat('half-way');
        await sleep(50);
      }
    };
    const error = await withActivityWorker(
      env.nativeConnection,
      taskQueue,
      async () => {
        const handle = await env.client.activity.start('progress', { id, taskQueue, startToCloseTimeout: '1m', heartbeatTimeout: '2s' });
        await untilStarted(env.client, id);
        let described = await handle.describe({ includeHeartbeatDetails: true });
        await eventually(async () => (described = await handle.describe({ includeHeartbeatDetails: true })).hasHeartbeatDetails, 10_000, 'the heartbeat details');
        expect(await described.getHeartbeatDetails()).toBe('half-way');
        expect(described.lastHeartbeatTime).toBeInstanceOf(Date);
        await handle.cancel('no longer needed');
        expect((await handle.describe()).runState).toBe('CANCEL_REQUESTED');
        return resultWithin(handle).catch((e: unknown) => e);
      },
      { progress },
    );
    expect(error).toBeInstanceOf(ActivityExecutionFailedError);
    expect((error as ActivityExecutionFailedError).cause).toBeInstanceOf(CancelledFailure);
    const description = await env.client.activity.getHandle(id).describe();
    expect(description).toMatchObject({ status: 'CANCELED', canceledReason: 'no longer needed' });
  });

  test('when an activity no worker holds is asked to cancel, then it is cancelled at once; a closed one cannot be', async () => {
    const id = uniqueId('act');
    const handle = await env.client.activity.start('echo', { id, taskQueue: uniqueQueue(), args: ['x'], startToCloseTimeout: '10s' });
    await handle.cancel('changed my mind');
    const error = await resultWithin(handle).catch((e: unknown) => e);
    expect((error as ActivityExecutionFailedError).cause).toBeInstanceOf(CancelledFailure);
    expect((await handle.describe()).status).toBe('CANCELED');
    const refused = await handle.cancel('again').catch((e: unknown) => e);
    expect((refused as { cause?: { code?: number; details?: string } }).cause).toMatchObject({ code: 9, details: 'activity is in terminal state ACTIVITY_EXECUTION_STATUS_CANCELED' });
  });

  test('when a describe carries the long-poll token, then it answers only once the activity has changed', async () => {
    const id = uniqueId('act');
    const handle = await env.client.activity.start('echo', { id, taskQueue: uniqueQueue(), args: ['x'], startToCloseTimeout: '10s' });
    const first = await env.client.workflowService.describeActivityExecution({ namespace: 'default', activityId: id, runId: handle.runId });
    expect(first.longPollToken?.length).toBeGreaterThan(0);
    let answered = false;
    const waiting = env.client.workflowService
      .describeActivityExecution({ namespace: 'default', activityId: id, runId: handle.runId, longPollToken: first.longPollToken })
      .then((response) => {
        answered = true;
        return response;
      });
    await new Promise((resolve) => setTimeout(resolve, 300));
    expect(answered).toBe(false);
    await handle.terminate('changed');
    const second = await waiting;
    expect(second.info?.status).toBe(temporal.api.enums.v1.ActivityExecutionStatus.ACTIVITY_EXECUTION_STATUS_TERMINATED);
    expect(second.longPollToken?.length ?? 0).toBe(0);
  });

  test('when an activity is terminated, then it ends at once with the reason, and a second terminate is refused', async () => {
    const id = uniqueId('act');
    const handle = await env.client.activity.start('echo', { id, taskQueue: uniqueQueue(), args: ['x'], startToCloseTimeout: '10s' });
    await handle.terminate('stop it');
    const error = await resultWithin(handle).catch((e: unknown) => e);
    const cause = (error as ActivityExecutionFailedError).cause;
    expect(cause).toBeInstanceOf(TerminatedFailure);
    expect(cause?.message).toBe('stop it');
    expect((await handle.describe()).status).toBe('TERMINATED');
    const refused = await handle.terminate('again').catch((e: unknown) => e);
    expect((refused as { cause?: { code?: number } }).cause?.code).toBe(9);
  });

  test('when a worker holds a terminated activity, then its completion finds no task', async () => {
    const taskQueue = uniqueQueue();
    const id = uniqueId('act');
    const handle = await env.client.activity.start('echo', { id, taskQueue, args: ['x'], startToCloseTimeout: '10s' });
    const task = await env.client.workflowService.pollActivityTaskQueue({ namespace: 'default', taskQueue: { name: taskQueue }, identity: 'raw-worker' });
    expect(task.activityRunId).toBe(handle.runId);
    await handle.terminate('stop it');
    await expect(env.client.workflowService.respondActivityTaskCompleted({ namespace: 'default', taskToken: task.taskToken, identity: 'raw-worker' })).rejects.toMatchObject({ code: 5 });
    expect((await handle.describe()).status).toBe('TERMINATED');
  });
});

describe('ids and request ids', () => {
  test('when an id is running, then a second start fails with the running run id, or joins it with USE_EXISTING', async () => {
    const id = uniqueId('act');
    const taskQueue = uniqueQueue();
    const first = await env.client.activity.start('echo', { id, taskQueue, args: ['x'], startToCloseTimeout: '10s' });
    const error = await env.client.activity.start('echo', { id, taskQueue, args: ['y'], startToCloseTimeout: '10s' }).catch((e: unknown) => e);
    expect(error).toBeInstanceOf(ActivityExecutionAlreadyStartedError);
    expect((error as ActivityExecutionAlreadyStartedError).runId).toBe(first.runId);
    const joined = await env.client.activity.start('echo', { id, taskQueue, args: ['y'], startToCloseTimeout: '10s', idConflictPolicy: 'USE_EXISTING' });
    expect(joined.runId).toBe(first.runId);
    // A workflow may have the same id: ids of activities and of workflows are apart.
    const workflow = await env.client.workflow.start('notRunHere', { workflowId: id, taskQueue });
    await workflow.terminate('done');
    await first.terminate('done');
  });

  test('when an id is closed, then the reuse policy decides whether it starts again', async () => {
    const id = uniqueId('act');
    const taskQueue = uniqueQueue();
    const options = { id, taskQueue, args: ['x'], startToCloseTimeout: '10s' };
    const first = await env.client.activity.start('echo', options);
    await first.terminate('closed');
    await expect(env.client.activity.start('echo', { ...options, idReusePolicy: 'REJECT_DUPLICATE' })).rejects.toBeInstanceOf(ActivityExecutionAlreadyStartedError);
    // Terminated counts as failed: FAILED_ONLY allows it.
    const second = await env.client.activity.start('echo', { ...options, idReusePolicy: 'ALLOW_DUPLICATE_FAILED_ONLY' });
    expect(second.runId).not.toBe(first.runId);
    await withActivityWorker(env.nativeConnection, taskQueue, () => resultWithin(second));
    await expect(env.client.activity.start('echo', { ...options, idReusePolicy: 'ALLOW_DUPLICATE_FAILED_ONLY' })).rejects.toBeInstanceOf(ActivityExecutionAlreadyStartedError);
    const third = await env.client.activity.start('echo', options);
    expect(third.runId).not.toBe(second.runId);
    // The latest run is the one a handle without run id means; an earlier run is still there by its id.
    expect((await env.client.activity.getHandle(id).describe()).activityRunId).toBe(third.runId);
    expect((await env.client.activity.getHandle(id, first.runId).describe()).status).toBe('TERMINATED');
    await third.terminate('done');
  });

  test('when a start is retried with the same request id, then it answers the same run', async () => {
    const request = {
      namespace: 'default',
      requestId: uniqueId('req'),
      activityId: uniqueId('act'),
      activityType: { name: 'echo' },
      taskQueue: { name: uniqueQueue() },
      startToCloseTimeout: msToTs('10s'),
    };
    const first = await env.client.workflowService.startActivityExecution(request);
    const again = await env.client.workflowService.startActivityExecution(request);
    expect(first.started).toBe(true);
    expect(again.runId).toBe(first.runId);
    await expect(env.client.workflowService.startActivityExecution({ ...request, requestId: uniqueId('req') })).rejects.toMatchObject({ code: 6 });
    await expect(env.client.workflowService.startActivityExecution({ ...request, requestId: uniqueId('req'), activityId: uniqueId('act'), startToCloseTimeout: undefined })).rejects.toMatchObject({
      code: 3,
    });
    await env.client.activity.getHandle(request.activityId).terminate('done');
  });
});

describe('list and count', () => {
  test('when activities are listed and counted by a filter, then only matching activities are, and no workflows', async () => {
    const taskQueue = uniqueQueue();
    const ids = [uniqueId('act'), uniqueId('act'), uniqueId('act')];
    for (const id of ids) await env.client.activity.start(id === ids[2] ? 'slow' : 'echo', { id, taskQueue, args: ['x'], startToCloseTimeout: '10s' });
    await env.client.activity.getHandle(ids[1]).terminate('closed');

    expect((await env.client.activity.count(`TaskQueue = "${taskQueue}"`)).count).toBe(3);
    expect((await env.client.activity.count(`TaskQueue = "${taskQueue}" AND ExecutionStatus = "Running"`)).count).toBe(2);
    expect((await env.client.activity.count(`TaskQueue = "${taskQueue}" AND ActivityType = "slow"`)).count).toBe(1);
    expect((await env.client.activity.count(`ActivityId = "${ids[0]}"`)).count).toBe(1);
    const grouped = await env.client.activity.count(`TaskQueue = "${taskQueue}" GROUP BY ExecutionStatus`);
    expect(Object.fromEntries((grouped.groups ?? []).map((group) => [group.groupValues?.[0], group.count]))).toEqual({ Running: 2, Terminated: 1 });

    const listed = [];
    for await (const info of env.client.activity.list(`TaskQueue = "${taskQueue}" AND ActivityType = "echo"`)) listed.push(info);
    expect(listed.map((info) => info.activityId).sort()).toEqual([ids[0], ids[1]].sort());
    expect(listed.find((info) => info.activityId === ids[1])).toMatchObject({ status: 'TERMINATED', activityType: 'echo', taskQueue });
    expect(listed.find((info) => info.activityId === ids[1])?.closeTime).toBeInstanceOf(Date);

    // Workflows' lists and counts do not see activities, nor activities' see workflows.
    expect((await env.client.workflow.count(`TaskQueue = "${taskQueue}"`)).count).toBe(0);
    const refused = await env.client.activity.count('NoSuchAttribute = "x"').catch((e: unknown) => e);
    expect((refused as { cause?: { code?: number; details?: string } }).cause).toMatchObject({ code: 3, details: expect.stringContaining("'NoSuchAttribute' is not a valid search attribute") });
    for (const id of [ids[0], ids[2]]) await env.client.activity.getHandle(id).terminate('done');
  });
});

if (process.env.TEMPORAL_SERVER_DB !== 'file') {
  test('when the server is killed and restarted on its file, then started activities complete, one a worker held then being retried', async () => {
    const dbFilename = path.join(mkdtempSync(path.join(tmpdir(), 'standalone-')), 'temporal.db');
    const port = await freePort();
    const address = `127.0.0.1:${port}`;
    const taskQueue = uniqueQueue();
    const waiting = uniqueId('act');
    const held = uniqueId('act');
    let server = await spawnServer(port, dbFilename);
    try {
      const connection = await Connection.connect({ address });
      const client = new Client({ connection });
      const heldHandle = await client.activity.start('echo', { id: held, taskQueue, args: ['held'], startToCloseTimeout: '1s', retry: { initialInterval: '100ms' } });
      // A worker takes the first attempt and is never heard of again.
      const task = await client.workflowService.pollActivityTaskQueue({ namespace: 'default', taskQueue: { name: taskQueue }, identity: 'dies' });
      expect(task.activityRunId).toBe(heldHandle.runId);
      await client.activity.start('echo', { id: waiting, taskQueue, args: ['waited'], startToCloseTimeout: '10s' });
      await connection.close();
      await killed(server, 'the server');

      server = await spawnServer(port, dbFilename);
      const again = await Connection.connect({ address });
      const native = await NativeConnection.connect({ address });
      try {
        const client2 = new Client({ connection: again });
        const worker = await Worker.create({ connection: native, taskQueue, activities, namespace: 'default' });
        const results = await worker.runUntil(Promise.all([resultWithin(client2.activity.getHandle(held)), resultWithin(client2.activity.getHandle(waiting))]));
        expect(results).toEqual(['held', 'waited']);
        expect((await client2.activity.getHandle(held).describe()).attempt).toBe(2);
        expect((await client2.activity.getHandle(waiting).describe()).attempt).toBe(1);
      } finally {
        await native.close();
        await again.close();
      }
    } finally {
      server.kill('SIGKILL');
    }
  }, 2 * SERVER_LISTENING_BOUND_MS + EXIT_BOUND_MS + CLOSE_BOUND_MS + 15_000); // its bounds in turn (two starts, the kill, the results), and 15 s for the rest
}
