import { randomUUID } from 'node:crypto';
import { WorkflowExecutionAlreadyStartedError, WorkflowNotFoundError, WorkflowUpdateFailedError, type Client } from '@temporalio/client';
import { ApplicationFailure } from '@temporalio/common';
import { z } from 'zod';
import { APPLICATION_STAGES, checkAcceptance, type CounterApplication } from '../../domain';
import type { Config } from '../../config';
import { applicationSettings } from '../../config/applicationSettings';
import { systemClock, type Clock } from '../../config/clock';
import type { Db } from '../../db/knex';
import { findApplication, findByIdempotencyKey, findInProgress, registryFactsForAcceptance, type ApplicationRow } from '../../db/queries/applications';
import { findWhereItStands } from '../../db/queries/caseFile';
import { findLossReportOfApplication } from '../../db/queries/lossReports';
import { instant, receiptNumber } from '../answers';
import { takenLossReportSchema } from '../lossReports/reportLoss';
import type { CallerAs } from '../../db/users';
import type { applicationWorkflow } from '../../workflows';
import { DUPLICATE_APPLICATION, updates, type ApplicationInput, type ApplicationState } from '../../workflows/contract';
import { Problem, problems } from '../problems';
import { ServerTiming } from '../serverTiming';
import { applicationStart, applicationWorkflowId } from './workflowId';
import { StillInProgress } from '../problems';
import { waitForWorkflow } from './workflowWait';

/** What acceptance answers (201, and the same again on an Idempotency-Key replay, 200). */
export const acceptedSchema = z.object({
  applicationId: z.uuid(),
  receiptNumber,
  stage: z.enum(APPLICATION_STAGES),
  acceptedAt: instant,
  deadlineAt: instant,
  homeRegionCode: z.string(),
  acceptingStationCode: z.string(),
  lossReport: takenLossReportSchema
    .nullable()
    .optional()
    .meta({
      description:
        'A replacement only: the loss report its acceptance made (the lost card is invalid from the acceptance on), as POST /v1/loss-reports answers one; null when the person had no valid card left to report (already reported lost, or none valid)',
    }),
});
export type Accepted = z.output<typeof acceptedSchema>;

/**
 * Acceptance (受理) at a station: the eligibility rules, then one workflow per person. Answers only
 * once the application is in the read model (and, for a replacement, the lost card invalid: the
 * answer names the loss report it made, `lossReport`, the same again for the same Idempotency-Key).
 * @throws Problem 409 `duplicate_application`, 422 for each refusal, 503 when the engine is down.
 */
export async function acceptApplication(
  deps: { db: Db; temporal?: Client; config: Config; clock?: Clock },
  station: CallerAs<'station'>,
  request: CounterApplication,
  idempotencyKey: string | undefined,
  timing: ServerTiming = new ServerTiming(),
): Promise<{ created: boolean; application: Accepted }> {
  const { created, application } = await accepted(deps, station, request, idempotencyKey, timing);
  if (request.kind !== 'replacement') return { created, application };
  const lossReport = await timing.measure('pg', () => findLossReportOfApplication(deps.db, application.applicationId));
  return { created, application: { ...application, lossReport: lossReport ?? null } };
}

async function accepted(
  deps: { db: Db; temporal?: Client; config: Config; clock?: Clock },
  station: CallerAs<'station'>,
  request: CounterApplication,
  idempotencyKey: string | undefined,
  timing: ServerTiming,
): Promise<{ created: boolean; application: Accepted }> {
  const { db, temporal, config } = deps;
  const stationCode = station.stationCode;
  if (idempotencyKey) {
    const earlier = await timing.measure('pg', () => findByIdempotencyKey(db, stationCode, idempotencyKey));
    if (earlier) return { created: false, application: sameRequest(earlier, request) };
  }

  const [facts, inProgress] = await timing.measure('pg', () => Promise.all([registryFactsForAcceptance(db, request.idNumber, stationCode), findInProgress(db, request.idNumber)]));
  const verdict = checkAcceptance({
    citizen: facts.citizen,
    presentedName: request.name,
    blacklisted: facts.blacklisted,
    appearanceChanged: request.appearanceChanged,
    station: { stationCode, regionCode: facts.station!.regionCode },
    rolloutPolicy: facts.rolloutRules.map((rule) => ({ ...rule, until: rule.until ?? undefined })),
    on: (deps.clock ?? systemClock).today(),
    applicationInProgress: inProgress ? { applicationId: inProgress.id } : undefined,
  });
  if (!verdict.ok) {
    // The same request, sent again while its run was recording it, may have been recorded between the
    // two reads above: then it is a replay, not another application in progress.
    const earlier = idempotencyKey && inProgress ? await findByIdempotencyKey(db, stationCode, idempotencyKey) : undefined;
    if (earlier) return { created: false, application: sameRequest(earlier, request) };
    throw await refusal(db, verdict.code, verdict.message, inProgress?.id);
  }
  if (!temporal) throw problems.unavailable('The workflow engine is not reachable; nothing was recorded.');

  const citizen = facts.citizen!;
  const input: ApplicationInput = {
    applicationId: randomUUID(),
    idNumber: citizen.idNumber,
    kind: request.kind,
    reason: request.reason,
    acceptingStationCode: stationCode,
    homeRegionCode: citizen.homeRegionCode,
    fingerprintCaptured: request.fingerprintCaptured,
    appearanceChanged: request.appearanceChanged,
    temporaryCardRequested: request.temporaryCardRequested ?? false,
    contactPhone: request.contactPhone,
    idempotencyKey,
    acceptedBy: station.id,
    settings: applicationSettings(config),
  };

  const workflowId = applicationWorkflowId(citizen.idNumber);
  let state: ApplicationState;
  try {
    // One call: the engine starts the run and admits the `accepted` update together (update-with-start),
    // which answers once the acceptance is in the read model. A run already open for the person fails the start.
    const startWorkflowOperation = applicationStart(citizen.idNumber, input, config.TEMPORAL_TASK_QUEUE_PREFIX);
    state = await timing.measure('engine', () =>
      waitForWorkflow(temporal.workflow.executeUpdateWithStart(updates.accepted, { startWorkflowOperation }), config.WORKFLOW_WAIT_MS, () => new StillInProgress(input.applicationId, config.WORKFLOW_WAIT_MS)),
    );
  } catch (error) {
    if (error instanceof WorkflowExecutionAlreadyStartedError || isDuplicateFailure(error)) {
      // The same key sent twice at once lands here too, as does another station racing this one. The
      // run that won may not have recorded its application yet: wait for it, then answer with it.
      // This request wrote nothing: if the winner is slow, it is told to come back (503), not given a location.
      const winner = await waitForWorkflow(recordedApplicationOf(temporal, workflowId), config.WORKFLOW_WAIT_MS, () => problems.workflowPending(config.WORKFLOW_WAIT_MS));
      const earlier = idempotencyKey ? await findByIdempotencyKey(db, stationCode, idempotencyKey) : undefined;
      if (earlier) return { created: false, application: sameRequest(earlier, request) };
      const running = winner ?? (await findInProgress(db, citizen.idNumber))?.id;
      throw await refusal(db, 'duplicate_application', 'An application for this person is already in progress.', running);
    }
    throw error;
  }
  // The read model holds the application now (the accepted update answers after recording it); the database gave its number.
  const recorded = await timing.measure('pg', () => findApplication(db, input.applicationId));
  return {
    created: true,
    application: {
      applicationId: input.applicationId,
      receiptNumber: recorded!.receiptNumber,
      stage: state.stage,
      acceptedAt: state.acceptedAt,
      deadlineAt: state.deadlineAt,
      homeRegionCode: citizen.homeRegionCode,
      acceptingStationCode: stationCode,
    },
  };
}

/**
 * The application id of the person's running workflow, once that run has recorded its acceptance;
 * undefined when no run is open any more or its acceptance failed.
 * @throws what the engine throws when it cannot be reached.
 */
async function recordedApplicationOf(temporal: Client, workflowId: string): Promise<string | undefined> {
  try {
    return (await temporal.workflow.getHandle<typeof applicationWorkflow>(workflowId).executeUpdate(updates.accepted)).applicationId;
  } catch (error) {
    if (error instanceof WorkflowUpdateFailedError || error instanceof WorkflowNotFoundError) return undefined;
    throw error;
  }
}

function isDuplicateFailure(error: unknown): boolean {
  return error instanceof WorkflowUpdateFailedError && error.cause instanceof ApplicationFailure && error.cause.type === DUPLICATE_APPLICATION;
}

/**
 * A duplicate's 409 says where the other application stands — its station by name, its stage and
 * deadline — so the counter can send the person there; nothing more about the person.
 */
async function refusal(db: Db, code: string, message: string, applicationId?: string): Promise<Problem> {
  if (code !== 'duplicate_application') return problems.refused(code, message);
  if (!applicationId) return problems.conflict(code, message);
  const standing = await findWhereItStands(db, applicationId);
  return problems.conflict(code, message, { applicationId, ...(standing ? { inProgress: standing } : {}) });
}

/**
 * The application an Idempotency-Key already names, when the request is the same one again.
 * @throws Problem 422 `idempotency_key_reused` when the key came with another person or kind.
 */
function sameRequest(earlier: ApplicationRow, request: CounterApplication): Accepted {
  if (earlier.idNumber !== request.idNumber || earlier.kind !== request.kind) {
    throw problems.refused('idempotency_key_reused', 'This Idempotency-Key was already used by this station for a different application; use a new key for a new request.');
  }
  return fromRow(earlier);
}

function fromRow(row: ApplicationRow): Accepted {
  return {
    applicationId: row.id,
    receiptNumber: row.receiptNumber,
    stage: row.stage,
    acceptedAt: row.acceptedAt.toISOString(),
    deadlineAt: row.deadlineAt.toISOString(),
    homeRegionCode: row.homeRegionCode,
    acceptingStationCode: row.acceptingStationCode,
  };
}
