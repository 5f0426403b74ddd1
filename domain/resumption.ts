/**
 * Resumption: an application the read model holds as open whose workflow the engine no longer runs
 * (lost state, retention, a bug) is restarted at its recorded stage with its original deadline —
 * or, when that cannot be done faithfully, it is a stuck case for managers, never left silently open.
 */
import { isTerminal, type ApplicationStage } from './applicationStages';
import { DAY_MS } from './deadlines';

/** Restarts at one stage after which a workflow that keeps getting lost there is handed to managers. */
export const MAX_RESTARTS_PER_STAGE = 3;

/** Why an open application cannot be restarted; the stuck-cases list shows it. */
export type StuckReasonCode = 'restart_limit_reached' | 'card_not_recorded' | 'inconsistent_deadline' | 'restart_failed';

export const stuckReasons: Readonly<Record<StuckReasonCode, string>> = {
  restart_limit_reached: `its workflow was lost and restarted ${MAX_RESTARTS_PER_STAGE} times at this stage`,
  card_not_recorded: 'the card was dispatched but its printed card (validity period) is not on record, so it cannot be handed over',
  inconsistent_deadline: 'the recorded deadline is not after the recorded acceptance',
  restart_failed: 'the workflow engine refused to start its workflow again',
};

export interface RecordedApplication {
  stage: ApplicationStage;
  acceptedAt: Date;
  deadlineAt: Date;
  /** A printed card (validity start) is recorded. */
  cardPrinted: boolean;
  /** Restarts already made at the current stage. */
  restartsAtStage: number;
}

export type ResumptionCheck = { ok: true } | { ok: false; code: StuckReasonCode; detail: string };

/**
 * Whether an open application whose workflow is gone can be restarted at its recorded stage.
 * Checked in order: the restart limit, the deadline, a card for the stages that hand one over.
 * @throws RangeError for a finished application: it has no workflow to restart.
 */
export function checkResumption(application: RecordedApplication): ResumptionCheck {
  if (isTerminal(application.stage)) throw new RangeError(`a ${application.stage} application is not restarted`);
  const refuse = (code: StuckReasonCode): ResumptionCheck => ({ ok: false, code, detail: stuckReasons[code] });
  if (application.restartsAtStage >= MAX_RESTARTS_PER_STAGE) return refuse('restart_limit_reached');
  if (!(application.deadlineAt.getTime() > application.acceptedAt.getTime())) return refuse('inconsistent_deadline');
  const handsOverACard = application.stage === 'SHIPPING' || application.stage === 'READY_FOR_PICKUP';
  if (handsOverACard && !application.cardPrinted) return refuse('card_not_recorded');
  return { ok: true };
}

/**
 * The deadline days an application was accepted with, read back from its recorded deadline: the
 * restarted workflow computes a later extension from them exactly as the lost one would have.
 */
export function recordedDeadlineDays(application: { acceptedAt: Date; deadlineAt: Date; extensionDays: number | null }): number {
  return (application.deadlineAt.getTime() - application.acceptedAt.getTime()) / DAY_MS - (application.extensionDays ?? 0);
}
