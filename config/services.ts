import { randomUUID } from 'node:crypto';
import { mkdir, readFile, rename, rm, writeFile } from 'node:fs/promises';
import path from 'node:path';
import type { Config } from './index';

export interface Services {
  databaseUrl: string;
  temporalAddress: string;
  temporalNamespace: string;
  apiUrl?: string;
}

/**
 * Where a single API or worker process finds its services: the environment, or else the
 * `services.json` that `npm start` writes, so that a second process can join the first.
 * @throws Error when neither names a database and a workflow engine.
 */
export async function resolveServices(config: Config): Promise<Services> {
  let written: Partial<Services> = {};
  try {
    written = JSON.parse(await readFile(path.join(config.DATA_DIR, 'services.json'), 'utf8'));
  } catch {
    // No running `npm start` to join: the environment must say everything.
  }
  const databaseUrl = config.DATABASE_URL ?? written.databaseUrl;
  const temporalAddress = config.TEMPORAL_ADDRESS ?? written.temporalAddress;
  if (!databaseUrl || !temporalAddress) {
    throw new Error('Set DATABASE_URL and TEMPORAL_ADDRESS (or run `npm start` first, which writes .data/services.json).');
  }
  // The namespace goes with the address: joining `npm start`'s engine means joining its namespace.
  const temporalNamespace = config.TEMPORAL_ADDRESS ? config.TEMPORAL_NAMESPACE : (written.temporalNamespace ?? config.TEMPORAL_NAMESPACE);
  return { databaseUrl, temporalAddress, temporalNamespace };
}

/**
 * Removes `services.json`: at a start, where the last run's ports and passwords are dead, and first at
 * a stop. A process that joins meanwhile finds none (and says so) rather than connecting to them.
 */
export async function removeServicesFile(dataDir: string): Promise<void> {
  await rm(path.join(dataDir, 'services.json'), { force: true });
}

/**
 * Writes `services.json` in `dataDir` for processes that join `npm start`'s services. It holds the
 * database URL (with its password): readable by the owner only. Written beside and renamed over, so
 * that a world-readable file from an earlier start never holds the new contents, even for a moment
 * (a `mode` on `writeFile` applies only when it creates the file).
 */
export async function writeServicesFile(dataDir: string, services: Services): Promise<void> {
  await mkdir(dataDir, { recursive: true });
  const file = path.join(dataDir, 'services.json');
  const draft = `${file}.${randomUUID()}.tmp`;
  try {
    await writeFile(draft, JSON.stringify(services, null, 2) + '\n', { mode: 0o600, flag: 'wx' });
    await rename(draft, file);
  } catch (error) {
    await rm(draft, { force: true });
    throw error;
  }
}
