/**
 * Workflow-task and activity-task semantics: failures, timeouts, stickiness, buffering, retries,
 * heartbeats and cancellation. Where a misbehaving worker is needed, the test plays it through the
 * client's raw WorkflowService, and a real worker then finishes the run.
 */
import { ActivityFailure, ApplicationFailure } from '@temporalio/common';
import { msToTs } from '@temporalio/common/lib/time';
import { temporal } from '@temporalio/proto';
import type { TestWorkflowEnvironment } from '@temporalio/testing';
import * as activities from './fixtures/activities';
import { activityTimeout, addSignal, cancelsActivity, cancelsUnstartedActivityAndSleeps, counter, finishSignal, heartbeatsResume, retriesActivity, totalQuery } from './fixtures/workflows';
import { eventTypes, expectReplays, timeSkippingEnv, uniqueId, uniqueQueue, withWorker } from './helpers';
import { WorkflowFailedError } from '@temporalio/client';
import { resultWithin } from '../support/bounds';

/** A run whose sticky worker is gone reaches a worker on the normal queue within this: its 1 s sticky timeout waited out, or none when the worker shut down. */
const MAX_HANDOVER_MS = 10_000;

let env: TestWorkflowEnvironment;

beforeAll(async () => {
  env = await timeSkippingEnv();
});

afterAll(async () => {
  await env?.teardown();
});

/** Takes the next workflow task from `taskQueue` as a worker would, without running any workflow code. */
async function pollWorkflowTask(taskQueue: string) {
  const task = await env.client.workflowService.pollWorkflowTaskQueue({ namespace: 'default', taskQueue: { name: taskQueue }, identity: 'raw-test-worker' });
  expect(task.taskToken?.length).toBeGreaterThan(0);
  return task;
}

describe('workflow tasks', () => {
  test('when a workflow task fails, then it is retried on the normal queue with the attempt counted', async () => {
    const taskQueue = uniqueQueue();
    const handle = await env.client.workflow.start(counter, { taskQueue, workflowId: uniqueId() });
    const task = await pollWorkflowTask(taskQueue);
    await env.client.workflowService.respondWorkflowTaskFailed({
      namespace: 'default',
      taskToken: task.taskToken,
      cause: 'WORKFLOW_TASK_FAILED_CAUSE_WORKFLOW_WORKER_UNHANDLED_FAILURE' as never,
      failure: { message: 'worker crashed' },
      identity: 'raw-test-worker',
    });
    await withWorker(env, async () => {
      await handle.signal(addSignal, 5);
      await handle.signal(finishSignal);
      expect(await resultWithin(handle)).toBe(5);
    }, { taskQueue });
    const types = await eventTypes(handle);
    expect(types.slice(0, 5)).toEqual(['WORKFLOW_EXECUTION_STARTED', 'WORKFLOW_TASK_SCHEDULED', 'WORKFLOW_TASK_STARTED', 'WORKFLOW_TASK_FAILED', 'WORKFLOW_TASK_SCHEDULED']);
    const history = await handle.fetchHistory();
    expect(history.events?.[4].workflowTaskScheduledEventAttributes?.attempt).toBe(2);
    await expectReplays(handle);
  });

  test('when a worker takes a workflow task and goes silent, then the task times out and another worker gets it', async () => {
    const taskQueue = uniqueQueue();
    const handle = await env.client.workflow.start(counter, { taskQueue, workflowId: uniqueId(), workflowTaskTimeout: '1s' });
    await pollWorkflowTask(taskQueue);
    await withWorker(env, async () => {
      await handle.signal(addSignal, 2);
      await handle.signal(finishSignal);
      expect(await resultWithin(handle)).toBe(2);
    }, { taskQueue });
    const types = await eventTypes(handle);
    expect(types[3]).toBe('WORKFLOW_TASK_TIMED_OUT');
    await expectReplays(handle);
  });

  test('when events arrive while a task runs, then they are buffered and written after its completion', async () => {
    const taskQueue = uniqueQueue();
    const handle = await env.client.workflow.start(counter, { taskQueue, workflowId: uniqueId() });
    const task = await pollWorkflowTask(taskQueue);
    await handle.signal(addSignal, 1);
    await handle.signal(addSignal, 2);
    await env.client.workflowService.respondWorkflowTaskCompleted({ namespace: 'default', taskToken: task.taskToken, commands: [], identity: 'raw-test-worker' });
    expect((await eventTypes(handle)).slice(3)).toEqual([
      'WORKFLOW_TASK_COMPLETED',
      'WORKFLOW_EXECUTION_SIGNALED',
      'WORKFLOW_EXECUTION_SIGNALED',
      'WORKFLOW_TASK_SCHEDULED',
    ]);
    await withWorker(env, async () => {
      await handle.signal(finishSignal);
      expect(await resultWithin(handle)).toBe(3);
    }, { taskQueue });
    await expectReplays(handle);
  });

  test('when the sticky worker never polls, then after the sticky timeout the task goes to the normal queue', async () => {
    const taskQueue = uniqueQueue();
    const handle = await env.client.workflow.start(counter, { taskQueue, workflowId: uniqueId() });
    const task = await pollWorkflowTask(taskQueue);
    await env.client.workflowService.respondWorkflowTaskCompleted({
      namespace: 'default',
      taskToken: task.taskToken,
      commands: [],
      identity: 'raw-test-worker',
      stickyAttributes: { workerTaskQueue: { name: `${taskQueue}-dead-sticky`, kind: 2 }, scheduleToStartTimeout: msToTs('1s') },
    });
    await handle.signal(addSignal, 4);
    const started = Date.now();
    await withWorker(env, async () => {
      expect(await handle.query(totalQuery)).toBe(4);
      await handle.signal(finishSignal);
      expect(await resultWithin(handle)).toBe(4);
    }, { taskQueue });
    expect(Date.now() - started).toBeLessThan(MAX_HANDOVER_MS);
    await expectReplays(handle);
  });

  test('when a worker shuts down, then its sticky runs go straight to the next worker on the normal queue', async () => {
    const taskQueue = uniqueQueue();
    const handle = await env.client.workflow.start(counter, { taskQueue, workflowId: uniqueId() });
    await withWorker(env, async () => {
      await handle.signal(addSignal, 1);
      expect(await handle.query(totalQuery)).toBe(1);
    }, { taskQueue, stickyQueueScheduleToStartTimeout: '1 minute' });
    const started = Date.now();
    await withWorker(env, async () => {
      await handle.signal(addSignal, 2);
      expect(await handle.query(totalQuery)).toBe(3);
      await handle.signal(finishSignal);
      expect(await resultWithin(handle)).toBe(3);
    }, { taskQueue });
    // Without ShutdownWorker clearing stickiness this would wait out the one-minute sticky timeout.
    expect(Date.now() - started).toBeLessThan(MAX_HANDOVER_MS);
    await expectReplays(handle);
  });
});

describe('activities', () => {
  test('when an activity fails twice, then it is retried with backoff and the history records only the last attempt', async () => {
    const flaky = jest.fn(activities.flaky);
    await withWorker(env, async (taskQueue) => {
      const handle = await env.client.workflow.start(retriesActivity, { taskQueue, workflowId: uniqueId(), args: [3, 5] });
      expect(await resultWithin(handle)).toBe(3);
      expect(flaky).toHaveBeenCalledTimes(3);
      const history = await handle.fetchHistory();
      const started = history.events?.filter((event) => event.activityTaskStartedEventAttributes) ?? [];
      expect(started).toHaveLength(1);
      expect(started[0].activityTaskStartedEventAttributes?.attempt).toBe(3);
      await expectReplays(handle);
    }, { activities: { ...activities, flaky } });
  });

  test('when attempts run out, then the workflow sees the last failure', async () => {
    await withWorker(env, async (taskQueue) => {
      const handle = await env.client.workflow.start(retriesActivity, { taskQueue, workflowId: uniqueId(), args: [10, 2] });
      const error = await resultWithin(handle).catch((e: unknown) => e);
      expect(error).toBeInstanceOf(WorkflowFailedError);
      const cause = (error as WorkflowFailedError).cause;
      expect(cause).toBeInstanceOf(ActivityFailure);
      expect((cause as ActivityFailure).cause?.message).toBe('attempt 2 failed');
      await expectReplays(handle);
    });
  });

  test('when the error type is non-retryable, then there is exactly one attempt', async () => {
    const flaky = jest.fn(activities.flaky);
    await withWorker(env, async (taskQueue) => {
      const handle = await env.client.workflow.start(retriesActivity, { taskQueue, workflowId: uniqueId(), args: [10, 5, ['Fatal']] });
      const error = await resultWithin(handle).catch((e: unknown) => e);
      expect(((error as WorkflowFailedError).cause as ActivityFailure).cause).toBeInstanceOf(ApplicationFailure);
      expect(flaky).toHaveBeenCalledTimes(1);
      await expectReplays(handle);
    }, { activities: { ...activities, flaky } });
  });

  test('when an activity heartbeats details and fails, then the retry resumes from the last details', async () => {
    await withWorker(env, async (taskQueue) => {
      const handle = await env.client.workflow.start(heartbeatsResume, { taskQueue, workflowId: uniqueId() });
      expect(await resultWithin(handle)).toEqual({ resumedFrom: 6, attempt: 2 });
      await expectReplays(handle);
    });
  });

  test.each([
    ['startToClose', 'TIMEOUT_TYPE_START_TO_CLOSE'],
    ['scheduleToClose', 'TIMEOUT_TYPE_SCHEDULE_TO_CLOSE'],
    ['heartbeat', 'TIMEOUT_TYPE_HEARTBEAT'],
    ['scheduleToStart', 'TIMEOUT_TYPE_SCHEDULE_TO_START'],
  ] as const)('when the %s timeout passes, then the workflow sees a timeout failure of that type', async (kind, expected) => {
    await withWorker(env, async (taskQueue) => {
      const handle = await env.client.workflow.start(activityTimeout, { taskQueue, workflowId: uniqueId(), args: [kind, 5_000] });
      expect(await resultWithin(handle)).toMatch(/^TimeoutFailure/);
      const history = await handle.fetchHistory();
      const timedOut = history.events?.find((event) => event.activityTaskTimedOutEventAttributes);
      const type = timedOut?.activityTaskTimedOutEventAttributes?.failure?.timeoutFailureInfo?.timeoutType;
      expect(temporal.api.enums.v1.TimeoutType[type as number]).toBe(expected);
      await expectReplays(handle);
    });
  });

  test('when a never-started activity is cancelled alongside another command, then every event of that task is written before the next task starts', async () => {
    await withWorker(env, async (taskQueue) => {
      const handle = await env.client.workflow.start(cancelsUnstartedActivityAndSleeps, { taskQueue, workflowId: uniqueId() });
      expect(await resultWithin(handle)).toBe('slept after cancelling');
      const types = await eventTypes(handle);
      const cancelled = types.indexOf('ACTIVITY_TASK_CANCELED');
      const nextTimer = types.lastIndexOf('TIMER_STARTED');
      expect(types.indexOf('ACTIVITY_TASK_CANCEL_REQUESTED')).toBeGreaterThan(-1);
      expect(cancelled).toBeGreaterThan(-1);
      // The timer the same task asked for comes before the task its cancellation caused.
      expect(types.slice(cancelled, nextTimer + 1)).not.toContain('WORKFLOW_TASK_STARTED');
      await expectReplays(handle);
    });
  });

  test('when the workflow cancels a running activity, then the activity learns it by heartbeat and the cancellation is recorded', async () => {
    await withWorker(env, async (taskQueue) => {
      const handle = await env.client.workflow.start(cancelsActivity, { taskQueue, workflowId: uniqueId() });
      expect(await resultWithin(handle)).toBe('cancelled');
      const types = await eventTypes(handle);
      expect(types).toContain('ACTIVITY_TASK_CANCEL_REQUESTED');
      expect(types).toContain('ACTIVITY_TASK_CANCELED');
      await expectReplays(handle);
    });
  });
});
