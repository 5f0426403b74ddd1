import type { Db } from '../knex';

export interface AuditEntry {
  actor: string;
  action: string;
  subjectType: string;
  subjectId: string;
  details?: Record<string, unknown>;
  at?: Date;
}

/** Appends to the audit log (append-only: the table refuses updates and deletes). */
export async function recordAudit(db: Db, entries: AuditEntry | AuditEntry[]): Promise<void> {
  const list = Array.isArray(entries) ? entries : [entries];
  if (list.length === 0) return;
  await db('auditLog').insert(
    list.map((entry) => ({
      actor: entry.actor,
      action: entry.action,
      subjectType: entry.subjectType,
      subjectId: entry.subjectId,
      details: entry.details ?? {},
      ...(entry.at ? { at: entry.at } : {}),
    })),
  );
}
