import type { Knex } from 'knex';

/**
 * A station's own lists, newest first: the loss reports taken at its counter and the found cards
 * handed in there; a regional manager's loss reports by the authority's region prefix (the pattern
 * operator class serves `LIKE '41%'` under any collation).
 */
export async function up(knex: Knex): Promise<void> {
  await knex.raw('CREATE INDEX loss_reports_station_newest ON loss_reports (reporting_station_code, reported_at DESC, id DESC)');
  await knex.raw('CREATE INDEX loss_reports_authority_newest ON loss_reports (authority_region_code varchar_pattern_ops, reported_at DESC)');
  await knex.raw('CREATE INDEX found_cards_station_newest ON found_cards (handed_in_station_code, state, handed_in_at DESC, id DESC)');
}

export async function down(knex: Knex): Promise<void> {
  await knex.raw('DROP INDEX found_cards_station_newest');
  await knex.raw('DROP INDEX loss_reports_authority_newest');
  await knex.raw('DROP INDEX loss_reports_station_newest');
}
