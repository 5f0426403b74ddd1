/** `npm run start:api`: one API process against DATABASE_URL and TEMPORAL_ADDRESS (what compose runs). */
import { loadConfig } from '../config';
import { createLogger } from '../config/logger';
import { resolveServices } from '../config/services';
import { connectTemporal } from '../config/temporal';
import { createDb } from '../db/knex';
import { createApp } from './app';

async function main(): Promise<void> {
  const config = loadConfig();
  const logger = createLogger(config.LOG_LEVEL, 'api');
  const services = await resolveServices(config);
  const db = createDb(services.databaseUrl);
  const temporal = await connectTemporal(services.temporalAddress, services.temporalNamespace);
  const api = createApp({ db, config, logger, temporal });
  const server = api.app.listen(config.PORT, () => logger.info({ port: config.PORT }, 'API listening'));

  const stop = () => {
    logger.info('shutting down');
    server.close(async () => {
      await api.close();
      await temporal.connection.close();
      await db.destroy();
      process.exit(0);
    });
    server.closeIdleConnections();
  };
  process.once('SIGINT', stop);
  process.once('SIGTERM', stop);
}

main().catch((error) => {
  console.error(error instanceof Error ? error.message : error);
  process.exit(1);
});
