/**
 * Continue-as-new, child workflows and external signals/cancels, in real time (dev-server form),
 * each history replayed. The history events are the real server's: ChildWorkflowExecution*,
 * SignalExternalWorkflowExecution*, RequestCancelExternalWorkflowExecution*, ContinuedAsNew.
 */
import { WithStartWorkflowOperation, WorkflowFailedError } from '@temporalio/client';
import type { TestWorkflowEnvironment } from '@temporalio/testing';
import { addSignal, cancelsOther, countsDownAsNew, parent, parentLeavesChild, parentStartsTwice, signalsOther, sleepsForever, counter, waitsForCancel, finishSignal, setUpdate } from './fixtures/workflows';
import { eventTypes, expectReplays, localEnv, uniqueId, withWorker } from './helpers';
import { CLOSE_BOUND_MS, eventually, resultWithin, within } from '../support/bounds';

let env: TestWorkflowEnvironment;

beforeAll(async () => {
  env = await localEnv();
});

afterAll(async () => {
  await env?.teardown();
});

test('when a workflow continues as new, then result, signals by id, describe and list follow the chain', async () => {
  await withWorker(env, async (taskQueue) => {
    const workflowId = uniqueId('can');
    const handle = await env.client.workflow.start(countsDownAsNew, { taskQueue, workflowId, args: [3, 0] });
    // Three continue-as-new hops: the run the id names now is the fourth, waiting for a signal.
    const continued = async () => {
      let n = 0;
      for await (const run of env.client.workflow.list({ query: `WorkflowId = '${workflowId}' AND ExecutionStatus = 'ContinuedAsNew'` })) n += run ? 1 : 0;
      return n;
    };
    await eventually(async () => (await continued()) === 3, 10_000, 'three continue-as-new hops');
    await env.client.workflow.getHandle(workflowId).signal(addSignal, 100);
    expect(await resultWithin(handle)).toBe(3 + 2 + 1 + 100);

    const first = env.client.workflow.getHandle(workflowId, handle.firstExecutionRunId);
    expect((await first.describe()).status.name).toBe('CONTINUED_AS_NEW');
    expect(await eventTypes(first)).toContain('WORKFLOW_EXECUTION_CONTINUED_AS_NEW');
    const latest = await env.client.workflow.getHandle(workflowId).describe();
    expect(latest.status.name).toBe('COMPLETED');
    expect(latest.runId).not.toBe(handle.firstExecutionRunId);
    const runs = [];
    for await (const run of env.client.workflow.list({ query: `WorkflowId = '${workflowId}'` })) runs.push(run.status.name);
    expect(runs.sort()).toEqual(['COMPLETED', 'CONTINUED_AS_NEW', 'CONTINUED_AS_NEW', 'CONTINUED_AS_NEW']);
    await expectReplays(first);
    await expectReplays(env.client.workflow.getHandle(workflowId));
  });
});

test('when a parent runs children, then their results and failures come back to it', async () => {
  await withWorker(env, async (taskQueue) => {
    const handle = await env.client.workflow.start(parent, { taskQueue, workflowId: uniqueId('parent'), args: [[1, -1, 5]] });
    expect(await resultWithin(handle)).toEqual(['2', 'failed: child refused -1', '10']);
    const types = await eventTypes(handle);
    expect(types.filter((type) => type === 'START_CHILD_WORKFLOW_EXECUTION_INITIATED')).toHaveLength(3);
    expect(types.filter((type) => type === 'CHILD_WORKFLOW_EXECUTION_STARTED')).toHaveLength(3);
    expect(types.filter((type) => type === 'CHILD_WORKFLOW_EXECUTION_COMPLETED')).toHaveLength(2);
    expect(types.filter((type) => type === 'CHILD_WORKFLOW_EXECUTION_FAILED')).toHaveLength(1);
    const childRun = await env.client.workflow.getHandle(`${handle.workflowId}-child-0`).describe();
    expect(childRun.parentExecution?.workflowId).toBe(handle.workflowId);
    await expectReplays(handle);
  });
});

test('when a parent closes, then its running children are terminated, asked to cancel, or left, by their policy', async () => {
  await withWorker(env, async (taskQueue) => {
    for (const [policy, expected] of [
      ['TERMINATE', 'TERMINATED'],
      ['ABANDON', 'RUNNING'],
      ['REQUEST_CANCEL', 'CANCELLED'],
    ] as const) {
      const handle = await env.client.workflow.start(parentLeavesChild, { taskQueue, workflowId: uniqueId(`close-${policy}`), args: [policy] });
      const childId = await resultWithin(handle);
      const childHandle = env.client.workflow.getHandle(childId);
      await eventually(async () => (await childHandle.describe()).status.name === expected, 10_000, `the ${policy} child ${expected}`);
      expect((await childHandle.describe()).status.name).toBe(expected);
      if (expected === 'RUNNING') await childHandle.terminate('test done');
      await expectReplays(handle);
    }
  });
});

test('when a child id is already running, then the second start fails in the workflow, not by hanging', async () => {
  await withWorker(env, async (taskQueue) => {
    const handle = await env.client.workflow.start(parentStartsTwice, { taskQueue, workflowId: uniqueId('twice') });
    expect(await resultWithin(handle)).toBe('WorkflowExecutionAlreadyStartedError');
    expect(await eventTypes(handle)).toContain('START_CHILD_WORKFLOW_EXECUTION_FAILED');
    await expectReplays(handle);
  });
});

test('when a workflow signals another by id, then the target sees it once; an unknown target fails the signal', async () => {
  await withWorker(env, async (taskQueue) => {
    const target = await env.client.workflow.start(counter, { taskQueue, workflowId: uniqueId('target') });
    const sender = await env.client.workflow.start(signalsOther, { taskQueue, workflowId: uniqueId('sender'), args: [target.workflowId, 7] });
    expect(await resultWithin(sender)).toBe('signalled');
    await target.signal(finishSignal);
    expect(await resultWithin(target)).toBe(7);
    expect(await eventTypes(sender)).toEqual(expect.arrayContaining(['SIGNAL_EXTERNAL_WORKFLOW_EXECUTION_INITIATED', 'EXTERNAL_WORKFLOW_EXECUTION_SIGNALED']));

    const lost = await env.client.workflow.start(signalsOther, { taskQueue, workflowId: uniqueId('sender'), args: [uniqueId('nobody'), 1] });
    expect(await resultWithin(lost)).toMatch(/^failed: /);
    expect(await eventTypes(lost)).toContain('SIGNAL_EXTERNAL_WORKFLOW_EXECUTION_FAILED');
    await Promise.all([expectReplays(sender), expectReplays(lost), expectReplays(target)]);
  });
});

test('when a workflow asks another to cancel, then the target sees the request; an unknown target fails it', async () => {
  await withWorker(env, async (taskQueue) => {
    const target = await env.client.workflow.start(waitsForCancel, { taskQueue, workflowId: uniqueId('target') });
    const canceller = await env.client.workflow.start(cancelsOther, { taskQueue, workflowId: uniqueId('canceller'), args: [target.workflowId] });
    expect(await resultWithin(canceller)).toBe('cancel requested');
    expect(await resultWithin(target)).toBe('cancelled');
    const lost = await env.client.workflow.start(cancelsOther, { taskQueue, workflowId: uniqueId('canceller'), args: [uniqueId('nobody')] });
    expect(await resultWithin(lost)).toMatch(/^failed: /);
    expect(await eventTypes(lost)).toContain('REQUEST_CANCEL_EXTERNAL_WORKFLOW_EXECUTION_FAILED');
    await Promise.all([expectReplays(canceller), expectReplays(lost), expectReplays(target)]);
  });
});

test('a workflow that fails is reported as failed', async () => {
  // Guards the helper used above: a failure of the workflow itself is not mistaken for a result.
  await withWorker(env, async (taskQueue) => {
    const handle = await env.client.workflow.start(sleepsForever, { taskQueue, workflowId: uniqueId('sleeper') });
    await handle.terminate('done');
    await expect(resultWithin(handle)).rejects.toBeInstanceOf(WorkflowFailedError);
  });
});

test('when an update is sent with start, then the first call starts the workflow and a second reuses it; the new run\'s first workflow task carries the update, as the real server\'s does', async () => {
  await withWorker(env, async (taskQueue) => {
    const workflowId = uniqueId('uws');
    const startOperation = () => new WithStartWorkflowOperation(counter, { workflowId, taskQueue, workflowIdConflictPolicy: 'USE_EXISTING' });
    expect(await within(env.client.workflow.executeUpdateWithStart(setUpdate, { args: [5], startWorkflowOperation: startOperation() }), CLOSE_BOUND_MS, 'the set update with start was not answered')).toBe(0);
    const again = startOperation();
    expect(await within(env.client.workflow.executeUpdateWithStart(setUpdate, { args: [9], startWorkflowOperation: again }), CLOSE_BOUND_MS, 'the set update with start, on the running workflow, was not answered')).toBe(5);
    const handle = await again.workflowHandle();
    const runs = [];
    for await (const run of env.client.workflow.list({ query: `WorkflowId = '${workflowId}'` })) runs.push(run.runId);
    expect(runs).toEqual([(await handle.describe()).runId]);
    await handle.signal(finishSignal);
    expect(await resultWithin(handle)).toBe(9);
    const events = (await handle.fetchHistory()).events!;
    const firstAccepted = events.findIndex((event) => event.workflowExecutionUpdateAcceptedEventAttributes);
    expect(events.slice(0, firstAccepted).filter((event) => event.workflowTaskCompletedEventAttributes)).toHaveLength(1);
    await expectReplays(handle);
  });
});
