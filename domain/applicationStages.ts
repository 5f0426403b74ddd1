/** The stages of a cross-region application and which step may be taken from which stage. */
export type ApplicationStage = 'ACCEPTED' | 'HOME_REVIEW' | 'PRINTING' | 'SHIPPING' | 'READY_FOR_PICKUP' | 'COMPLETED' | 'REFUSED' | 'WITHDRAWN';

export const APPLICATION_STAGES: readonly ApplicationStage[] = ['ACCEPTED', 'HOME_REVIEW', 'PRINTING', 'SHIPPING', 'READY_FOR_PICKUP', 'COMPLETED', 'REFUSED', 'WITHDRAWN'];

const TERMINAL: readonly ApplicationStage[] = ['COMPLETED', 'REFUSED', 'WITHDRAWN'];

export const isTerminal = (stage: ApplicationStage) => TERMINAL.includes(stage);
export const isInProgress = (stage: ApplicationStage) => !isTerminal(stage);

export type Step = 'review' | 'printed' | 'printFailed' | 'dispatched' | 'arrived' | 'pickedUp' | 'withdraw';

/** Withdrawal is possible only before printing starts. */
export const allowedFrom: Record<Step, readonly ApplicationStage[]> = {
  review: ['HOME_REVIEW'],
  printed: ['PRINTING'],
  printFailed: ['PRINTING'],
  dispatched: ['PRINTING'],
  arrived: ['SHIPPING'],
  pickedUp: ['READY_FOR_PICKUP'],
  withdraw: ['ACCEPTED', 'HOME_REVIEW'],
};

export const canTake = (step: Step, stage: ApplicationStage) => allowedFrom[step].includes(stage);
