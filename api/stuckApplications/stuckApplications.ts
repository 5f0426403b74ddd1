import { WorkflowNotFoundError, type Client } from '@temporalio/client';
import { z } from 'zod';
import type { Db } from '../../db/knex';
import { type ApplicationRow } from '../../db/queries/applications';
import { recordAudit } from '../../db/queries/auditLog';
import { closeApplication, findStuckEntry, type StuckApplicationRow } from '../../db/queries/reconciliation';
import type { User } from '../../db/users';
import { APPLICATION_KINDS, APPLICATION_STAGES, isTerminal } from '../../domain';
import { instant } from '../answers';
import { applicationFor, loadApplication } from '../applications/steps';
import { applicationViewSchema, fullCaseFileFor } from '../applications/views';
import { problems } from '../problems';

/** A stuck case as listed ({@link stuckView}). */
export const stuckApplicationSchema = z.object({
  applicationId: z.uuid(),
  kind: z.enum(APPLICATION_KINDS),
  stage: z.enum(APPLICATION_STAGES),
  acceptingStationCode: z.string(),
  homeRegionCode: z.string(),
  acceptedAt: instant,
  deadlineAt: instant,
  overdue: z.boolean(),
  reasonCode: z.string(),
  reason: z.string(),
  stuckSince: instant,
  lastCheckedAt: instant,
  restarts: z.int().min(0),
});
/** A closed stuck case ({@link closeStuckApplication}): the case file, who closed it and why. */
export const closedStuckApplicationSchema = applicationViewSchema.extend({ closedBy: z.string(), closureReason: z.string() });

export const stuckView = (row: StuckApplicationRow): z.output<typeof stuckApplicationSchema> => ({
  applicationId: row.id,
  kind: row.kind,
  stage: row.stage,
  acceptingStationCode: row.acceptingStationCode,
  homeRegionCode: row.homeRegionCode,
  acceptedAt: row.acceptedAt.toISOString(),
  deadlineAt: row.deadlineAt.toISOString(),
  overdue: row.overdue,
  reasonCode: row.reasonCode,
  reason: row.reason,
  stuckSince: row.since.toISOString(),
  lastCheckedAt: row.checkedAt.toISOString(),
  restarts: row.restarts,
});

/**
 * A manager (in the application's jurisdiction) or an admin closes a stuck case, with a reason:
 * stage CLOSED, who and why recorded and audited; the person may apply again.
 * @throws Problem 404, 403 `forbidden_jurisdiction`; 409 `not_stuck` when the application is not on
 *   the stuck-cases list, `workflow_running` when its workflow runs after all; 503 without the engine.
 */
export async function closeStuckApplication(deps: { db: Db; temporal?: Client }, user: User, applicationId: string, reason: string) {
  const { db, temporal } = deps;
  const application = await applicationFor(db, user, applicationId);
  if (isTerminal(application.stage) || !(await findStuckEntry(db, application.id))) {
    throw problems.conflict('not_stuck', `The application is ${application.stage} and not on the stuck-cases list; only a stuck case is closed this way.`);
  }
  // A run still working on it would go on writing to a closed application.
  if (await runsAfterAll(temporal, application)) {
    throw problems.conflict('workflow_running', 'The application’s workflow is running again; it is no longer stuck.');
  }
  const at = new Date();
  await db.transaction(async (trx) => {
    const entry = await findStuckEntry(trx, application.id, { forUpdate: true });
    const current = await trx('applications').where('id', application.id).forUpdate().first('stage');
    if (!entry || isTerminal(current.stage)) throw problems.conflict('not_stuck', 'The application left the stuck-cases list meanwhile.');
    await closeApplication(trx, { applicationId: application.id, by: user.id, reason, at });
    await recordAudit(trx, {
      actor: user.id,
      action: 'application.closed_stuck',
      subjectType: 'application',
      subjectId: application.id,
      at,
      details: { reason, stage: current.stage, stuckReasonCode: entry.reasonCode },
    });
  });
  const closed = await loadApplication(db, application.id);
  return { ...(await fullCaseFileFor(db, user, closed)), closedBy: user.id, closureReason: reason };
}

/**
 * Whether the run the read model names for the application is running after all.
 * @throws Problem 503 without the engine: closing must not race a live run.
 */
async function runsAfterAll(temporal: Client | undefined, application: ApplicationRow): Promise<boolean> {
  if (!temporal) throw problems.unavailable('The workflow engine is not reachable; nothing was changed.');
  try {
    const description = await temporal.workflow.getHandle(application.workflowId).describe();
    return description.status.name === 'RUNNING' && description.runId === application.runId;
  } catch (error) {
    if (error instanceof WorkflowNotFoundError) return false;
    throw error;
  }
}
