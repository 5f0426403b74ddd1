/**
 * The stages of a cross-region application and which step may be taken from which stage.
 *
 * ACCEPTED → HOME_REVIEW (the data is sent home; no step, the workflow does it) → `review`
 * approve → PRINTING (`printed` records the card, `printFailed` a reprint; both stay in PRINTING) →
 * `dispatched` → SHIPPING → `arrived` → READY_FOR_PICKUP → `pickedUp` → COMPLETED.
 * `review` refuse → REFUSED; `withdraw` → WITHDRAWN, only before printing.
 * CLOSED: a manager closed an application whose workflow was lost and could not be restarted
 * (reconciliation); no step leads there.
 *
 * The table says only which stage a step may come from. That `dispatched` also needs a printed
 * card is a fact about the application, not its stage: the workflow checks it.
 */
export type ApplicationStage = 'ACCEPTED' | 'HOME_REVIEW' | 'PRINTING' | 'SHIPPING' | 'READY_FOR_PICKUP' | 'COMPLETED' | 'REFUSED' | 'WITHDRAWN' | 'CLOSED';

export const APPLICATION_STAGES: readonly ApplicationStage[] = ['ACCEPTED', 'HOME_REVIEW', 'PRINTING', 'SHIPPING', 'READY_FOR_PICKUP', 'COMPLETED', 'REFUSED', 'WITHDRAWN', 'CLOSED'];

export const TERMINAL_STAGES: readonly ApplicationStage[] = ['COMPLETED', 'REFUSED', 'WITHDRAWN', 'CLOSED'];

export const isApplicationStage = (value: unknown): value is ApplicationStage => APPLICATION_STAGES.includes(value as ApplicationStage);

/** Finished one way or another: nothing more happens to it. */
export const isTerminal = (stage: ApplicationStage): boolean => TERMINAL_STAGES.includes(stage);

/** Still open: counts as the one application a person may have in progress. */
export const isInProgress = (stage: ApplicationStage): boolean => APPLICATION_STAGES.includes(stage) && !isTerminal(stage);

export type Step = 'review' | 'printed' | 'printFailed' | 'dispatched' | 'arrived' | 'pickedUp' | 'withdraw';

export const STEPS: readonly Step[] = ['review', 'printed', 'printFailed', 'dispatched', 'arrived', 'pickedUp', 'withdraw'];

export const allowedFrom: Readonly<Record<Step, readonly ApplicationStage[]>> = {
  review: ['HOME_REVIEW'],
  printed: ['PRINTING'],
  printFailed: ['PRINTING'],
  dispatched: ['PRINTING'],
  arrived: ['SHIPPING'],
  pickedUp: ['READY_FOR_PICKUP'],
  // Before printing only: once the centre prints, a card exists and must be handled.
  withdraw: ['ACCEPTED', 'HOME_REVIEW'],
};

/** Whether `step` may be taken while the application is in `stage`; otherwise the answer is `wrong_stage`. */
export const canTake = (step: Step, stage: ApplicationStage): boolean => (allowedFrom[step] ?? []).includes(stage);

/**
 * The stage after taking `step` (from a stage it is allowed from). `review` needs the decision.
 * @throws RangeError for `review` without a decision.
 */
export function stageAfter(step: Step, decision?: 'approve' | 'refuse'): ApplicationStage {
  switch (step) {
    case 'review':
      if (decision === 'approve') return 'PRINTING';
      if (decision === 'refuse') return 'REFUSED';
      throw new RangeError('review needs a decision: approve or refuse');
    case 'printed':
    case 'printFailed':
      return 'PRINTING';
    case 'dispatched':
      return 'SHIPPING';
    case 'arrived':
      return 'READY_FOR_PICKUP';
    case 'pickedUp':
      return 'COMPLETED';
    case 'withdraw':
      return 'WITHDRAWN';
  }
}
