import { Readable } from 'node:stream';
import { pipeline } from 'node:stream/promises';
import type { PoolClient as PgClient } from 'pg';
import { from as copyFrom } from 'pg-copy-streams';
import type { Db } from '../knex';

/** One answered verification: which unit asked about which card, when, with what answer. */
export interface VerificationAuditRow {
  unitId: string;
  idNumber: string;
  cardValidFrom: string;
  result: 'VALID' | 'INVALID';
  reason: string | null;
  checkedAt: string;
}

const COPY_AUDIT = 'COPY verification_audit (unit_id, id_number, card_valid_from, result, reason, checked_at) FROM STDIN';

/** COPY's text format: backslash, tab, newline and carriage return escaped; `\N` for null. */
const copyText = (value: string | null): string => (value === null ? '\\N' : /[\\\t\n\r]/.test(value) ? value.replace(/[\\\t\n\r]/g, (c) => ({ '\\': '\\\\', '\t': '\\t', '\n': '\\n', '\r': '\\r' })[c]!) : value);

/** One audit row as a line of `COPY verification_audit … FROM STDIN` text. */
export const verificationAuditLine = (row: VerificationAuditRow): string =>
  `${copyText(row.unitId)}\t${copyText(row.idNumber)}\t${copyText(row.cardValidFrom)}\t${row.result}\t${copyText(row.reason)}\t${row.checkedAt}\n`;

/**
 * Appends many audit rows, given as `verificationAuditLine` text, with one `COPY … FROM STDIN`:
 * the cheapest way into PostgreSQL for both sides, which matters because the database shares the
 * machine with the verification route.
 */
export async function copyVerificationAudit(db: Db, lines: Buffer[]): Promise<void> {
  if (lines.length === 0) return;
  const connection = (await db.client.acquireConnection()) as PgClient;
  try {
    await pipeline(Readable.from(lines), connection.query(copyFrom(COPY_AUDIT)));
  } finally {
    await db.client.releaseConnection(connection);
  }
}

/** Every unit's own verification rate limit (requests per second), null where the unit has none. */
export async function unitRateLimits(db: Db): Promise<Array<{ id: string; rateLimitPerSecond: number | null }>> {
  return db('cardUsingUnits').select('id', 'rateLimitPerSecond');
}
