import type { Db } from '../knex';

export interface AuditEntry {
  actor: string;
  action: string;
  subjectType: string;
  subjectId: string;
  details?: Record<string, unknown>;
  at?: Date;
  /** An entry written under a key is written once, however often its writer is retried (activities). */
  dedupeKey?: string;
}

/**
 * Appends to the audit log (append-only: the table refuses updates and deletes). An entry whose
 * `dedupeKey` is already there is skipped.
 */
export async function recordAudit(db: Db, entries: AuditEntry | AuditEntry[]): Promise<void> {
  const list = Array.isArray(entries) ? entries : [entries];
  if (list.length === 0) return;
  const insert = db('auditLog').insert(
    list.map((entry) => ({
      actor: entry.actor,
      action: entry.action,
      subjectType: entry.subjectType,
      subjectId: entry.subjectId,
      details: entry.details ?? {},
      ...(entry.at ? { at: entry.at } : {}),
      ...(entry.dedupeKey ? { dedupeKey: entry.dedupeKey } : {}),
    })),
  );
  await (list.some((entry) => entry.dedupeKey) ? insert.onConflict('dedupeKey').ignore() : insert);
}
