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

export type BlacklistListState = 'active' | 'removed' | 'all';

/**
 * Entries newest first, keyset-paged on (addedAt, id), with the person's name and home region from
 * the registry. A regional manager (`homeRegionPrefix`) reads those about people registered in the
 * region only, as for adding and reading one.
 */
export async function listBlacklistEntries(
  db: Db,
  filter: { state: BlacklistListState; homeRegionPrefix?: string; after?: { addedAt: string; id: string }; limit: number },
): Promise<Array<BlacklistEntryRow & { name: string | null; homeRegionCode: string | null }>> {
  const query = db('blacklistEntries').leftJoin('citizens', 'citizens.idNumber', 'blacklistEntries.idNumber');
  if (filter.state === 'active') query.whereNull('blacklistEntries.removedAt');
  if (filter.state === 'removed') query.whereNotNull('blacklistEntries.removedAt');
  if (filter.homeRegionPrefix) query.whereLike('citizens.homeRegionCode', `${filter.homeRegionPrefix}%`);
  if (filter.after) query.whereRaw('(blacklist_entries.added_at, blacklist_entries.id) < (?, ?)', [filter.after.addedAt, filter.after.id]);
  return query
    .orderBy([{ column: 'blacklistEntries.addedAt', order: 'desc' }, { column: 'blacklistEntries.id', order: 'desc' }])
    .limit(filter.limit)
    .select('blacklistEntries.*', 'citizens.name', 'citizens.homeRegionCode');
}
