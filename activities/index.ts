import type { Db } from '../db/knex';
import { createApplicationActivities } from './applications';
import { createManagersDigestActivities } from './managersDigest';
import { createProductionActivities } from './production';

/**
 * Activities for the applications queue (the application workflow's and the managers' daily digest's)
 * and for production-centre queues, built from their dependencies.
 */
export function createActivities(deps: { db: Db }) {
  return { applications: { ...createApplicationActivities(deps), ...createManagersDigestActivities(deps) }, production: createProductionActivities(deps) };
}
