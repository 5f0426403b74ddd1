import type { Knex } from 'knex';

/**
 * Reviewers and regional managers list applications by region prefix (`home_region_code LIKE
 * '44%'`). Under a non-C collation a plain b-tree cannot serve LIKE, so the index uses the
 * pattern operator class. Managers page impersonation reports newest first.
 */
export async function up(knex: Knex): Promise<void> {
  await knex.raw('DROP INDEX applications_home_region_newest');
  await knex.raw('CREATE INDEX applications_home_region_newest ON applications (home_region_code varchar_pattern_ops, accepted_at DESC)');
  await knex.raw('CREATE INDEX impersonation_reports_newest ON impersonation_reports (reported_at DESC, id DESC)');
}

export async function down(knex: Knex): Promise<void> {
  await knex.raw('DROP INDEX impersonation_reports_newest');
  await knex.raw('DROP INDEX applications_home_region_newest');
  await knex.raw('CREATE INDEX applications_home_region_newest ON applications (home_region_code, accepted_at DESC)');
}
