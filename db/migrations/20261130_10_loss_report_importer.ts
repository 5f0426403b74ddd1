import type { Knex } from 'knex';

/**
 * A role for bulk work: `loss_report_importer` loads the loss reports taken before the system went
 * live, for one authority's region (`region_code`). PostgreSQL lets a new enum value be used only once
 * it is committed, so it is added outside a transaction and the jurisdiction rule is rewritten after.
 */
export const config = { transaction: false };

const ROLES_BEFORE = ['station', 'reviewer', 'production', 'manager', 'unit', 'admin'];

const JURISDICTION_BEFORE = `
  (role = 'station'    AND station_code IS NOT NULL AND unit_id IS NULL) OR
  (role = 'reviewer'   AND region_code IS NOT NULL AND station_code IS NULL AND unit_id IS NULL) OR
  (role = 'production' AND province_code IS NOT NULL AND station_code IS NULL AND unit_id IS NULL) OR
  (role = 'manager'    AND station_code IS NULL AND unit_id IS NULL) OR
  (role = 'unit'       AND unit_id IS NOT NULL AND station_code IS NULL) OR
  (role = 'admin'      AND station_code IS NULL AND unit_id IS NULL)`;

export async function up(knex: Knex): Promise<void> {
  await knex.raw(`ALTER TYPE user_role ADD VALUE IF NOT EXISTS 'loss_report_importer'`);
  await knex.transaction(async (trx) => {
    await trx.raw('ALTER TABLE users DROP CONSTRAINT users_jurisdiction');
    await trx.raw(`ALTER TABLE users ADD CONSTRAINT users_jurisdiction CHECK (${JURISDICTION_BEFORE} OR
      (role = 'loss_report_importer' AND region_code IS NOT NULL AND station_code IS NULL AND province_code IS NULL AND unit_id IS NULL))`);
  });
}

/** PostgreSQL cannot drop an enum value: the type is rebuilt without it. @throws when an importer account exists. */
export async function down(knex: Knex): Promise<void> {
  await knex.transaction(async (trx) => {
    const importers = await trx.raw(`SELECT 1 FROM users WHERE role::text = 'loss_report_importer' LIMIT 1`);
    if (importers.rows.length) throw new Error('loss report importer accounts exist: the role cannot be removed');
    await trx.raw('ALTER TABLE users DROP CONSTRAINT users_jurisdiction');
    await trx.raw('ALTER TYPE user_role RENAME TO user_role_with_importer');
    await trx.raw(`CREATE TYPE user_role AS ENUM (${ROLES_BEFORE.map((role) => `'${role}'`).join(', ')})`);
    await trx.raw('ALTER TABLE users ALTER COLUMN role TYPE user_role USING role::text::user_role');
    await trx.raw('DROP TYPE user_role_with_importer');
    await trx.raw(`ALTER TABLE users ADD CONSTRAINT users_jurisdiction CHECK (${JURISDICTION_BEFORE})`);
  });
}
