import { mkdtempSync, chmodSync } from 'node:fs';
import { tmpdir } from 'node:os';
import path from 'node:path';
import { startEmbeddedPostgres } from '../db/embeddedPostgres';
import { createDb } from '../db/knex';
import { migrateToLatest } from '../db/migrate';
import { OWNER_ROLE, provisionEmbeddedRoles } from '../db/roles';
import { seedReferenceData } from '../db/seed/referenceData';
import { buildSharedBundles } from './support/workflowBundles';
import { createWorkerDatabases } from './support/workerDatabases';

/**
 * One throw-away PostgreSQL cluster for the whole run, migrated and holding reference data.
 * Test files reach it through DATABASE_URL and make their own citizens, cards and users; each jest
 * worker has its own copy of the database (support/workerDatabases.ts).
 */
export default async function globalSetup(globalConfig: { maxWorkers: number }): Promise<void> {
  const parent = mkdtempSync(path.join(tmpdir(), 'id-cards-test-'));
  // As root, PostgreSQL runs as user `postgres`, which must be able to reach the cluster directory.
  chmodSync(parent, 0o755);
  const cluster = await startEmbeddedPostgres({ dataDir: path.join(parent, 'postgres'), persistent: false });
  (globalThis as { __testCluster?: typeof cluster }).__testCluster = cluster;
  // Tests run as the app does: DATABASE_URL is its least-privilege role; the schema is the owner's.
  const roles = await provisionEmbeddedRoles(cluster.url);
  process.env.DATABASE_URL = roles.appUrl;
  process.env.TEST_OWNER_DATABASE_URL = roles.migrationUrl;
  process.env.TEST_SUPERUSER_DATABASE_URL = cluster.url;

  const db = createDb(roles.migrationUrl);
  try {
    await migrateToLatest(db);
    await seedReferenceData(db);
  } finally {
    await db.destroy();
  }
  await createWorkerDatabases(cluster.url, OWNER_ROLE, Math.max(1, globalConfig.maxWorkers));
  await buildSharedBundles(parent);
}
