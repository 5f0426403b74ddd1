import type { Knex } from 'knex';

/**
 * People log in to the console (issue 15): an account may carry a username and an argon2id password
 * hash besides its bearer token; consecutive failures are counted and lock the account for a while.
 * A console session is stored by the SHA-256 of its cookie value (a stolen table opens no session),
 * with its CSRF token, an idle expiry that slides up to an absolute limit, and its revocation.
 */
export async function up(knex: Knex): Promise<void> {
  await knex.schema.alterTable('users', (t) => {
    t.text('username').unique();
    t.text('password_hash');
    t.integer('failed_logins').notNullable().defaultTo(0);
    t.timestamp('locked_until', { useTz: true });
  });
  await knex.schema.createTable('sessions', (t) => {
    t.string('id_hash', 64).primary();
    t.text('user_id').notNullable().references('id').inTable('users').onDelete('CASCADE');
    t.text('csrf_token').notNullable();
    t.timestamp('created_at', { useTz: true }).notNullable().defaultTo(knex.fn.now());
    t.timestamp('last_seen_at', { useTz: true }).notNullable().defaultTo(knex.fn.now());
    t.timestamp('expires_at', { useTz: true }).notNullable();
    t.timestamp('revoked_at', { useTz: true });
    t.index(['user_id']);
  });
}

export async function down(knex: Knex): Promise<void> {
  await knex.schema.dropTable('sessions');
  await knex.schema.alterTable('users', (t) => {
    t.dropColumn('locked_until');
    t.dropColumn('failed_logins');
    t.dropColumn('password_hash');
    t.dropColumn('username');
  });
}
