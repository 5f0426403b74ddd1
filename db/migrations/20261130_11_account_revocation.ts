import type { Knex } from 'knex';

/**
 * Accounts can be disabled (`disabled_at`), and every change to an account — disabled, re-jurisdictioned,
 * deleted — is announced with NOTIFY `user_changed` (the account's id) at commit, so that every API
 * instance drops its cached copy at once, as `card_status` does for cards.
 */
export async function up(knex: Knex): Promise<void> {
  await knex.schema.alterTable('users', (t) => {
    t.timestamp('disabled_at', { useTz: true });
  });
  await knex.raw(`
    CREATE FUNCTION user_changed() RETURNS trigger LANGUAGE plpgsql AS $$
    BEGIN
      PERFORM pg_notify('user_changed', OLD.id);
      RETURN NULL;
    END $$`);
  await knex.raw(`CREATE TRIGGER users_changed AFTER UPDATE OR DELETE ON users FOR EACH ROW EXECUTE FUNCTION user_changed()`);
}

export async function down(knex: Knex): Promise<void> {
  await knex.raw('DROP TRIGGER users_changed ON users');
  await knex.raw('DROP FUNCTION user_changed()');
  await knex.schema.alterTable('users', (t) => {
    t.dropColumn('disabled_at');
  });
}
