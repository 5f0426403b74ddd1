import { WorkflowNotFoundError, WorkflowUpdateFailedError, type Client } from '@temporalio/client';
import { ApplicationFailure, type UpdateDefinition } from '@temporalio/common';
import { mayReportArrival } from '../../domain';
import type { Db } from '../../db/knex';
import { findApplication, type ApplicationRow } from '../../db/queries/applications';
import { hasCardFromOrAfter } from '../../db/queries/cardRegistry';
import { stationRegionCode } from '../../db/queries/stations';
import type { User } from '../../db/users';
import type { ApplicationState } from '../../workflows/contract';
import { Problem, problems } from '../problems';
import { isUuid } from '../validation';
import { ensureInJurisdiction } from '../jurisdiction';
import { StillInProgress } from '../problems';
import { waitForWorkflow } from './workflowWait';

/** @throws Problem 404 when there is no such application. */
export async function loadApplication(db: Db, applicationId: string): Promise<ApplicationRow> {
  // Anything but a well-formed UUID is unknown here; PostgreSQL would refuse to compare it with the uuid column.
  const application = isUuid(applicationId) ? await findApplication(db, applicationId) : undefined;
  if (!application) throw unknownApplication(applicationId);
  return application;
}

const unknownApplication = (applicationId: string) => problems.notFound(`Application ${applicationId}`);

/** Loads an application the user may see. @throws Problem 404 or 403. */
export async function applicationFor(db: Db, user: User, applicationId: string): Promise<ApplicationRow> {
  const application = await loadApplication(db, applicationId);
  ensureInJurisdiction(user, application, (await stationRegionCode(db, application.acceptingStationCode))!);
  return application;
}

/**
 * Loads an application the user may take a step on. Outside the jurisdiction the answer is the very
 * 404 of an unknown application, before anything about its stage can show.
 * @throws Problem 404.
 */
export async function applicationForStep(db: Db, user: User, applicationId: string): Promise<ApplicationRow> {
  try {
    return await applicationFor(db, user, applicationId);
  } catch (error) {
    if (error instanceof Problem && error.code === 'forbidden_jurisdiction') throw unknownApplication(applicationId);
    throw error;
  }
}

/**
 * The application a station reports arrived: its own, or another's whose parcel it holds — proven by
 * the tracking number on it (a misrouted card, flagged and re-sent). @throws Problem 404 otherwise.
 */
export async function applicationArrivedAt(db: Db, station: User, applicationId: string, trackingNumber: string | undefined): Promise<ApplicationRow> {
  const application = await loadApplication(db, applicationId);
  if (!mayReportArrival(station, application, trackingNumber)) throw unknownApplication(applicationId);
  return application;
}

/**
 * A new card's validity must start after every card the person holds: the number and the start name
 * one card, so a card dated like an existing one could never be issued (pickup would leave the person
 * with the old, perhaps lost, card only), and one dated before it would not be the newest.
 * @throws Problem 422 `valid_from_not_after_existing_card`.
 */
export async function ensureNewCardDate(db: Db, application: ApplicationRow, validFrom: string): Promise<void> {
  if (await hasCardFromOrAfter(db, application.idNumber, validFrom)) {
    throw problems.refused('valid_from_not_after_existing_card', 'The person already holds a card valid from this day or later: date the new card after it.');
  }
}

/** Rejections from a workflow's update validators and what the caller sees. */
const rejectionStatus: Record<string, number> = {
  wrong_stage: 409,
  not_printed: 409,
  extension_already_granted: 409,
  no_temporary_card: 409,
  // The write activity's own check of the acting account: it was disabled or moved after the API checked it.
  actor_not_allowed: 403,
};
const titleByStatus: Record<number, string> = { 403: 'Not allowed for this account', 409: 'Conflict with the current state' };

/**
 * Sends one step to the application's workflow as an update and returns the new state.
 * @throws Problem 409 `wrong_stage` (and kin) when the workflow's validator rejects it: nothing changed;
 *   StillInProgress (answered 202) when the workflow has not finished the step within `waitMs`.
 */
export async function takeStep<Arg>(
  { temporal, waitMs }: { temporal?: Client; waitMs: number },
  application: ApplicationRow,
  update: UpdateDefinition<ApplicationState, [Arg]>,
  arg: Arg,
): Promise<ApplicationState> {
  if (!temporal) throw problems.unavailable('The workflow engine is not reachable; nothing was changed.');
  const handle = temporal.workflow.getHandle(application.workflowId, application.runId);
  try {
    return await waitForWorkflow(handle.executeUpdate(update, { args: [arg] }), waitMs, () => new StillInProgress(application.id, waitMs));
  } catch (error) {
    if (error instanceof WorkflowUpdateFailedError && error.cause instanceof ApplicationFailure && error.cause.type) {
      const code = error.cause.type;
      const status = rejectionStatus[code] ?? 422;
      throw new Problem(status, code, titleByStatus[status] ?? 'Refused', error.cause.message);
    }
    // A closed workflow takes no updates: the engine answers NOT_FOUND.
    if (error instanceof WorkflowNotFoundError) {
      throw problems.conflict('wrong_stage', `The application is ${application.stage}; it takes no more steps.`);
    }
    throw error;
  }
}
