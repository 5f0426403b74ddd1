import type { Db } from '../../db/knex';
import { startApi, type RunningApi } from './api';
import { testDb } from './database';

/*
 * A database pool and the real API on a free port for the test file that imports this module:
 * started before its first test, closed after its last (jest gives each file a module registry of
 * its own, so each file gets its own). Import the bindings, which are set once `beforeAll` has run;
 * a file's own `beforeAll` (its tokens, its data) runs after this one.
 */
export let db: Db;
export let api: RunningApi;

beforeAll(async () => {
  db = testDb();
  api = await startApi(db);
});

afterAll(async () => {
  await api?.close();
  await db?.destroy();
});
