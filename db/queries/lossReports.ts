import { TERMINAL_STAGES, type CardStatus } from '../../domain';
import type { Db } from '../knex';

export interface LossReportRow {
  id: string;
  cardId: number;
  circumstance: 'lost' | 'stolen';
  reportingStationCode: string | null;
  authorityRegionCode: string;
  source: 'station' | 'application' | 'import';
  applicationId: string | null;
  importKey: string | null;
  reportedAt: Date;
  withdrawnAt: Date | null;
  withdrawnByStationCode: string | null;
}

export type NewLossReport = Omit<LossReportRow, 'withdrawnAt' | 'withdrawnByStationCode'>;

export async function insertLossReport(trx: Db, report: NewLossReport): Promise<void> {
  await trx('lossReports').insert(report);
}

export async function findLossReport(db: Db, id: string, options: { forUpdate?: boolean } = {}): Promise<LossReportRow | undefined> {
  const query = db('lossReports').where('id', id).first();
  return options.forUpdate ? query.forUpdate() : query;
}

/** The card's report not withdrawn (at most one: a unique index holds it). */
export async function findOpenLossReport(db: Db, cardId: number): Promise<LossReportRow | undefined> {
  return db('lossReports').where('cardId', cardId).whereNull('withdrawnAt').first();
}

export async function markWithdrawn(trx: Db, id: string, stationCode: string, at: Date): Promise<void> {
  await trx('lossReports').where('id', id).update({ withdrawnAt: at, withdrawnByStationCode: stationCode });
}

/** A loss report as its taker is answered: the report, the card it names and that card's status now. */
export interface TakenLossReport {
  lossReportId: string;
  cardValidFrom: string;
  cardStatus: CardStatus;
  reportedAt: string;
}

/** The loss report a replacement's acceptance made (`source` application), or undefined when it made none. */
export async function findLossReportOfApplication(db: Db, applicationId: string): Promise<TakenLossReport | undefined> {
  const row = await db('lossReports as r')
    .join('cards as c', 'c.id', 'r.cardId')
    .where({ 'r.applicationId': applicationId, 'r.source': 'application' })
    .orderBy('r.reportedAt')
    .first('r.id', 'r.reportedAt', db.raw(`to_char(c.valid_from, 'YYYY-MM-DD') as card_valid_from`), 'c.status');
  return row && { lossReportId: row.id, cardValidFrom: row.cardValidFrom, cardStatus: row.status, reportedAt: row.reportedAt.toISOString() };
}

/** Whether the application that took this report (a replacement) is still in progress. */
export async function applicationInProgress(db: Db, applicationId: string): Promise<boolean> {
  const row = await db('applications').where('id', applicationId).whereNotIn('stage', TERMINAL_STAGES).first('id');
  return Boolean(row);
}

/**
 * The cards named by (idNumber, validFrom) pairs, with their holder's registered name, in one read;
 * with `forUpdate`, held until the transaction ends (locked in id order, so two imports never deadlock).
 */
export async function findCardsByNumberAndDate(
  db: Db,
  pairs: Array<{ idNumber: string; validFrom: string }>,
  options: { forUpdate?: boolean } = {},
): Promise<Array<{ id: number; idNumber: string; validFrom: string; status: CardStatus; hasFingerprints: boolean; holderName: string }>> {
  if (pairs.length === 0) return [];
  const { rows } = await db.raw(
    `select c.id, c.id_number, c.valid_from, c.status, c.has_fingerprints, z.name as holder_name
       from cards c
       join citizens z on z.id_number = c.id_number
       join (select distinct * from jsonb_to_recordset(?::jsonb) as r(id_number text, valid_from date)) as p
         on c.id_number = p.id_number and c.valid_from = p.valid_from
      order by c.id${options.forUpdate ? ' for update of c' : ''}`,
    [JSON.stringify(pairs.map((pair) => ({ id_number: pair.idNumber, valid_from: pair.validFrom })))],
  );
  return rows;
}

/**
 * Inserts imported reports, skipping any that conflict with a unique rule — the same `importKey`
 * imported before, or an open report on the card already. Returns the import keys inserted.
 */
export async function insertImportedLossReports(trx: Db, reports: NewLossReport[]): Promise<Set<string>> {
  if (reports.length === 0) return new Set();
  const { rows } = await trx.raw(`? on conflict do nothing returning import_key`, [trx('lossReports').insert(reports)]);
  return new Set(rows.map((row: { importKey: string }) => row.importKey));
}

/** Of these import keys, the ones already imported, with their report ids. */
export async function findImported(db: Db, importKeys: string[]): Promise<Map<string, string>> {
  if (importKeys.length === 0) return new Map();
  const rows: Array<{ id: string; importKey: string }> = await db('lossReports').whereIn('importKey', importKeys).select('id', 'importKey');
  return new Map(rows.map((row) => [row.importKey, row.id]));
}

/**
 * Marks ACTIVE cards among these REPORTED_LOST; returns the ids changed. The one write of a card
 * reported lost, whoever reports it: a station, a replacement application, an import.
 */
export async function reportCardsLost(trx: Db, cardIds: number[], at: Date): Promise<number[]> {
  if (cardIds.length === 0) return [];
  const rows: Array<{ id: number }> = await trx('cards').whereIn('id', cardIds).where('status', 'ACTIVE').update({ status: 'REPORTED_LOST', statusChangedAt: at }, ['id']);
  return rows.map((row) => row.id);
}

/** Where a list of loss reports or found cards looks: one station's, or the stations of a region (prefix), or all. */
export interface StationRecordScope {
  stationCode?: string;
  regionPrefix?: string;
}

export interface ListedLossReport extends LossReportRow {
  idNumber: string;
  cardValidFrom: string;
  cardStatus: string;
  name: string | null;
  reportingStationName: string | null;
}

/**
 * Loss reports newest first, keyset-paged on (reportedAt, id), with the card, the holder's name and
 * the reporting station's name. A station's are those taken at it; a region's those whose authority
 * (the reporting station's county, or the importer's) lies within it.
 */
export async function listLossReports(
  db: Db,
  scope: StationRecordScope,
  filter: { state: 'open' | 'withdrawn' | 'all'; after?: { reportedAt: string; id: string }; limit: number },
): Promise<ListedLossReport[]> {
  const query = db('lossReports as r').join('cards as c', 'c.id', 'r.cardId').leftJoin('citizens as z', 'z.idNumber', 'c.idNumber').leftJoin('stations as s', 's.code', 'r.reportingStationCode');
  if (scope.stationCode) query.where('r.reportingStationCode', scope.stationCode);
  if (scope.regionPrefix) query.whereLike('r.authorityRegionCode', `${scope.regionPrefix}%`);
  if (filter.state === 'open') query.whereNull('r.withdrawnAt');
  if (filter.state === 'withdrawn') query.whereNotNull('r.withdrawnAt');
  if (filter.after) query.whereRaw('(r.reported_at, r.id) < (?, ?)', [filter.after.reportedAt, filter.after.id]);
  return query
    .orderBy([{ column: 'r.reportedAt', order: 'desc' }, { column: 'r.id', order: 'desc' }])
    .limit(filter.limit)
    .select('r.*', 'c.idNumber', db.raw(`to_char(c.valid_from, 'YYYY-MM-DD') as card_valid_from`), 'c.status as cardStatus', 'z.name', 's.name as reportingStationName');
}
