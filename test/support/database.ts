import { createDb, type Db } from '../../db/knex';

/** A pool on the run's throw-away cluster; close it in `afterAll`. */
export function testDb(): Db {
  const url = process.env.DATABASE_URL;
  if (!url) throw new Error('DATABASE_URL is not set: run tests through jest (global setup starts PostgreSQL)');
  return createDb(url, { poolMax: 5 });
}
