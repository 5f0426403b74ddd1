/**
 * Reconciliation: every application the read model holds as open must have a running workflow.
 * One whose workflow the engine lost is restarted at its recorded stage with its original deadline;
 * one that cannot be restarted goes on the managers' stuck-cases list with the reason. Runs when
 * the worker process starts and every RECONCILE_INTERVAL_MS after.
 */
import { WorkflowExecutionAlreadyStartedError, WorkflowNotFoundError, type Client } from '@temporalio/client';
import type { Config } from '../config';
import { applicationSettings } from '../config/applicationSettings';
import type { Logger } from '../config/logger';
import type { Db } from '../db/knex';
import {
  adoptRun,
  clearStuck,
  findRecordedApplication,
  isRestartRun,
  listOpenApplications,
  markStuck,
  recordRestart,
  type OpenApplication,
  type RecordedApplication,
} from '../db/queries/reconciliation';
import { checkResumption, isTerminal, recordedDeadlineDays, stuckReasons } from '../domain';
import { isOutage } from '../api/problems';
import type { applicationWorkflow } from '../workflows';
import { APPLICATION_WORKFLOW, taskQueues, type ApplicationInput, type ApplicationSettings } from '../workflows/contract';
import { searchAttributesAtStart } from '../workflows/searchAttributes';

export interface ReconciliationDeps {
  db: Db;
  temporal: Client;
  config: Pick<Config, 'TEMPORAL_TASK_QUEUE_PREFIX' | 'DEADLINE_DAYS' | 'DEADLINE_WARNING_DAYS' | 'REVIEW_REMINDER_DAYS' | 'PICKUP_REMINDER_DAYS' | 'REPRINT_LIMIT'>;
  logger: Logger;
}

export type Verdict = 'running' | 'restarted' | 'stuck' | 'skipped' | 'failed';

export interface ReconciliationReport {
  checked: number;
  running: number;
  /** Application ids restarted in this pass. */
  restarted: string[];
  /** Application ids found stuck in this pass (newly or again). */
  stuck: string[];
  /** Open applications another run is busy with, or that closed meanwhile: the next pass looks again. */
  skipped: number;
  /** Checks that failed (engine or database away): the next pass tries again. */
  failed: number;
}

const PAGE = 200;
const CONCURRENCY = 8;
const ALIVE = new Set(['RUNNING', 'PAUSED']);

/**
 * One pass over every open application of this deployment's task queues (and any recorded before
 * settings were kept). Never throws for one application; logs and counts it.
 */
export async function reconcileOnce(deps: ReconciliationDeps): Promise<ReconciliationReport> {
  const report: ReconciliationReport = { checked: 0, running: 0, restarted: [], stuck: [], skipped: 0, failed: 0 };
  let afterId: string | undefined;
  for (;;) {
    const page = await listOpenApplications(deps.db, { taskQueuePrefix: deps.config.TEMPORAL_TASK_QUEUE_PREFIX, afterId, limit: PAGE });
    if (page.length === 0) break;
    afterId = page.at(-1)!.id;
    await eachLimited(page, CONCURRENCY, async (application) => {
      const verdict = await reconcileApplication(deps, application).catch((error: unknown): Verdict => {
        // Only ids in the log: the error's cause may carry the engine's or the database's words, never personal data of ours.
        deps.logger.warn({ applicationId: application.id, err: isOutage(error) ? undefined : error, outage: isOutage(error) }, 'reconciliation could not check an application');
        return 'failed';
      });
      report.checked += 1;
      if (verdict === 'running') report.running += 1;
      else if (verdict === 'restarted') report.restarted.push(application.id);
      else if (verdict === 'stuck') report.stuck.push(application.id);
      else if (verdict === 'skipped') report.skipped += 1;
      else report.failed += 1;
    });
    if (page.length < PAGE) break;
  }
  return report;
}

/**
 * Checks one open application against the engine and restarts or reports it.
 * @throws what the engine or the database throws when unreachable.
 */
export async function reconcileApplication(deps: ReconciliationDeps, open: OpenApplication): Promise<Verdict> {
  const { db, temporal, logger } = deps;
  const execution = await describe(temporal, open.workflowId);
  if (execution && ALIVE.has(execution.status)) {
    if (execution.runId === open.runId) {
      if (open.stuck) await clearStuck(db, open.id);
      return 'running';
    }
    if (await isRestartRun(db, open.id, execution.runId)) {
      await adoptRun(db, open.id, execution.runId);
      if (open.stuck) await clearStuck(db, open.id);
      return 'running';
    }
    // Another run for this person: a restart by another worker records itself, and a new acceptance
    // fails on the one-in-progress guard. Either way the next pass sees how it ended.
    return 'skipped';
  }

  // No live run. Read the application again: its run may have finished it just before it closed.
  const recorded = await findRecordedApplication(db, open.id);
  if (!recorded || isTerminal(recorded.application.stage) || recorded.application.runId !== open.runId) return 'skipped';
  const { application } = recorded;
  const check = checkResumption({
    stage: application.stage,
    acceptedAt: application.acceptedAt,
    deadlineAt: application.deadlineAt,
    cardPrinted: application.newCardValidFrom !== null,
    restartsAtStage: recorded.restartsAtStage,
  });
  if (!check.ok) return stuck(deps, recorded, check.code, check.detail);

  const input = restartInput(recorded, applicationSettings(deps.config));
  let runId: string;
  try {
    const handle = await temporal.workflow.start<typeof applicationWorkflow>(APPLICATION_WORKFLOW, {
      workflowId: application.workflowId,
      taskQueue: taskQueues.applications(input.settings.taskQueuePrefix),
      args: [input],
      // Stage, stations and deadline for operators' lists (no personal data): workflows/searchAttributes.ts.
      typedSearchAttributes: searchAttributesAtStart(input),
      workflowIdConflictPolicy: 'FAIL',
      workflowIdReusePolicy: 'ALLOW_DUPLICATE',
    });
    runId = handle.firstExecutionRunId;
  } catch (error) {
    // Another worker's pass restarted it a moment ago.
    if (error instanceof WorkflowExecutionAlreadyStartedError) return 'skipped';
    if (isOutage(error)) throw error;
    logger.error({ applicationId: application.id, err: error }, 'the engine refused to restart an application');
    return stuck(deps, recorded, 'restart_failed', stuckReasons.restart_failed);
  }
  await recordRestart(db, { applicationId: application.id, previousRunId: application.runId, runId, stage: application.stage, deadlineAt: application.deadlineAt, at: new Date() });
  logger.info({ applicationId: application.id, stage: application.stage, restart: recorded.restarts + 1, previousRunId: application.runId, runId }, 'application workflow restarted at its recorded stage');
  return 'restarted';
}

async function stuck(deps: ReconciliationDeps, recorded: RecordedApplication, reasonCode: string, reason: string): Promise<Verdict> {
  const { application } = recorded;
  const isNew = await markStuck(deps.db, { applicationId: application.id, stage: application.stage, reasonCode, reason, at: new Date() });
  if (isNew) deps.logger.warn({ applicationId: application.id, stage: application.stage, reasonCode }, 'application stuck: its workflow is gone and it cannot be restarted; shown to managers');
  return 'stuck';
}

/** The workflow's latest run, or undefined when the engine knows none. */
async function describe(temporal: Client, workflowId: string): Promise<{ runId: string; status: string } | undefined> {
  try {
    const description = await temporal.workflow.getHandle(workflowId).describe();
    return { runId: description.runId, status: description.status.name };
  } catch (error) {
    if (error instanceof WorkflowNotFoundError) return undefined;
    throw error;
  }
}

/** The lost workflow's input again, from the read model, with where to resume. */
export function restartInput({ application, history, restarts }: RecordedApplication, fallback: ApplicationSettings): ApplicationInput {
  const iso = (date: Date | null) => date?.toISOString();
  // Settings kept at acceptance win; an older application gets today's, with the deadline days it was accepted with.
  const settings = application.workflowSettings ?? { ...fallback, deadlineDays: recordedDeadlineDays(application) };
  return {
    applicationId: application.id,
    idNumber: application.idNumber,
    kind: application.kind,
    reason: application.reason,
    acceptingStationCode: application.acceptingStationCode,
    homeRegionCode: application.homeRegionCode,
    fingerprintCaptured: application.fingerprintCaptured,
    appearanceChanged: application.appearanceChanged,
    temporaryCardRequested: application.temporaryCardRequested,
    ...(application.contactPhone ? { contactPhone: application.contactPhone } : {}),
    ...(application.idempotencyKey ? { idempotencyKey: application.idempotencyKey } : {}),
    acceptedBy: history.find((entry) => entry.stage === 'ACCEPTED')?.actor ?? 'system',
    settings,
    resume: {
      stage: application.stage,
      acceptedAt: application.acceptedAt.toISOString(),
      deadlineAt: application.deadlineAt.toISOString(),
      ...(application.extensionDays ? { extension: { days: application.extensionDays, reason: application.extensionReason ?? '' } } : {}),
      overdue: application.overdue,
      ...(application.newCardValidFrom ? { printed: { validFrom: application.newCardValidFrom, validUntil: application.newCardValidUntil } } : {}),
      printFailures: application.printFailures,
      ...(application.trackingNumber ? { trackingNumber: application.trackingNumber } : {}),
      ...(application.readyForPickupAt ? { readyForPickupAt: application.readyForPickupAt.toISOString() } : {}),
      ...(application.temporaryCardRequested && application.temporaryCardDueAt
        ? { temporaryCard: { dueAt: application.temporaryCardDueAt.toISOString(), ...(application.temporaryCardIssuedAt ? { issuedAt: iso(application.temporaryCardIssuedAt) } : {}), overdue: application.temporaryCardOverdue } }
        : {}),
      history: history.map((entry) => ({ stage: entry.stage, at: entry.at.toISOString(), ...(entry.note ? { note: entry.note } : {}) })),
      previousRunId: application.runId,
      restart: restarts + 1,
    },
  };
}

/**
 * Reconciles now and then every `intervalMs`, one pass at a time. `stop` waits for a pass in flight.
 * A failed pass (database away) is logged; the next one tries again.
 */
export function startReconciliation(deps: ReconciliationDeps, intervalMs: number): { stop(): Promise<void>; firstPass: Promise<void> } {
  let timer: NodeJS.Timeout | undefined;
  let stopped = false;
  let inFlight: Promise<void> = Promise.resolve();
  const pass = async () => {
    try {
      const report = await reconcileOnce(deps);
      const noteworthy = report.restarted.length > 0 || report.stuck.length > 0 || report.failed > 0;
      deps.logger[noteworthy ? 'info' : 'debug']({ ...report }, 'reconciliation pass');
    } catch (error) {
      deps.logger.warn({ err: isOutage(error) ? undefined : error, outage: isOutage(error) }, 'reconciliation pass failed; the next one tries again');
    }
  };
  const schedule = () => {
    if (stopped) return;
    timer = setTimeout(() => {
      inFlight = pass().then(schedule);
    }, intervalMs);
    timer.unref();
  };
  inFlight = pass().then(schedule);
  const firstPass = inFlight;
  return {
    firstPass,
    stop: async () => {
      stopped = true;
      clearTimeout(timer);
      await inFlight;
    },
  };
}

async function eachLimited<T>(items: T[], limit: number, work: (item: T) => Promise<void>): Promise<void> {
  let next = 0;
  const lanes = Array.from({ length: Math.min(limit, items.length) }, async () => {
    while (next < items.length) await work(items[next++]);
  });
  await Promise.all(lanes);
}
