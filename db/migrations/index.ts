import type { Knex } from 'knex';
import * as placesAndPeople from './20261122_01_places_and_people';
import * as registryAndCards from './20261122_02_registry_and_cards';
import * as applications from './20261122_03_applications';
import * as lossesFoundCardsBlacklist from './20261122_04_losses_found_cards_blacklist';
import * as auditAndOutbox from './20261122_05_audit_and_outbox';
import * as overduePaging from './20261122_06_overdue_paging';
import * as regionPrefixIndexes from './20261122_07_region_prefix_indexes';
import * as closedStage from './20261130_01_closed_stage';
import * as reconciliation from './20261130_02_reconciliation';
import * as lossReportImporter from './20261130_10_loss_report_importer';
import * as accountRevocation from './20261130_11_account_revocation';
import * as notificationDelivery from './20261130_20_notification_delivery';
import * as cardStatusFeed from './20261130_21_card_status_feed';
import * as temporaryCertificates from './20261130_22_temporary_certificates';
import * as apiInstances from './20261130_30_api_instances';
import * as receiptNumbers from './20261130_40_receipt_numbers';
import * as consoleLogins from './20261130_50_console_logins';
import * as leastPrivilege from './20261130_60_least_privilege';
import * as stationLists from './20261130_70_station_lists';
import * as applicationImports from './20261130_80_application_imports';

type Migration = { up(knex: Knex): Promise<void>; down(knex: Knex): Promise<void>; config?: { transaction?: boolean } };

/** Every migration, in order. Listed here (not discovered on disk) so that compiled and test code share one list. */
const migrations: Record<string, Migration> = {
  '20261122_01_places_and_people': placesAndPeople,
  '20261122_02_registry_and_cards': registryAndCards,
  '20261122_03_applications': applications,
  '20261122_04_losses_found_cards_blacklist': lossesFoundCardsBlacklist,
  '20261122_05_audit_and_outbox': auditAndOutbox,
  '20261122_06_overdue_paging': overduePaging,
  '20261122_07_region_prefix_indexes': regionPrefixIndexes,
  '20261130_01_closed_stage': closedStage,
  '20261130_02_reconciliation': reconciliation,
  '20261130_10_loss_report_importer': lossReportImporter,
  '20261130_11_account_revocation': accountRevocation,
  '20261130_20_notification_delivery': notificationDelivery,
  '20261130_21_card_status_feed': cardStatusFeed,
  '20261130_22_temporary_certificates': temporaryCertificates,
  '20261130_30_api_instances': apiInstances,
  '20261130_40_receipt_numbers': receiptNumbers,
  '20261130_50_console_logins': consoleLogins,
  '20261130_60_least_privilege': leastPrivilege,
  '20261130_70_station_lists': stationLists,
  '20261130_80_application_imports': applicationImports,
};

export const migrationSource: Knex.MigrationSource<string> = {
  getMigrations: async () => Object.keys(migrations),
  getMigrationName: (name) => name,
  getMigration: async (name) => migrations[name],
};
