import path from 'node:path';
import { loadConfig } from '../../config';
import { startEmbeddedPostgres } from '../embeddedPostgres';
import { provisionEmbeddedRoles } from '../roles';

/**
 * The configured database, or the embedded one under DATA_DIR for as long as the command runs, as the
 * schema owner (migrations, seeding): MIGRATION_DATABASE_URL, else DATABASE_URL.
 */
export async function connectForCommand(): Promise<{ databaseUrl: string; release(): Promise<void> }> {
  const config = loadConfig();
  if (config.DATABASE_URL) return { databaseUrl: config.MIGRATION_DATABASE_URL ?? config.DATABASE_URL, release: async () => undefined };
  const embedded = await startEmbeddedPostgres({ dataDir: path.join(config.DATA_DIR, 'postgres'), persistent: true });
  try {
    const { migrationUrl } = await provisionEmbeddedRoles(embedded.url);
    return { databaseUrl: migrationUrl, release: embedded.stop };
  } catch (error) {
    await embedded.stop();
    throw error;
  }
}
