import { randomUUID } from 'node:crypto';
import { z } from 'zod';
import type { Db } from '../../db/knex';
import { recordAudit } from '../../db/queries/auditLog';
import { findActiveEntry, findBlacklistEntry, insertBlacklistEntry, markRemoved, type BlacklistEntryRow } from '../../db/queries/blacklist';
import { homeRegionOf } from '../../db/queries/impersonationReports';
import type { CallerAs, User } from '../../db/users';
import { mayActOnPerson } from '../../domain';
import { BLACKLIST_CATEGORIES, type BlacklistCategory } from '../../domain/blacklist';
import { instant } from '../answers';
import { isUniqueViolation, problems } from '../problems';

/** A blacklist entry as the API answers it ({@link entryView}). */
export const blacklistEntrySchema = z.object({
  blacklistEntryId: z.uuid(),
  idNumber: z.string(),
  category: z.enum(BLACKLIST_CATEGORIES),
  source: z.string(),
  note: z.string().nullable(),
  addedBy: z.string(),
  addedAt: instant,
  removedAt: instant.nullable(),
  removedBy: z.string().nullable(),
  removalReason: z.string().nullable(),
});
export type BlacklistEntryView = z.output<typeof blacklistEntrySchema>;

export const entryView = (row: BlacklistEntryRow): BlacklistEntryView => ({
  blacklistEntryId: row.id,
  idNumber: row.idNumber,
  category: row.category as BlacklistCategory,
  source: row.source,
  note: row.note,
  addedBy: row.addedBy,
  addedAt: row.addedAt.toISOString(),
  removedAt: row.removedAt?.toISOString() ?? null,
  removedBy: row.removedBy,
  removalReason: row.removalReason,
});

/**
 * A regional manager acts on the blacklist entries of people registered (户籍) in their region only;
 * national managers and admins on all (the rule: `mayActOnPerson`).
 * @throws Problem 403 `forbidden_jurisdiction`.
 */
export async function ensureBlacklistJurisdiction(db: Db, user: CallerAs<'manager' | 'admin'>, idNumber: string): Promise<void> {
  const homeRegion = (await homeRegionOf(db, idNumber)) ?? null;
  if (!mayActOnPerson(user, homeRegion)) throw problems.forbiddenJurisdiction(homeRegion ? 'That region lies outside your jurisdiction.' : 'The person is not registered in your region.');
}

/**
 * Puts a person on the blacklist, audited. Runs inside the caller's transaction when given one.
 * @throws Problem 409 `already_blacklisted` (with the `blacklistEntryId` in force) for the same person and category.
 */
export async function addToBlacklist(
  db: Db,
  actor: User,
  request: { idNumber: string; category: BlacklistCategory; source: string; note?: string },
): Promise<BlacklistEntryView> {
  const row = { id: randomUUID(), idNumber: request.idNumber, category: request.category, source: request.source, note: request.note ?? null, addedBy: actor.id, addedAt: new Date() };
  try {
    await db.transaction(async (trx) => {
      const existing = await findActiveEntry(trx, request.idNumber, request.category);
      if (existing) throw alreadyBlacklisted(existing.id);
      await insertBlacklistEntry(trx, row);
      await recordAudit(trx, { actor: actor.id, action: 'blacklist.added', subjectType: 'blacklist_entry', subjectId: row.id, at: row.addedAt, details: { category: row.category, source: row.source } });
    });
  } catch (error) {
    if (isUniqueViolation(error)) {
      const existing = await findActiveEntry(db, request.idNumber, request.category);
      throw alreadyBlacklisted(existing?.id);
    }
    throw error;
  }
  return entryView({ ...row, removedAt: null, removedBy: null, removalReason: null });
}

const alreadyBlacklisted = (id?: string) =>
  problems.conflict('already_blacklisted', 'The person is already on the blacklist in this category.', id ? { blacklistEntryId: id } : {});

/**
 * Takes an entry off the blacklist, by an admin, with a reason; audited. The entry is kept, marked removed.
 * @throws Problem 404; 409 `already_removed`.
 */
export async function removeFromBlacklist(db: Db, admin: User, id: string, reason: string): Promise<BlacklistEntryView> {
  return db.transaction(async (trx) => {
    const entry = await findBlacklistEntry(trx, id, { forUpdate: true });
    if (!entry) throw problems.notFound('The blacklist entry');
    if (entry.removedAt) throw problems.conflict('already_removed', 'The entry was already removed.');
    const at = new Date();
    await markRemoved(trx, id, admin.id, reason, at);
    await recordAudit(trx, { actor: admin.id, action: 'blacklist.removed', subjectType: 'blacklist_entry', subjectId: id, at, details: { reason } });
    return entryView({ ...entry, removedAt: at, removedBy: admin.id, removalReason: reason });
  });
}
