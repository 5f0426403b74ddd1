/**
 * What keeping the embedded Temporal server's state in a file costs, in one run (so the figures are
 * ratios against baselines measured beside them on the same, possibly busy, machine):
 *   - one-activity workflows per second, file-backed (SQLite WAL, synchronous NORMAL and FULL)
 *     against in memory, at concurrency 10 and 100, rounds alternating between the modes;
 *   - from start to serving with 10,000 open workflows each holding a timer, against an empty file;
 *   - resident memory of the server process holding 100,000 open application-shaped workflows
 *     (an input of an application's size, an activity done, a 60-day timer), against an empty one;
 *   - file size per completed application workflow (the recorded happy-path history).
 * Writes bench/results/temporal-durability.json. Run: `npm run bench -- temporal-durability`.
 */
import { spawn } from 'node:child_process';
import { mkdtempSync, readFileSync, rmSync, statSync } from 'node:fs';
import os from 'node:os';
import path from 'node:path';
import { Client, Connection } from '@temporalio/client';
import { temporal } from '@temporalio/proto';
import { bundleWorkflowCode, NativeConnection, Runtime, Worker, type WorkflowBundleWithSourceMap } from '@temporalio/worker';
import { start, type RunningServer } from '../temporal-server';
import { VirtualClock } from '../temporal-server/clock';
import { Engine } from '../temporal-server/engine';
import { pollActivityTask } from '../temporal-server/handlers/pollActivityTaskQueue';
import { pollWorkflowTask } from '../temporal-server/handlers/pollWorkflowTaskQueue';
import { completeActivity } from '../temporal-server/handlers/respondActivityTaskCompleted';
import { completeWorkflowTask } from '../temporal-server/handlers/respondWorkflowTaskCompleted';
import { startWorkflow } from '../temporal-server/handlers/startWorkflowExecution';
import type { Pb } from '../temporal-server/proto';
import { SqliteStore } from '../temporal-server/sqliteStore';
import { repoRoot, runFacts, writeResults } from './benchmark';
import { rate } from './temporal-server';

const SECONDS_PER_ROUND = Number(process.env.BENCH_SECONDS ?? 4);
const ROUNDS = Number(process.env.BENCH_ROUNDS ?? 3);
const RECOVERY_WORKFLOWS = Number(process.env.BENCH_RECOVERY_WORKFLOWS ?? 10_000);
const MEMORY_WORKFLOWS = Number(process.env.BENCH_MEMORY_WORKFLOWS ?? 100_000);

const silent = { trace() {}, debug() {}, info() {}, warn() {}, error() {}, log() {} } as never;
const median = (values: number[]) => [...values].sort((a, b) => a - b)[Math.floor(values.length / 2)];
const round = (value: number, digits = 3) => Math.round(value * 10 ** digits) / 10 ** digits;

type Mode = 'memory' | 'fileNormal' | 'fileFull';

async function throughput(bundle: WorkflowBundleWithSourceMap, dir: string) {
  const modes: Array<[Mode, Parameters<typeof start>[0]]> = [
    ['memory', {}],
    ['fileNormal', { dbFilename: path.join(dir, 'normal.db'), synchronous: 'NORMAL' }],
    ['fileFull', { dbFilename: path.join(dir, 'full.db'), synchronous: 'FULL' }],
  ];
  const running: Array<{ mode: Mode; server: RunningServer; client: Client; connection: Connection; native: NativeConnection; worker: Worker; done: Promise<void> }> = [];
  for (const [mode, options] of modes) {
    const server = await start(options);
    const native = await NativeConnection.connect({ address: server.address });
    const connection = await Connection.connect({ address: server.address });
    const worker = await Worker.create({
      connection: native,
      taskQueue: `bench-${mode}`,
      workflowBundle: bundle,
      activities: { echo: async (text: string) => text },
      maxConcurrentWorkflowTaskExecutions: 100,
      maxConcurrentActivityTaskExecutions: 100,
    });
    running.push({ mode, server, client: new Client({ connection }), connection, native, worker, done: worker.run() });
  }
  const perSecond: Record<string, Record<Mode, number[]>> = {};
  let sequence = 0;
  try {
    for (const { client, mode } of running) {
      await Promise.all(Array.from({ length: 20 }, () => client.workflow.execute('oneActivity', { taskQueue: `bench-${mode}`, workflowId: `warm-${sequence++}`, args: ['x'] })));
    }
    for (const concurrency of [10, 100]) {
      const level: Record<Mode, number[]> = (perSecond[`concurrency${concurrency}`] = { memory: [], fileNormal: [], fileFull: [] });
      for (let round = 0; round < ROUNDS; round++) {
        for (const { client, mode } of running) {
          const { perSecond: value } = await rate(concurrency, SECONDS_PER_ROUND, () =>
            client.workflow.execute('oneActivity', { taskQueue: `bench-${mode}`, workflowId: `bench-${sequence++}`, args: ['x'] }),
          );
          level[mode].push(value);
          console.log(`  concurrency ${concurrency}, round ${round + 1}, ${mode}: ${value} workflows/s`);
        }
      }
    }
  } finally {
    for (const { worker, done, native, connection, server } of running) {
      worker.shutdown();
      await done;
      await native.close();
      await connection.close();
      await server.stop();
    }
  }
  return Object.fromEntries(
    Object.entries(perSecond).map(([level, byMode]) => {
      const memory = median(byMode.memory);
      return [
        level,
        {
          workflowsPerSecond: { memory, fileNormal: median(byMode.fileNormal), fileFull: median(byMode.fileFull) },
          fileNormalOverMemory: round(median(byMode.fileNormal) / memory),
          fileFullOverMemory: round(median(byMode.fileFull) / memory),
        },
      ];
    }),
  );
}

/**
 * Fills a file with open workflows through the engine itself (no gRPC, batches of 500 per commit):
 * each started with an input of `inputBytes`, optionally one activity run, then a timer of `days`.
 */
export async function fill(filename: string, count: number, options: { inputBytes: number; withActivity: boolean; days: number }): Promise<void> {
  const store = new SqliteStore({ filename });
  store.transact(() => store.addNamespace('default'));
  const engine = new Engine({ store, clock: new VirtualClock(false), pollTimeoutMs: 1 });
  const input = { payloads: [{ metadata: { encoding: Buffer.from('json/plain') }, data: Buffer.alloc(options.inputBytes, 'x') }] };
  const poll = { namespace: 'default', taskQueue: { name: 'fill' }, identity: 'fill' };
  const complete = (task: Pb, commands: Pb[]) => completeWorkflowTask(engine, { taskToken: task.taskToken, commands, identity: 'fill' });
  const timer = { commandType: 'COMMAND_TYPE_START_TIMER', startTimerCommandAttributes: { timerId: '1', startToFireTimeout: { seconds: options.days * 86_400 } } };
  const activity = {
    commandType: 'COMMAND_TYPE_SCHEDULE_ACTIVITY_TASK',
    scheduleActivityTaskCommandAttributes: { activityId: '1', activityType: { name: 'recordAcceptance' }, taskQueue: { name: 'fill' }, input, startToCloseTimeout: { seconds: 60 } },
  };
  const pollAll = (n: number, kind: 'workflow' | 'activity') =>
    Promise.all(engine.transact(() => Array.from({ length: n }, () => (kind === 'workflow' ? pollWorkflowTask(engine, poll, () => false) : pollActivityTask(engine, poll, () => false)))));
  for (let done = 0; done < count; done += 500) {
    const n = Math.min(500, count - done);
    engine.transact(() => {
      for (let i = 0; i < n; i++) {
        startWorkflow(engine, { namespace: 'default', workflowId: `application-${done + i}`, workflowType: { name: 'applicationWorkflow' }, taskQueue: { name: 'fill' }, input, requestId: `fill-${done + i}` });
      }
    });
    let tasks = await pollAll(n, 'workflow');
    if (options.withActivity) {
      engine.transact(() => tasks.forEach((task) => complete(task, [activity])));
      const activities = await pollAll(n, 'activity');
      engine.transact(() => activities.forEach((task) => completeActivity(engine, { taskToken: task.taskToken, result: { payloads: [] }, identity: 'fill' })));
      tasks = await pollAll(n, 'workflow');
    }
    engine.transact(() => tasks.forEach((task) => complete(task, [timer])));
  }
  engine.shutdown();
  store.close();
}

/** Spawns bin/temporal-dev-server on `filename`: ms until it says it listens, and its resident memory then. */
export async function startOnFile(filename: string): Promise<{ startMs: number; rssMb: number }> {
  const started = process.hrtime.bigint();
  const child = spawn(path.join(repoRoot(), 'bin', 'temporal-dev-server'), ['server', 'start-dev', '--port', '0', '--headless', '--db-filename', filename], { stdio: ['ignore', 'pipe', 'inherit'] });
  await new Promise<void>((resolve, reject) => {
    child.stdout!.on('data', (chunk: Buffer) => chunk.toString().includes('listening') && resolve());
    child.once('exit', (code) => reject(new Error(`server exited with ${code}`)));
  });
  const startMs = Number(process.hrtime.bigint() - started) / 1e6;
  await new Promise((resolve) => setTimeout(resolve, 500));
  const status = readFileSync(`/proc/${child.pid}/status`, 'utf8');
  const rssMb = Number(/VmRSS:\s+(\d+)/.exec(status)![1]) / 1024;
  child.kill('SIGTERM');
  await new Promise((resolve) => child.once('exit', resolve));
  return { startMs: round(startMs, 0), rssMb: round(rssMb, 1) };
}

/** Bytes of file per completed application workflow: the recorded happy-path history, stored 1,000 times. */
function fileBytesPerApplication(dir: string): { events: number; bytesPerWorkflow: number } {
  const json = JSON.parse(readFileSync(path.join(repoRoot(), 'test', 'workflows', 'histories', 'happy-path.json'), 'utf8'));
  const history = temporal.api.history.v1.History.toObject(temporal.api.history.v1.History.fromObject(json), { longs: Number, enums: String, bytes: Buffer as never, defaults: false });
  const events = history.events as Pb[];
  const filename = path.join(dir, 'completed.db');
  const store = new SqliteStore({ filename });
  const empty = () => statSync(filename).size;
  store.close();
  const before = empty();
  const copies = 1_000;
  const again = new SqliteStore({ filename });
  for (let i = 0; i < copies; i++) {
    again.transact(() => {
      const runId = `00000000-0000-4000-8000-${String(i).padStart(12, '0')}`;
      again.putExecution({
        namespace: 'default', workflowId: `application-${i}`, runId, workflowType: 'applicationWorkflow', taskQueue: 'id-cards.applications',
        status: 'WORKFLOW_EXECUTION_STATUS_COMPLETED', startTime: Date.now(), executionTime: Date.now(), closeTime: Date.now(), startRequestIds: [runId], requestIds: [],
        executionTimeoutMs: 0, runTimeoutMs: 0, workflowTaskTimeoutMs: 10_000, memo: {}, searchAttributes: {}, nextEventId: events.length + 1, bufferedEvents: [],
        workflowTaskNeeded: false, lastCompletedStartedEventId: events.length - 2, stickyScheduleToStartMs: 5_000, activities: {}, timers: {}, updates: {}, cancelRequested: false, historySizeBytes: 0,
      });
      again.appendEvents('default', runId, events);
    });
  }
  again.close();
  return { events: events.length, bytesPerWorkflow: Math.round((statSync(filename).size - before) / copies) };
}

export async function run(): Promise<void> {
  try {
    Runtime.install({ logger: silent });
  } catch {
    // installed by another benchmark in this process
  }
  const root = repoRoot();
  const dir = mkdtempSync(path.join(os.tmpdir(), 'bench-durability-'));
  try {
    const bundle = await bundleWorkflowCode({ workflowsPath: path.join(root, 'test', 'temporal-server', 'fixtures', 'workflows.ts'), logger: silent });
    console.log('  throughput: in memory against file-backed');
    const throughputs = await throughput(bundle, dir);

    console.log(`  start to serving: ${RECOVERY_WORKFLOWS} open workflows with a timer`);
    const emptyFile = path.join(dir, 'empty.db');
    await fill(emptyFile, 0, { inputBytes: 0, withActivity: false, days: 0 });
    const recoveryFile = path.join(dir, 'recovery.db');
    await fill(recoveryFile, RECOVERY_WORKFLOWS, { inputBytes: 200, withActivity: false, days: 30 });
    const emptyStart = await startOnFile(emptyFile);
    const recoveryStart = await startOnFile(recoveryFile);
    console.log(`    empty: ${emptyStart.startMs} ms; with ${RECOVERY_WORKFLOWS}: ${recoveryStart.startMs} ms`);

    console.log(`  resident memory: ${MEMORY_WORKFLOWS} open application-shaped workflows`);
    const memoryFile = path.join(dir, 'memory.db');
    await fill(memoryFile, MEMORY_WORKFLOWS, { inputBytes: 600, withActivity: true, days: 60 });
    const memoryStart = await startOnFile(memoryFile);
    console.log(`    empty: ${emptyStart.rssMb} MB; with ${MEMORY_WORKFLOWS}: ${memoryStart.rssMb} MB, started in ${memoryStart.startMs} ms; file ${round(statSync(memoryFile).size / 2 ** 20, 1)} MB`);

    const completed = fileBytesPerApplication(dir);
    console.log(`  file per completed application workflow: ${completed.bytesPerWorkflow} bytes (${completed.events} events)`);

    const results = {
      ...runFacts('temporal-durability'),
      note: 'file-backed (SQLite WAL) against in-memory engine, measured in one run; medians of alternating rounds',
      secondsPerRound: SECONDS_PER_ROUND,
      rounds: ROUNDS,
      throughput: throughputs,
      startToServing: {
        openWorkflowsWithTimer: RECOVERY_WORKFLOWS,
        ms: recoveryStart.startMs,
        emptyFileMs: emptyStart.startMs,
        overEmpty: round(recoveryStart.startMs / emptyStart.startMs, 2),
      },
      residentMemory: {
        openApplicationWorkflows: MEMORY_WORKFLOWS,
        rssMb: memoryStart.rssMb,
        emptyServerRssMb: emptyStart.rssMb,
        overEmpty: round(memoryStart.rssMb / emptyStart.rssMb, 2),
        startMs: memoryStart.startMs,
        fileMb: round(statSync(memoryFile).size / 2 ** 20, 1),
      },
      fileBytesPerCompletedApplicationWorkflow: completed,
    };
    writeResults('temporal-durability', results);
    console.log(JSON.stringify(results, null, 2));
  } finally {
    rmSync(dir, { recursive: true, force: true });
  }
}

