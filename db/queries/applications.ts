import type { Db } from '../knex';
import { TERMINAL_STAGES, type ApplicationStage } from '../../domain';

/** An application as the read model holds it. */
export interface ApplicationRow {
  id: string;
  workflowId: string;
  runId: string;
  /** The receipt number (受理回执号) given at acceptance, `YYMMDD-NNNNNNN`. */
  receiptNumber: string;
  idNumber: string;
  kind: 'renewal' | 'replacement';
  stage: ApplicationStage;
  acceptingStationCode: string;
  homeRegionCode: string;
  acceptedAt: Date;
  deadlineAt: Date;
  extensionDays: number | null;
  overdue: boolean;
  readyForPickupAt: Date | null;
  closedAt: Date | null;
  temporaryCardRequested: boolean;
  temporaryCardDueAt: Date | null;
  temporaryCardIssuedAt: Date | null;
  temporaryCardOverdue: boolean;
  printFailures: number;
  misrouted: boolean;
  trackingNumber: string | null;
  refusalReason: string | null;
  withdrawalReason: string | null;
  /** The printed card's dates (`YYYY-MM-DD`; `newCardValidUntil` null: long-term), once printed. */
  newCardValidFrom?: string | null;
  newCardValidUntil?: string | null;
}

export interface Scope {
  /** Applications accepted at this station. */
  acceptingStationCode?: string;
  /** Applications whose home region or accepting station lies within this region code prefix. */
  regionPrefix?: string;
  /** Applications whose home region lies within this prefix (reviewers, production centres). */
  homeRegionPrefix?: string;
}

export async function findApplication(db: Db, id: string): Promise<ApplicationRow | undefined> {
  return db('applications').where('id', id).first();
}

export async function findStageHistory(db: Db, applicationId: string): Promise<Array<{ stage: ApplicationStage; at: Date; note: string | null }>> {
  return db('applicationStageHistory').where('applicationId', applicationId).orderBy([{ column: 'at' }, { column: 'id' }]).select('stage', 'at', 'note');
}

export async function findByIdempotencyKey(db: Db, stationCode: string, key: string): Promise<ApplicationRow | undefined> {
  return db('applications').where({ acceptingStationCode: stationCode, idempotencyKey: key }).first();
}

/** The application imported under the old system's reference (`POST /v1/applications/import`), if any. */
export async function findByImportReference(db: Db, externalReference: string): Promise<ApplicationRow | undefined> {
  return db('applications').where('importReference', externalReference).first();
}

export async function findInProgress(db: Db, idNumber: string): Promise<ApplicationRow | undefined> {
  return db('applications').where('idNumber', idNumber).whereNotIn('stage', TERMINAL_STAGES).first();
}

/** Narrows an applications query to a user's scope. */
export function applyScope(query: ReturnType<Db>, scope: Scope) {
  if (scope.acceptingStationCode) query.where('applications.acceptingStationCode', scope.acceptingStationCode);
  if (scope.homeRegionPrefix) query.whereLike('applications.homeRegionCode', `${scope.homeRegionPrefix}%`);
  if (scope.regionPrefix) {
    const prefix = `${scope.regionPrefix}%`;
    query.where((inRegion) =>
      inRegion.whereLike('applications.homeRegionCode', prefix).orWhereIn('applications.acceptingStationCode', (stations) =>
        stations.from('stations').whereLike('regionCode', prefix).select('code'),
      ),
    );
  }
  return query;
}

/** Newest first, keyset-paged on (acceptedAt, id). */
export async function listApplications(
  db: Db,
  scope: Scope,
  filter: { stage?: ApplicationStage; overdue?: boolean; idNumber?: string; after?: { acceptedAt: string; id: string }; limit: number },
): Promise<ApplicationRow[]> {
  const query = applyScope(db('applications'), scope);
  if (filter.idNumber) query.where('applications.idNumber', filter.idNumber);
  if (filter.stage) query.where('stage', filter.stage);
  if (filter.overdue !== undefined) query.where('overdue', filter.overdue);
  if (filter.after) query.whereRaw('(accepted_at, id) < (?, ?)', [filter.after.acceptedAt, filter.after.id]);
  return query.orderBy([{ column: 'acceptedAt', order: 'desc' }, { column: 'id', order: 'desc' }]).limit(filter.limit).select('applications.*');
}

/** Overdue applications still open, most overdue (earliest deadline) first, keyset-paged on (deadlineAt, id). */
export async function listOverdue(db: Db, scope: Scope, page: { after?: { deadlineAt: string; id: string }; limit: number }): Promise<ApplicationRow[]> {
  return overdueQuery(db, scope, page);
}

/** The query behind {@link listOverdue}, unrun (the overdue benchmark reads its plan). */
export function overdueQuery(db: Db, scope: Scope, page: { after?: { deadlineAt: string; id: string }; limit: number }) {
  // Stated exactly as the partial index applications_overdue_open is, so the planner can use it.
  const query = applyScope(db('applications'), scope).where('overdue', true).whereNotIn('stage', TERMINAL_STAGES);
  if (page.after) query.whereRaw('(deadline_at, id) > (?, ?)', [page.after.deadlineAt, page.after.id]);
  return query.orderBy([{ column: 'deadlineAt' }, { column: 'id' }]).limit(page.limit).select('applications.*');
}

export interface StageDurations {
  stage: ApplicationStage;
  medianDays: number | null;
  p90Days: number | null;
}

/** Counts per stage, on-time rate of those ready or completed, and how long each stage took. */
export async function applicationStats(db: Db, scope: Scope, period: { from?: string; to?: string }) {
  const inPeriod = () => {
    const query = applyScope(db('applications'), scope);
    if (period.from) query.where('acceptedAt', '>=', period.from);
    if (period.to) query.where('acceptedAt', '<', period.to);
    return query;
  };
  const counts = await inPeriod().groupBy('stage').select('stage', db.raw('count(*)::int as count'));
  const timeliness: { finished: number; onTime: number } = await inPeriod()
    .whereNotNull('readyForPickupAt')
    .first(db.raw('count(*)::int as finished'), db.raw('count(*) filter (where ready_for_pickup_at <= deadline_at)::int as on_time'));
  // Time spent in a stage: from entering it to entering the next one.
  const durations = await db
    .with('scoped', inPeriod().select('applications.id'))
    .with('steps', (steps) =>
      steps
        .from('applicationStageHistory as h')
        .join('scoped', 'scoped.id', 'h.applicationId')
        .select('h.stage', db.raw('extract(epoch from (lead(h.at) over (partition by h.application_id order by h.at, h.id) - h.at)) / 86400 as days')),
    )
    .from('steps')
    .whereNotNull('days')
    .groupBy('stage')
    .select('stage', db.raw('percentile_cont(0.5) within group (order by days) as median_days'), db.raw('percentile_cont(0.9) within group (order by days) as p90_days'));
  // Per accepting station: what it holds open, how much of it is overdue, how much it finished on time.
  const byStation = await inPeriod()
    .join('stations', 'stations.code', 'applications.acceptingStationCode')
    .groupBy('stations.code', 'stations.name', 'stations.regionCode')
    .orderBy('stations.code')
    .select(
      'stations.code',
      'stations.name',
      'stations.regionCode',
      db.raw(`count(*) filter (where stage not in ('COMPLETED', 'REFUSED', 'WITHDRAWN', 'CLOSED'))::int as open`),
      db.raw(`count(*) filter (where overdue and stage not in ('COMPLETED', 'REFUSED', 'WITHDRAWN', 'CLOSED'))::int as overdue`),
      db.raw('count(*) filter (where ready_for_pickup_at is not null)::int as finished'),
      db.raw('count(*) filter (where ready_for_pickup_at <= deadline_at)::int as on_time'),
    );
  return {
    byStation: byStation as Array<{ code: string; name: string; regionCode: string; open: number; overdue: number; finished: number; onTime: number }>,
    countsByStage: Object.fromEntries(counts.map((row: { stage: string; count: number }) => [row.stage, row.count])),
    finished: timeliness.finished,
    onTime: timeliness.onTime,
    durations: durations.map((row: { stage: ApplicationStage; medianDays: number; p90Days: number }) => ({ stage: row.stage, medianDays: Number(row.medianDays), p90Days: Number(row.p90Days) })),
  };
}

export interface RegistryFacts {
  citizen?: { idNumber: string; name: string; homeRegionCode: string; hasFingerprints: boolean };
  blacklisted: boolean;
  station?: { code: string; regionCode: string };
  rolloutRules: Array<{ stationRegionPrefix: string; homeRegionPrefix: string; from: string; until: string | null }>;
}

/** What acceptance needs to know about a person and a station, read in one go. */
export async function registryFactsForAcceptance(db: Db, idNumber: string, stationCode: string): Promise<RegistryFacts> {
  const [citizen, blacklisted, station, rolloutRules] = await Promise.all([
    db('citizens').where('idNumber', idNumber).first('idNumber', 'name', 'homeRegionCode', 'hasFingerprints'),
    db('blacklistEntries').where('idNumber', idNumber).whereNull('removedAt').first('id'),
    db('stations').where('code', stationCode).first('code', 'regionCode'),
    db('rolloutRules').select('stationRegionPrefix', 'homeRegionPrefix', 'from', 'until'),
  ]);
  return { citizen, blacklisted: Boolean(blacklisted), station, rolloutRules };
}
