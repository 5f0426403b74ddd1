import type { Db } from './knex';
import { migrationSource } from './migrations';

const options = { migrationSource, tableName: 'knex_migrations' };

/** Brings the schema up to date. Safe to run from several processes: knex holds a lock table. */
export async function migrateToLatest(db: Db): Promise<string[]> {
  const [, applied] = await db.migrate.latest(options);
  return applied as string[];
}

/** Rolls back every migration (tests and emergencies only). */
export async function migrateAllDown(db: Db): Promise<void> {
  await db.migrate.rollback(options, true);
}
