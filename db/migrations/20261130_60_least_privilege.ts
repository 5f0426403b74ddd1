import type { Knex } from 'knex';
import { APP_ROLE, AUDIT_TABLES } from '../roles';

/**
 * The app's role (see `db/roles.ts`): DML on every table, but only SELECT and INSERT on the audit
 * tables, nothing on knex's bookkeeping, no DDL (it owns nothing, so it can neither disable a trigger
 * nor truncate). Tables later migrations create get the DML by default privileges of the migrating
 * role: a new audit table must revoke UPDATE and DELETE in its own migration.
 *
 * The role itself is cluster-wide: provisioned beforehand (`db/roles.ts` for embedded PostgreSQL, the
 * compose init script otherwise); created here without login only if missing and the migrator may.
 */
export async function up(knex: Knex): Promise<void> {
  await knex.raw(`
    DO $$ BEGIN
      IF NOT EXISTS (SELECT 1 FROM pg_roles WHERE rolname = '${APP_ROLE}') THEN CREATE ROLE ${APP_ROLE} NOLOGIN; END IF;
    END $$`);
  await knex.raw(`GRANT USAGE ON SCHEMA public TO ${APP_ROLE}`);
  await knex.raw(`GRANT SELECT, INSERT, UPDATE, DELETE ON ALL TABLES IN SCHEMA public TO ${APP_ROLE}`);
  await knex.raw(`REVOKE ALL ON knex_migrations, knex_migrations_lock FROM ${APP_ROLE}`);
  await knex.raw(`REVOKE ALL ON ${AUDIT_TABLES.join(', ')} FROM ${APP_ROLE}`);
  await knex.raw(`GRANT SELECT, INSERT ON ${AUDIT_TABLES.join(', ')} TO ${APP_ROLE}`);
  await knex.raw(`GRANT USAGE, SELECT ON ALL SEQUENCES IN SCHEMA public TO ${APP_ROLE}`);
  await knex.raw(`ALTER DEFAULT PRIVILEGES IN SCHEMA public GRANT SELECT, INSERT, UPDATE, DELETE ON TABLES TO ${APP_ROLE}`);
  await knex.raw(`ALTER DEFAULT PRIVILEGES IN SCHEMA public GRANT USAGE, SELECT ON SEQUENCES TO ${APP_ROLE}`);
}

export async function down(knex: Knex): Promise<void> {
  await knex.raw(`ALTER DEFAULT PRIVILEGES IN SCHEMA public REVOKE USAGE, SELECT ON SEQUENCES FROM ${APP_ROLE}`);
  await knex.raw(`ALTER DEFAULT PRIVILEGES IN SCHEMA public REVOKE SELECT, INSERT, UPDATE, DELETE ON TABLES FROM ${APP_ROLE}`);
  await knex.raw(`REVOKE ALL ON ALL SEQUENCES IN SCHEMA public FROM ${APP_ROLE}`);
  await knex.raw(`REVOKE ALL ON ALL TABLES IN SCHEMA public FROM ${APP_ROLE}`);
  await knex.raw(`REVOKE USAGE ON SCHEMA public FROM ${APP_ROLE}`);
}
