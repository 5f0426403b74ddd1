import { readdirSync, readFileSync } from 'node:fs';
import path from 'node:path';
import { temporal } from '@temporalio/proto';
import { Worker } from '@temporalio/worker';
import { testPayloadCodec } from '../support/payloadCodec';
import { workflowBundle } from '../support/workflowBundles';

/**
 * Histories recorded from real runs of the application workflow (RECORD_HISTORIES=1 npx jest test/workflows),
 * committed as fixtures. A change that makes the workflow non-deterministic for running applications fails here.
 */
const dir = path.resolve(__dirname, 'histories');
const fixtures = readdirSync(dir).filter((file) => file.endsWith('.json'));

test('there are recorded histories to replay', () => {
  expect(fixtures.length).toBeGreaterThanOrEqual(5);
});

test.each(fixtures)('when %s is replayed against today\'s workflow code, then it is deterministic', async (file) => {
  // Built as a History message here: the SDK's JSON reader trips over jest's module registry.
  const history = temporal.api.history.v1.History.fromObject(JSON.parse(readFileSync(path.join(dir, file), 'utf8')));
  // Recorded before payloads were encrypted: the codec passes them through.
  // The run's one bundle of today's workflow code (webpack once, not once per history).
  await Worker.runReplayHistory({ workflowBundle: await workflowBundle('application'), dataConverter: { payloadCodecs: [testPayloadCodec] } }, history, file);
}, 60_000);
