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

/**
 * Appends many audit rows in one statement: the rows travel as one JSON parameter, so a batch of
 * thousands costs one round trip and no statement-size limit.
 */
export async function insertVerificationAudit(db: Db, rows: VerificationAuditRow[]): Promise<void> {
  if (rows.length === 0) return;
  await db.raw(
    `insert into verification_audit (unit_id, id_number, card_valid_from, result, reason, checked_at)
     select unit_id, id_number, card_valid_from, result, reason, checked_at
       from jsonb_to_recordset(?::jsonb)
         as r(unit_id text, id_number text, card_valid_from date, result text, reason text, checked_at timestamptz)`,
    [JSON.stringify(rows.map((row) => ({ unit_id: row.unitId, id_number: row.idNumber, card_valid_from: row.cardValidFrom, result: row.result, reason: row.reason, checked_at: row.checkedAt })))],
  );
}

/** Every unit's own verification rate limit (requests per second), null where the unit has none. */
export async function unitRateLimits(db: Db): Promise<Array<{ id: string; rateLimitPerSecond: number | null }>> {
  return db('cardUsingUnits').select('id', 'rateLimitPerSecond');
}
