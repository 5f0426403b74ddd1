/**
 * Benchmark of the embedded Temporal server: one-activity workflows completed per second at
 * concurrency 1, 10 and 100 (server, worker and client in this one process, real time), and the
 * wall time of a 60-day workflow under time skipping through bin/temporal-dev-server exactly as
 * the SDK's test environment runs it. Writes bench/results/temporal-server.json.
 *
 * Run: `node dist/bench/temporal-server.js` after `npm run build` (or via `npm run bench`).
 */
import path from 'node:path';
import { Client, Connection } from '@temporalio/client';
import { TestWorkflowEnvironment } from '@temporalio/testing';
import { bundleWorkflowCode, NativeConnection, Runtime, Worker, type WorkflowBundleWithSourceMap } from '@temporalio/worker';
import { start } from '../temporal-server';
import { repoRoot, runAsProcess, runFacts, writeResults } from './benchmark';

const SECONDS_PER_LEVEL = Number(process.env.BENCH_SECONDS ?? 5);
const LEVELS = [1, 10, 100];

const silent = { trace() {}, debug() {}, info() {}, warn() {}, error() {}, log() {} } as never;
const activities = { echo: async (text: string) => text };

/** Calls per second of `call` kept `concurrency` deep for `seconds`. */
export async function rate(concurrency: number, seconds: number, call: () => Promise<unknown>): Promise<{ perSecond: number; completed: number }> {
  let completed = 0;
  const started = Date.now();
  const deadline = started + seconds * 1000;
  await Promise.all(
    Array.from({ length: concurrency }, async () => {
      while (Date.now() < deadline) {
        await call();
        completed++;
      }
    }),
  );
  return { perSecond: Math.round((completed / ((Date.now() - started) / 1000)) * 10) / 10, completed };
}

/**
 * The baseline, measured in the same run against the same server: bare unary gRPC calls
 * (`GetSystemInfo`) per second from the same client at each concurrency. A one-activity workflow
 * costs about a dozen calls (start, polls, completions, history long poll), so the ratio says how
 * close the engine comes to the transport's own limit.
 */
async function throughput(bundle: WorkflowBundleWithSourceMap): Promise<{ workflowsPerSecond: Record<string, number>; unaryCallsPerSecond: Record<string, number> }> {
  const server = await start({});
  const nativeConnection = await NativeConnection.connect({ address: server.address });
  const connection = await Connection.connect({ address: server.address });
  const client = new Client({ connection });
  const taskQueue = 'bench-throughput';
  const worker = await Worker.create({
    connection: nativeConnection,
    taskQueue,
    workflowBundle: bundle,
    activities,
    maxConcurrentWorkflowTaskExecutions: 100,
    maxConcurrentActivityTaskExecutions: 100,
  });
  const results: Record<string, number> = {};
  const baseline: Record<string, number> = {};
  try {
    await worker.runUntil(async () => {
      let sequence = 0;
      const runOne = () => client.workflow.execute('oneActivity', { taskQueue, workflowId: `bench-${sequence++}`, args: ['x'] });
      await Promise.all(Array.from({ length: 20 }, runOne)); // warm-up
      for (const concurrency of LEVELS) {
        baseline[`concurrency${concurrency}`] = (await rate(concurrency, SECONDS_PER_LEVEL, () => connection.workflowService.getSystemInfo({}))).perSecond;
        const { perSecond, completed } = await rate(concurrency, SECONDS_PER_LEVEL, runOne);
        results[`concurrency${concurrency}`] = perSecond;
        console.log(`  concurrency ${String(concurrency).padStart(3)}: ${perSecond} workflows/s (${completed} in ${SECONDS_PER_LEVEL}s); bare unary calls ${baseline[`concurrency${concurrency}`]}/s`);
      }
    });
  } finally {
    await nativeConnection.close();
    await connection.close();
    await server.stop();
  }
  return { workflowsPerSecond: results, unaryCallsPerSecond: baseline };
}

async function timeSkipped60Days(bundle: WorkflowBundleWithSourceMap): Promise<number> {
  const env = await TestWorkflowEnvironment.createTimeSkipping({
    server: { executable: { type: 'existing-path', path: path.join(repoRoot(), 'bin', 'temporal-dev-server') } },
  });
  try {
    const taskQueue = 'bench-time-skipping';
    const worker = await Worker.create({ connection: env.nativeConnection, taskQueue, workflowBundle: bundle, activities });
    return await worker.runUntil(async () => {
      const started = process.hrtime.bigint();
      await env.client.workflow.execute('activityThenSleep', { taskQueue, workflowId: 'bench-60-days', args: ['x', 60] });
      const ms = Number(process.hrtime.bigint() - started) / 1e6;
      console.log(`  60-day workflow under time skipping: ${ms.toFixed(1)} ms wall time`);
      return Math.round(ms * 10) / 10;
    });
  } finally {
    await env.teardown();
  }
}

export async function run(): Promise<void> {
  Runtime.install({ logger: silent });
  const root = repoRoot();
  const bundle = await bundleWorkflowCode({ workflowsPath: path.join(root, 'test', 'temporal-server', 'fixtures', 'workflows.ts'), logger: silent });
  const { workflowsPerSecond, unaryCallsPerSecond } = await throughput(bundle);
  const sixtyDayWorkflowMs = await timeSkipped60Days(bundle);
  const results = {
    ...runFacts('temporal-server'),
    secondsPerLevel: SECONDS_PER_LEVEL,
    note: 'one-activity workflows completed per second with server, worker and client in one process, beside bare unary gRPC calls per second to the same server at the same concurrency (the baseline); 60-day workflow wall time through bin/temporal-dev-server',
    workflowsPerSecond,
    baselineUnaryCallsPerSecond: unaryCallsPerSecond,
    workflowsPerUnaryCall: Object.fromEntries(Object.entries(workflowsPerSecond).map(([level, value]) => [level, Math.round((value / unaryCallsPerSecond[level]) * 1000) / 1000])),
    sixtyDayWorkflowMs,
    sixtyDaysOfWorkflowTimePerWallSecond: Math.round((60 * 86_400_000) / sixtyDayWorkflowMs),
  };
  writeResults('temporal-server', results);
  console.log(JSON.stringify(results, null, 2));
}

if (require.main === module) runAsProcess(run);
