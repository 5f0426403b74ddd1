/**
 * `npm run bench -- acceptance`: acceptances per second through the real HTTP API on the stack
 * `npm start` wires — embedded PostgreSQL, our workflow engine, the worker and the API, the last three
 * in one Node process started as `npm start` starts them (`dist/main.js`, or `main.ts` under tsx) —
 * with 10 and 50 clients, a fresh citizen per request. Writes bench/results/acceptance.json.
 *
 * The baseline, measured in the same run with the same clients on the same stack: an authenticated
 * read of one application (HTTP, auth, two PostgreSQL reads; no engine). Figures are given as ratios
 * of it too, since the machine is small and shared.
 *
 * Where the time goes, per acceptance:
 * - from the API's `Server-Timing` header: PostgreSQL reads before (idempotency key, registry facts,
 *   application in progress) and after (receipt number), the engine's update-with-start call, and
 *   the rest of the server's handling; the client's latency minus the server's own time is HTTP,
 *   parsing, authentication and waiting for the event loop;
 * - inside the engine call, from the workflow histories of a sample: waiting for the worker to pick up
 *   each workflow task, the worker running it, waiting for the activity to be picked up, the activity
 *   itself (a PostgreSQL transaction), up to the `accepted` update's completion.
 */
import { spawn, type ChildProcess } from 'node:child_process';
import { mkdtempSync, readFileSync, rmSync, mkdirSync } from 'node:fs';
import { Agent, request as httpRequest } from 'node:http';
import { createServer } from 'node:net';
import { cpus, tmpdir } from 'node:os';
import path from 'node:path';
import { Client, Connection } from '@temporalio/client';
import { applicationWorkflowId } from '../api/applications/workflowId';
import { startEmbeddedPostgres } from '../db/embeddedPostgres';
import { createDb, type Db } from '../db/knex';
import { migrateToLatest } from '../db/migrate';
import { provisionEmbeddedRoles } from '../db/roles';
import { seedReferenceData, stationCodeFor } from '../db/seed/referenceData';
import { createUser } from '../db/users';
import { makeIdNumber, validUntilFor } from '../domain';
import { repoRoot, resultsPath, writeResults } from './benchmark';

const ROOT = repoRoot();
const COMPILED = path.basename(path.dirname(__dirname)) === 'dist';
const RESULTS = resultsPath('acceptance');
const STATION_COUNTY = '330106'; // Hangzhou, Xihu
const HOME_REGION = '510107'; // Chengdu, Wuhou: cross-region (异地受理)
const WARMUP_S = 3;
const MEASURE_S = 8;
const BASELINE_S = 4;
const LEVELS = [10, 50];
const CITIZENS = 9_000;
const HISTORY_SAMPLE = 40;

interface Sample {
  ms: number;
  status: number;
  timing: Record<string, number>;
  applicationId?: string;
}

interface LevelResult {
  clients: number;
  acceptancesPerSecond: number;
  latencyMs: { p50: number; p90: number; p99: number; max: number };
  answers: Record<string, number>;
  /** Mean milliseconds per acceptance in each part, from Server-Timing. */
  serverTimingMs: Record<string, number>;
  /** Client latency minus the server's own time: HTTP, body parsing, authentication, event-loop waits. */
  httpAndQueueingMs: number;
}

export async function run(): Promise<void> {
  const started = Date.now();
  const work = mkdtempSync(path.join(tmpdir(), 'bench-acceptance-'));
  const database = await startEmbeddedPostgres({ dataDir: path.join(work, 'postgres'), persistent: false });
  let stack: ChildProcess | undefined;
  try {
    const { appUrl, migrationUrl } = await provisionEmbeddedRoles(database.url);
    const owner = createDb(migrationUrl, { poolMax: 4 });
    let token: string;
    try {
      await migrateToLatest(owner);
      await seedReferenceData(owner);
      token = await prepare(owner);
    } finally {
      await owner.destroy();
    }
    const port = await freePort();
    const dataDir = path.join(work, 'data');
    mkdirSync(dataDir, { recursive: true });
    stack = startStack({ appUrl, migrationUrl, port, metricsPort: await freePort(), dataDir });
    const url = `http://127.0.0.1:${port}`;
    await waitForHealth(url, stack);
    console.log(`stack up after ${((Date.now() - started) / 1000).toFixed(1)} s`);

    const agent = new Agent({ keepAlive: true, maxSockets: 256 });
    let next = 0;
    const citizen = () => {
      if (next >= CITIZENS) throw new Error('out of prepared citizens');
      return citizenAt(next++);
    };
    const accept = () => post(agent, url, token, '/v1/applications', acceptanceBody(citizen()));

    // Warm-up: JIT, pools, the engine's caches, the worker's sticky cache.
    await load(WARMUP_S, 20, accept);
    const levels: LevelResult[] = [];
    const acceptedIds: string[] = [];
    for (const clients of LEVELS) {
      const { samples, seconds } = await load(MEASURE_S, clients, accept);
      levels.push(summarize(clients, samples, seconds));
      acceptedIds.push(...samples.filter((s) => s.status === 201 && s.applicationId).map((s) => s.applicationId!));
      console.log(JSON.stringify(levels.at(-1)));
    }
    // Baseline: reading one application, same clients, same stack.
    const readPath = `/v1/applications/${acceptedIds[0]}`;
    const baselineRuns: Array<{ clients: number; requestsPerSecond: number; latencyMs: ReturnType<typeof percentiles> }> = [];
    for (const clients of LEVELS) {
      const { samples, seconds } = await load(BASELINE_S, clients, () => get(agent, url, token, readPath));
      baselineRuns.push({ clients, requestsPerSecond: round(samples.filter((s) => s.status === 200).length / seconds), latencyMs: percentiles(samples.map((s) => s.ms)) });
    }
    agent.destroy();

    const inside = await insideTheEngine(dataDir, acceptedIds);
    const result = {
      what: 'POST /v1/applications through the real HTTP API on the npm-start stack (embedded PostgreSQL + our engine + worker + API), a fresh citizen per request, load generator on the same machine',
      machine: { cpus: cpus().length, model: cpus()[0]?.model, sharedWithOtherWork: true },
      settings: { warmupSeconds: WARMUP_S, measureSeconds: MEASURE_S, baselineSeconds: BASELINE_S },
      levels,
      baseline: { what: 'GET /v1/applications/{id} (authenticated read, no engine)', runs: baselineRuns },
      ratios: Object.fromEntries(
        levels.map((level, i) => [`${level.clients} clients`, { acceptancesPerBaselineRead: round(level.acceptancesPerSecond / baselineRuns[i].requestsPerSecond, 3), p99OverBaselineP99: round(level.latencyMs.p99 / baselineRuns[i].latencyMs.p99, 2) }]),
      ),
      target: { acceptancesPerSecond: 150, p99Ms: 500, clients: 50, met: levels.some((l) => l.clients === 50 && l.acceptancesPerSecond >= 150 && l.latencyMs.p99 <= 500) },
      insideTheEngineCall: inside,
      benchSeconds: round((Date.now() - started) / 1000, 1),
    };
    const previous = readPrevious();
    writeResults('acceptance', { ...result, ...(previous ? { notes: previous } : {}) });
    console.log(`written ${path.relative(ROOT, RESULTS)} (${result.benchSeconds} s)`);
  } finally {
    if (stack && stack.exitCode === null) {
      stack.kill('SIGTERM');
      await new Promise((resolve) => {
        const timer = setTimeout(() => {
          stack!.kill('SIGKILL');
          resolve(undefined);
        }, 10_000);
        stack!.once('exit', () => {
          clearTimeout(timer);
          resolve(undefined);
        });
      });
    }
    await database.stop();
    rmSync(work, { recursive: true, force: true });
  }
}

/** The notes kept in the result file by hand (measurements before and after each fix, and why). */
function readPrevious(): unknown {
  try {
    return JSON.parse(readFileSync(RESULTS, 'utf8')).notes;
  } catch {
    return undefined;
  }
}

// ---------------------------------------------------------------- the stack

function startStack(options: { appUrl: string; migrationUrl: string; port: number; metricsPort: number; dataDir: string }): ChildProcess {
  // BENCH_CPU_PROFILE=<dir>: the stack writes a V8 CPU profile there when it stops (open it in Chrome's DevTools).
  const profile = process.env.BENCH_CPU_PROFILE ? ['--cpu-prof', `--cpu-prof-dir=${process.env.BENCH_CPU_PROFILE}`] : [];
  const [command, args] = COMPILED ? [process.execPath, [...profile, path.join(ROOT, 'dist', 'main.js')]] : [process.execPath, [...profile, '--import', 'tsx', path.join(ROOT, 'main.ts')]];
  const child = spawn(command, args, {
    cwd: ROOT,
    env: {
      ...process.env,
      DATABASE_URL: options.appUrl,
      MIGRATION_DATABASE_URL: options.migrationUrl,
      PORT: String(options.port),
      METRICS_PORT: String(options.metricsPort),
      DATA_DIR: options.dataDir,
      LOG_LEVEL: 'warn',
      NODE_ENV: 'production',
    },
    stdio: ['ignore', 'pipe', 'inherit'],
  });
  // Its log (warnings and worse) is kept, and shown if it fails to start.
  const log: string[] = [];
  child.stdout!.on('data', (chunk: Buffer) => log.push(chunk.toString('utf8')));
  child.once('exit', (code) => {
    if (code) console.error(`the stack exited with ${code}:\n${log.join('').slice(-4000)}`);
  });
  return child;
}

async function waitForHealth(url: string, child: ChildProcess): Promise<void> {
  const until = Date.now() + 60_000;
  while (Date.now() < until) {
    if (child.exitCode !== null) throw new Error(`the stack exited with ${child.exitCode}`);
    const ok = await fetch(`${url}/health`).then((r) => r.status === 200, () => false);
    if (ok) return;
    await new Promise((resolve) => setTimeout(resolve, 250));
  }
  throw new Error('the stack did not come up within 60 s');
}

/** A station user and CITIZENS eligible people with an active card; the station's token. */
async function prepare(db: Db): Promise<string> {
  const { token } = await createUser(db, { id: 'bench-station', name: 'bench station', role: 'station', stationCode: stationCodeFor(STATION_COUNTY), regionCode: null, provinceCode: null, unitId: null });
  for (let from = 0; from < CITIZENS; from += 1_000) {
    const people = Array.from({ length: Math.min(1_000, CITIZENS - from) }, (_, i) => citizenAt(from + i));
    await db('citizens').insert(people.map((p) => ({ idNumber: p.idNumber, name: p.name, sex: Number(p.idNumber[16]) % 2 === 1 ? 'male' : 'female', birthDate: p.birthDate, homeRegionCode: HOME_REGION, hasFingerprints: true })));
    await db('cards').insert(people.map((p) => ({ idNumber: p.idNumber, validFrom: '2021-03-01', validUntil: validUntilFor(p.birthDate, '2021-03-01'), status: 'ACTIVE', hasFingerprints: true })));
  }
  return token;
}

function citizenAt(i: number): { idNumber: string; name: string; birthDate: string } {
  const day = new Date(Date.UTC(1960, 0, 1) + Math.floor(i / 900) * 86_400_000).toISOString().slice(0, 10);
  return { idNumber: makeIdNumber({ regionCode: HOME_REGION, birthDate: day, sequence: (i % 900) + 1 }), name: `压测${i}`, birthDate: day };
}

const acceptanceBody = (citizen: { idNumber: string; name: string }) => ({ idNumber: citizen.idNumber, name: citizen.name, kind: 'renewal', reason: 'card expiring', fingerprintCaptured: true, appearanceChanged: false });

// ---------------------------------------------------------------- load

async function load(seconds: number, clients: number, send: () => Promise<Sample>): Promise<{ samples: Sample[]; seconds: number }> {
  const samples: Sample[] = [];
  const start = performance.now();
  const until = start + seconds * 1000;
  await Promise.all(
    Array.from({ length: clients }, async () => {
      while (performance.now() < until) samples.push(await send());
    }),
  );
  return { samples, seconds: (performance.now() - start) / 1000 };
}

function post(agent: Agent, url: string, token: string, pathname: string, body: unknown): Promise<Sample> {
  return exchange(agent, url, token, 'POST', pathname, JSON.stringify(body));
}

function get(agent: Agent, url: string, token: string, pathname: string): Promise<Sample> {
  return exchange(agent, url, token, 'GET', pathname);
}

function exchange(agent: Agent, url: string, token: string, method: string, pathname: string, body?: string): Promise<Sample> {
  const started = performance.now();
  return new Promise((resolve) => {
    const req = httpRequest(`${url}${pathname}`, { method, agent, headers: { authorization: `Bearer ${token}`, ...(body ? { 'content-type': 'application/json', 'content-length': Buffer.byteLength(body) } : {}) } }, (res) => {
      const chunks: Buffer[] = [];
      res.on('data', (chunk: Buffer) => chunks.push(chunk));
      res.on('end', () => {
        const ms = performance.now() - started;
        let applicationId: string | undefined;
        try {
          applicationId = JSON.parse(Buffer.concat(chunks).toString('utf8')).applicationId;
        } catch {
          // not JSON
        }
        resolve({ ms, status: res.statusCode ?? 0, timing: serverTiming(res.headers['server-timing']), applicationId });
      });
    });
    req.on('error', () => resolve({ ms: performance.now() - started, status: 0, timing: {} }));
    if (body) req.write(body);
    req.end();
  });
}

/** `Server-Timing: pg;dur=1.2, engine;dur=30.1` → { pg: 1.2, engine: 30.1 }. */
function serverTiming(header: string | string[] | undefined): Record<string, number> {
  const out: Record<string, number> = {};
  for (const part of String(header ?? '').split(',')) {
    const [name, ...params] = part.trim().split(';');
    const duration = params.find((p) => p.trim().startsWith('dur='));
    if (name && duration) out[name] = Number(duration.trim().slice(4));
  }
  return out;
}

function summarize(clients: number, samples: Sample[], seconds: number): LevelResult {
  const accepted = samples.filter((s) => s.status === 201);
  const answers: Record<string, number> = {};
  for (const s of samples) answers[s.status] = (answers[s.status] ?? 0) + 1;
  const names = [...new Set(accepted.flatMap((s) => Object.keys(s.timing)))];
  const serverTimingMs = Object.fromEntries(names.map((name) => [name, round(mean(accepted.map((s) => s.timing[name] ?? 0)), 2)]));
  return {
    clients,
    acceptancesPerSecond: round(accepted.length / seconds, 1),
    latencyMs: percentiles(accepted.map((s) => s.ms)),
    answers,
    serverTimingMs,
    httpAndQueueingMs: round(mean(accepted.map((s) => s.ms - (s.timing.total ?? 0))), 2),
  };
}

// ---------------------------------------------------------------- inside the engine call

/**
 * From the histories of a sample of accepted applications: milliseconds from the run's start to
 * the `accepted` update's completion, split into waits for the worker and work done by it.
 */
async function insideTheEngine(dataDir: string, applicationIds: string[]): Promise<Record<string, unknown>> {
  const services = JSON.parse(readFileSync(path.join(dataDir, 'services.json'), 'utf8')) as { temporalAddress: string; temporalNamespace: string; databaseUrl: string };
  const db = createDb(services.databaseUrl, { poolMax: 2 });
  const connection = await Connection.connect({ address: services.temporalAddress });
  try {
    const client = new Client({ connection, namespace: services.temporalNamespace });
    const step = Math.max(1, Math.floor(applicationIds.length / HISTORY_SAMPLE));
    const sample = applicationIds.filter((_, i) => i % step === 0).slice(0, HISTORY_SAMPLE);
    const rows = await db('applications').whereIn('id', sample).select('idNumber', 'runId');
    const parts: Record<string, number[]> = { workflowTaskQueueWait: [], workflowTaskInWorker: [], activityQueueWait: [], activityRunning: [], startToUpdateCompleted: [], workflowTasks: [], activities: [] };
    for (const row of rows) {
      const history = await client.workflow.getHandle(applicationWorkflowId(row.idNumber), row.runId).fetchHistory();
      const ms = (event: { eventTime?: { seconds?: unknown; nanos?: number | null } | null }) => Number(event.eventTime?.seconds ?? 0) * 1000 + (event.eventTime?.nanos ?? 0) / 1e6;
      const events = history.events ?? [];
      const t0 = ms(events[0]);
      const end = events.find((e) => e.workflowExecutionUpdateCompletedEventAttributes);
      if (!end) continue;
      const until = Number(end.eventId);
      const times = new Map(events.map((e) => [Number(e.eventId), ms(e)]));
      const sums = { workflowTaskQueueWait: 0, workflowTaskInWorker: 0, activityQueueWait: 0, activityRunning: 0, workflowTasks: 0, activities: 0 };
      for (const e of events) {
        if (Number(e.eventId) > until) break;
        if (e.workflowTaskStartedEventAttributes) sums.workflowTaskQueueWait += ms(e) - times.get(Number(e.workflowTaskStartedEventAttributes.scheduledEventId))!;
        if (e.workflowTaskCompletedEventAttributes) {
          sums.workflowTaskInWorker += ms(e) - times.get(Number(e.workflowTaskCompletedEventAttributes.startedEventId))!;
          sums.workflowTasks++;
        }
        if (e.activityTaskStartedEventAttributes) sums.activityQueueWait += ms(e) - times.get(Number(e.activityTaskStartedEventAttributes.scheduledEventId))!;
        if (e.activityTaskCompletedEventAttributes) {
          sums.activityRunning += ms(e) - times.get(Number(e.activityTaskCompletedEventAttributes.startedEventId))!;
          sums.activities++;
        }
      }
      for (const [name, value] of Object.entries(sums)) parts[name].push(value);
      parts.startToUpdateCompleted.push(ms(end) - t0);
    }
    return {
      what: 'mean per acceptance over a sample of the measured runs, from their histories (event times are the engine\'s)',
      sampled: parts.startToUpdateCompleted.length,
      ...Object.fromEntries(Object.entries(parts).map(([name, values]) => [name, round(mean(values), name === 'workflowTasks' || name === 'activities' ? 1 : 2)])),
    };
  } finally {
    await connection.close();
    await db.destroy();
  }
}

// ---------------------------------------------------------------- helpers

function percentiles(values: number[]): { p50: number; p90: number; p99: number; max: number } {
  const sorted = [...values].sort((a, b) => a - b);
  const at = (q: number) => round(sorted[Math.min(sorted.length - 1, Math.floor(q * sorted.length))] ?? NaN, 1);
  return { p50: at(0.5), p90: at(0.9), p99: at(0.99), max: round(sorted.at(-1) ?? NaN, 1) };
}

const mean = (values: number[]) => (values.length ? values.reduce((a, b) => a + b, 0) / values.length : NaN);
const round = (value: number, places = 1) => Math.round(value * 10 ** places) / 10 ** places;

function freePort(): Promise<number> {
  return new Promise((resolve, reject) => {
    const server = createServer();
    server.once('error', reject);
    server.listen(0, '127.0.0.1', () => {
      const { port } = server.address() as { port: number };
      server.close(() => resolve(port));
    });
  });
}
