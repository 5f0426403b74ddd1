/**
 * The dev-server form (`server start-dev`, real time, the SDK's createLocal), a custom namespace,
 * the executable's signal handling, and a worker killed with SIGKILL while workflows are in flight.
 */
import { spawn, type ChildProcess } from 'node:child_process';
import { mkdtempSync, readFileSync, existsSync } from 'node:fs';
import { tmpdir } from 'node:os';
import path from 'node:path';
import type { TestWorkflowEnvironment } from '@temporalio/testing';
import { activityThenSleep, twoSteps } from './fixtures/workflows';
import { DEV_SERVER, eventTypes, expectReplays, localEnv, SERVER_LISTENING_BOUND_MS, uniqueId, uniqueQueue, withWorker } from './helpers';
import { killed, resultWithin, within } from '../support/bounds';

const NAMESPACE = 'conformance';
/** A worker process loads tsx and the fixtures' bundle before it says ready. */
const WORKER_READY_BOUND_MS = 20_000;
let env: TestWorkflowEnvironment;

beforeAll(async () => {
  env = await localEnv(NAMESPACE);
});

afterAll(async () => {
  await env?.teardown();
});

function startWorkerProcess(address: string, taskQueue: string, recordFile: string): Promise<ChildProcess> {
  const child = spawn(process.execPath, ['-r', require.resolve('tsx/cjs'), path.join(__dirname, 'fixtures', 'worker-process.ts'), address, NAMESPACE, taskQueue], {
    env: { ...process.env, RECORD_FILE: recordFile },
    stdio: ['ignore', 'pipe', 'inherit'],
  });
  const ready = new Promise<ChildProcess>((resolve, reject) => {
    child.stdout!.on('data', (chunk: Buffer) => {
      if (chunk.toString().includes('ready')) resolve(child);
    });
    child.once('exit', (code) => reject(new Error(`worker process exited early with ${code}`)));
  });
  return within(ready, WORKER_READY_BOUND_MS, 'the worker process did not say ready');
}

test('when started in dev-server form with --namespace, then that namespace serves workflows in real time', async () => {
  expect(env.namespace).toBe(NAMESPACE);
  await withWorker(env, async (taskQueue) => {
    const handle = await env.client.workflow.start(activityThenSleep, { taskQueue, workflowId: uniqueId(), args: ['dev', 0] });
    expect(await resultWithin(handle)).toBe('hello dev after 0 days');
    await expectReplays(handle);
  });
});

test('when a worker is killed with SIGKILL mid-flight, then a new worker finishes every workflow exactly once', async () => {
  const taskQueue = uniqueQueue();
  const recordFile = path.join(mkdtempSync(path.join(tmpdir(), 'kill-worker-')), 'activities.log');
  const first = await startWorkerProcess(env.address, taskQueue, recordFile);
  const count = 20;
  const handles = await Promise.all(
    Array.from({ length: count }, (_, n) =>
      env.client.workflow.start(twoSteps, { taskQueue, workflowId: uniqueId('killed'), args: [n], workflowTaskTimeout: '2s' }),
    ),
  );
  // Let some workflows get part-way, then kill the worker without any chance to clean up.
  await new Promise((resolve) => setTimeout(resolve, 150));
  await killed(first, 'the first worker process');
  const second = await startWorkerProcess(env.address, taskQueue, recordFile);
  try {
    const results = await Promise.all(handles.map((handle) => resultWithin(handle)));
    expect(results).toEqual(Array.from({ length: count }, (_, n) => `a${n}b${n}`));
    for (const handle of handles) {
      const types = await eventTypes(handle);
      expect(types.filter((type) => type === 'WORKFLOW_EXECUTION_COMPLETED')).toHaveLength(1);
      expect(types.filter((type) => type === 'ACTIVITY_TASK_COMPLETED')).toHaveLength(2);
    }
    // Activities run at least once; every one of them ran.
    const recorded = existsSync(recordFile) ? readFileSync(recordFile, 'utf8').trim().split('\n') : [];
    for (let n = 0; n < count; n++) expect(recorded).toEqual(expect.arrayContaining([`a${n}`, `b${n}`]));
    await Promise.all(handles.slice(0, 3).map((handle) => expectReplays(handle)));
  } finally {
    second.kill('SIGKILL');
  }
}, 60_000);

test('when the executable gets SIGTERM or SIGINT, then it exits cleanly', async () => {
  for (const signal of ['SIGTERM', 'SIGINT'] as const) {
    const child = spawn(DEV_SERVER, ['server', 'start-dev', '--port', '0', '--headless', '--log-level', 'warn'], { stdio: ['ignore', 'pipe', 'inherit'] });
    await within(new Promise<void>((resolve) => child.stdout!.once('data', () => resolve())), SERVER_LISTENING_BOUND_MS, 'the executable printed nothing');
    const code = await killed(child, 'the executable', signal);
    expect(code).toBe(0);
  }
});
