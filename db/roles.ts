import { randomBytes } from 'node:crypto';
import { Client } from 'pg';

/**
 * Database roles. Migrations (and seeding) run as the owner of the schema; the API and the worker run
 * as the app role, which has the DML it needs and, on the audit tables, only SELECT and INSERT: it
 * cannot delete or change audit rows, truncate them, or turn their append-only triggers off. The
 * grants are made by the migration `20261130_60_least_privilege`.
 */
export const OWNER_ROLE = 'idcards_owner';
export const APP_ROLE = 'idcards_app';

/** The audit tables: append-only for the app. */
export const AUDIT_TABLES = ['audit_log', 'verification_audit'] as const;

export interface RoleUrls {
  /** The schema owner: migrations and seeding. */
  migrationUrl: string;
  /** The app's least-privilege role. */
  appUrl: string;
}

/**
 * For the embedded cluster, as its superuser (`superuserUrl`): creates (or updates) the owner and app
 * login roles with new passwords, hands the database and everything in its public schema to the owner
 * (a cluster migrated before the roles existed belongs to the superuser), and returns their URLs.
 * Passwords change at every start: processes joining `npm start` read the URL from `services.json`.
 */
export async function provisionEmbeddedRoles(superuserUrl: string): Promise<RoleUrls> {
  const url = new URL(superuserUrl);
  const database = url.pathname.slice(1);
  const passwords = { [OWNER_ROLE]: randomBytes(18).toString('base64url'), [APP_ROLE]: randomBytes(18).toString('base64url') };
  const client = new Client(superuserUrl);
  await client.connect();
  try {
    for (const [role, password] of Object.entries(passwords)) {
      const exists = await client.query('SELECT 1 FROM pg_roles WHERE rolname = $1', [role]);
      const verb = exists.rowCount ? 'ALTER' : 'CREATE';
      // Neither may create roles or databases, nor bypass row security; the app owns nothing.
      await client.query(`${verb} ROLE ${role} LOGIN NOSUPERUSER NOCREATEDB NOCREATEROLE NOBYPASSRLS PASSWORD '${password}'`);
    }
    await client.query(`ALTER DATABASE ${client.escapeIdentifier(database)} OWNER TO ${OWNER_ROLE}`);
    await client.query(`REVOKE CREATE ON SCHEMA public FROM PUBLIC`);
    await client.query(TRANSFER_OWNERSHIP);
  } finally {
    await client.end();
  }
  const withRole = (role: keyof typeof passwords) => {
    const roleUrl = new URL(superuserUrl);
    roleUrl.username = role;
    roleUrl.password = passwords[role];
    return roleUrl.toString();
  };
  return { migrationUrl: withRole(OWNER_ROLE), appUrl: withRole(APP_ROLE) };
}

/** Tables, views, free-standing sequences, functions and enum/domain types of `public` not yet the owner's. */
const TRANSFER_OWNERSHIP = `
DO $$
DECLARE r record;
BEGIN
  FOR r IN
    SELECT format('%I.%I', n.nspname, c.relname) AS name,
           CASE c.relkind WHEN 'v' THEN 'VIEW' WHEN 'm' THEN 'MATERIALIZED VIEW' WHEN 'S' THEN 'SEQUENCE' ELSE 'TABLE' END AS kind
      FROM pg_class c JOIN pg_namespace n ON n.oid = c.relnamespace
     WHERE n.nspname = 'public' AND c.relkind IN ('r', 'p', 'v', 'm', 'S')
       AND c.relowner <> '${OWNER_ROLE}'::regrole
       -- A sequence of a serial or identity column goes with its table.
       AND NOT (c.relkind = 'S' AND EXISTS (SELECT 1 FROM pg_depend d WHERE d.classid = 'pg_class'::regclass AND d.objid = c.oid AND d.deptype IN ('a', 'i')))
  LOOP
    EXECUTE format('ALTER %s %s OWNER TO ${OWNER_ROLE}', r.kind, r.name);
  END LOOP;
  FOR r IN
    SELECT p.oid::regprocedure AS name FROM pg_proc p JOIN pg_namespace n ON n.oid = p.pronamespace
     WHERE n.nspname = 'public' AND p.proowner <> '${OWNER_ROLE}'::regrole
  LOOP
    EXECUTE format('ALTER ROUTINE %s OWNER TO ${OWNER_ROLE}', r.name);
  END LOOP;
  FOR r IN
    SELECT format('%I.%I', n.nspname, t.typname) AS name FROM pg_type t JOIN pg_namespace n ON n.oid = t.typnamespace
     WHERE n.nspname = 'public' AND t.typtype IN ('e', 'd') AND t.typowner <> '${OWNER_ROLE}'::regrole
  LOOP
    EXECUTE format('ALTER TYPE %s OWNER TO ${OWNER_ROLE}', r.name);
  END LOOP;
END $$`;
