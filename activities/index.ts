import type { Db } from '../db/knex';
import { createApplicationActivities } from './applications';
import { createProductionActivities } from './production';

/** Activities for the applications queue and for production-centre queues, built from their dependencies. */
export function createActivities(deps: { db: Db }) {
  return { applications: createApplicationActivities(deps), production: createProductionActivities(deps) };
}
