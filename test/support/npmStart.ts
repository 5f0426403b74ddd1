/** `npm start` (node dist/main.js) as a child process on a data directory of its own, for end-to-end tests. */
import { spawn, type ChildProcess } from 'node:child_process';
import { chmodSync, existsSync, mkdtempSync, openSync, readFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import path from 'node:path';
import { eventually, exitOf } from './bounds';
import { call, type RunningApi } from './api';

const MAIN = path.resolve(__dirname, '../../dist/main.js');

/** A fresh data directory that embedded PostgreSQL (run as user postgres when we are root) can reach. */
export function freshDataDir(prefix: string): string {
  const parent = mkdtempSync(path.join(tmpdir(), prefix));
  chmodSync(parent, 0o755);
  return path.join(parent, 'data');
}

/**
 * A first start (initdb, migrations, the demo's seed and imports): seconds alone (restart.test, two
 * starts and all its steps, took 13 s), several times that beside another test file on two cores;
 * a full run at load 8 once needed more than 60 s.
 */
export const FIRST_START_BOUND_MS = 120_000;
/** A start on a data directory already set up: PostgreSQL, the engine's recovery, the worker and the API, no seed. */
export const RESTART_BOUND_MS = 60_000;

/**
 * Starts `node dist/main.js` in its own process group (as a terminal would), and waits for /health.
 * @throws Error "timed out waiting for npm start to serve" after `ms`.
 */
export async function npmStart(dataDir: string, port: number, ms = FIRST_START_BOUND_MS): Promise<ChildProcess> {
  const log = openSync(path.join(path.dirname(dataDir), 'npm-start.log'), 'a');
  const child = spawn(process.execPath, [MAIN], { env: { ...process.env, DATABASE_URL: '', DATA_DIR: dataDir, PORT: String(port), METRICS_PORT: '0', LOG_LEVEL: 'warn' }, detached: true, stdio: ['ignore', log, log] });
  const api = { url: `http://127.0.0.1:${port}` } as RunningApi;
  // Ready once it serves and has written services.json (after /health first answers; the last run's is removed at start).
  await eventually(async () => (await call(api, 'GET', '/health').catch(() => ({ status: 0 }))).status === 200 && existsSync(path.join(dataDir, 'services.json')), ms, 'npm start to serve');
  return child;
}

export const postmasterPid = (dataDir: string): number => Number(readFileSync(path.join(dataDir, 'postgres', 'postmaster.pid'), 'utf8').split('\n')[0]);

/**
 * SIGKILL to everything at once: npm start's process group (engine, worker, API) and embedded
 * PostgreSQL, which runs in a group of its own so that a terminal's Ctrl-C reaches only the app.
 */
export async function killEverything(child: ChildProcess, dataDir: string): Promise<void> {
  const exited = exitOf(child, 'npm start did not exit after SIGKILL');
  const postmaster = postmasterPid(dataDir);
  process.kill(-child.pid!, 'SIGKILL');
  process.kill(postmaster, 'SIGKILL');
  await exited;
}

export interface DemoToken { role: string; token: string; stationCode?: string; regionCode?: string; provinceCode?: string; unitId?: string }
export interface DemoCitizen { idNumber: string; name: string; homeRegionCode: string; blacklisted: boolean; cards: Array<{ status: string; hasFingerprints: boolean; validFrom: string }> }

export const demoTokens = (dataDir: string): DemoToken[] => JSON.parse(readFileSync(path.join(dataDir, 'demo-tokens.json'), 'utf8'));
export const demoCitizens = (dataDir: string): DemoCitizen[] => JSON.parse(readFileSync(path.join(dataDir, 'demo-citizens.json'), 'utf8'));
