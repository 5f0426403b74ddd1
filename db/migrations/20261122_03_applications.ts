import type { Knex } from 'knex';

/** The read model of cross-region applications, written by workflow activities. */
export async function up(knex: Knex): Promise<void> {
  const stages = ['ACCEPTED', 'HOME_REVIEW', 'PRINTING', 'SHIPPING', 'READY_FOR_PICKUP', 'COMPLETED', 'REFUSED', 'WITHDRAWN'];
  await knex.schema.createTable('applications', (t) => {
    t.uuid('id').primary();
    // The workflow id is per person and reused by later applications; the run names this one.
    t.text('workflow_id').notNullable();
    t.text('run_id').notNullable().unique();
    t.string('id_number', 18).notNullable().references('id_number').inTable('citizens');
    t.enu('kind', ['renewal', 'replacement'], { useNative: true, enumName: 'application_kind' }).notNullable();
    t.text('reason').notNullable();
    t.enu('stage', stages, { useNative: true, enumName: 'application_stage' }).notNullable();
    t.text('accepting_station_code').notNullable().references('code').inTable('stations');
    t.string('home_region_code', 6).notNullable().references('code').inTable('regions');
    t.timestamp('accepted_at', { useTz: true }).notNullable();
    t.timestamp('deadline_at', { useTz: true }).notNullable();
    t.integer('extension_days');
    t.text('extension_reason');
    t.boolean('overdue').notNullable().defaultTo(false);
    t.timestamp('ready_for_pickup_at', { useTz: true });
    t.timestamp('closed_at', { useTz: true });
    t.boolean('fingerprint_captured').notNullable();
    t.boolean('appearance_changed').notNullable();
    t.boolean('temporary_card_requested').notNullable().defaultTo(false);
    t.timestamp('temporary_card_due_at', { useTz: true });
    t.timestamp('temporary_card_issued_at', { useTz: true });
    t.boolean('temporary_card_overdue').notNullable().defaultTo(false);
    t.text('contact_phone');
    t.text('refusal_reason');
    t.text('withdrawal_reason');
    t.integer('print_failures').notNullable().defaultTo(0);
    t.date('new_card_valid_from');
    t.date('new_card_valid_until');
    t.text('tracking_number');
    t.boolean('misrouted').notNullable().defaultTo(false);
    t.text('idempotency_key');
    t.timestamp('updated_at', { useTz: true }).notNullable().defaultTo(knex.fn.now());
    t.unique(['accepting_station_code', 'idempotency_key']);
  });
  await knex.raw(`ALTER TABLE applications ADD CONSTRAINT applications_extension CHECK (extension_days IS NULL OR extension_days BETWEEN 1 AND 30)`);
  // One person, one application in progress anywhere: the pilots' duplicate-card problem.
  await knex.raw(`
    CREATE UNIQUE INDEX applications_one_in_progress ON applications (id_number)
      WHERE stage NOT IN ('COMPLETED', 'REFUSED', 'WITHDRAWN')`);
  await knex.raw('CREATE INDEX applications_station_newest ON applications (accepting_station_code, accepted_at DESC)');
  await knex.raw('CREATE INDEX applications_home_region_newest ON applications (home_region_code, accepted_at DESC)');
  await knex.raw('CREATE INDEX applications_overdue ON applications (deadline_at) WHERE overdue');

  await knex.schema.createTable('application_stage_history', (t) => {
    t.bigIncrements('id');
    t.uuid('application_id').notNullable().references('id').inTable('applications');
    t.enu('stage', null, { useNative: true, existingType: true, enumName: 'application_stage' }).notNullable();
    t.timestamp('at', { useTz: true }).notNullable();
    t.text('actor');
    t.text('note');
  });
  // Activities may be retried: the same stage at the same moment is recorded once.
  await knex.raw('CREATE UNIQUE INDEX application_stage_history_once ON application_stage_history (application_id, stage, at)');
}

export async function down(knex: Knex): Promise<void> {
  await knex.schema.dropTable('application_stage_history');
  await knex.schema.dropTable('applications');
  await knex.raw('DROP TYPE application_stage');
  await knex.raw('DROP TYPE application_kind');
}
