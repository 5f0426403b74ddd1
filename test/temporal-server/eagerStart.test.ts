/**
 * Eager workflow start: a start with `requestEagerExecution` (the SDK's `requestEagerStart`, with a
 * worker on the client's NativeConnection) gets the run's first workflow task back in its response,
 * already started, as the real server hands it; the history is the usual one and replays.
 */
import { randomUUID } from 'node:crypto';
import { Client } from '@temporalio/client';
import Long from 'long';
import type { TestWorkflowEnvironment } from '@temporalio/testing';
import { returnsInput } from './fixtures/workflows';
import { eventTypes, expectReplays, localEnv, uniqueId, uniqueQueue, withWorker } from './helpers';
import { resultWithin } from '../support/bounds';

let env: TestWorkflowEnvironment;

beforeAll(async () => {
  env = await localEnv();
});

afterAll(async () => {
  await env?.teardown();
});

test('when a start asks for eager execution beside a worker, then the worker gets the first task from the start itself', async () => {
  const client = new Client({ connection: env.nativeConnection, namespace: env.namespace ?? 'default' });
  await withWorker(env, async (taskQueue) => {
    const handle = await client.workflow.start(returnsInput, { taskQueue, workflowId: uniqueId('eager'), args: ['eager'], requestEagerStart: true });
    expect(handle.eagerlyStarted).toBe(true);
    expect(await resultWithin(handle)).toBe('eager');
    expect(await eventTypes(handle)).toEqual(['WORKFLOW_EXECUTION_STARTED', 'WORKFLOW_TASK_SCHEDULED', 'WORKFLOW_TASK_STARTED', 'WORKFLOW_TASK_COMPLETED', 'WORKFLOW_EXECUTION_COMPLETED']);
    await expectReplays(handle);

    const plain = await client.workflow.start(returnsInput, { taskQueue, workflowId: uniqueId('not-eager'), args: ['plain'] });
    expect(plain.eagerlyStarted).toBe(false);
    expect(await resultWithin(plain)).toBe('plain');
  });
});

test('when a start asks for eager execution, then the response holds the started task, unless the start is delayed', async () => {
  const service = env.client.workflowService;
  const request = (workflowId: string) => ({
    namespace: 'default',
    workflowId,
    workflowType: { name: 'returnsInput' },
    taskQueue: { name: uniqueQueue() },
    requestId: randomUUID(),
    identity: 'eager-test-worker',
    requestEagerExecution: true,
  });
  const eagerId = uniqueId('eager-raw');
  const eager = await service.startWorkflowExecution(request(eagerId));
  const task = eager.eagerWorkflowTask;
  expect(task?.workflowExecution).toMatchObject({ workflowId: eagerId, runId: eager.runId });
  expect(task?.taskToken?.length).toBeGreaterThan(0);
  expect(task?.history?.events?.map((event) => Number(event.eventId))).toEqual([1, 2, 3]);
  expect(task?.history?.events?.[2].workflowTaskStartedEventAttributes?.identity).toBe('eager-test-worker');
  // The task is with the starter, not on the queue: describe shows it started.
  const described = await service.describeWorkflowExecution({ namespace: 'default', execution: { workflowId: eagerId } });
  expect(described.pendingWorkflowTask?.state).toBe(2); // PENDING_WORKFLOW_TASK_STATE_STARTED
  await env.client.workflow.getHandle(eagerId).terminate();

  const delayedId = uniqueId('eager-delayed');
  const delayed = await service.startWorkflowExecution({ ...request(delayedId), workflowStartDelay: { seconds: Long.fromNumber(60) } });
  expect(delayed.eagerWorkflowTask).toBeNull();
  await env.client.workflow.getHandle(delayedId).terminate();
});
