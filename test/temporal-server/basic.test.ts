import { randomUUID } from 'node:crypto';
import { TestWorkflowEnvironment } from '@temporalio/testing';
import { Worker, type WorkflowBundleWithSourceMap } from '@temporalio/worker';
import * as activities from './fixtures/activities';
import { DEV_SERVER, fixturesBundle, MAX_SKIPPED_SLEEP_MS } from './helpers';
import { CLOSE_BOUND_MS, within } from '../support/bounds';
import { activityThenSleep } from './fixtures/workflows';

let env: TestWorkflowEnvironment;
let bundle: WorkflowBundleWithSourceMap;

beforeAll(async () => {
  env = await TestWorkflowEnvironment.createTimeSkipping({ server: { executable: { type: 'existing-path', path: DEV_SERVER } } });
  bundle = await fixturesBundle();
}, 60_000);

afterAll(async () => {
  await env?.teardown();
});

test('an activity then a 60-day sleep completes within three seconds of real time while the clock moves 60 days', async () => {
  const taskQueue = `tq-${randomUUID()}`;
  const worker = await Worker.create({ connection: env.nativeConnection, taskQueue, workflowBundle: bundle, activities });
  await worker.runUntil(async () => {
    const started = Date.now();
    const before = await env.currentTimeMs();
    const result = await within(env.client.workflow.execute(activityThenSleep, { taskQueue, workflowId: randomUUID(), args: ['ana', 60] }), CLOSE_BOUND_MS, 'the 60-day workflow did not complete');
    expect(result).toBe('hello ana after 60 days');
    expect(Date.now() - started).toBeLessThan(MAX_SKIPPED_SLEEP_MS);
    expect((await env.currentTimeMs()) - before).toBeGreaterThanOrEqual(60 * 24 * 3600 * 1000);
  });
});
