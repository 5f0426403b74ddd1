import type { PayloadCodec } from '@temporalio/common';
import { NativeConnection, Worker, type WorkerInterceptors } from '@temporalio/worker';
import { provinces } from '../domain';
import type { Db } from '../db/knex';
import { createActivities } from '../activities';
import { taskQueues } from '../workflows/contract';
import { ensureSearchAttributes } from './searchAttributes';

export interface WorkerOptions {
  connection: NativeConnection;
  namespace: string;
  taskQueuePrefix: string;
  db: Db;
  /** Encrypts the payloads the workers send to the engine; the clients must use the same keys. */
  payloadCodec: PayloadCodec;
  /** Production-centre queues to serve, by 2-digit province code; all provinces by default. */
  productionProvinces?: string[];
  /** A prebuilt workflow bundle (tests build it once per run); otherwise bundled from `workflows/`. */
  workflowBundle?: { code: string };
  /** The SDK's interceptors for every worker (tracing, metrics; tests stop a worker inside an activity with one). */
  interceptors?: WorkerInterceptors;
}

/**
 * The applications worker and the production-centre workers, once the namespace has the application's
 * search attributes (`ensureSearchAttributes`). The same code runs against the embedded server
 * (`npm start`, tests) and a real Temporal cluster.
 * @throws Error when the search attributes cannot be registered (see `ensureSearchAttributes`).
 */
export async function createWorkers(options: WorkerOptions): Promise<Worker[]> {
  // The application workflows upsert these and the API's starts carry them: registered (if missing) before either runs.
  await ensureSearchAttributes(options.connection, options.namespace);
  const activities = createActivities({ db: options.db });
  const workflowSource = options.workflowBundle
    ? { workflowBundle: options.workflowBundle }
    : { workflowsPath: require.resolve('../workflows') };
  const applications = await Worker.create({
    connection: options.connection,
    namespace: options.namespace,
    taskQueue: taskQueues.applications(options.taskQueuePrefix),
    dataConverter: { payloadCodecs: [options.payloadCodec] },
    activities: activities.applications,
    interceptors: options.interceptors,
    ...workflowSource,
  });
  const productionProvinces = options.productionProvinces ?? provinces.map((province) => province.code.slice(0, 2));
  const production = await Promise.all(
    productionProvinces.map((province) =>
      Worker.create({
        connection: options.connection,
        namespace: options.namespace,
        taskQueue: taskQueues.production(options.taskQueuePrefix, province),
        dataConverter: { payloadCodecs: [options.payloadCodec] },
        activities: activities.production,
        interceptors: options.interceptors,
        maxConcurrentActivityTaskExecutions: 4,
      }),
    ),
  );
  return [applications, ...production];
}

/** Runs the workers until `signal` or a fatal error; resolves when all have shut down. */
export async function runWorkers(workers: Worker[]): Promise<void> {
  await Promise.all(workers.map((worker) => worker.run()));
}

export function shutdownWorkers(workers: Worker[]): void {
  for (const worker of workers) if (worker.getState() === 'RUNNING') worker.shutdown();
}
