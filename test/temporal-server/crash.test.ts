/**
 * The server killed with SIGKILL at random instants while workflows run, restarted on the same
 * `--db-filename`: every workflow completes exactly once, with a history that replays.
 */
import { mkdtempSync } from 'node:fs';
import { tmpdir } from 'node:os';
import path from 'node:path';
import { Client, Connection, defaultGrpcRetryOptions, makeGrpcRetryInterceptor } from '@temporalio/client';
import { DefaultLogger, NativeConnection, Runtime, Worker } from '@temporalio/worker';
import * as activities from './fixtures/activities';
import { addSignal, finishSignal, setUpdate, survivesCrashes } from './fixtures/workflows';
import { eventTypes, expectReplays, fixturesBundle, SERVER_LISTENING_BOUND_MS, spawnServer, uniqueId, uniqueQueue } from './helpers';
import { killed, within } from '../support/bounds';
import { freePort } from '../support/freePort';

try {
  Runtime.install({ logger: new DefaultLogger('WARN') });
} catch {
  // installed by an earlier file in this jest worker
}

// CRASH_NO_FILE=1 runs the same kills against a server without its file (in memory).
const startServer = (port: number, dbFilename: string, ms?: number) => spawnServer(port, process.env.CRASH_NO_FILE ? undefined : dbFilename, ms);

const KILLS = 4;
/** The longest pause before a kill (150 ms and up to 500 more, drawn from the seed). */
const MAX_PAUSE_MS = 650;
/** A SIGKILLed server's exit is reported at once. */
const KILLED_EXIT_BOUND_MS = 5_000;
/** A restart recovers a file of a few dozen small workflows: a second or two, more on a loaded machine. */
const RESTART_BOUND_MS = 15_000;
/** After the last restart, the retried calls and the workflows' last steps. */
const DRIVING_BOUND_MS = 60_000;
/** The worker's stop waits for its pollers' long polls (20 s on our server). */
const WORKER_STOP_BOUND_MS = 30_000;
/** Every bound in turn, each failing on its own first, and 30 s for the bundle, the connections and the histories' checks. */
const TEST_BOUND_MS = SERVER_LISTENING_BOUND_MS + KILLS * (MAX_PAUSE_MS + KILLED_EXIT_BOUND_MS + RESTART_BOUND_MS) + DRIVING_BOUND_MS + WORKER_STOP_BOUND_MS + 30_000;

const pause = (ms: number) => new Promise((resolve) => setTimeout(resolve, ms));

test('when the server is killed with SIGKILL at random points and restarted on its file, then each workflow completes exactly once and replays', async () => {
  const port = await freePort();
  const dbFilename = path.join(mkdtempSync(path.join(tmpdir(), 'crash-')), 'temporal.db');
  let server = await startServer(port, dbFilename);
  const address = `127.0.0.1:${port}`;
  // A restart on a busy machine can take seconds: the client keeps retrying what the dead server
  // never answered (the same request, so its request id makes a retry that landed a no-op).
  const retry = makeGrpcRetryInterceptor(defaultGrpcRetryOptions({ maxAttempts: 60, maxIntervalMs: () => 1_000 }));
  const connection = await Connection.connect({ address, interceptors: [retry] });
  const client = new Client({ connection });
  const taskQueue = uniqueQueue();
  const worker = await Worker.create({
    connection: await NativeConnection.connect({ address }),
    taskQueue,
    workflowBundle: await fixturesBundle(),
    activities,
  });
  const running = worker.run();
  const count = 24;
  // A seeded choice of kill instants keeps a failure reproducible.
  let seed = 20261130;
  const random = () => ((seed = (seed * 1103515245 + 12345) % 2 ** 31) / 2 ** 31);

  // Each workflow is driven by its own client: start, signal, update, signal, finish. The SDK
  // retries a call the dead server never answered; request ids make the retry a no-op if it landed.
  const drive = async (n: number) => {
    const handle = await client.workflow.start(survivesCrashes, { taskQueue, workflowId: uniqueId('crash'), args: [n, 200 + Math.floor(random() * 400)], workflowTaskTimeout: '2s' });
    await handle.signal(addSignal, 1);
    const previous = await handle.executeUpdate(setUpdate, { args: [10] });
    await handle.signal(addSignal, n);
    await handle.signal(finishSignal);
    return { handle, previous, result: await handle.result() };
  };
  const driving = Promise.all(Array.from({ length: count }, (_, n) => pause(n * 40).then(() => drive(n))));

  try {
    for (let kill = 0; kill < KILLS; kill++) {
      await pause(150 + random() * (MAX_PAUSE_MS - 150));
      await killed(server, 'the server', 'SIGKILL', KILLED_EXIT_BOUND_MS);
      server = await startServer(port, dbFilename, RESTART_BOUND_MS);
    }
    const outcomes = await within(driving, DRIVING_BOUND_MS, 'the workflows did not all finish across the restarts');
    for (const [n, { handle, previous, result }] of outcomes.entries()) {
      expect(previous).toBe(1);
      expect(result).toBe(`a${n}:${10 + n}:b${n}`);
      const types = await eventTypes(handle);
      expect(types.filter((type) => type === 'WORKFLOW_EXECUTION_COMPLETED')).toHaveLength(1);
      expect(types.filter((type) => type === 'WORKFLOW_EXECUTION_SIGNALED')).toHaveLength(3);
      expect(types.filter((type) => type === 'WORKFLOW_EXECUTION_UPDATE_COMPLETED')).toHaveLength(1);
      expect(types.filter((type) => type === 'TIMER_FIRED')).toHaveLength(1);
      expect(types.filter((type) => type === 'ACTIVITY_TASK_COMPLETED')).toHaveLength(2);
      await expectReplays(handle);
    }
  } finally {
    worker.shutdown();
    await within(running.catch(() => undefined), WORKER_STOP_BOUND_MS, 'the worker did not stop');
    await connection.close();
    server.kill('SIGKILL');
  }
}, TEST_BOUND_MS);
