/**
 * The application workflow's contract, declared once: what the API, the worker and the tests
 * share. No runtime imports beyond the SDK's definitions, so it is safe inside the workflow sandbox.
 */
import { defineQuery, defineUpdate } from '@temporalio/workflow';
import type { ApplicationStage } from '../domain';

/** The failure type of a second application for someone who has one in progress (engine or database guard). */
export const DUPLICATE_APPLICATION = 'duplicate_application';

/** The failure type of a restarted workflow whose application moved on or closed before it resumed. */
export const RESUMPTION_OUTDATED = 'resumption_outdated';

export const APPLICATION_WORKFLOW = 'applicationWorkflow';

/** Task queues: applications on one queue; print jobs on one queue per province's production centre. */
export const taskQueues = {
  applications: (prefix: string) => `${prefix}.applications`,
  production: (prefix: string, provinceCode: string) => `${prefix}.production.${provinceCode.slice(0, 2)}`,
};

/** Settings fixed at acceptance, so a running application is not changed by a later configuration change. */
export interface ApplicationSettings {
  deadlineDays: number;
  warningDays: number;
  reviewReminderDays: number;
  pickupReminderDays: number;
  reprintLimit: number;
  taskQueuePrefix: string;
}

export interface ApplicationInput {
  applicationId: string;
  idNumber: string;
  kind: 'renewal' | 'replacement';
  reason: string;
  acceptingStationCode: string;
  homeRegionCode: string;
  fingerprintCaptured: boolean;
  appearanceChanged: boolean;
  temporaryCardRequested: boolean;
  contactPhone?: string;
  idempotencyKey?: string;
  acceptedBy: string;
  settings: ApplicationSettings;
  /** Set when reconciliation restarts an application whose workflow was lost: carry on from here. */
  resume?: Resumption;
}

/**
 * What the read model recorded of an application whose workflow was lost: the restarted workflow
 * starts in this stage, keeps this acceptance time and deadline, and takes no step twice.
 */
export interface Resumption {
  stage: ApplicationStage;
  acceptedAt: string;
  deadlineAt: string;
  extension?: { days: number; reason: string };
  overdue: boolean;
  printed?: { validFrom: string; validUntil: string | null };
  printFailures: number;
  trackingNumber?: string;
  readyForPickupAt?: string;
  temporaryCard?: { dueAt: string; issuedAt?: string; overdue: boolean };
  history: StageEntry[];
  /** The run that was lost. */
  previousRunId: string;
  /** 1 for the first restart of this application, and so on: keeps reminders of each run apart. */
  restart: number;
  /**
   * Set for an application imported from a station's old system at go-live (`api/applications/importApplications.ts`):
   * the run records the application itself (`recordImport`, with its acceptance time, stage and facts)
   * instead of taking over a row a lost run left. Runs without it (every run before it existed) resume as before.
   */
  imported?: { externalReference: string };
}

export interface StageEntry {
  stage: ApplicationStage;
  at: string;
  note?: string;
}

export interface ApplicationState {
  applicationId: string;
  stage: ApplicationStage;
  acceptingStationCode: string;
  homeRegionCode: string;
  kind: 'renewal' | 'replacement';
  acceptedAt: string;
  deadlineAt: string;
  extension?: { days: number; reason: string };
  overdue: boolean;
  warned: boolean;
  reviewReminders: number;
  printed?: { validFrom: string; validUntil: string | null };
  printFailures: number;
  managersAlertedOfReprints: boolean;
  trackingNumber?: string;
  misroutedArrivals: string[];
  readyForPickupAt?: string;
  pickupReminders: number;
  temporaryCard?: { dueAt: string; issuedAt?: string; overdue: boolean; returned?: boolean };
  refusalReason?: string;
  withdrawalReason?: string;
  closedAt?: string;
  history: StageEntry[];
}

export interface Actor {
  /**
   * Who acted: a user id, for the audit log and for the write activity, which checks in its
   * transaction that this is an active account whose role may take the step on this application
   * (`domain/authority.ts`); otherwise the update is rejected `actor_not_allowed` and nothing changes.
   */
  actor: string;
}

export type ReviewDecision = Actor & { decision: 'approve' | 'refuse'; reason?: string };
export type Extension = Actor & { days: number; reason: string };
export type Printed = Actor & { validFrom: string; validUntil: string | null };
export type PrintFailed = Actor & { reason: string };
export type Dispatched = Actor & { trackingNumber: string };
/** At another station than the accepting one, the parcel's tracking number proves the station holds it. */
export type Arrived = Actor & { stationCode: string; trackingNumber?: string };
export type PickedUp = Actor & { oldCardReturned: boolean; temporaryCardReturned?: boolean };
export type Withdrawal = Actor & { reason: string };

/** Why an update was rejected; the API maps each to a problem response. */
export const rejection = {
  wrongStage: 'wrong_stage',
  extensionAlreadyGranted: 'extension_already_granted',
  extensionTooLong: 'extension_too_long',
  reasonRequired: 'reason_required',
  oldCardNotReturned: 'old_card_not_returned',
  temporaryCardNotReturned: 'temporary_card_not_returned',
  noTemporaryCard: 'no_temporary_card',
  notPrinted: 'not_printed',
  invalidCardPeriod: 'invalid_card_period',
  /** The acting user is unknown, disabled, or may not take this step on this application. */
  actorNotAllowed: 'actor_not_allowed',
} as const;

export const queries = {
  state: defineQuery<ApplicationState>('state'),
};

export const updates = {
  /** Resolves once acceptance is recorded in the read model: the API answers 201 only then. */
  accepted: defineUpdate<ApplicationState>('accepted'),
  review: defineUpdate<ApplicationState, [ReviewDecision]>('review'),
  extend: defineUpdate<ApplicationState, [Extension]>('extend'),
  temporaryCardIssued: defineUpdate<ApplicationState, [Actor]>('temporaryCardIssued'),
  printed: defineUpdate<ApplicationState, [Printed]>('printed'),
  printFailed: defineUpdate<ApplicationState, [PrintFailed]>('printFailed'),
  dispatched: defineUpdate<ApplicationState, [Dispatched]>('dispatched'),
  arrived: defineUpdate<ApplicationState, [Arrived]>('arrived'),
  pickedUp: defineUpdate<ApplicationState, [PickedUp]>('pickedUp'),
  withdraw: defineUpdate<ApplicationState, [Withdrawal]>('withdraw'),
};
