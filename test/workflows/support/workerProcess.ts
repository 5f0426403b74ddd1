/**
 * A worker in a process of its own, so a test can kill it with SIGKILL mid-flight.
 * Env: TEMPORAL_ADDRESS, TASK_QUEUE_PREFIX, DATABASE_URL.
 */
import { NativeConnection } from '@temporalio/worker';
import { createDb } from '../../../db/knex';
import { createWorkers, runWorkers } from '../../../worker/workers';
import { testPayloadCodec } from '../../support/payloadCodec';

async function main(): Promise<void> {
  const db = createDb(process.env.DATABASE_URL!);
  const connection = await NativeConnection.connect({ address: process.env.TEMPORAL_ADDRESS! });
  const workers = await createWorkers({ connection, namespace: 'default', taskQueuePrefix: process.env.TASK_QUEUE_PREFIX!, db, payloadCodec: testPayloadCodec, productionProvinces: ['41'] });
  process.send?.('ready');
  await runWorkers(workers);
}

main().catch((error) => {
  console.error(error);
  process.exit(1);
});
