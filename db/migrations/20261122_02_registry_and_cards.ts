import type { Knex } from 'knex';

/**
 * The population registry and the physical cards. Every change of a card's status is appended to
 * `card_status_events` (the invalidation feed downstream systems follow by `seq`) and announced with
 * NOTIFY so that every API instance drops its cached answer; both happen in the changing transaction.
 */
export async function up(knex: Knex): Promise<void> {
  await knex.schema.createTable('citizens', (t) => {
    t.string('id_number', 18).primary();
    t.text('name').notNullable();
    t.enu('sex', ['male', 'female'], { useNative: true, enumName: 'sex' }).notNullable();
    t.date('birth_date').notNullable();
    t.string('home_region_code', 6).notNullable().references('code').inTable('regions');
    t.boolean('has_fingerprints').notNullable().defaultTo(false);
  });
  await knex.raw(`ALTER TABLE citizens ADD CONSTRAINT citizens_id_number_form CHECK (id_number ~ '^[0-9]{17}[0-9X]$')`);
  await knex.raw('CREATE INDEX citizens_home_region ON citizens (home_region_code)');

  await knex.schema.createTable('cards', (t) => {
    t.bigIncrements('id');
    t.string('id_number', 18).notNullable().references('id_number').inTable('citizens');
    t.date('valid_from').notNullable();
    t.date('valid_until'); // NULL: long-term (长期), for holders aged 46 and over at issue
    t.enu('status', ['ACTIVE', 'REPORTED_LOST', 'SUPERSEDED', 'EXPIRED', 'DESTROYED'], {
      useNative: true,
      enumName: 'card_status',
    }).notNullable();
    t.boolean('has_fingerprints').notNullable().defaultTo(false);
    t.uuid('issued_for_application_id');
    t.timestamp('status_changed_at', { useTz: true }).notNullable().defaultTo(knex.fn.now());
    t.unique(['id_number', 'valid_from']);
  });
  await knex.raw(`ALTER TABLE cards ADD CONSTRAINT cards_period CHECK (valid_until IS NULL OR valid_until > valid_from)`);
  // A person holds at most one valid card at a time.
  await knex.raw(`CREATE UNIQUE INDEX cards_one_active_per_citizen ON cards (id_number) WHERE status = 'ACTIVE'`);

  await knex.schema.createTable('card_status_events', (t) => {
    t.bigIncrements('seq');
    t.bigInteger('card_id').notNullable().references('id').inTable('cards');
    t.string('id_number', 18).notNullable();
    t.date('valid_from').notNullable();
    t.specificType('status', 'card_status').notNullable();
    t.specificType('previous_status', 'card_status');
    t.timestamp('at', { useTz: true }).notNullable().defaultTo(knex.fn.now());
  });

  await knex.raw(`
    CREATE FUNCTION card_status_changed() RETURNS trigger LANGUAGE plpgsql AS $$
    BEGIN
      IF TG_OP = 'UPDATE' AND NEW.status IS NOT DISTINCT FROM OLD.status THEN
        RETURN NEW;
      END IF;
      INSERT INTO card_status_events (card_id, id_number, valid_from, status, previous_status)
        VALUES (NEW.id, NEW.id_number, NEW.valid_from, NEW.status, CASE WHEN TG_OP = 'UPDATE' THEN OLD.status END);
      PERFORM pg_notify('card_status', NEW.id_number || '|' || NEW.valid_from::text);
      RETURN NEW;
    END $$`);
  await knex.raw(`
    CREATE TRIGGER cards_status_changed AFTER UPDATE OF status ON cards
      FOR EACH ROW EXECUTE FUNCTION card_status_changed()`);
  // A newly issued card must not keep a cached NOT_ISSUED answer. The bulk seed disables this one.
  await knex.raw(`
    CREATE TRIGGER cards_issued AFTER INSERT ON cards
      FOR EACH ROW EXECUTE FUNCTION card_status_changed()`);
}

export async function down(knex: Knex): Promise<void> {
  await knex.raw('DROP TRIGGER cards_issued ON cards');
  await knex.raw('DROP TRIGGER cards_status_changed ON cards');
  await knex.raw('DROP FUNCTION card_status_changed()');
  await knex.schema.dropTable('card_status_events');
  await knex.schema.dropTable('cards');
  await knex.schema.dropTable('citizens');
  await knex.raw('DROP TYPE card_status');
  await knex.raw('DROP TYPE sex');
}
