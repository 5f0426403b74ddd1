import type { Db } from '../knex';

export interface BlacklistEntryRow {
  id: string;
  idNumber: string;
  category: string;
  source: string;
  note: string | null;
  addedBy: string;
  addedAt: Date;
  removedAt: Date | null;
  removedBy: string | null;
  removalReason: string | null;
}

/**
 * Whether the person is on the blacklist of dishonest persons (不诚信人员黑名单) in any category
 * and not removed: what acceptance's eligibility rule reads.
 */
export async function isBlacklisted(db: Db, idNumber: string): Promise<boolean> {
  const row = await db('blacklistEntries').where('idNumber', idNumber).whereNull('removedAt').first('id');
  return Boolean(row);
}

export async function insertBlacklistEntry(trx: Db, row: Omit<BlacklistEntryRow, 'removedAt' | 'removedBy' | 'removalReason'>): Promise<void> {
  await trx('blacklistEntries').insert(row);
}

export async function findBlacklistEntry(db: Db, id: string, options: { forUpdate?: boolean } = {}): Promise<BlacklistEntryRow | undefined> {
  const query = db('blacklistEntries').where('id', id).first();
  return options.forUpdate ? query.forUpdate() : query;
}

/** The person's entry in this category that was not removed (at most one: a unique index holds it). */
export async function findActiveEntry(db: Db, idNumber: string, category: string): Promise<BlacklistEntryRow | undefined> {
  return db('blacklistEntries').where({ idNumber, category }).whereNull('removedAt').first();
}

export async function markRemoved(trx: Db, id: string, by: string, reason: string, at: Date): Promise<void> {
  await trx('blacklistEntries').where('id', id).update({ removedAt: at, removedBy: by, removalReason: reason });
}
