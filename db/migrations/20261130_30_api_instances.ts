import type { Knex } from 'knex';

/**
 * The live API instances: each registers a row and renews `heartbeat_at` while its card cache is in
 * use. A loss report is answered once every registered instance has acknowledged dropping the card
 * (or could no longer serve it from its cache); rows left by instances that died expire.
 */
export async function up(knex: Knex): Promise<void> {
  await knex.schema.createTable('api_instances', (t) => {
    t.uuid('id').primary();
    t.timestamp('started_at', { useTz: true }).notNullable().defaultTo(knex.fn.now());
    t.timestamp('heartbeat_at', { useTz: true }).notNullable().defaultTo(knex.fn.now());
  });
}

export async function down(knex: Knex): Promise<void> {
  await knex.schema.dropTable('api_instances');
}
