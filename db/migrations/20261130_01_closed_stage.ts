import type { Knex } from 'knex';

/**
 * A ninth stage, CLOSED: a manager closed an application whose workflow was lost and could not be
 * restarted. PostgreSQL lets a new enum value be used only once it is committed, so this migration
 * runs outside a transaction and the next one (which uses it) in its own.
 */
export const config = { transaction: false };

const BEFORE = ['ACCEPTED', 'HOME_REVIEW', 'PRINTING', 'SHIPPING', 'READY_FOR_PICKUP', 'COMPLETED', 'REFUSED', 'WITHDRAWN'];

export async function up(knex: Knex): Promise<void> {
  await knex.raw(`ALTER TYPE application_stage ADD VALUE IF NOT EXISTS 'CLOSED'`);
}

/** PostgreSQL cannot drop an enum value: the type is rebuilt without it. @throws when a CLOSED application exists. */
export async function down(knex: Knex): Promise<void> {
  await knex.transaction(async (trx) => {
    const closed = await trx.raw(`SELECT 1 FROM applications WHERE stage::text = 'CLOSED' UNION ALL SELECT 1 FROM application_stage_history WHERE stage::text = 'CLOSED' LIMIT 1`);
    if (closed.rows.length) throw new Error('applications closed by managers exist: the CLOSED stage cannot be removed');
    // The partial indexes compare the column with values of the type: rebuilt around the change.
    await trx.raw('DROP INDEX applications_one_in_progress');
    await trx.raw('DROP INDEX applications_overdue_open');
    await trx.raw('ALTER TYPE application_stage RENAME TO application_stage_with_closed');
    await trx.raw(`CREATE TYPE application_stage AS ENUM (${BEFORE.map((stage) => `'${stage}'`).join(', ')})`);
    for (const table of ['applications', 'application_stage_history']) {
      await trx.raw(`ALTER TABLE ${table} ALTER COLUMN stage TYPE application_stage USING stage::text::application_stage`);
    }
    await trx.raw('DROP TYPE application_stage_with_closed');
    await trx.raw(`CREATE UNIQUE INDEX applications_one_in_progress ON applications (id_number) WHERE stage NOT IN ('COMPLETED', 'REFUSED', 'WITHDRAWN')`);
    await trx.raw(`CREATE INDEX applications_overdue_open ON applications (deadline_at, id) WHERE overdue AND stage NOT IN ('COMPLETED', 'REFUSED', 'WITHDRAWN')`);
  });
}
