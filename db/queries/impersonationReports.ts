import type { Db } from '../knex';

export interface ImpersonationReportRow {
  id: string;
  unitId: string;
  idNumber: string;
  cardValidFrom: string | null;
  note: string | null;
  reportedAt: Date;
  state: 'OPEN' | 'CONFIRMED' | 'DISMISSED';
  decidedBy: string | null;
  decidedAt: Date | null;
  blacklistEntryId: string | null;
}

export async function insertImpersonationReport(trx: Db, row: Omit<ImpersonationReportRow, 'decidedBy' | 'decidedAt' | 'blacklistEntryId'>): Promise<void> {
  await trx('impersonationReports').insert(row);
}

export async function findImpersonationReport(db: Db, id: string, options: { forUpdate?: boolean } = {}): Promise<ImpersonationReportRow | undefined> {
  const query = db('impersonationReports').where('id', id).first();
  return options.forUpdate ? query.forUpdate() : query;
}

export async function decideImpersonationReport(
  trx: Db,
  id: string,
  decision: { state: 'CONFIRMED' | 'DISMISSED'; decidedBy: string; decidedAt: Date; blacklistEntryId?: string | null },
): Promise<void> {
  await trx('impersonationReports').where('id', id).update({ ...decision, blacklistEntryId: decision.blacklistEntryId ?? null });
}

/**
 * Reports for managers, newest first. A regional manager (`homeRegionPrefix`) sees those about
 * people registered in the region; reports about numbers not in the registry go to national managers.
 */
export async function listImpersonationReports(
  db: Db,
  filter: { state?: ImpersonationReportRow['state']; homeRegionPrefix?: string; after?: { reportedAt: string; id: string }; limit: number },
): Promise<Array<ImpersonationReportRow & { homeRegionCode: string | null }>> {
  const query = db('impersonationReports').leftJoin('citizens', 'citizens.idNumber', 'impersonationReports.idNumber');
  if (filter.state) query.where('impersonationReports.state', filter.state);
  if (filter.homeRegionPrefix) query.whereLike('citizens.homeRegionCode', `${filter.homeRegionPrefix}%`);
  if (filter.after) query.whereRaw('(impersonation_reports.reported_at, impersonation_reports.id) < (?, ?)', [filter.after.reportedAt, filter.after.id]);
  return query
    .orderBy([{ column: 'impersonationReports.reportedAt', order: 'desc' }, { column: 'impersonationReports.id', order: 'desc' }])
    .limit(filter.limit)
    .select('impersonationReports.*', 'citizens.homeRegionCode');
}

/** The person's home region, where the managers to tell sit; undefined for a number not in the registry. */
export async function homeRegionOf(db: Db, idNumber: string): Promise<string | undefined> {
  const row = await db('citizens').where('idNumber', idNumber).first('homeRegionCode');
  return row?.homeRegionCode;
}

export async function notifyManagers(trx: Db, notice: { topic: string; regionCode: string | null; payload: Record<string, unknown>; dedupeKey: string }): Promise<void> {
  await trx('outbox')
    .insert({ topic: notice.topic, recipientRole: 'manager', recipientCode: notice.regionCode, payload: notice.payload, dedupeKey: notice.dedupeKey })
    .onConflict('dedupeKey')
    .ignore();
}
