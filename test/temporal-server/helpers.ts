/** Shared set-up for the conformance suite: one environment per file, the bundle built once. */
import { spawn, type ChildProcess } from 'node:child_process';
import { randomUUID } from 'node:crypto';
import { mkdtempSync } from 'node:fs';
import { tmpdir } from 'node:os';
import path from 'node:path';
import type { WorkflowHandle } from '@temporalio/client';
import type { SearchAttributeType } from '@temporalio/common';
import type { SearchAttributeKey } from '@temporalio/common/lib/search-attributes';
import { temporal } from '@temporalio/proto';
import { TestWorkflowEnvironment } from '@temporalio/testing';
import { Worker, type WorkerOptions, type WorkflowBundleWithSourceMap } from '@temporalio/worker';
import { within } from '../support/bounds';
import { workflowBundle } from '../support/workflowBundles';
import * as activities from './fixtures/activities';

export const DEV_SERVER = path.resolve(__dirname, '../../bin/temporal-dev-server');
export const DAY = 24 * 60 * 60 * 1000;

/** The dev server opens (or recovers) its file and listens within seconds, more on a loaded machine. */
export const SERVER_LISTENING_BOUND_MS = 30_000;

/** Under time skipping, an activity then a 60-day sleep takes at most this in real time ("at once"). */
export const MAX_SKIPPED_SLEEP_MS = 3_000;

export const quietLogger = { trace() {}, debug() {}, info() {}, warn() {}, error() {}, log() {} } as any;

export function fixturesBundle(): Promise<WorkflowBundleWithSourceMap> {
  return workflowBundle('serverFixtures');
}

/**
 * With TEMPORAL_SERVER_DB=file (set by `fileBacked.test.ts`) each environment's server keeps its
 * state in a fresh `--db-filename`; otherwise in memory. The suite runs in both modes.
 */
function dbFilename(): string | undefined {
  if (process.env.TEMPORAL_SERVER_DB !== 'file') return undefined;
  return path.join(mkdtempSync(path.join(tmpdir(), 'temporal-db-')), 'temporal.db');
}

/** `searchAttributes` are registered at start (the SDK passes them as `--search-attribute NAME=TYPE`). */
export function timeSkippingEnv(searchAttributes?: Array<SearchAttributeKey<SearchAttributeType>>): Promise<TestWorkflowEnvironment> {
  const file = dbFilename();
  return TestWorkflowEnvironment.createTimeSkipping({
    server: { executable: { type: 'existing-path', path: DEV_SERVER }, extraArgs: file ? ['--db-filename', file] : [], ...(searchAttributes ? { searchAttributes } : {}) },
  });
}

export function localEnv(namespace?: string, searchAttributes?: Array<SearchAttributeKey<SearchAttributeType>>): Promise<TestWorkflowEnvironment> {
  return TestWorkflowEnvironment.createLocal({ server: { executable: { type: 'existing-path', path: DEV_SERVER }, namespace, dbFilename: dbFilename(), searchAttributes } });
}

export const uniqueQueue = () => `tq-${randomUUID().slice(0, 8)}`;
export const uniqueId = (prefix = 'wf') => `${prefix}-${randomUUID()}`;

/** Runs `body` while a fresh worker polls a queue of the test's own. */
export async function withWorker<T>(
  env: TestWorkflowEnvironment,
  body: (taskQueue: string) => Promise<T>,
  options: Partial<WorkerOptions> = {},
): Promise<T> {
  const taskQueue = options.taskQueue ?? uniqueQueue();
  const worker = await Worker.create({
    connection: env.nativeConnection,
    namespace: env.namespace ?? 'default',
    taskQueue,
    workflowBundle: await fixturesBundle(),
    activities,
    ...options,
  });
  return worker.runUntil(body(taskQueue));
}

/** Replays the run's history with the same workflow code: throws if the history is not well-formed. */
export async function expectReplays(handle: WorkflowHandle): Promise<void> {
  const history = await handle.fetchHistory();
  await Worker.runReplayHistory({ workflowBundle: await fixturesBundle() }, history, handle.workflowId);
}

/** Event type names of a run's history, shortened (`ACTIVITY_TASK_COMPLETED`). */
export async function eventTypes(handle: WorkflowHandle): Promise<string[]> {
  const history = await handle.fetchHistory();
  return (history.events ?? []).map((event) => String(temporal.api.enums.v1.EventType[event.eventType as number]).replace(/^EVENT_TYPE_/, ''));
}

/**
 * The dev server on `dbFilename` (in memory without one), as `bin/temporal-dev-server` runs it; resolves once it listens.
 * @throws Error "the dev server did not say it was listening within N s" after `ms`.
 */
export function spawnServer(port: number, dbFilename?: string, ms = SERVER_LISTENING_BOUND_MS): Promise<ChildProcess> {
  const child = spawn(DEV_SERVER, ['server', 'start-dev', '--port', String(port), '--headless', ...(dbFilename ? ['--db-filename', dbFilename] : [])], { stdio: ['ignore', 'pipe', 'inherit'] });
  const listening = new Promise<ChildProcess>((resolve, reject) => {
    child.stdout!.on('data', (chunk: Buffer) => {
      if (chunk.toString().includes('listening')) resolve(child);
    });
    child.once('exit', (code) => reject(new Error(`server exited early with ${code}`)));
  });
  return within(listening, ms, 'the dev server did not say it was listening').catch((error: unknown) => {
    child.kill('SIGKILL');
    throw error;
  });
}
