import path from 'node:path';
import { loadConfig } from '../../config';
import { startEmbeddedPostgres } from '../embeddedPostgres';

/** The configured database, or the embedded one under DATA_DIR for as long as the command runs. */
export async function connectForCommand(): Promise<{ databaseUrl: string; release(): Promise<void> }> {
  const config = loadConfig();
  if (config.DATABASE_URL) return { databaseUrl: config.DATABASE_URL, release: async () => undefined };
  const embedded = await startEmbeddedPostgres({ dataDir: path.join(config.DATA_DIR, 'postgres'), persistent: true });
  return { databaseUrl: embedded.url, release: embedded.stop };
}
