import type { Knex } from 'knex';

/** Loss reports (挂失), found cards (招领), the blacklist and impersonation reports from card-using units. */
export async function up(knex: Knex): Promise<void> {
  await knex.schema.createTable('loss_reports', (t) => {
    t.uuid('id').primary();
    t.bigInteger('card_id').notNullable().references('id').inTable('cards');
    t.enu('circumstance', ['lost', 'stolen'], { useNative: true, enumName: 'loss_circumstance' }).notNullable();
    // The authority that took the report: only its stations may withdraw it.
    t.text('reporting_station_code').references('code').inTable('stations');
    t.string('authority_region_code', 6).notNullable().references('code').inTable('regions');
    t.enu('source', ['station', 'application', 'import'], { useNative: true, enumName: 'loss_report_source' }).notNullable();
    t.uuid('application_id').references('id').inTable('applications');
    t.text('import_key').unique();
    t.timestamp('reported_at', { useTz: true }).notNullable();
    t.timestamp('withdrawn_at', { useTz: true });
    t.text('withdrawn_by_station_code').references('code').inTable('stations');
  });
  // A card is reported lost at most once at a time.
  await knex.raw('CREATE UNIQUE INDEX loss_reports_one_open_per_card ON loss_reports (card_id) WHERE withdrawn_at IS NULL');

  await knex.schema.createTable('found_cards', (t) => {
    t.uuid('id').primary();
    t.bigInteger('card_id').notNullable().references('id').inTable('cards');
    t.text('handed_in_station_code').notNullable().references('code').inTable('stations');
    t.timestamp('handed_in_at', { useTz: true }).notNullable();
    t.enu('disposition', ['HOLD_FOR_OWNER', 'DESTROY'], { useNative: true, enumName: 'found_card_disposition' }).notNullable();
    t.enu('state', ['HELD', 'RETURNED', 'DESTROYED'], { useNative: true, enumName: 'found_card_state' }).notNullable();
    t.timestamp('closed_at', { useTz: true });
    t.text('closed_by_station_code').references('code').inTable('stations');
  });
  await knex.raw(`CREATE UNIQUE INDEX found_cards_one_held_per_card ON found_cards (card_id) WHERE state = 'HELD'`);

  await knex.schema.createTable('blacklist_entries', (t) => {
    t.uuid('id').primary();
    // Not a foreign key: impersonators may use numbers that are not in our registry.
    t.string('id_number', 18).notNullable();
    t.text('category').notNullable();
    t.text('source').notNullable();
    t.text('note');
    t.text('added_by').notNullable();
    t.timestamp('added_at', { useTz: true }).notNullable();
    t.timestamp('removed_at', { useTz: true });
    t.text('removed_by');
    t.text('removal_reason');
  });
  await knex.raw('CREATE UNIQUE INDEX blacklist_one_active_per_category ON blacklist_entries (id_number, category) WHERE removed_at IS NULL');
  await knex.raw(`ALTER TABLE blacklist_entries ADD CONSTRAINT blacklist_removal_reason CHECK (removed_at IS NULL OR removal_reason IS NOT NULL)`);

  await knex.schema.createTable('impersonation_reports', (t) => {
    t.uuid('id').primary();
    t.text('unit_id').notNullable().references('id').inTable('card_using_units');
    t.string('id_number', 18).notNullable();
    t.date('card_valid_from');
    t.text('note');
    t.timestamp('reported_at', { useTz: true }).notNullable();
    t.enu('state', ['OPEN', 'CONFIRMED', 'DISMISSED'], { useNative: true, enumName: 'impersonation_state' }).notNullable();
    t.text('decided_by');
    t.timestamp('decided_at', { useTz: true });
    t.uuid('blacklist_entry_id').references('id').inTable('blacklist_entries');
  });
}

export async function down(knex: Knex): Promise<void> {
  await knex.schema.dropTable('impersonation_reports');
  await knex.schema.dropTable('blacklist_entries');
  await knex.schema.dropTable('found_cards');
  await knex.schema.dropTable('loss_reports');
  for (const type of ['impersonation_state', 'found_card_state', 'found_card_disposition', 'loss_report_source', 'loss_circumstance']) {
    await knex.raw(`DROP TYPE ${type}`);
  }
}
