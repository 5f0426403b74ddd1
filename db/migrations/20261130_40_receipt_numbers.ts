import type { Knex } from 'knex';

/**
 * The receipt number (受理回执号) an applicant leaves the counter with: `YYMMDD-NNNNNNN`, the day of
 * acceptance in China (Asia/Shanghai) and a serial. Given by the database when the read model first
 * records the application, so every path that records one (acceptance, an import from an old system)
 * gets one without carrying it. The serial wraps at ten million; a number already taken (possible
 * only after a wrap, on the same day) is skipped, so the recording never fails on it.
 */
export async function up(knex: Knex): Promise<void> {
  await knex.raw('CREATE SEQUENCE application_receipt_serial');
  await knex.raw(`
    CREATE FUNCTION assign_receipt_number() RETURNS trigger LANGUAGE plpgsql AS $$
    DECLARE
      candidate text;
    BEGIN
      IF NEW.receipt_number IS NOT NULL THEN RETURN NEW; END IF;
      LOOP
        candidate := to_char(NEW.accepted_at AT TIME ZONE 'Asia/Shanghai', 'YYMMDD') || '-' || lpad((nextval('application_receipt_serial') % 10000000)::text, 7, '0');
        EXIT WHEN NOT EXISTS (SELECT 1 FROM applications WHERE receipt_number = candidate);
      END LOOP;
      NEW.receipt_number := candidate;
      RETURN NEW;
    END $$`);
  await knex.raw('ALTER TABLE applications ADD COLUMN receipt_number text');
  // Applications recorded before this migration take the day they were accepted.
  await knex.raw(`
    UPDATE applications SET receipt_number =
      to_char(accepted_at AT TIME ZONE 'Asia/Shanghai', 'YYMMDD') || '-' || lpad(nextval('application_receipt_serial')::text, 7, '0')`);
  await knex.raw('ALTER TABLE applications ALTER COLUMN receipt_number SET NOT NULL');
  await knex.raw('CREATE UNIQUE INDEX applications_receipt_number ON applications (receipt_number)');
  await knex.raw('CREATE TRIGGER applications_receipt_number BEFORE INSERT ON applications FOR EACH ROW EXECUTE FUNCTION assign_receipt_number()');
  // Search by citizen number within a jurisdiction, newest first.
  await knex.raw('CREATE INDEX applications_id_number_newest ON applications (id_number, accepted_at DESC)');
}

export async function down(knex: Knex): Promise<void> {
  await knex.raw('DROP INDEX applications_id_number_newest');
  await knex.raw('DROP TRIGGER applications_receipt_number ON applications');
  await knex.raw('ALTER TABLE applications DROP COLUMN receipt_number');
  await knex.raw('DROP FUNCTION assign_receipt_number()');
  await knex.raw('DROP SEQUENCE application_receipt_serial');
}
