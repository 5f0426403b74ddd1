/**
 * Standalone Nexus operations through the official SDK (`client.nexus`, SDK 1.24): operations a
 * client starts with no caller workflow, run by a handler worker (the conformance suite's
 * `greetingService`: a sync operation and a `@temporalio/nexus` workflow-run operation). Start,
 * result, describe, list and count; id conflict and reuse policies and request-id idempotency;
 * handler failures and retries; the three timeouts under time skipping; cancel,
 * terminate and delete with their refusals; a restart on the same file.
 */
import { randomUUID } from 'node:crypto';
import { mkdtempSync } from 'node:fs';
import { tmpdir } from 'node:os';
import path from 'node:path';
import { status } from '@grpc/grpc-js';
import { Client, Connection, NexusOperationAlreadyStartedError, NexusOperationFailureError, NexusOperationNotFoundError, TimeoutFailure } from '@temporalio/client';
import type { TestWorkflowEnvironment } from '@temporalio/testing';
import { NativeConnection, Worker } from '@temporalio/worker';
import { start as startServer } from '../../temporal-server';
import { greetingHandler } from './fixtures/greetingHandler';
import { greetingService } from './fixtures/nexusService';
import { fixturesBundle, timeSkippingEnv, uniqueId, uniqueQueue } from './helpers';
import { CLOSE_BOUND_MS, resultWithin, within } from '../support/bounds';

let env: TestWorkflowEnvironment;

beforeAll(async () => {
  env = await timeSkippingEnv();
});

afterAll(async () => {
  await env?.teardown();
});

async function createEndpoint(connection: Connection, taskQueue: string): Promise<string> {
  const name = uniqueId('ep').slice(0, 30);
  await connection.operatorService.createNexusEndpoint({ spec: { name, target: { worker: { namespace: 'default', taskQueue } } } });
  return name;
}

/** A handler worker for `greetingService` on a queue of the test's own, behind a new endpoint. */
async function withHandler<T>(body: (endpoint: string) => Promise<T>): Promise<T> {
  const taskQueue = uniqueQueue();
  const endpoint = await createEndpoint(env.connection, taskQueue);
  const worker = await Worker.create({ connection: env.nativeConnection, taskQueue, workflowBundle: await fixturesBundle(), nexusServices: [greetingHandler] });
  return worker.runUntil(body(endpoint));
}

/** A timeout fires within this of its instant (on the engine's clock). */
const FIRES_WITHIN_MS = 1_000;
/** An operation's start-to-close counts from its start, which follows its schedule within moments while the clock holds still. */
const STARTED_WITHIN_MS = 5_000;
const serviceClient = (endpoint: string, client: Client = env.client) => client.nexus.createServiceClient({ endpoint, service: greetingService });

function grpcError(promise: Promise<unknown>): Promise<{ code?: number; details?: string } | undefined> {
  return promise.then(
    () => undefined,
    (error: { code?: number; details?: string }) => error,
  );
}

/** Waits (bounded) until the operation's describe satisfies `done`. */
async function until(operationId: string, done: (d: Awaited<ReturnType<ReturnType<Client['nexus']['getHandle']>['describe']>>) => boolean): Promise<void> {
  for (let i = 0; i < 200; i++) {
    if (done(await env.client.nexus.getHandle(operationId).describe())) return;
    await new Promise((resolve) => setTimeout(resolve, 50));
  }
  throw new Error(`operation ${operationId} never reached the state`);
}

describe('standalone Nexus operations: running them', () => {
  test('when a sync operation is executed, then the result comes back and describe shows it COMPLETED', async () => {
    await withHandler(async (endpoint) => {
      const id = uniqueId('echo');
      expect(await within(serviceClient(endpoint).executeOperation(greetingService.operations.echo, 'hi', { id, scheduleToCloseTimeout: '10s' }), CLOSE_BOUND_MS, 'the echo operation did not complete')).toBe('echo: hi');
      const handle = env.client.nexus.getHandle<typeof greetingService.operations.echo>(id);
      expect(await resultWithin(handle)).toBe('echo: hi');
      const described = await handle.describe();
      expect(described).toMatchObject({ operationId: id, endpoint, service: 'greeting', operation: 'echo', status: 'COMPLETED', attempt: 1, scheduleToCloseTimeout: 10_000 });
      expect(described.requestId).toMatch(/^[0-9a-f-]{36}$/);
      expect(described.closeTime).toBeInstanceOf(Date);
      const raw = await env.connection.workflowService.describeNexusOperationExecution({ namespace: 'default', operationId: id, includeInput: true, includeOutcome: true });
      expect(raw.input?.data).toBeDefined();
      expect(raw.result?.data).toBeDefined();
      expect(raw.longPollToken?.length ?? 0).toBe(0);
    });
  });

  test('when a workflow-run operation is started, then the handle has its id, the result is the run\'s, and describe links the run', async () => {
    await withHandler(async (endpoint) => {
      const id = uniqueId('greet');
      const handle = await serviceClient(endpoint).startOperation(greetingService.operations.greet, { name: 'Ada', ms: 0 }, { id, scheduleToCloseTimeout: '10s' });
      expect(handle.operationId).toBe(id);
      expect(handle.runId).toMatch(/^[0-9a-f-]{36}$/);
      expect(await resultWithin(handle)).toBe('Hello, Ada!');
      const described = await handle.describe();
      expect(described.status).toBe('COMPLETED');
      expect(described.operationToken).toBeTruthy();
      const links = described.raw.links ?? [];
      expect(links[0]?.workflowEvent?.workflowId).toBe(`greeting-${described.requestId}`);
      // The handler's run was started with a link back to this operation.
      const started = (await env.client.workflow.getHandle(`greeting-${described.requestId}`).fetchHistory()).events![0];
      expect(started.links?.[0]?.nexusOperation).toMatchObject({ namespace: 'default', operationId: id, runId: handle.runId });
    });
  });

  test('when polled for the STARTED stage, then the answer has the operation token and no outcome yet', async () => {
    await withHandler(async (endpoint) => {
      const id = uniqueId('greet');
      const handle = await serviceClient(endpoint).startOperation(greetingService.operations.greet, { name: 'Lin', ms: 3_600_000 }, { id });
      const polled = await env.connection.workflowService.pollNexusOperationExecution({ namespace: 'default', operationId: id, waitStage: 1 });
      expect(polled).toMatchObject({ runId: handle.runId, waitStage: 1 });
      expect(polled.operationToken).toBeTruthy();
      expect(polled.result ?? polled.failure ?? undefined).toBeUndefined();
      expect((await handle.describe()).state).toBe('STARTED');
      expect(await grpcError(env.connection.workflowService.pollNexusOperationExecution({ namespace: 'default', operationId: id }))).toMatchObject({ code: status.INVALID_ARGUMENT });
      await handle.terminate('done with it');
    });
  });

  test('when the handler refuses, then the operation fails with the handler\'s failure as the cause', async () => {
    await withHandler(async (endpoint) => {
      const client = serviceClient(endpoint);
      const failed = await within(client.executeOperation(greetingService.operations.refuse, 'operation', { id: uniqueId('refuse') }), CLOSE_BOUND_MS, 'the refused operation did not fail').catch((error: unknown) => error);
      expect(failed).toBeInstanceOf(NexusOperationFailureError);
      expect((failed as NexusOperationFailureError).cause?.message).toContain('the operation refused');
      const id = uniqueId('refuse');
      const bad = await within(client.executeOperation(greetingService.operations.refuse, 'BAD_REQUEST', { id }), CLOSE_BOUND_MS, 'the bad request did not fail').catch((error: unknown) => error);
      expect(bad).toBeInstanceOf(NexusOperationFailureError);
      expect((await env.client.nexus.getHandle(id).describe()).status).toBe('FAILED');
    });
  });

  test('when the handler fails with a retryable error, then the start is retried after the backoff and succeeds', async () => {
    await withHandler(async (endpoint) => {
      const id = uniqueId('flaky');
      expect(await within(serviceClient(endpoint).executeOperation(greetingService.operations.refuse, 'UNAVAILABLE-once', { id }), CLOSE_BOUND_MS, 'the retried operation did not complete')).toBe('recovered');
      const described = await env.client.nexus.getHandle(id).describe();
      expect(described.attempt).toBe(2);
      expect(described.lastAttemptFailure?.message).toContain('not yet');
    });
  });

  test('when the operation outlives its schedule-to-close timeout, then it times out, by time skipping', async () => {
    await withHandler(async (endpoint) => {
      const id = uniqueId('slow');
      const handle = await serviceClient(endpoint).startOperation(greetingService.operations.greet, { name: 'Bo', ms: 3_600_000 }, { id, scheduleToCloseTimeout: '1m' });
      await until(id, (d) => d.state === 'STARTED');
      await env.sleep('2m');
      const failed = await resultWithin(handle).catch((error: unknown) => error);
      expect(failed).toBeInstanceOf(NexusOperationFailureError);
      expect((failed as NexusOperationFailureError).cause?.message).toBe('operation timed out');
      expect((await handle.describe()).status).toBe('TIMED_OUT');
    });
  });
});

// The handlers' runs that earlier tests leave sleeping (an hour) have no worker once their test ends: a
// skip that reached their timers would wait for them. So the sleeps here add up to well under an hour.
describe('standalone Nexus operations: schedule-to-start and start-to-close timeouts', () => {
  /** The handler's run behind a workflow-run operation, ended so that it holds no timer for later tests. */
  const endHandlerRun = async (requestId: string) => env.client.workflow.getHandle(`greeting-${requestId}`).terminate('test done');
  /** How the operation failed: the cause's type and timeout type. */
  const failureOf = async (result: Promise<unknown>) => {
    const failed = await result.catch((error: unknown) => error);
    expect(failed).toBeInstanceOf(NexusOperationFailureError);
    const cause = (failed as NexusOperationFailureError).cause;
    expect(cause).toBeInstanceOf(TimeoutFailure);
    return (cause as TimeoutFailure).timeoutType;
  };
  const closedAfter = (d: { scheduleTime?: Date; closeTime?: Date }) => d.closeTime!.getTime() - d.scheduleTime!.getTime();

  test('when the operation has not started within its schedule-to-start timeout, then it times out SCHEDULE_TO_START at that instant', async () => {
    await withHandler(async (endpoint) => {
      const id = uniqueId('s2s');
      // Every attempt is refused with a retryable error: the operation backs off and never starts.
      const handle = await serviceClient(endpoint).startOperation(greetingService.operations.refuse, 'UNAVAILABLE', { id, scheduleToCloseTimeout: '1h', scheduleToStartTimeout: '30s' });
      await env.sleep('1m');
      expect(await failureOf(resultWithin(handle))).toBe('SCHEDULE_TO_START');
      const described = await handle.describe();
      expect(described).toMatchObject({ status: 'TIMED_OUT', scheduleToStartTimeout: 30_000 });
      expect(closedAfter(described)).toBeGreaterThanOrEqual(30_000);
      expect(closedAfter(described)).toBeLessThan(30_000 + FIRES_WITHIN_MS);
    });
  });

  test('when the operation starts within its schedule-to-start timeout, then that timeout no longer applies', async () => {
    await withHandler(async (endpoint) => {
      const id = uniqueId('s2s-started');
      const handle = await serviceClient(endpoint).startOperation(greetingService.operations.greet, { name: 'Ada', ms: 5 * 60_000 }, { id, scheduleToCloseTimeout: '1d', scheduleToStartTimeout: '1m' });
      await until(id, (d) => d.state === 'STARTED');
      await env.sleep('2m');
      expect(await handle.describe()).toMatchObject({ status: 'RUNNING', state: 'STARTED' });
      await env.sleep('4m');
      expect(await resultWithin(handle)).toBe('Hello, Ada!');
    });
  });

  test('when a started operation has not completed within its start-to-close timeout, then it times out START_TO_CLOSE', async () => {
    await withHandler(async (endpoint) => {
      const id = uniqueId('s2c');
      const handle = await serviceClient(endpoint).startOperation(greetingService.operations.greet, { name: 'Bo', ms: 24 * 3_600_000 }, { id, scheduleToCloseTimeout: '2d', startToCloseTimeout: '10m' });
      await until(id, (d) => d.state === 'STARTED');
      await env.sleep('15m');
      expect(await failureOf(resultWithin(handle))).toBe('START_TO_CLOSE');
      const described = await handle.describe();
      expect(described).toMatchObject({ status: 'TIMED_OUT', startToCloseTimeout: 600_000 });
      // Started within moments of the schedule (the clock held still meanwhile): closed ten minutes after.
      expect(closedAfter(described)).toBeGreaterThanOrEqual(600_000);
      expect(closedAfter(described)).toBeLessThan(600_000 + STARTED_WITHIN_MS);
      await endHandlerRun(described.requestId);
    });
  });

  test('when a started operation completes within its start-to-close timeout, then it completes', async () => {
    await withHandler(async (endpoint) => {
      const id = uniqueId('s2c-ok');
      const handle = await serviceClient(endpoint).startOperation(greetingService.operations.greet, { name: 'Cy', ms: 9 * 60_000 }, { id, scheduleToCloseTimeout: '2d', startToCloseTimeout: '10m' });
      await until(id, (d) => d.state === 'STARTED');
      await env.sleep('15m');
      expect(await resultWithin(handle)).toBe('Hello, Cy!');
      expect((await handle.describe()).status).toBe('COMPLETED');
    });
  });

  test('when schedule-to-start or start-to-close exceeds schedule-to-close, then describe shows them trimmed to it, as the real server does', async () => {
    await withHandler(async (endpoint) => {
      const id = uniqueId('trim');
      await within(serviceClient(endpoint).executeOperation(greetingService.operations.echo, 'hi', { id, scheduleToCloseTimeout: '1m', scheduleToStartTimeout: '1h', startToCloseTimeout: '1h' }), CLOSE_BOUND_MS, 'the echo operation did not complete');
      expect(await env.client.nexus.getHandle(id).describe()).toMatchObject({ scheduleToCloseTimeout: 60_000, scheduleToStartTimeout: 60_000, startToCloseTimeout: 60_000 });
    });
  });
});

describe('standalone Nexus operations: ids and refusals', () => {
  test('when an id is taken, then the conflict and reuse policies and the request id decide as on the real server', async () => {
    await withHandler(async (endpoint) => {
      const client = serviceClient(endpoint);
      const id = uniqueId('greet');
      const first = await client.startOperation(greetingService.operations.greet, { name: 'Cy', ms: 3_600_000 }, { id });
      const taken = await client.startOperation(greetingService.operations.greet, { name: 'Cy', ms: 0 }, { id }).catch((error: unknown) => error);
      expect(taken).toBeInstanceOf(NexusOperationAlreadyStartedError);
      expect((taken as NexusOperationAlreadyStartedError & { runId?: string }).runId).toBe(first.runId);
      const existing = await client.startOperation(greetingService.operations.greet, { name: 'Cy', ms: 0 }, { id, idConflictPolicy: 'USE_EXISTING' });
      expect(existing.runId).toBe(first.runId);

      // A retried start (the same request id) answers the run it started.
      const requestId = randomUUID();
      const again = { namespace: 'default', requestId, operationId: uniqueId('retried'), endpoint, service: 'greeting', operation: 'echo' };
      const one = await env.connection.workflowService.startNexusOperationExecution(again);
      const two = await env.connection.workflowService.startNexusOperationExecution(again);
      expect(two).toMatchObject({ runId: one.runId, started: true });

      await first.terminate('make room');
      const rejected = await client.startOperation(greetingService.operations.echo, 'x', { id, idReusePolicy: 'REJECT_DUPLICATE' }).catch((error: unknown) => error);
      expect(rejected).toBeInstanceOf(NexusOperationAlreadyStartedError);
      const failedOnly = await client.startOperation(greetingService.operations.echo, 'x', { id, idReusePolicy: 'ALLOW_DUPLICATE_FAILED_ONLY' });
      expect(await resultWithin(failedOnly)).toBe('echo: x');
      expect(failedOnly.runId).not.toBe(first.runId);
      const afterCompleted = await client.startOperation(greetingService.operations.echo, 'y', { id, idReusePolicy: 'ALLOW_DUPLICATE_FAILED_ONLY' }).catch((error: unknown) => error);
      expect(afterCompleted).toBeInstanceOf(NexusOperationAlreadyStartedError);
      const duplicate = await client.startOperation(greetingService.operations.echo, 'z', { id });
      expect(await resultWithin(duplicate)).toBe('echo: z');
    });
  });

  test('when the endpoint is unknown or a field is missing, then the start is refused with the real server\'s code and message', async () => {
    const service = env.connection.workflowService;
    const base = { namespace: 'default', requestId: randomUUID(), operationId: uniqueId('op'), endpoint: 'no-such-endpoint', service: 'greeting', operation: 'echo' };
    expect(await grpcError(service.startNexusOperationExecution(base))).toMatchObject({ code: status.NOT_FOUND, details: 'could not find Nexus endpoint by name: no-such-endpoint' });
    expect(await grpcError(service.startNexusOperationExecution({ ...base, operationId: '' }))).toMatchObject({ code: status.INVALID_ARGUMENT, details: 'operation_id is required' });
    expect(await grpcError(service.startNexusOperationExecution({ ...base, endpoint: '' }))).toMatchObject({ code: status.INVALID_ARGUMENT, details: 'endpoint is required' });
    expect(await grpcError(service.startNexusOperationExecution({ ...base, service: '' }))).toMatchObject({ code: status.INVALID_ARGUMENT, details: 'service is required' });
    expect(await grpcError(service.startNexusOperationExecution({ ...base, operation: '' }))).toMatchObject({ code: status.INVALID_ARGUMENT, details: 'operation is required' });
    const missing = await env.client.nexus.getHandle(uniqueId('none')).describe().catch((error: unknown) => error);
    expect(missing).toBeInstanceOf(NexusOperationNotFoundError);
  });
});

describe('standalone Nexus operations: cancel, terminate, delete', () => {
  test('when a started operation is cancelled, then the handler cancels its run and the operation ends CANCELED; a second cancel is FAILED_PRECONDITION', async () => {
    await withHandler(async (endpoint) => {
      const id = uniqueId('greet');
      const handle = await serviceClient(endpoint).startOperation(greetingService.operations.greet, { name: 'Di', ms: 3_600_000 }, { id });
      await until(id, (d) => d.state === 'STARTED');
      await handle.cancel('no longer needed');
      expect(await grpcError(env.connection.workflowService.requestCancelNexusOperationExecution({ namespace: 'default', operationId: id, requestId: randomUUID() }))).toMatchObject({
        code: status.FAILED_PRECONDITION,
      });
      const failed = await resultWithin(handle).catch((error: unknown) => error);
      expect(failed).toBeInstanceOf(NexusOperationFailureError);
      const described = await handle.describe();
      expect(described.status).toBe('CANCELED');
      expect(described.cancellationInfo).toMatchObject({ state: 'SUCCEEDED', reason: 'no longer needed' });
      expect(await grpcError(env.connection.workflowService.requestCancelNexusOperationExecution({ namespace: 'default', operationId: id, requestId: randomUUID() }))).toMatchObject({
        code: status.FAILED_PRECONDITION,
        details: 'operation already completed',
      });
    });
  });

  test('when an operation is terminated, then it closes at once with the reason; again with another request id is FAILED_PRECONDITION', async () => {
    await withHandler(async (endpoint) => {
      const id = uniqueId('greet');
      const handle = await serviceClient(endpoint).startOperation(greetingService.operations.greet, { name: 'Ed', ms: 3_600_000 }, { id });
      const requestId = randomUUID();
      await env.connection.workflowService.terminateNexusOperationExecution({ namespace: 'default', operationId: id, requestId, reason: 'stop now' });
      await env.connection.workflowService.terminateNexusOperationExecution({ namespace: 'default', operationId: id, requestId, reason: 'stop now' });
      expect(await grpcError(handle.terminate('again'))).toBeDefined();
      const failed = await resultWithin(handle).catch((error: unknown) => error);
      expect((failed as NexusOperationFailureError).cause?.message).toBe('stop now');
      expect((await handle.describe()).status).toBe('TERMINATED');
      expect(await grpcError(env.connection.workflowService.terminateNexusOperationExecution({ namespace: 'default', operationId: id, requestId: randomUUID() }))).toMatchObject({
        code: status.FAILED_PRECONDITION,
      });
    });
  });

  test('when an operation is deleted, then it is gone from describe, list and count', async () => {
    await withHandler(async (endpoint) => {
      const id = uniqueId('greet');
      await serviceClient(endpoint).startOperation(greetingService.operations.greet, { name: 'Flo', ms: 3_600_000 }, { id });
      await env.connection.workflowService.deleteNexusOperationExecution({ namespace: 'default', operationId: id });
      expect(await env.client.nexus.getHandle(id).describe().catch((error: unknown) => error)).toBeInstanceOf(NexusOperationNotFoundError);
      expect((await env.client.nexus.count(`OperationId="${id}"`)).count).toBe(0);
    });
  });
});

describe('standalone Nexus operations: list and count', () => {
  test('when operations ran on an endpoint, then list and count find them by the operation attributes, apart from workflows', async () => {
    await withHandler(async (endpoint) => {
      const client = serviceClient(endpoint);
      const echoId = uniqueId('echo');
      const greetId = uniqueId('greet');
      await within(client.executeOperation(greetingService.operations.echo, 'a', { id: echoId }), CLOSE_BOUND_MS, 'the echo operation did not complete');
      await resultWithin(await client.startOperation(greetingService.operations.greet, { name: 'Gu', ms: 0 }, { id: greetId }));
      const query = `Endpoint="${endpoint}"`;
      expect((await env.client.nexus.count(query)).count).toBe(2);
      const listed = [];
      for await (const operation of env.client.nexus.list({ query, pageSize: 1 })) listed.push(operation);
      expect(new Set(listed.map((o) => o.operationId))).toEqual(new Set([echoId, greetId]));
      expect(listed.find((o) => o.operationId === echoId)).toMatchObject({ endpoint, service: 'greeting', operation: 'echo', status: 'COMPLETED' });
      expect((await env.client.nexus.count(`${query} AND Operation="greet" AND ExecutionStatus="Completed"`)).count).toBe(1);
      const grouped = await env.client.nexus.count(`${query} GROUP BY ExecutionStatus`);
      expect(grouped.groups.map((group) => ({ count: group.count, values: group.groupValues.map((value) => value.value) }))).toEqual([{ count: 2, values: ['Completed'] }]);
      // Workflow lists do not see operations, nor operation lists the handler's runs.
      const workflows = await env.client.workflowService.countWorkflowExecutions({ namespace: 'default', query: `WorkflowId="${echoId}"` });
      expect(Number(workflows.count)).toBe(0);
      expect(await grpcError(env.client.nexus.count('NoSuchAttribute="x"'))).toBeDefined();
    });
  });
});

const fileOnly = process.env.TEMPORAL_SERVER_DB === 'file' ? describe.skip : describe;

fileOnly('standalone Nexus operations across a restart (file)', () => {
  test('when the server restarts while an async operation runs, then it completes once, with its history of moves kept', async () => {
    const dbFilename = path.join(mkdtempSync(path.join(tmpdir(), 'temporal-nexus-standalone-')), 'temporal.db');
    let server = await startServer({ dbFilename });
    let connection = await Connection.connect({ address: server.address });
    const taskQueue = uniqueQueue();
    const id = uniqueId('restart');
    try {
      const endpoint = await createEndpoint(connection, taskQueue);
      let client = new Client({ connection });
      const handle = await serviceClient(endpoint, client).startOperation(greetingService.operations.greet, { name: 'Hal', ms: 3_000 }, { id, scheduleToCloseTimeout: '1m' });
      let native = await NativeConnection.connect({ address: server.address });
      let worker = await Worker.create({ connection: native, taskQueue, workflowBundle: await fixturesBundle(), nexusServices: [greetingHandler] });
      await worker.runUntil(async () => {
        for (let i = 0; i < 200 && (await client.nexus.getHandle(id).describe()).state !== 'STARTED'; i++) await new Promise((resolve) => setTimeout(resolve, 50));
      });
      expect((await client.nexus.getHandle(id).describe()).state).toBe('STARTED');
      await native.close();
      await connection.close();
      await server.stop();

      server = await startServer({ dbFilename });
      connection = await Connection.connect({ address: server.address });
      client = new Client({ connection });
      native = await NativeConnection.connect({ address: server.address });
      worker = await Worker.create({ connection: native, taskQueue, workflowBundle: await fixturesBundle(), nexusServices: [greetingHandler] });
      const result = await worker.runUntil(resultWithin(client.nexus.getHandle<typeof greetingService.operations.greet>(id, { runId: handle.runId })));
      await native.close();
      expect(result).toBe('Hello, Hal!');
      expect((await client.nexus.count(`OperationId="${id}"`)).count).toBe(1);
    } finally {
      await connection.close();
      await server.stop();
    }
  });
});
