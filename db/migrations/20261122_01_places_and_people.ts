import type { Knex } from 'knex';

/** Regions, stations, production centres, the rollout policy, card-using units and users. */
export async function up(knex: Knex): Promise<void> {
  await knex.schema.createTable('regions', (t) => {
    t.string('code', 6).primary();
    t.text('name').notNullable();
    t.text('name_en').notNullable();
    t.enu('level', ['province', 'city', 'county'], { useNative: true, enumName: 'region_level' }).notNullable();
    t.string('parent_code', 6).references('code').inTable('regions');
  });
  await knex.raw(`ALTER TABLE regions ADD CONSTRAINT regions_code_digits CHECK (code ~ '^[0-9]{6}$')`);

  await knex.schema.createTable('stations', (t) => {
    t.text('code').primary();
    t.text('name').notNullable();
    t.string('region_code', 6).notNullable().references('code').inTable('regions');
  });

  await knex.schema.createTable('production_centres', (t) => {
    t.text('code').primary();
    t.text('name').notNullable();
    t.string('province_code', 6).notNullable().unique().references('code').inTable('regions');
  });

  // Which home regions a station's region may accept, and since when: policy that changes over time.
  await knex.schema.createTable('rollout_rules', (t) => {
    t.increments('id');
    t.text('station_region_prefix').notNullable();
    t.text('home_region_prefix').notNullable();
    t.date('from').notNullable();
    t.date('until');
    t.text('note');
  });
  await knex.raw(`ALTER TABLE rollout_rules ADD CONSTRAINT rollout_rules_period CHECK (until IS NULL OR until >= "from")`);

  await knex.schema.createTable('card_using_units', (t) => {
    t.text('id').primary();
    t.text('name').notNullable();
    t.text('kind').notNullable();
    t.integer('rate_limit_per_second');
  });

  await knex.schema.createTable('users', (t) => {
    t.text('id').primary();
    t.text('name').notNullable();
    t.enu('role', ['station', 'reviewer', 'production', 'manager', 'unit', 'admin'], {
      useNative: true,
      enumName: 'user_role',
    }).notNullable();
    // SHA-256 of the bearer token: a stolen table does not hand out tokens.
    t.string('token_hash', 64).notNullable().unique();
    t.text('station_code').references('code').inTable('stations');
    t.string('region_code', 6).references('code').inTable('regions');
    t.string('province_code', 6).references('code').inTable('regions');
    t.text('unit_id').references('id').inTable('card_using_units');
    t.timestamp('created_at', { useTz: true }).notNullable().defaultTo(knex.fn.now());
  });
  // Each role carries exactly the jurisdiction it needs.
  await knex.raw(`
    ALTER TABLE users ADD CONSTRAINT users_jurisdiction CHECK (
      (role = 'station'    AND station_code IS NOT NULL AND unit_id IS NULL) OR
      (role = 'reviewer'   AND region_code IS NOT NULL AND station_code IS NULL AND unit_id IS NULL) OR
      (role = 'production' AND province_code IS NOT NULL AND station_code IS NULL AND unit_id IS NULL) OR
      (role = 'manager'    AND station_code IS NULL AND unit_id IS NULL) OR
      (role = 'unit'       AND unit_id IS NOT NULL AND station_code IS NULL) OR
      (role = 'admin'      AND station_code IS NULL AND unit_id IS NULL)
    )`);
}

export async function down(knex: Knex): Promise<void> {
  await knex.schema.dropTable('users');
  await knex.schema.dropTable('card_using_units');
  await knex.schema.dropTable('rollout_rules');
  await knex.schema.dropTable('production_centres');
  await knex.schema.dropTable('stations');
  await knex.schema.dropTable('regions');
  await knex.raw('DROP TYPE user_role');
  await knex.raw('DROP TYPE region_level');
}
