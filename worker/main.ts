/** `npm run start:worker`: one worker process against DATABASE_URL and TEMPORAL_ADDRESS (what compose runs). */
import { NativeConnection } from '@temporalio/worker';
import { loadConfig } from '../config';
import { createLogger } from '../config/logger';
import { routeTemporalLogs } from './logging';
import { resolveServices } from '../config/services';
import { createDb } from '../db/knex';
import { temporalClient } from '../config/temporal';
import { EncryptionCodec, resolvePayloadKeys } from '../config/payloadEncryption';
import { startReconciliation } from './reconciliation';
import { keepManagersDigestSchedule } from './managersDigestSchedule';
import { startNotificationDispatcher } from '../notifications';
import { createWorkers, runWorkers } from './workers';

async function main(): Promise<void> {
  const config = loadConfig();
  const logger = createLogger(config.LOG_LEVEL, 'worker');
  routeTemporalLogs(logger);
  const services = await resolveServices(config);
  const payloadCodec = new EncryptionCodec(await resolvePayloadKeys(config.PAYLOAD_ENCRYPTION_KEYS, config.DATA_DIR, { createIfMissing: false }));
  const db = createDb(services.databaseUrl);
  const connection = await NativeConnection.connect({ address: services.temporalAddress });
  const temporal = temporalClient(services.temporalAddress, services.temporalNamespace, payloadCodec);
  let reconciliation: ReturnType<typeof startReconciliation> | undefined;
  let notifications: ReturnType<typeof startNotificationDispatcher> | undefined;
  try {
    // The SDK shuts its workers down on SIGINT/SIGTERM and lets in-flight tasks finish.
    const workers = await createWorkers({ connection, namespace: services.temporalNamespace, taskQueuePrefix: config.TEMPORAL_TASK_QUEUE_PREFIX, db, payloadCodec });
    logger.info({ taskQueues: workers.length }, 'worker running');
    // Open applications whose workflow the engine lost are restarted (or shown to managers): at start, then periodically.
    reconciliation = startReconciliation({ db, temporal, config, logger }, config.RECONCILE_INTERVAL_MS);
    // The managers' daily digest: a schedule kept at MANAGERS_DIGEST_TIME (created, or updated if changed).
    await keepManagersDigestSchedule(temporal, config, logger);
    notifications = startNotificationDispatcher(db, config, logger);
    await runWorkers(workers);
  } finally {
    await reconciliation?.stop();
    await notifications?.stop();
    await temporal.connection.close();
    await connection.close();
    await db.destroy();
  }
}

main().catch((error) => {
  console.error(error instanceof Error ? error.message : error);
  process.exit(1);
});
