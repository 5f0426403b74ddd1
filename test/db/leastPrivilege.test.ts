import { randomUUID } from 'node:crypto';
import type { Db } from '../../db/knex';
import { recordAudit } from '../../db/queries/auditLog';
import { testDb } from '../support/database';

/**
 * The tests, like the API and the worker, connect with DATABASE_URL: the app's role. Whatever it is
 * granted, an intruder with the app's credentials has; the audit must hold against them.
 */
let db: Db;
beforeAll(() => {
  db = testDb();
});
afterAll(() => db.destroy());

const INSUFFICIENT_PRIVILEGE = '42501';

/** Runs `sql` in a transaction that is always rolled back, and returns the PostgreSQL error code (undefined: it ran). */
async function attempt(sql: string): Promise<string | undefined> {
  const rolledBack = new Error('roll back');
  try {
    await db.transaction(async (trx) => {
      await trx.raw(sql);
      throw rolledBack;
    });
  } catch (error) {
    if (error === rolledBack) return undefined;
    return (error as { code?: string }).code ?? 'no code';
  }
  return undefined;
}

describe("the app's database role", () => {
  test('when the app connects, then its role is no superuser, owns no table and may create no role, database or table', async () => {
    const { rows } = await db.raw(
      'SELECT rolsuper, rolcreaterole, rolcreatedb, rolbypassrls FROM pg_roles WHERE rolname = current_user',
    );
    expect(rows[0]).toEqual({ rolsuper: false, rolcreaterole: false, rolcreatedb: false, rolbypassrls: false });
    const owned = await db.raw("SELECT count(*)::int AS count FROM pg_tables WHERE schemaname = 'public' AND tableowner = current_user");
    expect(owned.rows[0].count).toBe(0);
    expect(await attempt('CREATE TABLE intruder (id int)')).toBe(INSUFFICIENT_PRIVILEGE);
  });

  test.each(['audit_log', 'verification_audit'])('when the app deletes, updates, truncates %s or disables its triggers, then each is refused for want of privilege', async (table) => {
    const refused = {
      delete: await attempt(`DELETE FROM ${table}`),
      update: await attempt(`UPDATE ${table} SET id = id`),
      truncate: await attempt(`TRUNCATE ${table}`),
      disableTrigger: await attempt(`ALTER TABLE ${table} DISABLE TRIGGER ALL`),
      disableAppendOnly: await attempt(`ALTER TABLE ${table} DISABLE TRIGGER ${table}_append_only`),
      drop: await attempt(`DROP TABLE ${table}`),
      replicationRole: await attempt(`SET session_replication_role = replica`),
    };
    expect(refused).toEqual({
      delete: INSUFFICIENT_PRIVILEGE,
      update: INSUFFICIENT_PRIVILEGE,
      truncate: INSUFFICIENT_PRIVILEGE,
      disableTrigger: INSUFFICIENT_PRIVILEGE,
      disableAppendOnly: INSUFFICIENT_PRIVILEGE,
      drop: INSUFFICIENT_PRIVILEGE,
      replicationRole: INSUFFICIENT_PRIVILEGE,
    });
  });

  test('when the app audits, then it inserts and reads its audit entries', async () => {
    const subjectId = randomUUID();
    await recordAudit(db, { actor: 'test', action: 'test.least_privilege', subjectType: 'test', subjectId, dedupeKey: `lp-${subjectId}` });
    await recordAudit(db, { actor: 'test', action: 'test.least_privilege', subjectType: 'test', subjectId, dedupeKey: `lp-${subjectId}` });
    expect(await db('auditLog').where({ subjectId })).toHaveLength(1);
  });

  test('when the app looks at the migrations bookkeeping, then it may not change it', async () => {
    expect(await attempt('DELETE FROM knex_migrations')).toBe(INSUFFICIENT_PRIVILEGE);
  });
});
