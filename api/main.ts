/** `npm run start:api`: one API process against DATABASE_URL and TEMPORAL_ADDRESS (what compose runs). */
import { ConfigError, loadConfig } from '../config';
import { createLogger } from '../config/logger';
import { resolveServices } from '../config/services';
import { temporalClient } from '../config/temporal';
import { EncryptionCodec, resolvePayloadKeys } from '../config/payloadEncryption';
import { createDb } from '../db/knex';
import { createApp } from './app';
import { closeServer } from './closeServer';

async function main(): Promise<void> {
  const config = loadConfig();
  const logger = createLogger(config.LOG_LEVEL, 'api');
  const services = await resolveServices(config);
  const payloadCodec = new EncryptionCodec(await resolvePayloadKeys(config.PAYLOAD_ENCRYPTION_KEYS, config.DATA_DIR, { createIfMissing: false }));
  const db = createDb(services.databaseUrl);
  // Both connections are lazy: the API starts, and answers 503, while either service is away.
  const temporal = temporalClient(services.temporalAddress, services.temporalNamespace, payloadCodec);
  const api = createApp({ db, config, logger, temporal });
  const server = api.app.listen(config.PORT, () => logger.info({ port: config.PORT }, 'API listening'));
  const metricsServer = api.metrics.listen(config.METRICS_PORT, () => logger.info({ port: config.METRICS_PORT }, 'metrics listening'));

  let stopping = false;
  const stop = async (signal: string) => {
    if (stopping) return;
    stopping = true;
    logger.info({ signal }, 'shutting down');
    let failed = false;
    // Each step runs even if one before it failed: the audit flush and the pool must not be skipped.
    for (const [name, step] of [
      ['HTTP server', () => closeServer(server)],
      ['metrics server', () => closeServer(metricsServer, 1_000)],
      ['API', () => api.close()],
      ['Temporal client', () => temporal.connection.close()],
      ['database pool', () => db.destroy()],
    ] as const) {
      await step().catch((error: unknown) => {
        failed = true;
        logger.error({ err: error }, `stopping ${name} failed`);
      });
    }
    process.exit(failed ? 1 : 0);
  };
  process.once('SIGINT', () => void stop('SIGINT'));
  process.once('SIGTERM', () => void stop('SIGTERM'));
}

main().catch((error) => {
  console.error(error instanceof ConfigError ? error.message : error);
  process.exit(1);
});
