import type { Knex } from 'knex';

/**
 * The card-status feed for downstream platforms, and the roles that read it and issue temporary
 * identity certificates.
 *
 * `card_status_events.seq` is taken before commit, so transactions can commit out of its order. The
 * feed therefore numbers events again, in the order they become final: `feed_seq` is given, under an
 * advisory lock, only to events whose transaction ended before every transaction still running began
 * (`xid` below the snapshot's xmin). A later event always gets a larger `feed_seq`, so a follower
 * asking for everything after its last one never misses one nor sees one twice.
 *
 * New enum values are usable only once committed: they are added outside a transaction.
 */
export const config = { transaction: false };

const ROLES_BEFORE = ['station', 'reviewer', 'production', 'manager', 'unit', 'admin', 'loss_report_importer'];

const JURISDICTION_BEFORE = `
  (role = 'station'    AND station_code IS NOT NULL AND unit_id IS NULL) OR
  (role = 'reviewer'   AND region_code IS NOT NULL AND station_code IS NULL AND unit_id IS NULL) OR
  (role = 'production' AND province_code IS NOT NULL AND station_code IS NULL AND unit_id IS NULL) OR
  (role = 'manager'    AND station_code IS NULL AND unit_id IS NULL) OR
  (role = 'unit'       AND unit_id IS NOT NULL AND station_code IS NULL) OR
  (role = 'admin'      AND station_code IS NULL AND unit_id IS NULL) OR
  (role = 'loss_report_importer' AND region_code IS NOT NULL AND station_code IS NULL AND province_code IS NULL AND unit_id IS NULL)`;

export async function up(knex: Knex): Promise<void> {
  await knex.raw(`ALTER TYPE user_role ADD VALUE IF NOT EXISTS 'platform'`);
  await knex.raw(`ALTER TYPE user_role ADD VALUE IF NOT EXISTS 'police_post'`);
  await knex.transaction(async (trx) => {
    await trx.raw('ALTER TABLE users DROP CONSTRAINT users_jurisdiction');
    await trx.raw(`ALTER TABLE users ADD CONSTRAINT users_jurisdiction CHECK (${JURISDICTION_BEFORE} OR
      (role = 'platform'    AND station_code IS NULL AND region_code IS NULL AND province_code IS NULL AND unit_id IS NULL) OR
      (role = 'police_post' AND region_code IS NOT NULL AND station_code IS NULL AND unit_id IS NULL))`);

    // Existing events keep xid NULL: their transactions ended long ago.
    await trx.raw('ALTER TABLE card_status_events ADD COLUMN xid xid8, ADD COLUMN feed_seq bigint');
    await trx.raw('ALTER TABLE card_status_events ALTER COLUMN xid SET DEFAULT pg_current_xact_id()');
    await trx.raw('CREATE UNIQUE INDEX card_status_events_feed_seq ON card_status_events (feed_seq)');
    await trx.raw('CREATE INDEX card_status_events_unpublished ON card_status_events (seq) WHERE feed_seq IS NULL');
  });
}

/** PostgreSQL cannot drop enum values: the type is rebuilt without them. @throws when such accounts exist. */
export async function down(knex: Knex): Promise<void> {
  await knex.transaction(async (trx) => {
    const accounts = await trx.raw(`SELECT 1 FROM users WHERE role::text IN ('platform', 'police_post') LIMIT 1`);
    if (accounts.rows.length) throw new Error('platform or police post accounts exist: the roles cannot be removed');
    await trx.raw('DROP INDEX card_status_events_unpublished');
    await trx.raw('DROP INDEX card_status_events_feed_seq');
    await trx.raw('ALTER TABLE card_status_events DROP COLUMN feed_seq, DROP COLUMN xid');
    await trx.raw('ALTER TABLE users DROP CONSTRAINT users_jurisdiction');
    await trx.raw('ALTER TYPE user_role RENAME TO user_role_with_feed');
    await trx.raw(`CREATE TYPE user_role AS ENUM (${ROLES_BEFORE.map((role) => `'${role}'`).join(', ')})`);
    await trx.raw('ALTER TABLE users ALTER COLUMN role TYPE user_role USING role::text::user_role');
    await trx.raw('DROP TYPE user_role_with_feed');
    await trx.raw(`ALTER TABLE users ADD CONSTRAINT users_jurisdiction CHECK (${JURISDICTION_BEFORE})`);
  });
}
