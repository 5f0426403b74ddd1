import type { Db } from '../knex';
import { TERMINAL_STAGES, type ApplicationStage } from '../../domain';
import type { ApplicationSettings } from '../../workflows/contract';
import { applyScope, type ApplicationRow, type Scope } from './applications';

/** An open application as reconciliation checks it against the engine. */
export interface OpenApplication {
  id: string;
  workflowId: string;
  runId: string;
  stuck: boolean;
}

/**
 * Open applications (not in a terminal stage) after `afterId`, by id: reconciliation's pages. Only
 * those accepted onto `taskQueuePrefix`'s queues, or recorded before the settings were kept.
 */
export async function listOpenApplications(db: Db, page: { taskQueuePrefix: string; afterId?: string; limit: number }): Promise<OpenApplication[]> {
  // Stated as the partial index applications_open is.
  const query = db('applications')
    .leftJoin('stuckApplications', 'stuckApplications.applicationId', 'applications.id')
    .whereNotIn('applications.stage', TERMINAL_STAGES)
    .where((ours) => ours.whereNull('applications.workflowSettings').orWhereRaw("applications.workflow_settings->>'taskQueuePrefix' = ?", [page.taskQueuePrefix]));
  if (page.afterId) query.where('applications.id', '>', page.afterId);
  const rows = await query
    .orderBy('applications.id')
    .limit(page.limit)
    .select('applications.id', 'applications.workflowId', 'applications.runId', db.raw('stuck_applications.application_id IS NOT NULL AS stuck'));
  return rows;
}

/** Everything the read model recorded that a restarted workflow needs: the whole row. */
export interface RecordedApplicationRow extends ApplicationRow {
  reason: string;
  extensionReason: string | null;
  fingerprintCaptured: boolean;
  appearanceChanged: boolean;
  contactPhone: string | null;
  newCardValidFrom: string | null;
  newCardValidUntil: string | null;
  idempotencyKey: string | null;
  workflowSettings: ApplicationSettings | null;
}

export interface RecordedApplication {
  application: RecordedApplicationRow;
  history: Array<{ stage: ApplicationStage; at: Date; actor: string | null; note: string | null }>;
  /** Restarts already made at the application's current stage. */
  restartsAtStage: number;
  /** Restarts made in all. */
  restarts: number;
}

export async function findRecordedApplication(db: Db, applicationId: string): Promise<RecordedApplication | undefined> {
  const application: RecordedApplicationRow | undefined = await db('applications').where('id', applicationId).first();
  if (!application) return undefined;
  const [history, counts] = await Promise.all([
    db('applicationStageHistory').where('applicationId', applicationId).orderBy([{ column: 'at' }, { column: 'id' }]).select('stage', 'at', 'actor', 'note'),
    db('applicationRestarts')
      .where('applicationId', applicationId)
      .first(db.raw('count(*)::int AS restarts'), db.raw('(count(*) FILTER (WHERE stage = ?))::int AS restarts_at_stage', [application.stage])),
  ]);
  return { application, history, restarts: counts.restarts, restartsAtStage: counts.restartsAtStage };
}

/** Whether `runId` is a run reconciliation started for this application. */
export async function isRestartRun(db: Db, applicationId: string, runId: string): Promise<boolean> {
  return Boolean(await db('applicationRestarts').where({ applicationId, runId }).first('id'));
}

/**
 * Records a restart and points the read model at the new run, so that steps reach it at once (the
 * run's first activity does so too). Nothing changes when another run took the application over.
 */
export async function recordRestart(db: Db, restart: { applicationId: string; previousRunId: string; runId: string; stage: ApplicationStage; deadlineAt: Date; at: Date }): Promise<void> {
  await db.transaction(async (trx) => {
    await trx('applicationRestarts')
      .insert({ applicationId: restart.applicationId, previousRunId: restart.previousRunId, runId: restart.runId, stage: restart.stage, deadlineAt: restart.deadlineAt, restartedAt: restart.at })
      .onConflict('runId')
      .ignore();
    await trx('applications').where({ id: restart.applicationId, runId: restart.previousRunId }).update({ runId: restart.runId, updatedAt: trx.fn.now() });
  });
}

/** The read model names `runId`, a restart of this application, as its run. */
export async function adoptRun(db: Db, applicationId: string, runId: string): Promise<void> {
  await db('applications').where('id', applicationId).whereNotIn('stage', TERMINAL_STAGES).update({ runId, updatedAt: db.fn.now() });
}

/** Puts an application on the stuck-cases list, or refreshes its entry. @returns true when it was not on it before. */
export async function markStuck(db: Db, entry: { applicationId: string; stage: ApplicationStage; reasonCode: string; reason: string; at: Date }): Promise<boolean> {
  const rows = await db('stuckApplications')
    .insert({ applicationId: entry.applicationId, stage: entry.stage, reasonCode: entry.reasonCode, reason: entry.reason, since: entry.at, checkedAt: entry.at })
    .onConflict('applicationId')
    .merge(['stage', 'reasonCode', 'reason', 'checkedAt'])
    // xmax is 0 for a row this statement inserted, not for one it updated.
    .returning(db.raw('(xmax = 0) AS inserted'));
  return Boolean(rows[0]?.inserted);
}

export async function clearStuck(db: Db, applicationId: string): Promise<void> {
  await db('stuckApplications').where('applicationId', applicationId).delete();
}

export interface StuckApplicationRow {
  id: string;
  stage: ApplicationStage;
  kind: 'renewal' | 'replacement';
  acceptingStationCode: string;
  homeRegionCode: string;
  acceptedAt: Date;
  deadlineAt: Date;
  overdue: boolean;
  reasonCode: string;
  reason: string;
  since: Date;
  checkedAt: Date;
  restarts: number;
}

/** Stuck cases in a scope, longest stuck first, keyset-paged on (since, id). */
export async function listStuckApplications(db: Db, scope: Scope, page: { after?: { since: string; id: string }; limit: number }): Promise<StuckApplicationRow[]> {
  const query = applyScope(db('applications').join('stuckApplications', 'stuckApplications.applicationId', 'applications.id'), scope).whereNotIn('applications.stage', TERMINAL_STAGES);
  if (page.after) query.whereRaw('(stuck_applications.since, applications.id) > (?, ?)', [page.after.since, page.after.id]);
  return query
    .orderBy([{ column: 'stuckApplications.since' }, { column: 'applications.id' }])
    .limit(page.limit)
    .select(
      'applications.id',
      'applications.stage',
      'applications.kind',
      'applications.acceptingStationCode',
      'applications.homeRegionCode',
      'applications.acceptedAt',
      'applications.deadlineAt',
      'applications.overdue',
      'stuckApplications.reasonCode',
      'stuckApplications.reason',
      'stuckApplications.since',
      'stuckApplications.checkedAt',
      db('applicationRestarts').whereRaw('application_restarts.application_id = applications.id').count('*').as('restarts'),
    );
}

export async function findStuckEntry(db: Db, applicationId: string, options: { forUpdate?: boolean } = {}): Promise<{ reasonCode: string; reason: string; since: Date } | undefined> {
  const query = db('stuckApplications').where('applicationId', applicationId);
  if (options.forUpdate) query.forUpdate();
  return query.first('reasonCode', 'reason', 'since');
}

/** Closes an application by a manager's decision: stage CLOSED, who and why, its history entry. */
export async function closeApplication(db: Db, closing: { applicationId: string; by: string; reason: string; at: Date }): Promise<void> {
  await db('applications')
    .where('id', closing.applicationId)
    .update({ stage: 'CLOSED', closedAt: closing.at, closedBy: closing.by, closureReason: closing.reason, updatedAt: db.fn.now() });
  await db('applicationStageHistory').insert({ applicationId: closing.applicationId, stage: 'CLOSED', at: closing.at, actor: closing.by, note: closing.reason });
  await db('stuckApplications').where('applicationId', closing.applicationId).delete();
}
