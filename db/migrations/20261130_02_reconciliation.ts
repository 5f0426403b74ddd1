import type { Knex } from 'knex';

const OPEN = `stage NOT IN ('COMPLETED', 'REFUSED', 'WITHDRAWN', 'CLOSED')`;
const OPEN_BEFORE = `stage NOT IN ('COMPLETED', 'REFUSED', 'WITHDRAWN')`;

/**
 * Reconciliation of the read model with the workflow engine: a CLOSED application no longer counts
 * as in progress; the settings an application was accepted with are kept for a restart; each restart
 * and each stuck case (with its reason) is recorded; a manager's closing says who and why.
 */
export async function up(knex: Knex): Promise<void> {
  await knex.raw('DROP INDEX applications_one_in_progress');
  await knex.raw(`CREATE UNIQUE INDEX applications_one_in_progress ON applications (id_number) WHERE ${OPEN}`);
  await knex.raw('DROP INDEX applications_overdue_open');
  await knex.raw(`CREATE INDEX applications_overdue_open ON applications (deadline_at, id) WHERE overdue AND ${OPEN}`);
  // Reconciliation pages through the open applications by id.
  await knex.raw(`CREATE INDEX applications_open ON applications (id) WHERE ${OPEN}`);

  await knex.schema.alterTable('applications', (t) => {
    t.jsonb('workflow_settings');
    t.text('closed_by');
    t.text('closure_reason');
  });

  await knex.schema.createTable('application_restarts', (t) => {
    t.bigIncrements('id');
    t.uuid('application_id').notNullable().references('id').inTable('applications');
    t.text('previous_run_id').notNullable();
    t.text('run_id').notNullable().unique();
    t.enu('stage', null, { useNative: true, existingType: true, enumName: 'application_stage' }).notNullable();
    t.timestamp('deadline_at', { useTz: true }).notNullable();
    t.timestamp('restarted_at', { useTz: true }).notNullable();
  });
  await knex.raw('CREATE INDEX application_restarts_by_stage ON application_restarts (application_id, stage)');

  await knex.schema.createTable('stuck_applications', (t) => {
    t.uuid('application_id').primary().references('id').inTable('applications');
    t.enu('stage', null, { useNative: true, existingType: true, enumName: 'application_stage' }).notNullable();
    t.text('reason_code').notNullable();
    t.text('reason').notNullable();
    t.timestamp('since', { useTz: true }).notNullable();
    t.timestamp('checked_at', { useTz: true }).notNullable();
  });
  await knex.raw('CREATE INDEX stuck_applications_oldest ON stuck_applications (since, application_id)');
}

export async function down(knex: Knex): Promise<void> {
  await knex.schema.dropTable('stuck_applications');
  await knex.schema.dropTable('application_restarts');
  await knex.schema.alterTable('applications', (t) => {
    t.dropColumn('closure_reason');
    t.dropColumn('closed_by');
    t.dropColumn('workflow_settings');
  });
  await knex.raw('DROP INDEX applications_open');
  await knex.raw('DROP INDEX applications_overdue_open');
  await knex.raw(`CREATE INDEX applications_overdue_open ON applications (deadline_at, id) WHERE overdue AND ${OPEN_BEFORE}`);
  await knex.raw('DROP INDEX applications_one_in_progress');
  await knex.raw(`CREATE UNIQUE INDEX applications_one_in_progress ON applications (id_number) WHERE ${OPEN_BEFORE}`);
}
