import type { Knex } from 'knex';

/**
 * Temporary identity certificates (临时身份证明), issued on the spot by police posts at airports,
 * railway stations and hotel districts to people without their card, valid for a short time.
 */
export async function up(knex: Knex): Promise<void> {
  await knex.schema.createTable('temporary_certificates', (t) => {
    t.uuid('id').primary();
    t.text('number').notNullable().unique();
    t.string('id_number', 18).notNullable().references('id_number').inTable('citizens');
    t.text('issued_by').notNullable();
    t.string('issuing_region_code', 6).notNullable().references('code').inTable('regions');
    t.text('identity_check').notNullable();
    t.timestamp('issued_at', { useTz: true }).notNullable();
    t.timestamp('valid_until', { useTz: true }).notNullable();
  });
  await knex.raw(`ALTER TABLE temporary_certificates ADD CONSTRAINT temporary_certificates_check CHECK (identity_check IN ('fingerprint', 'photo'))`);
  await knex.raw('ALTER TABLE temporary_certificates ADD CONSTRAINT temporary_certificates_period CHECK (valid_until > issued_at)');
  await knex.raw('CREATE INDEX temporary_certificates_person ON temporary_certificates (id_number, issued_at DESC)');
}

export async function down(knex: Knex): Promise<void> {
  await knex.schema.dropTable('temporary_certificates');
}
