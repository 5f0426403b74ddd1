/**
 * One database per jest worker, so that files running side by side never see each other's rows.
 * Many tests count what a region, a station or the registry-wide feed holds, or wait for "nothing
 * new"; in one shared database a file in the other worker breaks them. The run's global setup
 * migrates and seeds one database, then copies it once per worker (PostgreSQL's `TEMPLATE`); each
 * worker process points its URLs at its own copy before any test file loads.
 */
import { Client } from 'pg';

const URL_VARIABLES = ['DATABASE_URL', 'TEST_OWNER_DATABASE_URL', 'TEST_SUPERUSER_DATABASE_URL'] as const;

const databaseOfWorker = (workerId: string) => `idcards_test_worker_${workerId}`;

const withDatabase = (url: string, database: string) => {
  const changed = new URL(url);
  changed.pathname = `/${database}`;
  return changed.toString();
};

/** As the superuser: a copy of the (migrated, seeded, idle) database of `superuserUrl` for each worker 1…`workers`. */
export async function createWorkerDatabases(superuserUrl: string, owner: string, workers: number): Promise<void> {
  const source = new URL(superuserUrl).pathname.slice(1);
  // The copy needs its source idle, this connection included: it connects to another database.
  const client = new Client(withDatabase(superuserUrl, 'template1'));
  await client.connect();
  try {
    for (let worker = 1; worker <= workers; worker++) {
      const name = client.escapeIdentifier(databaseOfWorker(String(worker)));
      await client.query(`CREATE DATABASE ${name} TEMPLATE ${client.escapeIdentifier(source)} OWNER ${client.escapeIdentifier(owner)}`);
    }
  } finally {
    await client.end();
  }
}

/** In a jest worker process: the run's database URLs, pointed at this worker's copy (in band, worker 1's). */
export function useWorkerDatabase(env: NodeJS.ProcessEnv = process.env): void {
  const database = databaseOfWorker(env.JEST_WORKER_ID ?? '1');
  for (const variable of URL_VARIABLES) {
    const url = env[variable];
    if (url) env[variable] = withDatabase(url, database);
  }
}
