/**
 * `npm start`: everything on one machine. PostgreSQL and the workflow engine run embedded unless
 * DATABASE_URL / TEMPORAL_ADDRESS point at real services; then the worker and the API start.
 * Ctrl-C stops everything in reverse order.
 */
import { mkdir } from 'node:fs/promises';
import type { Server } from 'node:http';
import path from 'node:path';
import { NativeConnection } from '@temporalio/worker';
import { ConfigError, loadConfig } from './config';
import { systemClock } from './config/clock';
import { createLogger } from './config/logger';
import { removeServicesFile, writeServicesFile } from './config/services';
import { routeTemporalLogs } from './worker/logging';
import { temporalClient } from './config/temporal';
import { EncryptionCodec, resolvePayloadKeys } from './config/payloadEncryption';
import { createApp } from './api/app';
import { closeServer } from './api/closeServer';
import { startEmbeddedPostgres } from './db/embeddedPostgres';
import { createDb } from './db/knex';
import { migrateToLatest } from './db/migrate';
import { provisionEmbeddedRoles } from './db/roles';
import { seedDemoOnFirstStart } from './db/seed/demo';
import { importDemoApplications } from './db/seed/demoApplications';
import { start as startEmbeddedTemporal } from './temporal-server';
import { startReconciliation } from './worker/reconciliation';
import { keepManagersDigestSchedule } from './worker/managersDigestSchedule';
import { startNotificationDispatcher } from './notifications';
import { createWorkers, runWorkers, shutdownWorkers } from './worker/workers';

type Stop = () => Promise<unknown>;

async function main(): Promise<void> {
  const config = loadConfig();
  const logger = createLogger(config.LOG_LEVEL);
  routeTemporalLogs(logger);
  const stops: Array<[string, Stop]> = [];
  const shutdown = async (signal: string) => {
    logger.info({ signal }, 'shutting down');
    for (const [name, stop] of stops.reverse()) {
      await stop().catch((error) => logger.error({ err: error }, `stopping ${name} failed`));
    }
    logger.info('stopped');
  };
  let stopping: Promise<void> | undefined;
  for (const signal of ['SIGINT', 'SIGTERM'] as const) {
    process.on(signal, () => {
      stopping ??= shutdown(signal).then(() => process.exit(0));
    });
  }

  try {
    // Migrations and seeding run as the schema owner; everything after, as the app's least-privilege role.
    let databaseUrl = config.DATABASE_URL;
    let migrationUrl = config.MIGRATION_DATABASE_URL ?? config.DATABASE_URL;
    if (!databaseUrl || !migrationUrl) {
      const embedded = await startEmbeddedPostgres({ dataDir: path.join(config.DATA_DIR, 'postgres'), persistent: true });
      stops.push(['embedded PostgreSQL', embedded.stop]);
      ({ appUrl: databaseUrl, migrationUrl } = await provisionEmbeddedRoles(embedded.url));
      logger.info('embedded PostgreSQL started');
    }
    // The last run's services.json names dead ports: gone from here (past embedded PostgreSQL's lock on
    // DATA_DIR, so a second start on a running one fails before touching its file) until all is up.
    await removeServicesFile(config.DATA_DIR);
    const owner = createDb(migrationUrl, { poolMax: 2 });
    try {
      await migrateToLatest(owner);
      await seedDemoOnFirstStart(owner, {
        databaseUrl: migrationUrl,
        dataDir: config.DATA_DIR,
        today: systemClock.today(), // China's date: the demo's dates are relative to it
        log: (message) => logger.info(message),
      });
    } finally {
      await owner.destroy();
    }
    const db = createDb(databaseUrl);
    stops.push(['database pool', () => db.destroy()]);

    let temporalAddress = config.TEMPORAL_ADDRESS;
    if (!temporalAddress) {
      // The embedded engine keeps its state in a file beside the database: workflows in flight,
      // their timers included, go on after a restart or a crash. It listens on loopback only: it has no
      // authentication of its own.
      await mkdir(config.DATA_DIR, { recursive: true });
      const dbFilename = path.join(config.DATA_DIR, 'temporal.db');
      const embedded = await startEmbeddedTemporal({ host: '127.0.0.1', port: 0, timeSkipping: false, namespaces: [config.TEMPORAL_NAMESPACE], dbFilename });
      stops.push(['embedded Temporal server', embedded.stop]);
      temporalAddress = embedded.address;
      logger.info({ temporalAddress, dbFilename, recoveredWorkflows: embedded.recovered }, 'embedded Temporal server started');
    }
    // Workflow payloads are encrypted; a first start keeps a new key in DATA_DIR for the next ones.
    const payloadCodec = new EncryptionCodec(await resolvePayloadKeys(config.PAYLOAD_ENCRYPTION_KEYS, config.DATA_DIR, { createIfMissing: true }));
    // The embedded engine is on this machine: gzip on every task and completion (the SDK's default) costs CPU for nothing.
    const workerConnection = await NativeConnection.connect({ address: temporalAddress, ...(config.TEMPORAL_ADDRESS ? {} : { grpcCompression: { codec: 'none' as const } }) });
    stops.push(['worker connection', () => workerConnection.close()]);
    const workers = await createWorkers({ connection: workerConnection, namespace: config.TEMPORAL_NAMESPACE, taskQueuePrefix: config.TEMPORAL_TASK_QUEUE_PREFIX, db, payloadCodec });
    const workersDone = runWorkers(workers).catch((error) => logger.error({ err: error }, 'worker stopped'));
    stops.push(['worker', async () => {
      shutdownWorkers(workers);
      await workersDone;
    }]);
    const temporal = temporalClient(temporalAddress, config.TEMPORAL_NAMESPACE, payloadCodec);
    stops.push(['Temporal client', () => temporal.connection.close()]);
    // Open applications whose workflow the engine lost are restarted (or shown to managers): now, then periodically.
    const reconciliation = startReconciliation({ db, temporal, config, logger }, config.RECONCILE_INTERVAL_MS);
    stops.push(['reconciliation', reconciliation.stop]);
    // The managers' daily digest: a schedule kept at MANAGERS_DIGEST_TIME (created, or updated if changed).
    await keepManagersDigestSchedule(temporal, config, logger);
    // Notifications leave through the outbox: SMS (or .data/notifications.ndjson) and the inboxes.
    const notifications = startNotificationDispatcher(db, config, logger);
    stops.push(['notification dispatcher', notifications.stop]);

    // The demo's cases in flight on day one, through the go-live import (once; not on a database that is not a demo one).
    await importDemoApplications({ db, temporal, config, logger }, { dataDir: config.DATA_DIR }).catch((error: unknown) => logger.error({ err: error }, 'the demo applications were not imported'));

    const api = createApp({ db, config, logger, temporal });
    const server = await listen(api.app.listen(config.PORT));
    stops.push(['API', () => closeServer(server).then(api.close)]);
    const metricsServer = await listen(api.metrics.listen(config.METRICS_PORT));
    stops.push(['metrics', () => closeServer(metricsServer, 1_000)]);
    const apiUrl = `http://127.0.0.1:${(server.address() as { port: number }).port}`;

    await writeServicesFile(config.DATA_DIR, { databaseUrl, temporalAddress, temporalNamespace: config.TEMPORAL_NAMESPACE, apiUrl });
    // Stops run in reverse: at a stop the file goes first, before the services it names.
    stops.push(['services.json', () => removeServicesFile(config.DATA_DIR)]);
    const demoTokens = path.resolve(config.DATA_DIR, 'demo-tokens.json');
    logger.info({ apiUrl, demoTokens }, `ready: the API is on ${apiUrl}; demo tokens are in ${demoTokens}, demo citizens beside them`);
  } catch (error) {
    logger.fatal({ err: error }, 'start failed');
    await shutdown('start failure');
    process.exit(1);
  }
}

function listen(server: Server): Promise<Server> {
  return new Promise((resolve, reject) => {
    server.once('listening', () => resolve(server));
    server.once('error', reject);
  });
}

main().catch((error) => {
  // Configuration errors are the user's to fix: say what is wrong, without a stack.
  console.error(error instanceof ConfigError ? error.message : error);
  process.exit(1);
});
