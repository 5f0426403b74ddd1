import type { TestWorkflowEnvironment } from '@temporalio/testing';
import type { WorkflowBundleWithSourceMap } from '@temporalio/worker';
import type { Db } from '../../db/knex';
import { testDb } from '../support/database';
import { startEnvironment } from './harness';

/*
 * One time-skipping environment, the run's workflow bundle and a database connection for the test
 * file that imports this module: started before its first test, torn down after its last (jest gives
 * each file a module registry of its own, so each file gets its own). Import the bindings, which are
 * set once `beforeAll` has run.
 */
export let env: TestWorkflowEnvironment;
export let bundle: WorkflowBundleWithSourceMap;
export let db: Db;

beforeAll(async () => {
  const started = await startEnvironment();
  env = started.env;
  bundle = started.bundle;
  db = testDb();
}, 120_000);

afterAll(async () => {
  await env?.teardown();
  await db?.destroy();
});

/** The application's messages of `topic` waiting in the outbox. */
export const outbox = (applicationId: string, topic: string) => db('outbox').whereRaw("payload->>'applicationId' = ?", [applicationId]).where('topic', topic);
/** The application's row in the read model. */
export const readModel = (applicationId: string) => db('applications').where('id', applicationId).first();
