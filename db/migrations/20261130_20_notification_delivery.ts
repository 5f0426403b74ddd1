import type { Knex } from 'knex';

/**
 * Delivering the outbox: each row is claimed by one dispatcher at a time (`FOR UPDATE SKIP LOCKED`),
 * retried with backoff (`attempts`, `next_attempt_at`, `last_error`: an error code, never personal
 * data) and set aside as a dead letter (`dead_at`) after the last attempt. Notices to stations,
 * reviewers, production centres and managers land in `inbox`, one message per outbox row. A station
 * gets an address, which applicants are told when their card waits there.
 */
export async function up(knex: Knex): Promise<void> {
  await knex.schema.alterTable('stations', (t) => {
    t.text('address');
  });
  await knex.schema.alterTable('outbox', (t) => {
    t.integer('attempts').notNullable().defaultTo(0);
    t.timestamp('next_attempt_at', { useTz: true }).notNullable().defaultTo(knex.fn.now());
    t.text('last_error');
    t.timestamp('dead_at', { useTz: true });
    t.text('delivered_channel');
  });
  await knex.raw('CREATE INDEX outbox_due ON outbox (next_attempt_at, id) WHERE delivered_at IS NULL AND dead_at IS NULL');
  await knex.raw('CREATE INDEX outbox_dead ON outbox (dead_at DESC, id DESC) WHERE dead_at IS NOT NULL');

  await knex.schema.createTable('inbox', (t) => {
    t.bigIncrements('id');
    // Delivered exactly once: the message and the outbox row's delivery commit together.
    t.bigInteger('outbox_id').notNullable().unique().references('id').inTable('outbox');
    t.text('recipient_role').notNullable();
    t.text('station_code');
    t.string('region_code', 6);
    t.text('topic').notNullable();
    t.text('text').notNullable();
    t.uuid('application_id');
    t.timestamp('created_at', { useTz: true }).notNullable().defaultTo(knex.fn.now());
    t.timestamp('read_at', { useTz: true });
    t.text('read_by');
  });
  await knex.raw('CREATE INDEX inbox_recipient ON inbox (recipient_role, region_code, id DESC)');
  await knex.raw('CREATE INDEX inbox_station ON inbox (station_code, id DESC) WHERE station_code IS NOT NULL');
}

export async function down(knex: Knex): Promise<void> {
  await knex.schema.dropTable('inbox');
  await knex.raw('DROP INDEX outbox_dead');
  await knex.raw('DROP INDEX outbox_due');
  await knex.schema.alterTable('outbox', (t) => {
    t.dropColumn('delivered_channel');
    t.dropColumn('dead_at');
    t.dropColumn('last_error');
    t.dropColumn('next_attempt_at');
    t.dropColumn('attempts');
  });
  await knex.schema.alterTable('stations', (t) => {
    t.dropColumn('address');
  });
}
