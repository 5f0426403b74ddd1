import type { Knex } from 'knex';

/**
 * Go-live import of applications in flight in a station's old system: each keeps the old system's
 * reference (`import_reference`, unique: the same line posted again is recognised) and the account
 * that imported it (`imported_by`). Both are null for applications accepted here.
 */
export async function up(knex: Knex): Promise<void> {
  await knex.schema.alterTable('applications', (table) => {
    table.text('import_reference');
    table.text('imported_by');
  });
  await knex.raw('CREATE UNIQUE INDEX applications_import_reference ON applications (import_reference) WHERE import_reference IS NOT NULL');
}

export async function down(knex: Knex): Promise<void> {
  await knex.raw('DROP INDEX applications_import_reference');
  await knex.schema.alterTable('applications', (table) => {
    table.dropColumn('import_reference');
    table.dropColumn('imported_by');
  });
}
