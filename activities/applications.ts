import { randomUUID } from 'node:crypto';
import { ApplicationFailure } from '@temporalio/common';
import { isUniqueViolation } from '../api/problems';
import type { Db } from '../db/knex';
import { recordAudit } from '../db/queries/auditLog';
import { findNewestCardForUpdate } from '../db/queries/cardRegistry';
import { insertLossReport, reportCardsLost } from '../db/queries/lossReports';
import { stationRegionCode } from '../db/queries/stations';
import { chinaDateOf, checkLossReport, mayTakeStep, type ApplicationStage, type OfficialStep } from '../domain';
import { findActiveUser } from '../db/users';
import { DUPLICATE_APPLICATION, rejection, RESUMPTION_OUTDATED, type ApplicationInput } from '../workflows/contract';
import { acceptingStationOf, noticesOnAcceptance, noticesOnStage, writeNotices } from '../notifications/applicantNotices';

/** Columns of the applications read model that workflow progress may change. */
export interface ReadModelChange {
  stage?: ApplicationStage;
  deadlineAt?: string;
  extensionDays?: number;
  extensionReason?: string;
  overdue?: boolean;
  readyForPickupAt?: string;
  closedAt?: string;
  temporaryCardIssuedAt?: string;
  temporaryCardOverdue?: boolean;
  refusalReason?: string;
  withdrawalReason?: string;
  printFailures?: number;
  newCardValidFrom?: string;
  newCardValidUntil?: string | null;
  trackingNumber?: string;
  misrouted?: boolean;
}

export interface Progress {
  applicationId: string;
  at: string;
  change: ReadModelChange;
  /** Audit: who did what. `action` names the step, e.g. `review.approved`. */
  actor: string;
  action: string;
  note?: string;
  details?: Record<string, unknown>;
  /**
   * The official's step this progress carries out, checked against `actor` before anything is
   * written. Absent from the workflow's own progress (the review request, overdue marks); runs from
   * before it was sent have their step read from `action` (`stepOfAction`).
   */
  step?: StepTaken;
}

/** An official's step as the write activity checks it; an arrival names the station and the parcel's tracking number. */
export interface StepTaken {
  name: OfficialStep;
  stationCode?: string;
  trackingNumber?: string;
}

export interface Notification {
  topic: string;
  recipientRole: 'manager' | 'reviewer' | 'station' | 'production' | 'applicant';
  recipientCode?: string;
  payload: Record<string, unknown>;
  /** The same notification is written once however often the activity is retried. */
  dedupeKey: string;
}

export interface Acceptance extends ApplicationInput {
  workflowId: string;
  runId: string;
  acceptedAt: string;
  deadlineAt: string;
  temporaryCardDueAt?: string;
  /** Set by runs that request the home region's review in the same write (HOME_REVIEW at this instant). */
  reviewRequestedAt?: string;
}

export interface ResumptionRecord {
  applicationId: string;
  runId: string;
  previousRunId: string;
  stage: ApplicationStage;
  restart: number;
  at: string;
}

/** An imported application as its run records it (`recordImport`): the run's input, with `resume.imported` set. */
export interface ImportRecord extends ApplicationInput {
  workflowId: string;
  runId: string;
  /** When the import was recorded (the audit entry's time). */
  at: string;
}

export interface Pickup {
  applicationId: string;
  idNumber: string;
  validFrom: string;
  validUntil: string | null;
  at: string;
  actor: string;
  oldCardReturned: boolean;
  temporaryCardReturned?: boolean;
}

/**
 * The database's own guard, whatever the engine did: one application in progress per person, one
 * import per old reference. A unique violation becomes `duplicate_application` (not retried); any
 * other error is answered as it is. Only the constraint's name goes on: PostgreSQL's detail names
 * the citizen number, and the worker logs causes.
 */
function asDuplicateApplication(error: unknown, message: string): unknown {
  if (!isUniqueViolation(error)) return error;
  const constraint = (error as { constraint?: string }).constraint ?? 'unknown';
  return ApplicationFailure.create({ type: DUPLICATE_APPLICATION, message: `${message} (unique constraint ${constraint})`, nonRetryable: true });
}

/**
 * Every side effect of the application workflow. Each activity is one transaction and idempotent:
 * a retry after a lost reply writes nothing twice (history, audit and outbox rows carry keys).
 */
export function createApplicationActivities({ db }: { db: Db }) {
  return {
    /**
     * Records the accepted application with its first stage. A replacement for a lost card counts as
     * a loss report at the same moment: the lost card is invalid from here on.
     */
    async recordAcceptance(acceptance: Acceptance): Promise<void> {
      await db.transaction(async (trx) => {
        let inserted: unknown[];
        try {
          inserted = await trx('applications')
            .insert({
              id: acceptance.applicationId,
              workflowId: acceptance.workflowId,
              runId: acceptance.runId,
              idNumber: acceptance.idNumber,
              kind: acceptance.kind,
              reason: acceptance.reason,
              // A run that requests the review in this write records the application there at once.
              stage: acceptance.reviewRequestedAt ? 'HOME_REVIEW' : 'ACCEPTED',
              acceptingStationCode: acceptance.acceptingStationCode,
              homeRegionCode: acceptance.homeRegionCode,
              acceptedAt: acceptance.acceptedAt,
              deadlineAt: acceptance.deadlineAt,
              fingerprintCaptured: acceptance.fingerprintCaptured,
              appearanceChanged: acceptance.appearanceChanged,
              temporaryCardRequested: acceptance.temporaryCardRequested,
              temporaryCardDueAt: acceptance.temporaryCardDueAt ?? null,
              contactPhone: acceptance.contactPhone ?? null,
              idempotencyKey: acceptance.idempotencyKey ?? null,
              // Kept so that reconciliation can restart a lost workflow with the settings it was accepted with.
              workflowSettings: JSON.stringify(acceptance.settings),
            })
            // A retry after a lost reply finds its own row: written already, nothing more to do.
            .onConflict('id')
            .ignore()
            .returning('id');
        } catch (error) {
          throw asDuplicateApplication(error, 'an application is already in progress');
        }
        if (inserted.length === 0) return;
        const { applicationId, acceptedBy: actor, reviewRequestedAt } = acceptance;
        // The stage rows and audit entries go in one statement each (ACCEPTED first); with the review
        // request, what recordProgress writes for it, in this same transaction.
        const stages: Array<{ applicationId: string; stage: ApplicationStage; at: string; actor: string; note: null }> = [{ applicationId, stage: 'ACCEPTED', at: acceptance.acceptedAt, actor, note: null }];
        const entries: ApplicationAuditEntry[] = [{ actor, action: 'application.accepted', applicationId, at: acceptance.acceptedAt, details: { kind: acceptance.kind, acceptingStationCode: acceptance.acceptingStationCode } }];
        if (reviewRequestedAt) {
          stages.push({ applicationId, stage: 'HOME_REVIEW', at: reviewRequestedAt, actor, note: null });
          entries.push({ actor, action: 'review.requested', applicationId, at: reviewRequestedAt, details: {} });
        }
        await trx('applicationStageHistory').insert(stages);
        await audit(trx, entries);
        if (acceptance.kind === 'replacement') await reportLostAtAcceptance(trx, acceptance);
        await writeNotices(trx, applicationId, noticesOnAcceptance(applicationId));
      });
    },

    /**
     * A restarted workflow takes over its application: the read model names the new run, the audit
     * log says so, and the application leaves the stuck-cases list if it was on it.
     * @throws ApplicationFailure `resumption_outdated` (not retried) when the application moved on,
     *   closed, or another run took it over since the restart was decided.
     */
    async recordResumption(resumption: ResumptionRecord): Promise<void> {
      await db.transaction(async (trx) => {
        const application = await trx('applications').where('id', resumption.applicationId).forUpdate().first('stage', 'runId');
        const ours = application && [resumption.runId, resumption.previousRunId].includes(application.runId);
        if (!ours || application.stage !== resumption.stage) {
          throw ApplicationFailure.create({ type: RESUMPTION_OUTDATED, message: `application ${resumption.applicationId} is no longer at ${resumption.stage} under run ${resumption.previousRunId}`, nonRetryable: true });
        }
        await trx('applications').where('id', resumption.applicationId).update({ runId: resumption.runId, updatedAt: trx.fn.now() });
        await trx('stuckApplications').where('applicationId', resumption.applicationId).delete();
        await audit(trx, { actor: 'system', action: 'application.resumed', applicationId: resumption.applicationId, at: resumption.at, details: { stage: resumption.stage, restart: resumption.restart, previousRunId: resumption.previousRunId, runId: resumption.runId } });
      });
    },

    /**
     * An application imported from a station's old system at go-live (`input.resume.imported`):
     * recorded at its stage with its original acceptance time, deadline and the facts its stage
     * implies, its stage history, and an audit entry naming the importer (`acceptedBy`). A
     * replacement's lost card is invalidated as at acceptance. The database gives the receipt number.
     * @throws ApplicationFailure `duplicate_application` (not retried) when the person has an
     *   application in progress or the old system's reference was imported already.
     */
    async recordImport(imported: ImportRecord): Promise<void> {
      const resume = imported.resume!;
      await db.transaction(async (trx) => {
        const existing = await trx('applications').where('id', imported.applicationId).first('id');
        if (existing) return;
        try {
          await trx('applications').insert({
            id: imported.applicationId,
            workflowId: imported.workflowId,
            runId: imported.runId,
            idNumber: imported.idNumber,
            kind: imported.kind,
            reason: imported.reason,
            stage: resume.stage,
            acceptingStationCode: imported.acceptingStationCode,
            homeRegionCode: imported.homeRegionCode,
            acceptedAt: resume.acceptedAt,
            deadlineAt: resume.deadlineAt,
            extensionDays: resume.extension?.days ?? null,
            extensionReason: resume.extension?.reason ?? null,
            overdue: resume.overdue,
            fingerprintCaptured: imported.fingerprintCaptured,
            appearanceChanged: imported.appearanceChanged,
            temporaryCardRequested: imported.temporaryCardRequested,
            temporaryCardDueAt: resume.temporaryCard?.dueAt ?? null,
            temporaryCardIssuedAt: resume.temporaryCard?.issuedAt ?? null,
            temporaryCardOverdue: resume.temporaryCard?.overdue ?? false,
            newCardValidFrom: resume.printed?.validFrom ?? null,
            newCardValidUntil: resume.printed?.validUntil ?? null,
            trackingNumber: resume.trackingNumber ?? null,
            readyForPickupAt: resume.readyForPickupAt ?? null,
            contactPhone: imported.contactPhone ?? null,
            importReference: resume.imported!.externalReference,
            importedBy: imported.acceptedBy,
            workflowSettings: JSON.stringify(imported.settings),
          });
        } catch (error) {
          throw asDuplicateApplication(error, 'an application is already in progress or imported');
        }
        await trx('applicationStageHistory').insert(resume.history.map((entry) => ({ applicationId: imported.applicationId, stage: entry.stage, at: entry.at, actor: imported.acceptedBy, note: entry.note ?? null })));
        await audit(trx, {
          actor: imported.acceptedBy,
          action: 'application.imported',
          applicationId: imported.applicationId,
          at: imported.at,
          details: { externalReference: resume.imported!.externalReference, stage: resume.stage, acceptedAt: resume.acceptedAt, kind: imported.kind, acceptingStationCode: imported.acceptingStationCode },
        });
        if (imported.kind === 'replacement') await reportLostAtAcceptance(trx, { ...imported, acceptedAt: resume.acceptedAt, deadlineAt: resume.deadlineAt });
      });
    },

    /** Applies one step of progress to the read model, with its stage history and audit entry. */
    async recordProgress(progress: Progress): Promise<void> {
      await db.transaction(async (trx) => {
        const step = progress.step ?? stepOfAction(progress);
        if (step) await ensureActorMay(trx, progress.actor, step, progress.applicationId);
        await trx('applications').where('id', progress.applicationId).update({ ...progress.change, updatedAt: trx.fn.now() });
        if (progress.change.stage) {
          await trx('applicationStageHistory')
            .insert({ applicationId: progress.applicationId, stage: progress.change.stage, at: progress.at, actor: progress.actor, note: progress.note ?? null })
            .onConflict(['applicationId', 'stage', 'at'])
            .ignore();
        }
        await audit(trx, { actor: progress.actor, action: progress.action, applicationId: progress.applicationId, at: progress.at, details: { ...progress.details, ...(progress.note ? { note: progress.note } : {}) } });
        const { stage } = progress.change;
        if (stage === 'REFUSED' || stage === 'READY_FOR_PICKUP') {
          await writeNotices(trx, progress.applicationId, noticesOnStage(progress.applicationId, stage, await acceptingStationOf(trx, progress.applicationId)));
        }
      });
    },

    async notify(notification: Notification): Promise<void> {
      await db('outbox')
        .insert({ topic: notification.topic, recipientRole: notification.recipientRole, recipientCode: notification.recipientCode ?? null, payload: notification.payload, dedupeKey: notification.dedupeKey })
        .onConflict('dedupeKey')
        .ignore();
    },

    /**
     * Hands the new card over: it becomes the person's current card, every older card still
     * valid or reported lost is SUPERSEDED (已换领新证的旧证失效), and the application is completed.
     */
    async completePickup(pickup: Pickup): Promise<void> {
      await db.transaction(async (trx) => {
        await ensureActorMay(trx, pickup.actor, { name: 'pickedUp' }, pickup.applicationId);
        const application = await trx('applications').where('id', pickup.applicationId).forUpdate().first('stage', 'fingerprintCaptured');
        if (application?.stage === 'COMPLETED') return;
        await trx('cards')
          .where('idNumber', pickup.idNumber)
          .whereIn('status', ['ACTIVE', 'REPORTED_LOST'])
          .whereNot('validFrom', pickup.validFrom)
          .update({ status: 'SUPERSEDED', statusChangedAt: pickup.at });
        // Fingerprints captured at acceptance go on the new card and into the registry.
        if (application?.fingerprintCaptured) await trx('citizens').where('idNumber', pickup.idNumber).update({ hasFingerprints: true });
        const citizen = await trx('citizens').where('idNumber', pickup.idNumber).first('hasFingerprints');
        await trx('cards')
          .insert({ idNumber: pickup.idNumber, validFrom: pickup.validFrom, validUntil: pickup.validUntil, status: 'ACTIVE', hasFingerprints: citizen?.hasFingerprints ?? false, issuedForApplicationId: pickup.applicationId, statusChangedAt: pickup.at })
          .onConflict(['idNumber', 'validFrom'])
          .ignore();
        await trx('applications').where('id', pickup.applicationId).update({ stage: 'COMPLETED', closedAt: pickup.at, updatedAt: trx.fn.now() });
        await trx('applicationStageHistory')
          .insert({ applicationId: pickup.applicationId, stage: 'COMPLETED', at: pickup.at, actor: pickup.actor })
          .onConflict(['applicationId', 'stage', 'at'])
          .ignore();
        await audit(trx, { actor: pickup.actor, action: 'application.picked_up', applicationId: pickup.applicationId, at: pickup.at, details: { oldCardReturned: pickup.oldCardReturned, temporaryCardReturned: pickup.temporaryCardReturned ?? null } });
      });
    },
  };
}

export type ApplicationActivities = ReturnType<typeof createApplicationActivities>;

/**
 * The step a run from before `Progress.step` carried out, read from its action; undefined for the
 * workflow's own progress. Such a run's arrival elsewhere than the accepting station brought no
 * tracking number: the station it names (`details.arrivedAt`) stands for it.
 */
function stepOfAction(progress: Progress): StepTaken | undefined {
  const name = legacyActions[progress.action];
  if (!name) return undefined;
  if (name !== 'arrived') return { name };
  return { name, stationCode: typeof progress.details?.arrivedAt === 'string' ? progress.details.arrivedAt : undefined };
}

const legacyActions: Record<string, OfficialStep> = {
  'review.approved': 'review',
  'review.refused': 'review',
  'deadline.extended': 'extend',
  'temporary_card.issued': 'temporaryCardIssued',
  'card.printed': 'printed',
  'card.print_failed': 'printFailed',
  'card.dispatched': 'dispatched',
  'card.misrouted': 'arrived',
  'card.arrived': 'arrived',
  'application.withdrawn': 'withdraw',
};

/**
 * The update's actor checked again where the step is written, in its transaction: an active account
 * (the row is held against a concurrent disabling until commit) whose role may take this step on this
 * application — the API's own rule (`domain/authority.ts`). An update sent to the engine by another
 * way than the API is held to it too.
 * @throws ApplicationFailure `actor_not_allowed` (not retried): nothing is written.
 */
async function ensureActorMay(trx: Db, actor: string, step: StepTaken, applicationId: string): Promise<void> {
  const official = await findActiveUser(trx, actor, { hold: true });
  const application = await trx('applications').where('id', applicationId).forUpdate().first('homeRegionCode', 'acceptingStationCode', 'trackingNumber');
  // A legacy arrival without a station named is taken at the accepting station.
  const arrival = step.name === 'arrived' ? { stationCode: step.stationCode ?? application?.acceptingStationCode, trackingNumber: step.trackingNumber } : undefined;
  if (official && application && mayTakeStep(official, step.name, application, arrival)) return;
  throw ApplicationFailure.create({
    type: rejection.actorNotAllowed,
    message: `user ${actor} may not take the step ${step.name} on application ${applicationId} (unknown, disabled, or not the role and jurisdiction for it)`,
    nonRetryable: true,
  });
}

type ApplicationAuditEntry = { actor: string; action: string; applicationId: string; at: string; details?: Record<string, unknown> };

/** The application's audit entries (one statement), keyed so that a retried activity writes each once. */
async function audit(trx: Db, entries: ApplicationAuditEntry | ApplicationAuditEntry[]) {
  await recordAudit(
    trx,
    (Array.isArray(entries) ? entries : [entries]).map((entry) => ({
      at: new Date(entry.at),
      actor: entry.actor,
      action: entry.action,
      subjectType: 'application',
      subjectId: entry.applicationId,
      details: entry.details ?? {},
      dedupeKey: `application:${entry.applicationId}:${entry.action}:${entry.at}`,
    })),
  );
}

/**
 * A replacement reports the person's current card lost as of the acceptance, by the rule a counter's
 * report follows (`checkLossReport`). A card the rule refuses (already reported lost, or no longer
 * valid) is invalid already: nothing more to report.
 */
async function reportLostAtAcceptance(trx: Db, acceptance: Acceptance): Promise<void> {
  const reportedAt = new Date(acceptance.acceptedAt);
  const lostCard = await findNewestCardForUpdate(trx, acceptance.idNumber);
  if (!lostCard || !checkLossReport(lostCard, chinaDateOf(reportedAt.getTime())).ok) return;
  await insertLossReport(trx, {
    id: randomUUID(),
    cardId: lostCard.id,
    circumstance: 'lost',
    reportingStationCode: acceptance.acceptingStationCode,
    authorityRegionCode: (await stationRegionCode(trx, acceptance.acceptingStationCode))!,
    source: 'application',
    applicationId: acceptance.applicationId,
    importKey: null,
    reportedAt,
  });
  await reportCardsLost(trx, [lostCard.id], reportedAt);
}
