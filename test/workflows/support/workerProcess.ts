/**
 * A worker in a process of its own, so a test can kill it with SIGKILL mid-flight.
 * Env: TEMPORAL_ADDRESS, TASK_QUEUE_PREFIX, DATABASE_URL; optionally HOLD_ACTIVITY (an activity
 * type) and HOLD_AT (`before` or `after` its work): the first such activity stops there, tells the
 * parent `holding`, and waits to be killed — before anything is written, or after its transaction
 * committed but before the engine hears it completed.
 */
import type { WorkerInterceptors } from '@temporalio/worker';
import { NativeConnection } from '@temporalio/worker';
import { createDb } from '../../../db/knex';
import { createWorkers, runWorkers } from '../../../worker/workers';
import { testPayloadCodec } from '../../support/payloadCodec';
import { workflowBundle } from '../../support/workflowBundles';

function holdingInterceptors(activityType: string, at: 'before' | 'after'): WorkerInterceptors {
  let held = false;
  const hold = async (): Promise<never> => {
    held = true;
    process.send?.('holding');
    return new Promise<never>(() => undefined);
  };
  return {
    activity: [
      (ctx) => ({
        inbound: {
          async execute(input, next) {
            if (held || ctx.info.activityType !== activityType) return next(input);
            if (at === 'before') return hold();
            await next(input);
            return hold();
          },
        },
      }),
    ],
  };
}

async function main(): Promise<void> {
  const db = createDb(process.env.DATABASE_URL!);
  const connection = await NativeConnection.connect({ address: process.env.TEMPORAL_ADDRESS! });
  const { HOLD_ACTIVITY, HOLD_AT } = process.env;
  const workers = await createWorkers({
    connection,
    namespace: 'default',
    taskQueuePrefix: process.env.TASK_QUEUE_PREFIX!,
    db,
    payloadCodec: testPayloadCodec,
    productionProvinces: ['41'],
    workflowBundle: await workflowBundle('application'),
    interceptors: HOLD_ACTIVITY ? holdingInterceptors(HOLD_ACTIVITY, HOLD_AT === 'after' ? 'after' : 'before') : undefined,
  });
  process.send?.('ready');
  await runWorkers(workers);
  // As worker/main.ts: once the SDK has stopped the workers (SIGTERM), close what would keep the process alive.
  await connection.close();
  await db.destroy();
}

main().catch((error) => {
  console.error(error);
  process.exit(1);
});
