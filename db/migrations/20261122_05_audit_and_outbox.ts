import type { Knex } from 'knex';

/** The append-only audit log, the verification audit (high volume, batched) and the notification outbox. */
export async function up(knex: Knex): Promise<void> {
  await knex.schema.createTable('audit_log', (t) => {
    t.bigIncrements('id');
    t.timestamp('at', { useTz: true }).notNullable().defaultTo(knex.fn.now());
    t.text('actor').notNullable();
    t.text('action').notNullable();
    t.text('subject_type').notNullable();
    t.text('subject_id').notNullable();
    t.jsonb('details').notNullable().defaultTo('{}');
    // Retried activities write an entry once.
    t.text('dedupe_key').unique();
  });
  await knex.raw('CREATE INDEX audit_log_subject ON audit_log (subject_type, subject_id)');

  await knex.schema.createTable('verification_audit', (t) => {
    t.bigIncrements('id');
    t.text('unit_id').notNullable().references('id').inTable('card_using_units');
    t.string('id_number', 18).notNullable();
    t.date('card_valid_from');
    t.text('result').notNullable();
    t.text('reason');
    t.timestamp('checked_at', { useTz: true }).notNullable();
  });
  await knex.raw('CREATE INDEX verification_audit_card ON verification_audit (id_number, checked_at)');

  await knex.raw(`
    CREATE FUNCTION refuse_change() RETURNS trigger LANGUAGE plpgsql AS $$
    BEGIN
      RAISE EXCEPTION '% is append-only', TG_TABLE_NAME USING ERRCODE = 'insufficient_privilege';
    END $$`);
  for (const table of ['audit_log', 'verification_audit']) {
    await knex.raw(`CREATE TRIGGER ${table}_append_only BEFORE UPDATE OR DELETE ON ${table} FOR EACH ROW EXECUTE FUNCTION refuse_change()`);
  }

  await knex.schema.createTable('outbox', (t) => {
    t.bigIncrements('id');
    t.timestamp('created_at', { useTz: true }).notNullable().defaultTo(knex.fn.now());
    t.text('topic').notNullable();
    // Who should hear of it: a region's managers, a home region's reviewers, a station.
    t.text('recipient_role').notNullable();
    t.text('recipient_code');
    t.jsonb('payload').notNullable();
    t.text('dedupe_key').notNullable().unique();
    t.timestamp('delivered_at', { useTz: true });
  });
  await knex.raw('CREATE INDEX outbox_undelivered ON outbox (id) WHERE delivered_at IS NULL');
}

export async function down(knex: Knex): Promise<void> {
  await knex.schema.dropTable('outbox');
  await knex.raw('DROP TRIGGER verification_audit_append_only ON verification_audit');
  await knex.raw('DROP TRIGGER audit_log_append_only ON audit_log');
  await knex.raw('DROP FUNCTION refuse_change()');
  await knex.schema.dropTable('verification_audit');
  await knex.schema.dropTable('audit_log');
}
