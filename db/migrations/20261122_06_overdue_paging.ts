import type { Knex } from 'knex';

/**
 * The managers' overdue list reads open, overdue applications in (deadline, id) order — the order
 * its cursor pages by. This partial index holds exactly those rows, in that order, so the first
 * page among a million applications is the first rows of a small index (bench/overdue.ts).
 */
export async function up(knex: Knex): Promise<void> {
  await knex.raw('DROP INDEX applications_overdue');
  await knex.raw(`
    CREATE INDEX applications_overdue_open ON applications (deadline_at, id)
      WHERE overdue AND stage NOT IN ('COMPLETED', 'REFUSED', 'WITHDRAWN')`);
}

export async function down(knex: Knex): Promise<void> {
  await knex.raw('DROP INDEX applications_overdue_open');
  await knex.raw('CREATE INDEX applications_overdue ON applications (deadline_at) WHERE overdue');
}
