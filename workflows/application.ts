/**
 * One workflow per cross-region application (异地受理), from acceptance to pickup.
 * Deterministic orchestration only: every write goes through an activity, every rule through `domain`.
 * Stage changes arrive as updates whose validators reject a wrong-stage request without changing anything.
 */
import * as wf from '@temporalio/workflow';
import { ActivityFailure, ApplicationFailure } from '@temporalio/workflow';
import type { UpdateDefinition } from '@temporalio/common';
import { allowedFrom, canTake, checkExtension, DAY_MS, deadlineAt, isOverdue, isTerminal, reviewReminderTimes, stageAfter, temporaryCardDueAt, warningAt, type ApplicationStage, type Step } from '../domain';
import type { ApplicationActivities, Notification, ReadModelChange, StepTaken } from '../activities/applications';
import type { ProductionActivities } from '../activities/production';
import { changedSearchAttributes, searchAttributesOf } from './searchAttributes';
import { DUPLICATE_APPLICATION, queries, rejection, RESUMPTION_OUTDATED, taskQueues, updates, type Actor, type ApplicationInput, type ApplicationSettings, type ApplicationState, type Arrived, type Dispatched, type Extension, type PickedUp, type Printed, type PrintFailed, type Resumption, type ReviewDecision, type Withdrawal } from './contract';

/**
 * Runs started before this patch replay the timers they were started with: a deadline timer at the
 * deadline itself and review reminders that never stopped. Runs with the marker take every instant
 * from `domain/` (warning, first overdue instant, review reminders stopping at the deadline).
 */
const DEADLINE_RULES_FROM_DOMAIN = 'deadline-rules-from-domain';

/**
 * Runs with this marker carry out an official's step by writing first — the activity checks the
 * actor (`actor_not_allowed`) — and change their state only once the write succeeded, so a refused
 * update leaves the workflow as it was. Runs started before it keep their order (state first, then
 * the write, which checks the actor too): their timers were cancelled and re-armed at those points.
 */
const WRITE_BEFORE_STATE = 'step-written-before-state';

/**
 * Runs with this marker record the acceptance and the review request (HOME_REVIEW) in one activity,
 * one transaction, at the acceptance instant: the station's answer waits for one write instead of
 * two, and for two workflow tasks instead of three. Older runs wrote them one after the other.
 */
const ACCEPTANCE_REQUESTS_REVIEW = 'acceptance-requests-review';

/**
 * Runs with this marker take an extension granted after the deadline as the law means it: when the new
 * deadline lies ahead, the application is no longer overdue (read model and state), and the deadline
 * watcher arms the warning and the overdue mark again for the new deadline. Runs started before it
 * stay overdue once marked, as they always did (their watcher had ended).
 */
const EXTENSION_CLEARS_OVERDUE = 'extension-clears-overdue';

/**
 * Runs with this marker keep their search attributes (`searchAttributes.ts`: stage, accepting station,
 * home region, deadline, overdue) in step with their state: an upsert wherever one of them changes.
 * Runs started before it never upsert them, as their histories recorded.
 */
const UPSERTS_SEARCH_ATTRIBUTES = 'upserts-search-attributes';

const activities = wf.proxyActivities<ApplicationActivities>({
  startToCloseTimeout: '10 seconds',
  retry: { initialInterval: '1 second', maximumInterval: '1 minute', nonRetryableErrorTypes: [DUPLICATE_APPLICATION, RESUMPTION_OUTDATED] },
});

const reject = (type: string, message: string): never => {
  throw ApplicationFailure.create({ type, message, nonRetryable: true });
};

export async function applicationWorkflow(input: ApplicationInput): Promise<ApplicationState> {
  const { applicationId, settings } = input;
  const writeFirst = wf.patched(WRITE_BEFORE_STATE);
  const extensionClearsOverdue = wf.patched(EXTENSION_CLEARS_OVERDUE);
  const upsertsSearchAttributes = wf.patched(UPSERTS_SEARCH_ATTRIBUTES);
  const production = wf.proxyActivities<ProductionActivities>({
    taskQueue: taskQueues.production(settings.taskQueuePrefix, input.homeRegionCode),
    startToCloseTimeout: '10 seconds',
  });
  const now = () => new Date(Date.now()).toISOString();
  // A restarted application keeps its acceptance time, and with it its deadline.
  const { resume } = input;
  const acceptedAt = resume ? new Date(resume.acceptedAt) : new Date(Date.now());
  // Reminders counted by a lost run were sent under its own keys; a restarted run numbers its own apart.
  const occurrence = (n: number) => (resume ? `restart${resume.restart}.${n}` : n);
  // When this run asked the home region for its review; a run resumed in HOME_REVIEW counts from its restart.
  let reviewRequestedAt = Date.now();

  const state: ApplicationState = resume ? resumedState(input, resume) : {
    applicationId,
    stage: 'ACCEPTED',
    acceptingStationCode: input.acceptingStationCode,
    homeRegionCode: input.homeRegionCode,
    kind: input.kind,
    acceptedAt: acceptedAt.toISOString(),
    deadlineAt: deadlineAt(acceptedAt, { deadlineDays: settings.deadlineDays }).toISOString(),
    overdue: false,
    warned: false,
    reviewReminders: 0,
    printFailures: 0,
    managersAlertedOfReprints: false,
    misroutedArrivals: [],
    pickupReminders: 0,
    temporaryCard: input.temporaryCardRequested ? { dueAt: temporaryCardDueAt(acceptedAt).toISOString(), overdue: false } : undefined,
    history: [{ stage: 'ACCEPTED', at: acceptedAt.toISOString() }],
  };
  let acceptance: 'pending' | 'recorded' | ApplicationFailure = 'pending';
  /** Upserts the attributes the state changed since the start or the last upsert (none when nothing did). */
  const showState = () => {
    if (!upsertsSearchAttributes) return;
    const changed = changedSearchAttributes(wf.workflowInfo().typedSearchAttributes, searchAttributesOf(state));
    if (changed.length > 0) wf.upsertSearchAttributes(changed);
  };
  const printJobs: Promise<void>[] = [];

  // Writes happen one after another, in the order the workflow decided them.
  let writes: Promise<unknown> = Promise.resolve();
  const inOrder = <T>(write: () => Promise<T>): Promise<T> => {
    const done = writes.then(write);
    writes = done.catch(() => undefined);
    return done;
  };
  const record = (action: string, actor: string, change: ReadModelChange, details?: Record<string, unknown>, note?: string) =>
    inOrder(() => activities.recordProgress({ applicationId, at: now(), change, actor, action, details, note }));
  const moveTo = (stage: ApplicationStage, action: string, actor: string, change: ReadModelChange = {}, note?: string) => {
    if (stage === 'HOME_REVIEW') reviewRequestedAt = Date.now();
    state.stage = stage;
    state.history.push({ stage, at: now(), ...(note ? { note } : {}) });
    if (isTerminal(stage)) state.closedAt = now();
    showState();
    return record(action, actor, { stage, ...(isTerminal(stage) ? { closedAt: now() } : {}), ...change }, undefined, note);
  };
  const notify = (topic: string, recipientRole: Notification['recipientRole'], recipientCode: string | undefined, occurrence: number | string = 1) =>
    inOrder(() =>
      activities.notify({
        topic,
        recipientRole,
        recipientCode,
        payload: { applicationId, stage: state.stage, deadlineAt: state.deadlineAt, acceptingStationCode: input.acceptingStationCode, homeRegionCode: input.homeRegionCode },
        dedupeKey: `${applicationId}:${topic}:${occurrence}`,
      }),
    );
  /**
   * An official's step: its write, which checks the actor (`actor_not_allowed`), and its change of
   * state (`apply`; with `change.stage` the application moves there at the step's instant). Runs
   * with WRITE_BEFORE_STATE wait for the step's turn among the writes, check the step again
   * (`recheck`: another may have changed the state meanwhile), write, and only then change the state,
   * all in one turn of the write queue. Older runs change the state first, as they always did.
   */
  const takeStep = async (
    step: StepTaken,
    actor: string,
    action: string,
    change: ReadModelChange | (() => ReadModelChange),
    apply: (at: string) => void,
    options: { note?: string; details?: Record<string, unknown> | (() => Record<string, unknown>); recheck: () => void; write?: (at: string) => Promise<void> },
  ) => {
    const at = now();
    const { note } = options;
    const changeNow = () => (typeof change === 'function' ? change() : change);
    const stage = changeNow().stage;
    const applyAll = () => {
      apply(at);
      if (stage) {
        state.stage = stage;
        state.history.push({ stage, at, ...(note ? { note } : {}) });
        if (isTerminal(stage)) state.closedAt = at;
      }
      // An extension moves the deadline (and may clear overdue); a step may move the stage.
      showState();
    };
    const write = () => {
      if (options.write) return options.write(at);
      const details = typeof options.details === 'function' ? options.details() : options.details;
      return activities.recordProgress({ applicationId, at, change: { ...changeNow(), ...(stage && isTerminal(stage) ? { closedAt: at } : {}) }, actor, action, details, note, step });
    };
    try {
      if (!writeFirst) {
        applyAll();
        await inOrder(write);
        return;
      }
      await inOrder(async () => {
        options.recheck();
        await write();
        applyAll();
      });
    } catch (error) {
      if (error instanceof ActivityFailure && error.cause instanceof ApplicationFailure && error.cause.type === rejection.actorNotAllowed) {
        reject(rejection.actorNotAllowed, `user ${actor} may not take the step ${step.name} on this application`);
      }
      throw error;
    }
  };
  const closed = () => isTerminal(state.stage);
  const readyOrClosed = () => state.stage === 'READY_FOR_PICKUP' || closed();
  const requireStageFor = (step: Step) => {
    if (!canTake(step, state.stage)) reject(rejection.wrongStage, `${step} is not allowed in stage ${state.stage} (needs ${allowedFrom[step].join(' or ')})`);
  };

  wf.setHandler(queries.state, () => state);

  wf.setHandler(updates.accepted, async () => {
    await wf.condition(() => acceptance !== 'pending');
    if (acceptance instanceof ApplicationFailure) throw acceptance;
    return state;
  });

  // Each step's validator; a run that writes before changing state checks it again when the step's
  // turn to write comes, as an earlier step may have changed the state meanwhile.
  const validReview = ({ decision, reason }: ReviewDecision) => {
    requireStageFor('review');
    if (decision === 'refuse' && !reason?.trim()) reject(rejection.reasonRequired, 'a refusal needs a reason');
  };
  const validExtension = ({ days, reason }: Extension) => {
    if (readyOrClosed()) reject(rejection.wrongStage, `no extension once the application is ${state.stage}`);
    const check = checkExtension({ alreadyExtended: state.extension !== undefined, days, reason });
    if (!check.ok) reject(check.code, `extension refused: ${check.code}`);
  };
  const validTemporaryCard = (_: Actor) => {
    if (!state.temporaryCard) reject(rejection.noTemporaryCard, 'no temporary card was requested');
    if (state.temporaryCard?.issuedAt) reject(rejection.wrongStage, 'the temporary card is already issued');
    if (closed()) reject(rejection.wrongStage, `the application is ${state.stage}`);
  };
  const validPrinted = ({ validFrom, validUntil }: Printed) => {
    requireStageFor('printed');
    if (state.printed) reject(rejection.wrongStage, 'the card is already printed');
    if (validUntil !== null && validUntil <= validFrom) reject(rejection.invalidCardPeriod, 'validUntil must be after validFrom');
  };
  const validPrintFailure = (_: PrintFailed) => {
    requireStageFor('printFailed');
    if (state.printed) reject(rejection.wrongStage, 'the card is already printed');
  };
  const validDispatch = (_: Dispatched) => {
    requireStageFor('dispatched');
    if (!state.printed) reject(rejection.notPrinted, 'the card has not been printed');
  };
  const validArrival = (_: Arrived) => requireStageFor('arrived');
  const validPickup = ({ oldCardReturned, temporaryCardReturned }: PickedUp) => {
    requireStageFor('pickedUp');
    // A renewal hands the old card back (交回原证); a replacement has none to hand back.
    if (input.kind === 'renewal' && !oldCardReturned) reject(rejection.oldCardNotReturned, 'the old card must be handed back');
    if (state.temporaryCard?.issuedAt && !temporaryCardReturned) reject(rejection.temporaryCardNotReturned, 'the temporary card must be handed back');
  };
  const validWithdrawal = ({ reason }: Withdrawal) => {
    requireStageFor('withdraw');
    if (!reason?.trim()) reject(rejection.reasonRequired, 'a withdrawal needs a reason');
  };

  /**
   * An official's step, taken by an update: `valid` rejects it on arrival and, as `recheck`, again
   * when the step's turn to write comes. The answer is the state after the step.
   */
  const onStep = <T>(update: UpdateDefinition<ApplicationState, [T]>, valid: (request: T) => void, take: (request: T, recheck: () => void) => Promise<void>) =>
    wf.setHandler(
      update,
      async (request: T) => {
        await take(request, () => valid(request));
        return state;
      },
      { validator: valid },
    );

  onStep(updates.review, validReview, async ({ decision, reason, actor }, recheck) => {
    if (decision === 'approve') {
      await takeStep({ name: 'review' }, actor, 'review.approved', { stage: stageAfter('review', decision) }, () => undefined, { recheck });
      // On the production centre's own queue; the reviewer's answer does not wait for that worker.
      printJobs.push(production.queuePrintJob({ applicationId, homeRegionCode: input.homeRegionCode, acceptingStationCode: input.acceptingStationCode }));
    } else {
      await takeStep({ name: 'review' }, actor, 'review.refused', { stage: stageAfter('review', decision), refusalReason: reason }, () => (state.refusalReason = reason), { note: reason, recheck });
    }
  });

  onStep(updates.extend, validExtension, async ({ days, reason, actor }, recheck) => {
    const extended = deadlineAt(acceptedAt, { deadlineDays: settings.deadlineDays, extensionDays: days }).toISOString();
    // Granted after the deadline, to a new deadline still ahead: no longer overdue (decided once, when the step is taken).
    const clearsOverdue = extensionClearsOverdue && state.overdue && !isOverdue({ deadline: new Date(extended), now: new Date(Date.now()) });
    const extend = () => {
      state.extension = { days, reason };
      state.deadlineAt = extended;
      // The warning moves with the deadline.
      state.warned = false;
      if (clearsOverdue) state.overdue = false;
    };
    const change = { deadlineAt: extended, extensionDays: days, extensionReason: reason, ...(clearsOverdue ? { overdue: false } : {}) };
    await takeStep({ name: 'extend' }, actor, 'deadline.extended', change, extend, { details: { days, ...(clearsOverdue ? { overdueCleared: true } : {}) }, recheck });
  });

  onStep(updates.temporaryCardIssued, validTemporaryCard, async ({ actor }, recheck) => {
    const issuedAt = now();
    await takeStep({ name: 'temporaryCardIssued' }, actor, 'temporary_card.issued', { temporaryCardIssuedAt: issuedAt }, () => (state.temporaryCard!.issuedAt = issuedAt), { recheck });
  });

  onStep(updates.printed, validPrinted, async ({ validFrom, validUntil, actor }, recheck) => {
    await takeStep({ name: 'printed' }, actor, 'card.printed', { newCardValidFrom: validFrom, newCardValidUntil: validUntil }, () => (state.printed = { validFrom, validUntil }), { recheck });
  });

  onStep(updates.printFailed, validPrintFailure, async ({ reason, actor }, recheck) => {
    // Counted when the write's turn comes: two failures reported at once are attempts n and n + 1.
    let attempt = 0;
    const count = () => {
      attempt = state.printFailures + 1;
    };
    if (!writeFirst) count();
    await takeStep({ name: 'printFailed' }, actor, 'card.print_failed', () => ({ printFailures: attempt }), () => (state.printFailures = attempt), {
      details: () => ({ attempt }),
      note: reason,
      recheck: () => {
        recheck();
        count();
      },
    });
    if (state.printFailures > settings.reprintLimit && !state.managersAlertedOfReprints) {
      state.managersAlertedOfReprints = true;
      await notify('print.failures_exceeded', 'manager', input.homeRegionCode);
    }
  });

  onStep(updates.dispatched, validDispatch, async ({ trackingNumber, actor }, recheck) => {
    // Routed back to the station that accepted it: the sorting the pilots lacked (分拣).
    await takeStep({ name: 'dispatched' }, actor, 'card.dispatched', { stage: stageAfter('dispatched'), trackingNumber }, () => (state.trackingNumber = trackingNumber), {
      note: `to ${input.acceptingStationCode}`,
      recheck,
    });
  });

  onStep(updates.arrived, validArrival, async ({ stationCode, trackingNumber, actor }, recheck) => {
    const step: StepTaken = { name: 'arrived', stationCode, ...(trackingNumber !== undefined ? { trackingNumber } : {}) };
    if (stationCode !== input.acceptingStationCode) {
      const details = { arrivedAt: stationCode, resentTo: input.acceptingStationCode };
      await takeStep(step, actor, 'card.misrouted', { misrouted: true }, () => state.misroutedArrivals.push(stationCode), { details, recheck });
      await notify('card.misrouted', 'production', input.homeRegionCode, occurrence(state.misroutedArrivals.length));
      return;
    }
    await takeStep(step, actor, 'card.arrived', { stage: stageAfter('arrived'), readyForPickupAt: now() }, (at) => (state.readyForPickupAt = at), { recheck });
  });

  onStep(updates.pickedUp, validPickup, async ({ oldCardReturned, temporaryCardReturned, actor }, recheck) => {
    const handOver = () => {
      if (state.temporaryCard?.issuedAt) state.temporaryCard.returned = true;
    };
    // completePickup writes the COMPLETED stage itself.
    await takeStep({ name: 'pickedUp' }, actor, 'application.picked_up', { stage: stageAfter('pickedUp') }, handOver, {
      recheck,
      write: (at) => {
        const card = state.printed!;
        return activities.completePickup({ applicationId, idNumber: input.idNumber, validFrom: card.validFrom, validUntil: card.validUntil, at, actor, oldCardReturned, temporaryCardReturned });
      },
    });
  });

  onStep(updates.withdraw, validWithdrawal, async ({ reason, actor }, recheck) => {
    await takeStep({ name: 'withdraw' }, actor, 'application.withdrawn', { stage: stageAfter('withdraw'), withdrawalReason: reason }, () => (state.withdrawalReason = reason), { note: reason, recheck });
  });

  if (resume) {
    try {
      // An import from the old system records the application itself; a restart takes over its row.
      if (resume.imported) await activities.recordImport({ ...input, workflowId: wf.workflowInfo().workflowId, runId: wf.workflowInfo().runId, at: now() });
      else await activities.recordResumption({ applicationId, runId: wf.workflowInfo().runId, previousRunId: resume.previousRunId, stage: resume.stage, restart: resume.restart, at: now() });
    } catch (error) {
      const failure = resume.imported
        ? ApplicationFailure.create({ type: DUPLICATE_APPLICATION, message: 'an application is already in progress for this person', nonRetryable: true, cause: error as Error })
        : ApplicationFailure.create({ type: RESUMPTION_OUTDATED, message: 'the application moved on or closed before its workflow resumed', nonRetryable: true, cause: error as Error });
      acceptance = failure;
      await wf.condition(wf.allHandlersFinished);
      throw failure;
    }
    // An imported case already past its deadline was recorded overdue: managers hear of it now, under watchDeadline's keys.
    if (resume.imported && state.overdue) {
      await notify('deadline.overdue', 'manager', input.acceptingStationCode, state.deadlineAt);
      await notify('deadline.overdue', 'manager', input.homeRegionCode, `${state.deadlineAt}:home`);
    }
    if (resume.stage === 'ACCEPTED') await moveTo('HOME_REVIEW', 'review.requested', input.acceptedBy);
    // The print job may never have been queued before the run was lost; queuing is idempotent.
    if (resume.stage === 'PRINTING' && !state.printed) printJobs.push(production.queuePrintJob({ applicationId, homeRegionCode: input.homeRegionCode, acceptingStationCode: input.acceptingStationCode }));
    acceptance = 'recorded';
  } else {
    const reviewWithAcceptance = wf.patched(ACCEPTANCE_REQUESTS_REVIEW);
    try {
      await activities.recordAcceptance({
        ...input,
        workflowId: wf.workflowInfo().workflowId,
        runId: wf.workflowInfo().runId,
        acceptedAt: state.acceptedAt,
        deadlineAt: state.deadlineAt,
        temporaryCardDueAt: state.temporaryCard?.dueAt,
        ...(reviewWithAcceptance ? { reviewRequestedAt: state.acceptedAt } : {}),
      });
    } catch (error) {
      const failure = ApplicationFailure.create({ type: DUPLICATE_APPLICATION, message: 'an application is already in progress for this person', nonRetryable: true, cause: error as Error });
      acceptance = failure;
      await wf.condition(wf.allHandlersFinished);
      throw failure;
    }
    // The application data travels to the home region at once (户籍地审核签发); the station's answer waits for it.
    if (reviewWithAcceptance) {
      reviewRequestedAt = acceptedAt.getTime();
      state.stage = 'HOME_REVIEW';
      state.history.push({ stage: 'HOME_REVIEW', at: state.acceptedAt });
    } else {
      await moveTo('HOME_REVIEW', 'review.requested', input.acceptedBy);
    }
    acceptance = 'recorded';
  }
  // Recorded: a new acceptance's deadline and HOME_REVIEW (a run started without attributes gets them all).
  showState();

  const rulesFromDomain = wf.patched(DEADLINE_RULES_FROM_DOMAIN);
  const watchers = [
    watchDeadline(),
    rulesFromDomain
      ? remindOfReview()
      : remindWhileIn('HOME_REVIEW', settings.reviewReminderDays, 'review.reminder', 'reviewer', input.homeRegionCode, (n) => (state.reviewReminders = n)),
    watchTemporaryCard(),
    waitThen(() => state.stage === 'READY_FOR_PICKUP' || closed(), () =>
      remindWhileIn('READY_FOR_PICKUP', settings.pickupReminderDays, 'pickup.reminder', 'applicant', input.acceptingStationCode, (n) => (state.pickupReminders = n)),
    ),
  ];

  await wf.condition(closed);
  await Promise.all(watchers);
  await wf.condition(wf.allHandlersFinished);
  await writes;
  await Promise.all(printJobs);
  return state;

  /**
   * Warns `warningDays` before the deadline and marks the application overdue at the first instant
   * the domain calls it overdue (1 ms past the deadline: ready exactly at the deadline is on time);
   * both move with an extension.
   */
  async function watchDeadline(): Promise<void> {
    // A restarted application already marked overdue was announced by its lost run.
    if (state.overdue && !extensionClearsOverdue) return;
    while (!readyOrClosed()) {
      const deadline = state.deadlineAt;
      const deadlineMoved = () => state.deadlineAt !== deadline;
      if (state.overdue) {
        // Overdue until ready or closed, or until an extension to a deadline still ahead clears it: then armed again.
        await wf.condition(() => readyOrClosed() || deadlineMoved());
        continue;
      }
      const deadlineMs = Date.parse(deadline);
      const overdueFrom = rulesFromDomain ? deadlineMs + 1 : deadlineMs;
      const target = state.warned ? overdueFrom : warningAt(new Date(deadlineMs), settings.warningDays).getTime();
      const interrupted = await waitUntil(target, () => readyOrClosed() || deadlineMoved());
      if (interrupted) continue;
      if (!state.warned) {
        state.warned = true;
        await notify('deadline.warning', 'manager', input.acceptingStationCode, deadline);
        continue;
      }
      if (rulesFromDomain && !isOverdue({ deadline: new Date(deadlineMs), now: new Date(Date.now()) })) continue;
      state.overdue = true;
      showState();
      await record('deadline.overdue', 'system', { overdue: true });
      await notify('deadline.overdue', 'manager', input.acceptingStationCode, deadline);
      await notify('deadline.overdue', 'manager', input.homeRegionCode, `${deadline}:home`);
      if (!extensionClearsOverdue) return;
    }
  }

  /**
   * Reminds the home region of a review still waiting, at the domain's instants: every
   * `reviewReminderDays` after the review was requested, strictly before the deadline (an extension
   * moves that end, so the instants are taken again when it moves).
   */
  async function remindOfReview(): Promise<void> {
    const since = new Date(reviewRequestedAt);
    let sent = 0;
    while (state.stage === 'HOME_REVIEW') {
      const deadline = state.deadlineAt;
      const leftOrMoved = () => state.stage !== 'HOME_REVIEW' || state.deadlineAt !== deadline;
      const next = reviewReminderTimes(since, settings.reviewReminderDays, new Date(deadline))[sent];
      if (!next) {
        // None left before this deadline: wait for the decision, or for an extension that makes room.
        await wf.condition(leftOrMoved);
        continue;
      }
      if (await waitUntil(next.getTime(), leftOrMoved)) continue;
      sent += 1;
      state.reviewReminders = sent;
      await notify('review.reminder', 'reviewer', input.homeRegionCode, occurrence(sent));
    }
  }

  /** The home county must issue a requested temporary card within 3 days of acceptance. */
  async function watchTemporaryCard(): Promise<void> {
    const card = state.temporaryCard;
    if (!card || card.overdue) return;
    const interrupted = await waitUntil(Date.parse(card.dueAt), () => card.issuedAt !== undefined || closed());
    if (interrupted) return;
    card.overdue = true;
    await record('temporary_card.overdue', 'system', { temporaryCardOverdue: true });
    await notify('temporary_card.overdue', 'manager', input.homeRegionCode);
  }

  /** Reminds every `everyDays` while the application stays in `stage` (pickup; review in runs from before the patch). */
  async function remindWhileIn(stage: ApplicationStage, everyDays: number, topic: string, role: Notification['recipientRole'], recipientCode: string, count: (n: number) => void): Promise<void> {
    for (let reminder = 1; state.stage === stage; reminder++) {
      const left = await wf.condition(() => state.stage !== stage, everyDays * DAY_MS);
      if (left) return;
      count(reminder);
      await notify(topic, role, recipientCode, occurrence(reminder));
    }
  }
}

/**
 * The state of a restarted application, from what the read model recorded. Deadline warnings and
 * overdue notices carry the deadline in their keys, so one the lost run sent is not sent twice.
 */
function resumedState(input: ApplicationInput, resume: Resumption): ApplicationState {
  const settings: ApplicationSettings = input.settings;
  return {
    applicationId: input.applicationId,
    stage: resume.stage,
    acceptingStationCode: input.acceptingStationCode,
    homeRegionCode: input.homeRegionCode,
    kind: input.kind,
    acceptedAt: resume.acceptedAt,
    deadlineAt: resume.deadlineAt,
    ...(resume.extension ? { extension: resume.extension } : {}),
    overdue: resume.overdue,
    warned: false,
    reviewReminders: 0,
    ...(resume.printed ? { printed: resume.printed } : {}),
    printFailures: resume.printFailures,
    managersAlertedOfReprints: resume.printFailures > settings.reprintLimit,
    ...(resume.trackingNumber ? { trackingNumber: resume.trackingNumber } : {}),
    misroutedArrivals: [],
    ...(resume.readyForPickupAt ? { readyForPickupAt: resume.readyForPickupAt } : {}),
    pickupReminders: 0,
    temporaryCard: resume.temporaryCard ? { ...resume.temporaryCard } : undefined,
    history: resume.history.map((entry) => ({ ...entry })),
  };
}

/** Waits until `atMs` (workflow time); true when `interrupt` became true first. */
async function waitUntil(atMs: number, interrupt: () => boolean): Promise<boolean> {
  const remaining = atMs - Date.now();
  if (remaining <= 0) return interrupt();
  return wf.condition(interrupt, remaining);
}

async function waitThen(ready: () => boolean, then: () => Promise<void>): Promise<void> {
  await wf.condition(ready);
  await then();
}
