/** Signals, queries and updates through the official client, against the time-skipping server. */
import { randomUUID } from 'node:crypto';
import { QueryNotRegisteredError, WorkflowUpdateFailedError } from '@temporalio/client';
import { ApplicationFailure } from '@temporalio/common';
import type { TestWorkflowEnvironment } from '@temporalio/testing';
import { addSignal, busyTask, counter, failingQuery, finishSignal, setUpdate, slowUpdate, totalQuery } from './fixtures/workflows';
import { eventTypes, expectReplays, timeSkippingEnv, uniqueId, withWorker } from './helpers';
import { CLOSE_BOUND_MS, failureOf, resultWithin, updateWithin, within } from '../support/bounds';

let env: TestWorkflowEnvironment;

beforeAll(async () => {
  env = await timeSkippingEnv();
});

afterAll(async () => {
  await env?.teardown();
});

describe('signals', () => {
  test('when signals arrive, then the workflow sees each once and in order', async () => {
    await withWorker(env, async (taskQueue) => {
      const handle = await env.client.workflow.start(counter, { taskQueue, workflowId: uniqueId() });
      for (const n of [1, 2, 3]) await handle.signal(addSignal, n);
      await handle.signal(finishSignal);
      expect(await resultWithin(handle)).toBe(6);
      await expectReplays(handle);
    });
  });

  test('when signalWithStart targets a new id, then it starts the workflow with the signal first', async () => {
    await withWorker(env, async (taskQueue) => {
      const workflowId = uniqueId();
      const handle = await env.client.workflow.signalWithStart(counter, { taskQueue, workflowId, signal: addSignal, signalArgs: [5] });
      await env.client.workflow.signalWithStart(counter, { taskQueue, workflowId, signal: addSignal, signalArgs: [7] });
      await handle.signal(finishSignal);
      expect(await resultWithin(handle)).toBe(12);
      await expectReplays(handle);
    });
  });

  test('when a signal comes again with the request id of one that landed, then it is a no-op, even after the run has closed; a new one is refused', async () => {
    await withWorker(env, async (taskQueue) => {
      const workflowId = uniqueId();
      const handle = await env.client.workflow.start(counter, { taskQueue, workflowId });
      // What the SDK sends, and sends again when a crash lost the server's answer: the same request id.
      const finish = (requestId: string) =>
        env.client.workflowService.signalWorkflowExecution({ namespace: env.namespace ?? 'default', workflowExecution: { workflowId }, signalName: finishSignal.name, requestId });
      const landed = randomUUID();
      await finish(landed);
      await finish(landed);
      expect(await resultWithin(handle)).toBe(0);
      await finish(landed);
      await expect(finish(randomUUID())).rejects.toThrow('workflow execution already completed');
      expect((await eventTypes(handle)).filter((type) => type === 'WORKFLOW_EXECUTION_SIGNALED')).toHaveLength(1);
    });
  });
});

describe('queries', () => {
  test('when a running workflow is queried, then it answers from its current state', async () => {
    await withWorker(env, async (taskQueue) => {
      const handle = await env.client.workflow.start(counter, { taskQueue, workflowId: uniqueId() });
      await handle.signal(addSignal, 4);
      expect(await handle.query(totalQuery)).toBe(4);
      await handle.signal(finishSignal);
      await resultWithin(handle);
      await expectReplays(handle);
    });
  });

  test('when a closed workflow is queried, then it answers from the replayed history', async () => {
    await withWorker(env, async (taskQueue) => {
      const handle = await env.client.workflow.start(counter, { taskQueue, workflowId: uniqueId() });
      await handle.signal(addSignal, 9);
      await handle.signal(finishSignal);
      expect(await resultWithin(handle)).toBe(9);
      expect(await handle.query(totalQuery)).toBe(9);
      await expectReplays(handle);
    });
  });

  test('when the query name is unknown or its handler throws, then the caller gets an error', async () => {
    await withWorker(env, async (taskQueue) => {
      const handle = await env.client.workflow.start(counter, { taskQueue, workflowId: uniqueId() });
      await expect(handle.query('no-such-query')).rejects.toBeInstanceOf(QueryNotRegisteredError);
      await expect(handle.query(failingQuery)).rejects.toThrow(/query handler broke/);
      await handle.signal(finishSignal);
      await resultWithin(handle);
      await expectReplays(handle);
    });
  });

  test('when a query arrives while a workflow task is running, then it is answered after that task', async () => {
    await withWorker(env, async (taskQueue) => {
      const handle = await env.client.workflow.start(busyTask, { taskQueue, workflowId: uniqueId(), args: [1500] });
      await new Promise((resolve) => setTimeout(resolve, 300));
      await handle.signal(addSignal, 1);
      expect(await handle.query(totalQuery)).toBe(1);
      await handle.signal(addSignal, 2);
      expect(await resultWithin(handle)).toBe(3);
      await expectReplays(handle);
    });
  });
});

describe('updates', () => {
  test('when an update passes its validator, then the caller gets the handler result and the history records it', async () => {
    await withWorker(env, async (taskQueue) => {
      const handle = await env.client.workflow.start(counter, { taskQueue, workflowId: uniqueId() });
      await handle.signal(addSignal, 2);
      expect(await updateWithin(handle, setUpdate, { args: [10] })).toBe(2);
      expect(await handle.query(totalQuery)).toBe(10);
      await handle.signal(finishSignal);
      expect(await resultWithin(handle)).toBe(10);
      await expectReplays(handle);
    });
  });

  test('when the validator rejects, then the caller gets the failure and nothing is written', async () => {
    await withWorker(env, async (taskQueue) => {
      const handle = await env.client.workflow.start(counter, { taskQueue, workflowId: uniqueId() });
      const error = await failureOf(updateWithin(handle, setUpdate, { args: [-1] }));
      expect(error).toBeInstanceOf(WorkflowUpdateFailedError);
      expect((error as WorkflowUpdateFailedError).cause).toBeInstanceOf(ApplicationFailure);
      expect(((error as WorkflowUpdateFailedError).cause as ApplicationFailure).type).toBe('NegativeTotal');
      await handle.signal(finishSignal);
      expect(await resultWithin(handle)).toBe(0);
      await expectReplays(handle);
    });
  });

  test('when waiting only for ACCEPTED, then the handle returns early and its result comes later', async () => {
    await withWorker(env, async (taskQueue) => {
      const handle = await env.client.workflow.start(counter, { taskQueue, workflowId: uniqueId() });
      const update = await within(handle.startUpdate(slowUpdate, { args: ['done'], waitForStage: 'ACCEPTED', updateId: 'slow-1' }), CLOSE_BOUND_MS, 'the slow update was not accepted');
      expect(update.updateId).toBe('slow-1');
      // Time only skips while unlocked: env.sleep lets the handler's hour-long timer fire at once.
      await env.sleep('2 hours');
      expect(await within(update.result(), CLOSE_BOUND_MS, 'the slow update did not finish after its timer')).toBe('DONE');
      // The same update id again attaches to the finished update instead of running it twice.
      expect(await updateWithin(handle, slowUpdate, { args: ['again'], updateId: 'slow-1' })).toBe('DONE');
      await handle.signal(finishSignal);
      await resultWithin(handle);
      await expectReplays(handle);
    });
  });
});
