/** Starting, finding, cancelling and terminating workflows; ids, policies, namespaces, visibility. */
import { randomUUID } from 'node:crypto';
import { status } from '@grpc/grpc-js';
import { WorkflowFailedError, WorkflowNotFoundError } from '@temporalio/client';
import { CancelledFailure, TerminatedFailure, TimeoutFailure, WorkflowExecutionAlreadyStartedError } from '@temporalio/common';
import type { TestWorkflowEnvironment } from '@temporalio/testing';
import { activityThenSleep, clockAroundSleep, returnsInput, sleepsForever, timerCancel, upsertsMemo, waitsForCancel } from './fixtures/workflows';
import { DAY, eventTypes, expectReplays, MAX_SKIPPED_SLEEP_MS, timeSkippingEnv, uniqueId, uniqueQueue, withWorker } from './helpers';
import { CLOSE_BOUND_MS, resultWithin, within } from '../support/bounds';

let env: TestWorkflowEnvironment;

beforeAll(async () => {
  env = await timeSkippingEnv();
});

afterAll(async () => {
  await env?.teardown();
});

describe('time skipping', () => {
  test('when a workflow sleeps 60 days, then it completes at once and workflow time moves 60 days', async () => {
    await withWorker(env, async (taskQueue) => {
      const started = Date.now();
      const handle = await env.client.workflow.start(activityThenSleep, { taskQueue, workflowId: uniqueId(), args: ['ana', 60] });
      expect(await resultWithin(handle)).toBe('hello ana after 60 days');
      expect(Date.now() - started).toBeLessThan(MAX_SKIPPED_SLEEP_MS);
      await expectReplays(handle);
    });
  });

  test('when the workflow reads its clock around a sleep, then it sees the skipped time', async () => {
    await withWorker(env, async (taskQueue) => {
      const handle = await env.client.workflow.start(clockAroundSleep, { taskQueue, workflowId: uniqueId(), args: [30 * DAY] });
      const [before, after] = await resultWithin(handle);
      expect(after - before).toBeGreaterThanOrEqual(30 * DAY);
      await expectReplays(handle);
    });
  });

  test('when the test sleeps, then server time moves by that much', async () => {
    const before = await env.currentTimeMs();
    await env.sleep('3 days');
    const after = await env.currentTimeMs();
    expect(after - before).toBeGreaterThanOrEqual(3 * DAY);
    expect(after - before).toBeLessThan(3 * DAY + 60_000);
  });

  test('when a timer is cancelled, then it never fires and the history says so', async () => {
    await withWorker(env, async (taskQueue) => {
      const handle = await env.client.workflow.start(timerCancel, { taskQueue, workflowId: uniqueId() });
      expect(await resultWithin(handle)).toBe('cancelled');
      const types = await eventTypes(handle);
      expect(types).toContain('TIMER_CANCELED');
      expect(types.filter((type) => type === 'TIMER_FIRED')).toHaveLength(1);
      await expectReplays(handle);
    });
  });

  test('when the run timeout passes, then the workflow times out', async () => {
    await withWorker(env, async (taskQueue) => {
      const handle = await env.client.workflow.start(sleepsForever, { taskQueue, workflowId: uniqueId(), workflowRunTimeout: '2 days' });
      const error = await resultWithin(handle).catch((e: unknown) => e);
      expect(error).toBeInstanceOf(WorkflowFailedError);
      expect((error as WorkflowFailedError).cause).toBeInstanceOf(TimeoutFailure);
      expect((await handle.describe()).status.name).toBe('TIMED_OUT');
      await expectReplays(handle);
    });
  });
});

describe('cancel and terminate', () => {
  test('when a workflow is cancelled, then it sees the cancellation and completes cleanly', async () => {
    await withWorker(env, async (taskQueue) => {
      const handle = await env.client.workflow.start(waitsForCancel, { taskQueue, workflowId: uniqueId() });
      await handle.cancel();
      expect(await resultWithin(handle)).toBe('cancelled');
      expect(await eventTypes(handle)).toContain('WORKFLOW_EXECUTION_CANCEL_REQUESTED');
      // As on the real server, cancelling a closed run succeeds and writes nothing.
      const closed = await eventTypes(handle);
      await handle.cancel();
      expect(await eventTypes(handle)).toEqual(closed);
      await expectReplays(handle);
    });
  });

  test('when a workflow does not catch cancellation, then it ends CANCELED', async () => {
    await withWorker(env, async (taskQueue) => {
      const handle = await env.client.workflow.start(sleepsForever, { taskQueue, workflowId: uniqueId() });
      await handle.cancel();
      const error = await resultWithin(handle).catch((e: unknown) => e);
      expect((error as WorkflowFailedError).cause).toBeInstanceOf(CancelledFailure);
      expect((await handle.describe()).status.name).toBe('CANCELLED');
      await expectReplays(handle);
    });
  });

  test('when a workflow is terminated, then it ends TERMINATED with the reason, and signalling it is refused', async () => {
    await withWorker(env, async (taskQueue) => {
      const handle = await env.client.workflow.start(sleepsForever, { taskQueue, workflowId: uniqueId() });
      await handle.terminate('enough');
      const error = await resultWithin(handle).catch((e: unknown) => e);
      expect((error as WorkflowFailedError).cause).toBeInstanceOf(TerminatedFailure);
      expect((error as WorkflowFailedError).cause?.message).toBe('enough');
      expect((await handle.describe()).status.name).toBe('TERMINATED');
      await expect(handle.signal('anything')).rejects.toBeInstanceOf(WorkflowNotFoundError);
      await expectReplays(handle);
    });
  });
});

describe('starting', () => {
  test('when the same id is started twice while running, then the second start fails, unless the policy says otherwise', async () => {
    await withWorker(env, async (taskQueue) => {
      const workflowId = uniqueId();
      const first = await env.client.workflow.start(sleepsForever, { taskQueue, workflowId });
      await expect(env.client.workflow.start(sleepsForever, { taskQueue, workflowId })).rejects.toBeInstanceOf(WorkflowExecutionAlreadyStartedError);
      const existing = await env.client.workflow.start(sleepsForever, { taskQueue, workflowId, workflowIdConflictPolicy: 'USE_EXISTING' });
      expect(existing.firstExecutionRunId).toBe(first.firstExecutionRunId);
      const replacement = await env.client.workflow.start(sleepsForever, { taskQueue, workflowId, workflowIdConflictPolicy: 'TERMINATE_EXISTING' });
      expect(replacement.firstExecutionRunId).not.toBe(first.firstExecutionRunId);
      const firstRun = env.client.workflow.getHandle(workflowId, first.firstExecutionRunId);
      expect((await firstRun.describe()).status.name).toBe('TERMINATED');
      await replacement.terminate();
      await expectReplays(firstRun);
    });
  });

  test('when an id is reused after completion, then the reuse policy decides', async () => {
    await withWorker(env, async (taskQueue) => {
      const workflowId = uniqueId();
      await within(env.client.workflow.execute(returnsInput, { taskQueue, workflowId, args: [1] }), CLOSE_BOUND_MS, 'the first run did not complete');
      await expect(
        env.client.workflow.start(returnsInput, { taskQueue, workflowId, args: [2], workflowIdReusePolicy: 'REJECT_DUPLICATE' }),
      ).rejects.toBeInstanceOf(WorkflowExecutionAlreadyStartedError);
      await expect(
        env.client.workflow.start(returnsInput, { taskQueue, workflowId, args: [2], workflowIdReusePolicy: 'ALLOW_DUPLICATE_FAILED_ONLY' }),
      ).rejects.toBeInstanceOf(WorkflowExecutionAlreadyStartedError);
      expect(await within(env.client.workflow.execute(returnsInput, { taskQueue, workflowId, args: [3], workflowIdReusePolicy: 'ALLOW_DUPLICATE' }), CLOSE_BOUND_MS, 'the reusing run did not complete')).toBe(3);
    });
  });

  test('when a start is retried with the same request id, then it returns the same run', async () => {
    const workflowId = uniqueId();
    const request = {
      namespace: 'default',
      workflowId,
      workflowType: { name: 'sleepsForever' },
      taskQueue: { name: uniqueQueue() },
      requestId: randomUUID(),
    };
    const first = await env.client.workflowService.startWorkflowExecution(request);
    const again = await env.client.workflowService.startWorkflowExecution(request);
    expect(again.runId).toBe(first.runId);
    await env.client.workflow.getHandle(workflowId).terminate();
  });

  test('when memo and search attributes are given, then describe returns them, and a memo upsert shows too', async () => {
    await withWorker(env, async (taskQueue) => {
      const handle = await env.client.workflow.start(upsertsMemo, {
        taskQueue,
        workflowId: uniqueId(),
        memo: { owner: 'team-a', note: 'original' },
        searchAttributes: { CustomKeywordField: ['blue'] },
      });
      await resultWithin(handle);
      const description = await handle.describe();
      expect(description.memo).toEqual({ owner: 'team-a', note: 'changed' });
      expect(description.searchAttributes.CustomKeywordField).toEqual(['blue']);
      await expectReplays(handle);
    });
  });
});

describe('describe and list', () => {
  test('when a workflow is described, then type, queue, status, times and history length are right', async () => {
    await withWorker(env, async (taskQueue) => {
      const handle = await env.client.workflow.start(returnsInput, { taskQueue, workflowId: uniqueId(), args: ['x'] });
      await resultWithin(handle);
      const description = await handle.describe();
      expect(description.type).toBe('returnsInput');
      expect(description.taskQueue).toBe(taskQueue);
      expect(description.status.name).toBe('COMPLETED');
      expect(description.closeTime).toBeInstanceOf(Date);
      expect(description.historyLength).toBe((await handle.fetchHistory()).events?.length);
    });
  });

  test('when listing by type, id and status joined by AND, then exactly the matching runs come back', async () => {
    await withWorker(env, async (taskQueue) => {
      const done = await env.client.workflow.start(returnsInput, { taskQueue, workflowId: uniqueId('list'), args: [1] });
      await resultWithin(done);
      const running = await env.client.workflow.start(sleepsForever, { taskQueue, workflowId: uniqueId('list') });
      const ids = async (query: string) => {
        const out: string[] = [];
        for await (const info of env.client.workflow.list({ query })) out.push(info.workflowId);
        return out;
      };
      expect(await ids(`WorkflowId = '${done.workflowId}'`)).toEqual([done.workflowId]);
      expect(await ids(`WorkflowType = 'sleepsForever' AND ExecutionStatus = 'Running' AND WorkflowId = "${running.workflowId}"`)).toEqual([running.workflowId]);
      expect(await ids(`WorkflowType = 'returnsInput' AND ExecutionStatus = 'Running' AND WorkflowId = '${done.workflowId}'`)).toEqual([]);
      const unsupported = await ids(`StartTime > '2020-01-01'`).catch((e: unknown) => e);
      expect((unsupported as { cause?: unknown }).cause).toMatchObject({ code: status.INVALID_ARGUMENT, details: expect.stringMatching(/invalid query: invalid expression: unable to parse datetime '2020-01-01'/) });
      await running.terminate();
    });
  });
});

describe('namespaces and unknown calls', () => {
  test('when a call names an unknown namespace, then it is NOT_FOUND', async () => {
    await expect(env.client.workflowService.describeNamespace({ namespace: 'no-such-namespace' })).rejects.toMatchObject({ code: status.NOT_FOUND });
    const described = await env.client.workflowService.describeNamespace({ namespace: 'default' });
    expect(described.namespaceInfo?.name).toBe('default');
  });

  test('when a call is not implemented, then it answers UNIMPLEMENTED at once with a clear message', async () => {
    const error = await env.client.workflowService.listBatchOperations({ namespace: 'default' }).catch((e: unknown) => e);
    expect(error).toMatchObject({ code: status.UNIMPLEMENTED });
    expect((error as Error).message).toMatch(/ListBatchOperations is not implemented by the embedded Temporal server/);
  });
});
