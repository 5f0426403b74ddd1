import { randomUUID } from 'node:crypto';
import type { TestWorkflowEnvironment } from '@temporalio/testing';
import type { Worker } from '@temporalio/worker';
import type { Clock } from '../../config/clock';
import type { Db } from '../../db/knex';
import { createWorkers, shutdownWorkers } from '../../worker/workers';
import { startEnvironment } from '../workflows/harness';
import { call, startApi, type RunningApi } from './api';
import { testDb } from './database';
import { testPayloadCodec } from './payloadCodec';

/**
 * The real API over HTTP, backed by real PostgreSQL and the embedded engine in time-skipping mode,
 * with the applications worker and the given provinces' production workers polling queues of the
 * file's own. One per test file: start it in `beforeAll`, stop it in `afterAll`.
 */
export interface ApplicationsApi {
  env: TestWorkflowEnvironment;
  db: Db;
  api: RunningApi;
  /** The task-queue prefix the file's workers poll (the API's TEMPORAL_TASK_QUEUE_PREFIX). */
  prefix: string;
  stop(): Promise<void>;
}

export async function startApplicationsApi(options: { productionProvinces: string[]; clock?: Clock }): Promise<ApplicationsApi> {
  const { env, bundle } = await startEnvironment();
  const db = testDb();
  const prefix = `api-${randomUUID().slice(0, 8)}`;
  let workers: Worker[] = [];
  let running: Promise<unknown> = Promise.resolve();
  let api: RunningApi | undefined;
  const stop = async () => {
    await api?.close();
    shutdownWorkers(workers);
    await running;
    await env.teardown();
    await db.destroy();
  };
  try {
    workers = await createWorkers({ connection: env.nativeConnection, namespace: 'default', taskQueuePrefix: prefix, db, payloadCodec: testPayloadCodec, productionProvinces: options.productionProvinces, workflowBundle: bundle });
    running = Promise.all(workers.map((worker) => worker.run()));
    api = await startApi(db, { temporal: env.client, config: { TEMPORAL_TASK_QUEUE_PREFIX: prefix }, clock: options.clock });
  } catch (error) {
    await stop();
    throw error;
  }
  return { env, db, api, prefix, stop };
}

/** An acceptance body for an eligible person: a renewal with fingerprints captured. */
export const acceptanceOf = (citizen: { idNumber: string; name: string }, overrides: Record<string, unknown> = {}) => ({
  idNumber: citizen.idNumber,
  name: citizen.name,
  kind: 'renewal',
  reason: 'card expiring',
  fingerprintCaptured: true,
  appearanceChanged: false,
  ...overrides,
});

type Answer = Awaited<ReturnType<typeof call>>;

/** Every error is RFC 9457 problem+json with the contract's five members. */
export function expectProblem(answer: Answer, status: number, code?: string): void {
  expect({ status: answer.status, code: answer.body?.code }).toEqual({ status, code: code ?? expect.any(String) });
  expect(answer.contentType).toMatch(/^application\/problem\+json/);
  expect(answer.body).toEqual(
    expect.objectContaining({ type: expect.any(String), title: expect.any(String), status, detail: expect.any(String), code: expect.stringMatching(/^[a-z][a-z0-9_]*$/) }),
  );
}

// Its home is bounds.ts, with the test's other bounded waits; files that drive the API import it from here.
export { eventually } from './bounds';
