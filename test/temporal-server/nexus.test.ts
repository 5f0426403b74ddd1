/**
 * Nexus through the official SDK: endpoints (OperatorService), and operations a caller workflow
 * runs against a handler worker (`nexus-rpc` service, a sync operation and a `@temporalio/nexus`
 * workflow-run operation): sync result, async result by completion callback, handler and operation
 * failures, the three operation timeouts under time skipping, cancellation, and restarts on the same
 * file. Each history is checked for the real server's events and replayed.
 */
import { mkdtempSync } from 'node:fs';
import { tmpdir } from 'node:os';
import path from 'node:path';
import { status } from '@grpc/grpc-js';
import Long from 'long';
import { Client, Connection, type WorkflowHandle } from '@temporalio/client';
import { temporal } from '@temporalio/proto';
import type { TestWorkflowEnvironment } from '@temporalio/testing';
import { NativeConnection, Worker } from '@temporalio/worker';
import { start as startServer } from '../../temporal-server';
import { greetingHandler } from './fixtures/greetingHandler';
import { callsAndReports, callsEcho, callsGreet, callsWithTimeouts, cancelsBeforeStart, cancelsGreet } from './fixtures/workflows';
import { eventTypes, expectReplays, fixturesBundle, timeSkippingEnv, uniqueId, uniqueQueue } from './helpers';
import { eventually, resultWithin } from '../support/bounds';

let env: TestWorkflowEnvironment;

beforeAll(async () => {
  env = await timeSkippingEnv();
});

afterAll(async () => {
  await env?.teardown();
});

async function createEndpoint(connection: Connection, taskQueue: string, name = uniqueId('ep').slice(0, 30)): Promise<{ name: string; id: string }> {
  const { endpoint } = await connection.operatorService.createNexusEndpoint({ spec: { name, target: { worker: { namespace: 'default', taskQueue } } } });
  return { name, id: endpoint!.id! };
}

/** A worker that handles `greetingService` and runs the caller and handler workflows, on a queue of the test's own. */
async function withNexusWorker<T>(body: (endpoint: string, taskQueue: string) => Promise<T>): Promise<T> {
  const taskQueue = uniqueQueue();
  const { name } = await createEndpoint(env.connection, taskQueue);
  const worker = await Worker.create({ connection: env.nativeConnection, taskQueue, workflowBundle: await fixturesBundle(), nexusServices: [greetingHandler] });
  return worker.runUntil(body(name, taskQueue));
}

async function historyEvents(handle: WorkflowHandle) {
  return (await handle.fetchHistory()).events ?? [];
}

const E = temporal.api.enums.v1.EventType;
/** A timeout fires within this of its instant (on the engine's clock). */
const FIRES_WITHIN_MS = 1_000;
/** The first retry backoff of a Nexus start. */
const FIRST_BACKOFF_MS = 1_000;
const seconds = (t: { seconds?: unknown; nanos?: number | null } | null | undefined) => Number(t?.seconds ?? 0) * 1000 + Math.floor((t?.nanos ?? 0) / 1e6);

function grpcCode(promise: Promise<unknown>): Promise<number | undefined> {
  return promise.then(
    () => undefined,
    (error: { code?: number }) => error.code,
  );
}

describe('Nexus endpoints', () => {
  test('when endpoints are created, read, listed, updated and deleted, then versions and refusals are the real server\'s', async () => {
    const operator = env.connection.operatorService;
    const taskQueue = uniqueQueue();
    const { name, id } = await createEndpoint(env.connection, taskQueue);
    const got = (await operator.getNexusEndpoint({ id })).endpoint!;
    expect(Number(got.version)).toBe(1);
    expect(got.spec?.name).toBe(name);
    expect(got.spec?.target?.worker).toMatchObject({ namespace: 'default', taskQueue });
    expect(got.urlPrefix).toBe(`/nexus/endpoints/${id}`);
    expect((await operator.listNexusEndpoints({ name })).endpoints?.map((e) => e.id)).toEqual([id]);
    expect((await operator.listNexusEndpoints({ name: 'no-such-endpoint' })).endpoints).toEqual([]);
    // Paging one at a time reaches every endpoint, ours among them, each once.
    const seen: string[] = [];
    let nextPageToken: Uint8Array | undefined;
    do {
      const page = await operator.listNexusEndpoints({ pageSize: 1, nextPageToken });
      seen.push(...(page.endpoints ?? []).map((e) => e.id!));
      nextPageToken = page.nextPageToken?.length ? page.nextPageToken : undefined;
    } while (nextPageToken);
    expect(seen.filter((seenId) => seenId === id)).toHaveLength(1);
    expect(new Set(seen).size).toBe(seen.length);

    const otherQueue = uniqueQueue();
    const updated = (await operator.updateNexusEndpoint({ id, version: Long.fromNumber(1), spec: { name, target: { worker: { namespace: 'default', taskQueue: otherQueue } } } })).endpoint!;
    expect(Number(updated.version)).toBe(2);
    expect(updated.spec?.target?.worker?.taskQueue).toBe(otherQueue);
    expect(await grpcCode(operator.updateNexusEndpoint({ id, version: Long.fromNumber(1), spec: { name, target: { worker: { namespace: 'default', taskQueue } } } }))).toBe(status.FAILED_PRECONDITION);

    expect(await grpcCode(createEndpoint(env.connection, taskQueue, name))).toBe(status.ALREADY_EXISTS);
    for (const bad of ['bad name', '-starts-with-dash', 'ends-with-dash-', 'under_score', 'x'.repeat(201), '']) {
      expect(await grpcCode(createEndpoint(env.connection, taskQueue, bad))).toBe(status.INVALID_ARGUMENT);
    }
    expect(await grpcCode(createEndpoint(env.connection, taskQueue, 'a1'))).toBeUndefined();
    expect(await grpcCode(operator.createNexusEndpoint({ spec: { name: uniqueId('ep').slice(0, 30), target: { worker: { namespace: 'no-such-namespace', taskQueue } } } }))).toBe(status.FAILED_PRECONDITION);
    expect(await grpcCode(operator.createNexusEndpoint({ spec: { name: uniqueId('ep').slice(0, 30) } }))).toBe(status.INVALID_ARGUMENT);
    expect(await grpcCode(operator.getNexusEndpoint({ id: 'not-a-uuid' }))).toBe(status.INVALID_ARGUMENT);
    expect(await grpcCode(operator.getNexusEndpoint({ id: '00000000-0000-4000-8000-000000000000' }))).toBe(status.NOT_FOUND);

    expect(await grpcCode(operator.deleteNexusEndpoint({ id, version: Long.fromNumber(0) }))).toBe(status.INVALID_ARGUMENT);
    await operator.deleteNexusEndpoint({ id, version: Long.fromNumber(2) });
    expect(await grpcCode(operator.getNexusEndpoint({ id }))).toBe(status.NOT_FOUND);
    expect(await grpcCode(operator.deleteNexusEndpoint({ id, version: Long.fromNumber(2) }))).toBe(status.NOT_FOUND);
  });
});

describe('Nexus operations from a workflow', () => {
  test('when the handler answers synchronously, then the caller gets the result with SCHEDULED then COMPLETED', async () => {
    await withNexusWorker(async (endpoint, taskQueue) => {
      const handle = await env.client.workflow.start(callsEcho, { taskQueue, workflowId: uniqueId('echo'), args: [endpoint, 'ping'] });
      expect(await resultWithin(handle)).toBe('echo: ping');
      const types = await eventTypes(handle);
      expect(types).toContain('NEXUS_OPERATION_SCHEDULED');
      expect(types).toContain('NEXUS_OPERATION_COMPLETED');
      expect(types).not.toContain('NEXUS_OPERATION_STARTED');
      const scheduled = (await historyEvents(handle)).find((e) => e.eventType === E.EVENT_TYPE_NEXUS_OPERATION_SCHEDULED)!;
      expect(scheduled.nexusOperationScheduledEventAttributes).toMatchObject({ endpoint, service: 'greeting', operation: 'echo' });
      expect(scheduled.nexusOperationScheduledEventAttributes?.endpointId).toBeTruthy();
      await expectReplays(handle);
    });
  });

  test('when the handler starts a workflow, then STARTED links that run and its completion ends the operation', async () => {
    await withNexusWorker(async (endpoint, taskQueue) => {
      const handle = await env.client.workflow.start(callsGreet, { taskQueue, workflowId: uniqueId('greet'), args: [endpoint, 'Ada', 5_000] });
      const { result, token } = await resultWithin(handle);
      expect(result).toBe('Hello, Ada!');
      expect(token).toBeTruthy();
      const events = await historyEvents(handle);
      const types = await eventTypes(handle);
      expect(types.filter((t) => t.startsWith('NEXUS_'))).toEqual(['NEXUS_OPERATION_SCHEDULED', 'NEXUS_OPERATION_STARTED', 'NEXUS_OPERATION_COMPLETED']);
      const started = events.find((e) => e.eventType === E.EVENT_TYPE_NEXUS_OPERATION_STARTED)!;
      expect(started.nexusOperationStartedEventAttributes?.operationToken).toBe(token);
      const link = started.links?.[0]?.workflowEvent;
      expect(link?.workflowId).toMatch(/^greeting-/);
      // The handler's run: linked back to the caller's SCHEDULED event, carrying the completion callback.
      const handlerRun = env.client.workflow.getHandle(link!.workflowId!, link!.runId!);
      expect((await handlerRun.describe()).status.name).toBe('COMPLETED');
      const handlerStart = (await historyEvents(handlerRun))[0];
      const back = handlerStart.links?.[0]?.workflowEvent;
      expect(back).toMatchObject({ workflowId: handle.workflowId, eventRef: { eventType: E.EVENT_TYPE_NEXUS_OPERATION_SCHEDULED } });
      expect(handlerStart.workflowExecutionStartedEventAttributes?.completionCallbacks?.[0]?.nexus?.url).toBe('temporal://system');
      await expectReplays(handle);
      await expectReplays(handlerRun);
    });
  });

  test('when the handler refuses or its workflow fails, then the operation fails with the cause', async () => {
    await withNexusWorker(async (endpoint, taskQueue) => {
      const run = async (operation: 'refuse' | 'greet', input: string) => {
        const handle = await env.client.workflow.start(callsAndReports, { taskQueue, workflowId: uniqueId('refuse'), args: [endpoint, operation, input] });
        const report = await resultWithin(handle);
        expect(await eventTypes(handle)).toContain('NEXUS_OPERATION_FAILED');
        await expectReplays(handle);
        return report;
      };
      expect(await run('refuse', 'BAD_REQUEST')).toMatch(/^NexusOperationFailure: .* \/ HandlerError: the handler refused with BAD_REQUEST$/);
      expect(await run('refuse', 'operation')).toMatch(/^NexusOperationFailure: .* \/ \w+: the operation refused$/);
      expect(await run('greet', 'fail')).toMatch(/^NexusOperationFailure: .* \/ ApplicationFailure: no greeting for fail$/);
    });
  });

  test('when the handler fails with a retryable error, then the start is retried after the backoff and succeeds', async () => {
    await withNexusWorker(async (endpoint, taskQueue) => {
      const handle = await env.client.workflow.start(callsAndReports, { taskQueue, workflowId: uniqueId('retry'), args: [endpoint, 'refuse', 'UNAVAILABLE-once'] });
      expect(await resultWithin(handle)).toBe('ok: recovered');
      const events = await historyEvents(handle);
      expect((await eventTypes(handle)).filter((t) => t.startsWith('NEXUS_'))).toEqual(['NEXUS_OPERATION_SCHEDULED', 'NEXUS_OPERATION_COMPLETED']);
      const scheduled = events.find((e) => e.eventType === E.EVENT_TYPE_NEXUS_OPERATION_SCHEDULED)!;
      const completed = events.find((e) => e.eventType === E.EVENT_TYPE_NEXUS_OPERATION_COMPLETED)!;
      // The first backoff is one second: the second attempt cannot come before it.
      expect(seconds(completed.eventTime) - seconds(scheduled.eventTime)).toBeGreaterThanOrEqual(FIRST_BACKOFF_MS);
      await expectReplays(handle);
    });
  });

  test('when the endpoint is not registered, then the workflow task fails with BAD_SCHEDULE_NEXUS_OPERATION_ATTRIBUTES', async () => {
    await withNexusWorker(async (_endpoint, taskQueue) => {
      const handle = await env.client.workflow.start(callsEcho, { taskQueue, workflowId: uniqueId('no-endpoint'), args: ['no-such-endpoint', 'ping'] });
      let failed: Awaited<ReturnType<typeof historyEvents>>[number] | undefined;
      await eventually(async () => !!(failed = (await historyEvents(handle)).find((e) => e.eventType === E.EVENT_TYPE_WORKFLOW_TASK_FAILED)), 10_000, 'the failed workflow task');
      expect(failed?.workflowTaskFailedEventAttributes?.cause).toBe(temporal.api.enums.v1.WorkflowTaskFailedCause.WORKFLOW_TASK_FAILED_CAUSE_BAD_SCHEDULE_NEXUS_OPERATION_ATTRIBUTES);
      expect(failed?.workflowTaskFailedEventAttributes?.failure?.message).toBe('endpoint "no-such-endpoint" not found');
      expect(await eventTypes(handle)).not.toContain('NEXUS_OPERATION_SCHEDULED');
      await handle.terminate('test done');
    });
  });

  test('when the operation outlives its schedule-to-close timeout, then it times out at that instant, by time skipping', async () => {
    await withNexusWorker(async (endpoint, taskQueue) => {
      const handle = await env.client.workflow.start(callsAndReports, { taskQueue, workflowId: uniqueId('timeout'), args: [endpoint, 'greet', 'late', '1 hour', 24 * 3_600_000] });
      expect(await resultWithin(handle)).toMatch(/^NexusOperationFailure: .* \/ TimeoutFailure: /);
      const events = await historyEvents(handle);
      const scheduled = events.find((e) => e.eventType === E.EVENT_TYPE_NEXUS_OPERATION_SCHEDULED)!;
      const timedOut = events.find((e) => e.eventType === E.EVENT_TYPE_NEXUS_OPERATION_TIMED_OUT)!;
      // Never before the timeout; a few ms after it at most, as the skipped clock runs on in real time while the timer's task is written.
      const timedOutAfter = seconds(timedOut.eventTime) - seconds(scheduled.eventTime);
      expect(timedOutAfter).toBeGreaterThanOrEqual(3_600_000);
      expect(timedOutAfter).toBeLessThan(3_600_000 + FIRES_WITHIN_MS);
      expect(events.some((e) => e.eventType === E.EVENT_TYPE_NEXUS_OPERATION_STARTED)).toBe(true);
      await expectReplays(handle);
      const handlerId = events.find((e) => e.eventType === E.EVENT_TYPE_NEXUS_OPERATION_STARTED)!.links![0].workflowEvent!.workflowId!;
      // The handler's run ends later (its day skipped): the caller, already told, hears nothing more.
      expect(await resultWithin(env.client.workflow.getHandle(handlerId))).toBe('Hello, late!');
      expect((await eventTypes(handle)).filter((t) => t.startsWith('NEXUS_'))).toEqual(['NEXUS_OPERATION_SCHEDULED', 'NEXUS_OPERATION_STARTED', 'NEXUS_OPERATION_TIMED_OUT']);
    });
  });

  test('when the caller cancels a started operation, then the handler cancels its run and the caller sees CANCELED', async () => {
    await withNexusWorker(async (endpoint, taskQueue) => {
      const handle = await env.client.workflow.start(cancelsGreet, { taskQueue, workflowId: uniqueId('cancel'), args: [endpoint] });
      expect(await resultWithin(handle)).toBe('canceled: had token');
      const events = await historyEvents(handle);
      const types = await eventTypes(handle);
      expect(types.filter((t) => t.startsWith('NEXUS_'))).toEqual([
        'NEXUS_OPERATION_SCHEDULED',
        'NEXUS_OPERATION_STARTED',
        'NEXUS_OPERATION_CANCEL_REQUESTED',
        'NEXUS_OPERATION_CANCEL_REQUEST_COMPLETED',
        'NEXUS_OPERATION_CANCELED',
      ]);
      const handlerId = events.find((e) => e.eventType === E.EVENT_TYPE_NEXUS_OPERATION_STARTED)!.links![0].workflowEvent!.workflowId!;
      expect((await env.client.workflow.getHandle(handlerId).describe()).status.name).toBe('CANCELLED');
      await expectReplays(handle);
    });
  });

  test('when the caller cancels before the handler has answered the start, then the cancel goes out once it has started', async () => {
    await withNexusWorker(async (endpoint, taskQueue) => {
      const handle = await env.client.workflow.start(cancelsBeforeStart, { taskQueue, workflowId: uniqueId('cancel-early'), args: [endpoint] });
      expect(await resultWithin(handle)).toBe('NexusOperationFailure / CancelledFailure');
      const events = await historyEvents(handle);
      expect((await eventTypes(handle)).filter((t) => t.startsWith('NEXUS_'))).toEqual([
        'NEXUS_OPERATION_SCHEDULED',
        'NEXUS_OPERATION_CANCEL_REQUESTED',
        'NEXUS_OPERATION_STARTED',
        'NEXUS_OPERATION_CANCEL_REQUEST_COMPLETED',
        'NEXUS_OPERATION_CANCELED',
      ]);
      const handlerId = events.find((e) => e.eventType === E.EVENT_TYPE_NEXUS_OPERATION_STARTED)!.links![0].workflowEvent!.workflowId!;
      expect((await env.client.workflow.getHandle(handlerId).describe()).status.name).toBe('CANCELLED');
      await expectReplays(handle);
    });
  });
});

describe('Nexus operations\' schedule-to-start and start-to-close timeouts', () => {
  /** The Nexus events of the caller's history and the time from one to another, in ms. */
  async function nexusEvents(handle: WorkflowHandle) {
    const events = (await historyEvents(handle)).filter((e) => String(E[e.eventType!]).startsWith('EVENT_TYPE_NEXUS_'));
    const at = (type: number) => seconds(events.find((e) => e.eventType === type)!.eventTime);
    return { types: events.map((e) => String(E[e.eventType!]).replace('EVENT_TYPE_', '')), between: (from: number, to: number) => at(to) - at(from), events };
  }

  test('when the operation has not started within its schedule-to-start timeout, then it times out SCHEDULE_TO_START at that instant', async () => {
    await withNexusWorker(async (endpoint, taskQueue) => {
      // Every attempt is refused with a retryable error: the operation backs off (1 s, 2 s, 4 s…) and never starts.
      const timeouts = { scheduleToCloseTimeout: '1 hour', scheduleToStartTimeout: '30 seconds' };
      const handle = await env.client.workflow.start(callsWithTimeouts, { taskQueue, workflowId: uniqueId('s2s'), args: [endpoint, 'refuse', 'UNAVAILABLE', timeouts] });
      expect(await resultWithin(handle)).toBe('NexusOperationFailure / TimeoutFailure: SCHEDULE_TO_START');
      const { types, between, events } = await nexusEvents(handle);
      expect(types).toEqual(['NEXUS_OPERATION_SCHEDULED', 'NEXUS_OPERATION_TIMED_OUT']);
      expect(seconds(events[0].nexusOperationScheduledEventAttributes?.scheduleToStartTimeout as never)).toBe(30_000);
      const after = between(E.EVENT_TYPE_NEXUS_OPERATION_SCHEDULED, E.EVENT_TYPE_NEXUS_OPERATION_TIMED_OUT);
      expect(after).toBeGreaterThanOrEqual(30_000);
      expect(after).toBeLessThan(30_000 + FIRES_WITHIN_MS);
      await expectReplays(handle);
    });
  });

  test('when the operation starts within its schedule-to-start timeout, sync or async, then that timeout no longer applies', async () => {
    await withNexusWorker(async (endpoint, taskQueue) => {
      // Async: started at once, completed an hour later, long after the minute.
      const timeouts = { scheduleToCloseTimeout: '1 day', scheduleToStartTimeout: '1 minute' };
      const async = await env.client.workflow.start(callsWithTimeouts, { taskQueue, workflowId: uniqueId('s2s-async'), args: [endpoint, 'greet', 'Ada', timeouts, 3_600_000] });
      expect(await resultWithin(async)).toBe('ok: Hello, Ada!');
      const { types, between } = await nexusEvents(async);
      expect(types).toEqual(['NEXUS_OPERATION_SCHEDULED', 'NEXUS_OPERATION_STARTED', 'NEXUS_OPERATION_COMPLETED']);
      expect(between(E.EVENT_TYPE_NEXUS_OPERATION_SCHEDULED, E.EVENT_TYPE_NEXUS_OPERATION_COMPLETED)).toBeGreaterThanOrEqual(3_600_000);
      await expectReplays(async);
      // Sync: refused once (a retry after 1 s), then answered, within the 30 s.
      const sync = await env.client.workflow.start(callsWithTimeouts, {
        taskQueue,
        workflowId: uniqueId('s2s-sync'),
        args: [endpoint, 'refuse', 'UNAVAILABLE-once', { scheduleToCloseTimeout: '1 hour', scheduleToStartTimeout: '30 seconds' }],
      });
      expect(await resultWithin(sync)).toBe('ok: recovered');
      expect((await nexusEvents(sync)).types).toEqual(['NEXUS_OPERATION_SCHEDULED', 'NEXUS_OPERATION_COMPLETED']);
      await expectReplays(sync);
    });
  });

  test('when a started operation has not completed within its start-to-close timeout, then it times out START_TO_CLOSE that long after STARTED', async () => {
    await withNexusWorker(async (endpoint, taskQueue) => {
      const timeouts = { scheduleToCloseTimeout: '2 days', startToCloseTimeout: '1 hour' };
      const handle = await env.client.workflow.start(callsWithTimeouts, { taskQueue, workflowId: uniqueId('s2c'), args: [endpoint, 'greet', 'late', timeouts, 24 * 3_600_000] });
      expect(await resultWithin(handle)).toBe('NexusOperationFailure / TimeoutFailure: START_TO_CLOSE');
      const { types, between, events } = await nexusEvents(handle);
      expect(types).toEqual(['NEXUS_OPERATION_SCHEDULED', 'NEXUS_OPERATION_STARTED', 'NEXUS_OPERATION_TIMED_OUT']);
      expect(seconds(events[0].nexusOperationScheduledEventAttributes?.startToCloseTimeout as never)).toBe(3_600_000);
      // Counted from the handler's start answer: the STARTED event may carry a later time by a few ms, when it
      // waited behind the caller's workflow task; never before an hour after the schedule, never a second late.
      expect(between(E.EVENT_TYPE_NEXUS_OPERATION_SCHEDULED, E.EVENT_TYPE_NEXUS_OPERATION_TIMED_OUT)).toBeGreaterThanOrEqual(3_600_000);
      expect(Math.abs(between(E.EVENT_TYPE_NEXUS_OPERATION_STARTED, E.EVENT_TYPE_NEXUS_OPERATION_TIMED_OUT) - 3_600_000)).toBeLessThan(FIRES_WITHIN_MS);
      await expectReplays(handle);
    });
  });

  test('when a started operation completes within its start-to-close timeout, then it completes', async () => {
    await withNexusWorker(async (endpoint, taskQueue) => {
      const timeouts = { scheduleToCloseTimeout: '2 days', startToCloseTimeout: '1 hour' };
      const handle = await env.client.workflow.start(callsWithTimeouts, { taskQueue, workflowId: uniqueId('s2c-ok'), args: [endpoint, 'greet', 'Bo', timeouts, 59 * 60_000] });
      expect(await resultWithin(handle)).toBe('ok: Hello, Bo!');
      expect((await nexusEvents(handle)).types).toEqual(['NEXUS_OPERATION_SCHEDULED', 'NEXUS_OPERATION_STARTED', 'NEXUS_OPERATION_COMPLETED']);
      await expectReplays(handle);
    });
  });

  test('when schedule-to-start or start-to-close exceeds schedule-to-close, then the event records them trimmed to it, as the real server does', async () => {
    await withNexusWorker(async (endpoint, taskQueue) => {
      const timeouts = { scheduleToCloseTimeout: '1 minute', scheduleToStartTimeout: '1 hour', startToCloseTimeout: '1 hour' };
      const handle = await env.client.workflow.start(callsWithTimeouts, { taskQueue, workflowId: uniqueId('trim'), args: [endpoint, 'greet', 'Di', timeouts, 3_600_000] });
      // Started at once; start-to-close and schedule-to-close then fall due at the same instant.
      expect(await resultWithin(handle)).toMatch(/^NexusOperationFailure \/ TimeoutFailure: (START|SCHEDULE)_TO_CLOSE$/);
      const attributes = (await nexusEvents(handle)).events[0].nexusOperationScheduledEventAttributes!;
      expect(seconds(attributes.scheduleToStartTimeout as never)).toBe(60_000);
      expect(seconds(attributes.startToCloseTimeout as never)).toBe(60_000);
      await expectReplays(handle);
    });
  });
});

const fileOnly = process.env.TEMPORAL_SERVER_DB === 'file' ? describe.skip : describe;

fileOnly('Nexus across a restart (file)', () => {
  test('when the server restarts while an async operation runs, then the endpoint is kept and the operation completes once', async () => {
    const dbFilename = path.join(mkdtempSync(path.join(tmpdir(), 'temporal-nexus-')), 'temporal.db');
    let server = await startServer({ dbFilename });
    let connection = await Connection.connect({ address: server.address });
    const taskQueue = uniqueQueue();
    const workflowId = uniqueId('restart');
    try {
      const { name, id } = await createEndpoint(connection, taskQueue);
      const handle = await new Client({ connection }).workflow.start(callsGreet, { taskQueue, workflowId, args: [name, 'Grace', 4_000] });
      // A first worker takes the operation as far as STARTED (its run sleeping 4 s), then goes away with the server.
      let native = await NativeConnection.connect({ address: server.address });
      let worker = await Worker.create({ connection: native, taskQueue, workflowBundle: await fixturesBundle(), nexusServices: [greetingHandler] });
      await worker.runUntil(async () => {
        await eventually(async () => (await eventTypes(handle)).includes('NEXUS_OPERATION_STARTED'), 10_000, 'NEXUS_OPERATION_STARTED');
      });
      expect(await eventTypes(handle)).toContain('NEXUS_OPERATION_STARTED');
      await native.close();
      await connection.close();
      await server.stop();

      server = await startServer({ dbFilename });
      connection = await Connection.connect({ address: server.address });
      expect((await connection.operatorService.getNexusEndpoint({ id })).endpoint?.spec?.name).toBe(name);
      native = await NativeConnection.connect({ address: server.address });
      worker = await Worker.create({ connection: native, taskQueue, workflowBundle: await fixturesBundle(), nexusServices: [greetingHandler] });
      const restarted = new Client({ connection }).workflow.getHandle(workflowId);
      const outcome = await worker.runUntil(resultWithin(restarted));
      await native.close();
      expect(outcome.result).toBe('Hello, Grace!');
      const types = await eventTypes(restarted);
      expect(types.filter((t) => t.startsWith('NEXUS_'))).toEqual(['NEXUS_OPERATION_SCHEDULED', 'NEXUS_OPERATION_STARTED', 'NEXUS_OPERATION_COMPLETED']);
      await expectReplays(restarted);
    } finally {
      await connection.close();
      await server.stop();
    }
  });
  test('when the server restarts while a started operation runs, then its start-to-close timeout is armed again and fires at its instant', async () => {
    const dbFilename = path.join(mkdtempSync(path.join(tmpdir(), 'temporal-nexus-')), 'temporal.db');
    let server = await startServer({ dbFilename });
    let connection = await Connection.connect({ address: server.address });
    const taskQueue = uniqueQueue();
    const workflowId = uniqueId('restart-s2c');
    try {
      const { name } = await createEndpoint(connection, taskQueue);
      const timeouts = { scheduleToCloseTimeout: '1 hour', startToCloseTimeout: '3 seconds' };
      const handle = await new Client({ connection }).workflow.start(callsWithTimeouts, { taskQueue, workflowId, args: [name, 'greet', 'Lin', timeouts, 3_600_000] });
      let native = await NativeConnection.connect({ address: server.address });
      let worker = await Worker.create({ connection: native, taskQueue, workflowBundle: await fixturesBundle(), nexusServices: [greetingHandler] });
      await worker.runUntil(async () => {
        await eventually(async () => (await eventTypes(handle)).includes('NEXUS_OPERATION_STARTED'), 10_000, 'NEXUS_OPERATION_STARTED');
      });
      await native.close();
      await connection.close();
      await server.stop();

      server = await startServer({ dbFilename });
      connection = await Connection.connect({ address: server.address });
      native = await NativeConnection.connect({ address: server.address });
      worker = await Worker.create({ connection: native, taskQueue, workflowBundle: await fixturesBundle(), nexusServices: [greetingHandler] });
      const restarted = new Client({ connection }).workflow.getHandle(workflowId);
      expect(await worker.runUntil(resultWithin(restarted))).toBe('NexusOperationFailure / TimeoutFailure: START_TO_CLOSE');
      await native.close();
      const events = await historyEvents(restarted);
      const at = (type: number) => seconds(events.find((e) => e.eventType === type)!.eventTime);
      // As above: from the start answer, which the STARTED event's time may trail by a few ms.
      expect(at(E.EVENT_TYPE_NEXUS_OPERATION_TIMED_OUT) - at(E.EVENT_TYPE_NEXUS_OPERATION_SCHEDULED)).toBeGreaterThanOrEqual(3_000);
      expect(Math.abs(at(E.EVENT_TYPE_NEXUS_OPERATION_TIMED_OUT) - at(E.EVENT_TYPE_NEXUS_OPERATION_STARTED) - 3_000)).toBeLessThan(FIRES_WITHIN_MS);
      await expectReplays(restarted);
    } finally {
      await connection.close();
      await server.stop();
    }
  });
});
