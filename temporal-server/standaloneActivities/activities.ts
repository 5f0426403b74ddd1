/**
 * Standalone activities: activities a client starts on their own, with no workflow (SDK 1.24
 * `client.activity`; `chasm/lib/activity` in temporalio/temporal). Each one is a record in the runs'
 * store — an {@link ExecutionRecord} with `standaloneActivity` set, keyed by a run id of its own and
 * an activity id kept apart from workflow ids — that hosts exactly one {@link ActivityState}
 * (`activities[1]`) while it is open. So the task goes to the workers polling its task queue, is
 * started, heartbeats, completes, fails, is cancelled, retried with backoff and timed out by the very
 * moves the engine makes for a workflow's activity (`engine.ts`), on the same task queues and timer
 * queue (time skipping drives it), in the same units of work, and is put back on its queue or timers
 * at start like any running run. Where a workflow's activity would write its closing event into the
 * workflow's history, the engine hands the close to {@link StandaloneActivities.closed}: the record
 * takes its terminal status and outcome, and long polls waiting for it are answered.
 */
import { randomUUID } from 'node:crypto';
import { status as grpcStatus } from '@grpc/grpc-js';
import { activityTimeouts } from '../commands';
import * as control from '../activityControl';
import { RUNNING, encodeToken, type Engine } from '../engine';
import { alreadyExists, failedPrecondition, invalidArgument, notFound, ServiceError } from '../errors';
import { duration, timestamp, toMs, type Pb } from '../proto';
import { asIndexedFields, mergeSearchAttributes, setOrUnset, validateSearchAttributes, type SaType } from '../searchAttributes';
import { ACTIVITY_KEY_PREFIX as KEY_PREFIX, type ActivityState, type ExecutionRecord, type ExecutionStatus } from '../store';
import { standaloneListing } from '../handlers/listWorkflowExecutions';
import { claimId, standaloneRun } from '../standaloneRecords';

/** What a standalone activity's record holds besides the one activity. */
export interface StandaloneActivityInfo {
  activityId: string;
  identity: string;
  /** When the first attempt may be dispatched: the schedule time plus the start delay. */
  executionTime: number;
  startDelayMs: number;
  userMetadata?: Pb;
  priority?: Pb;
  /** `{ result }` or `{ failure, retryState }`, once closed. */
  outcome?: Pb;
  /** The activity as it was when it closed (while open it is `activities[1]`). */
  final?: ActivityState;
  cancelRequestId?: string;
  cancelReason?: string;
  terminateRequestId?: string;
  /** When the last attempt a worker held ended. */
  lastAttemptCompleteTime?: number;
  /** The options it was started with, for a reset or update that restores them. */
  originalOptions?: control.ActivityOptionValues & { startDelayMs: number; priority?: Pb };
  lastUnpauseRequestId?: string;
  lastResetRequestId?: string;
  lastUpdateOptionsRequestId?: string;
}

/** The one activity of a standalone record sits where a workflow's first scheduled activity would. */
export const ACTIVITY_SLOT = 1;
/** Attributes a filter over activities may name besides the system and custom ones. */
const ACTIVITY_ATTRIBUTES: Record<string, SaType> = { ActivityId: 'Keyword', ActivityType: 'Keyword' };

const CLOSE_STATUS: Record<string, ExecutionStatus> = {
  EVENT_TYPE_ACTIVITY_TASK_COMPLETED: 'WORKFLOW_EXECUTION_STATUS_COMPLETED',
  EVENT_TYPE_ACTIVITY_TASK_FAILED: 'WORKFLOW_EXECUTION_STATUS_FAILED',
  EVENT_TYPE_ACTIVITY_TASK_TIMED_OUT: 'WORKFLOW_EXECUTION_STATUS_TIMED_OUT',
  EVENT_TYPE_ACTIVITY_TASK_CANCELED: 'WORKFLOW_EXECUTION_STATUS_CANCELED',
};

const RETRYABLE_TIMEOUTS = ['TIMEOUT_TYPE_START_TO_CLOSE', 'TIMEOUT_TYPE_HEARTBEAT'];
/** The real server's words (`common.FailureReasonActivityRetryScheduleToCloseTimeout`). */
const NO_TIME_TO_RETRY = 'Not enough time to schedule next retry before activity ScheduleToClose timeout, giving up retrying';

/** `ACTIVITY_EXECUTION_STATUS_…` for the record's status (the same names as a workflow's). */
export const activityStatus = (status: ExecutionStatus): string => status.replace('WORKFLOW_EXECUTION_STATUS_', 'ACTIVITY_EXECUTION_STATUS_');

const stringPayload = (text: string): Pb => ({ metadata: { encoding: Buffer.from('json/plain') }, data: Buffer.from(JSON.stringify(text)) });

export class StandaloneActivities {
  private readonly listing;

  constructor(private readonly engine: Engine) {
    this.listing = standaloneListing(engine, ACTIVITY_ATTRIBUTES, 'activity');
  }

  // ---------------------------------------------------------------- finding

  /**
   * The run `runId` of `activityId`, or its latest run.
   * @throws ServiceError NOT_FOUND when there is none.
   */
  find(namespace: string, activityId: string, runId?: string): ExecutionRecord {
    if (!activityId) throw invalidArgument('ActivityId is not set on request.');
    const store = this.engine.store;
    const exec = runId ? store.getExecution(namespace, runId) : store.getCurrentRun(namespace, KEY_PREFIX + activityId);
    if (!exec?.standaloneActivity || exec.standaloneActivity.activityId !== activityId) {
      throw notFound(`activity execution not found for activity ID ${activityId}${runId ? ` and run ID ${runId}` : ''}`);
    }
    return exec;
  }

  /** The activity a request names by `namespace`, `activityId` and (optionally) `runId`, as {@link find}. */
  private requested(request: Pb): ExecutionRecord {
    return this.find(this.engine.requireNamespace(request.namespace), request.activityId ?? '', request.runId || undefined);
  }

  /** The activity as it is now: the open one, or as it closed. */
  activity(exec: ExecutionRecord): ActivityState {
    return exec.activities[ACTIVITY_SLOT] ?? exec.standaloneActivity!.final!;
  }

  /** The task token of the running attempt, for the `…ById` respond calls with no workflow id. */
  tokenById(namespace: string, activityId: string, runId: string | undefined): Buffer {
    const exec = this.find(namespace, activityId, runId || undefined);
    const activity = exec.activities[ACTIVITY_SLOT];
    if (exec.status !== RUNNING || !activity || activity.phase !== 'started' || !activity.token) throw notFound('Activity task not found.');
    return encodeToken({ kind: 'activity', namespace, runId: exec.runId, id: ACTIVITY_SLOT, token: activity.token, standalone: true });
  }

  // ---------------------------------------------------------------- start

  /**
   * StartActivityExecution: a new run, the running one (USE_EXISTING, or a retried request id), or
   * ALREADY_EXISTS with `ActivityExecutionAlreadyStartedFailure` as the id policies say.
   */
  start(request: Pb): Pb {
    const h = this.engine;
    const namespace = h.requireNamespace(request.namespace);
    const activityId: string = request.activityId ?? '';
    if (!activityId) throw invalidArgument('ActivityId is not set on request.');
    if (!request.activityType?.name) throw invalidArgument('ActivityType is not set on request.');
    if (!request.taskQueue?.name) throw invalidArgument('TaskQueue is not set on request.');
    if (!toMs(request.scheduleToCloseTimeout) && !toMs(request.startToCloseTimeout)) {
      throw invalidArgument('A valid StartToClose or ScheduleToCloseTimeout is not set on request.');
    }
    for (const field of ['scheduleToCloseTimeout', 'scheduleToStartTimeout', 'startToCloseTimeout', 'heartbeatTimeout', 'startDelay']) {
      if (toMs(request[field]) < 0) throw invalidArgument(`${field} must not be negative.`);
    }
    const reuse: string = request.idReusePolicy || 'ACTIVITY_ID_REUSE_POLICY_UNSPECIFIED';
    const conflict: string = request.idConflictPolicy || 'ACTIVITY_ID_CONFLICT_POLICY_UNSPECIFIED';
    if (!/^ACTIVITY_ID_REUSE_POLICY_(UNSPECIFIED|ALLOW_DUPLICATE|ALLOW_DUPLICATE_FAILED_ONLY|REJECT_DUPLICATE)$/.test(reuse)) throw invalidArgument(`unsupported ID reuse policy: ${reuse}`);
    if (!/^ACTIVITY_ID_CONFLICT_POLICY_(UNSPECIFIED|FAIL|USE_EXISTING)$/.test(conflict)) throw invalidArgument(`unsupported ID conflict policy: ${conflict}`);
    const requestId: string = request.requestId || randomUUID();
    const given = request.searchAttributes?.indexedFields;
    const validated = validateSearchAttributes(h.store, namespace, given);

    const existing = claimId(
      h,
      h.store.getCurrentRun(namespace, KEY_PREFIX + activityId),
      { requestId, reuse: reuse.replace('ACTIVITY_ID_REUSE_POLICY_', ''), conflict: conflict.replace('ACTIVITY_ID_CONFLICT_POLICY_', ''), attachRequestId: request.onConflictOptions?.attachRequestId },
      (current) =>
        alreadyExists('activity execution already started', {
          type: 'temporal.api.errordetails.v1.ActivityExecutionAlreadyStartedFailure',
          value: { startRequestId: current.startRequestIds[0] ?? '', runId: current.runId },
        }),
    );
    if (existing) return existing;

    const now = h.clock.now();
    const startDelayMs = toMs(request.startDelay);
    const executionTime = now + startDelayMs;
    const runId = randomUUID();
    const options = { taskQueue: request.taskQueue.name, ...activityTimeouts(request, 0) };
    const searchAttributes: Record<string, Pb> = {};
    if (given && Object.keys(given).length > 0) mergeSearchAttributes(searchAttributes, setOrUnset(asIndexedFields(validated, given)));
    const exec: ExecutionRecord = {
      ...standaloneRun({ namespace, key: KEY_PREFIX + activityId, runId, type: request.activityType.name, taskQueue: request.taskQueue.name, now, requestId, searchAttributes }),
      standaloneActivity: {
        activityId,
        identity: request.identity ?? '',
        executionTime,
        startDelayMs,
        userMetadata: request.userMetadata,
        priority: request.priority,
        originalOptions: { ...options, startDelayMs, priority: request.priority },
      },
    };
    const activity: ActivityState = {
      scheduledEventId: ACTIVITY_SLOT,
      activityId,
      activityType: request.activityType.name,
      input: request.input,
      header: request.header,
      ...options,
      // Timeouts count from when the first attempt may be dispatched.
      scheduledTime: executionTime,
      attempt: 1,
      attemptScheduledTime: executionTime,
      phase: 'scheduled',
      cancelRequested: false,
    };
    exec.activities[ACTIVITY_SLOT] = activity;
    h.store.putExecution(exec);
    h.armScheduleToCloseTimer(exec, activity);
    if (startDelayMs > 0) {
      // The start delay is a backoff before the first attempt: on the timer queue, not holding the clock.
      activity.phase = 'backoff';
      activity.retryTime = executionTime;
      h.armBackoffTimer(exec, activity);
    } else {
      h.dispatchActivity(exec, activity);
    }
    h.save(exec);
    return { runId, started: true };
  }

  // ---------------------------------------------------------------- the engine's hooks

  /** The poll response for a started attempt: as for a workflow's activity, without a workflow, with the activity's run id. */
  task(exec: ExecutionRecord, activity: ActivityState): Pb {
    return {
      taskToken: encodeToken({ kind: 'activity', namespace: exec.namespace, runId: exec.runId, id: ACTIVITY_SLOT, token: activity.token!, standalone: true }),
      workflowNamespace: exec.namespace,
      activityType: { name: activity.activityType },
      activityId: activity.activityId,
      activityRunId: exec.runId,
      header: activity.header,
      input: activity.input,
      heartbeatDetails: activity.heartbeatDetails,
      scheduledTime: timestamp(activity.scheduledTime),
      currentAttemptScheduledTime: timestamp(activity.attemptScheduledTime),
      startedTime: timestamp(activity.startedTime!),
      attempt: activity.attempt,
      scheduleToCloseTimeout: duration(activity.scheduleToCloseMs),
      startToCloseTimeout: duration(activity.startToCloseMs),
      heartbeatTimeout: duration(activity.heartbeatMs),
      retryPolicy: activity.retryPolicy,
      priority: exec.standaloneActivity!.priority,
    };
  }

  /**
   * The activity closed (the engine's `closeActivity`: completed, failed for good, timed out,
   * cancelled): the record takes the terminal status and keeps the outcome.
   */
  closed(exec: ExecutionRecord, activity: ActivityState, eventType: string, attributes: Pb): void {
    const status = CLOSE_STATUS[eventType];
    if (!status) throw new ServiceError(grpcStatus.INTERNAL, `standalone activity cannot close with ${eventType}`);
    let outcome: Pb;
    if (status === 'WORKFLOW_EXECUTION_STATUS_COMPLETED') outcome = { result: attributes.result ?? { payloads: [] } };
    else if (status === 'WORKFLOW_EXECUTION_STATUS_CANCELED') {
      outcome = { failure: { message: 'Activity canceled', source: 'Server', canceledFailureInfo: { details: attributes.details } } };
    } else if (status === 'WORKFLOW_EXECUTION_STATUS_TIMED_OUT' && attributes.retryState === 'RETRY_STATE_TIMEOUT' && RETRYABLE_TIMEOUTS.includes(attributes.failure?.timeoutFailureInfo?.timeoutType)) {
      // An attempt timed out and no retry fits before the schedule-to-close deadline: the real server
      // reports that deadline, with the attempt before's failure as the cause.
      const failure = {
        message: NO_TIME_TO_RETRY,
        source: 'Server',
        timeoutFailureInfo: { timeoutType: 'TIMEOUT_TYPE_SCHEDULE_TO_CLOSE', lastHeartbeatDetails: activity.heartbeatDetails },
        cause: activity.lastFailure,
      };
      outcome = { failure, retryState: attributes.retryState };
      activity.lastFailure = attributes.failure;
    } else outcome = { failure: attributes.failure, retryState: attributes.retryState };
    this.finish(exec, activity, status, outcome);
  }

  private finish(exec: ExecutionRecord, activity: ActivityState, status: ExecutionStatus, outcome: Pb): void {
    const h = this.engine;
    const info = exec.standaloneActivity!;
    h.clearActivityTimers(exec, ACTIVITY_SLOT, true);
    h.timers.clearRun(exec.namespace, exec.runId);
    h.release(exec, `activity:${ACTIVITY_SLOT}`);
    // The last attempt's failure (the outcome's own failure, but for a cancel or terminate, which are not attempts').
    if (outcome.failure && status !== 'WORKFLOW_EXECUTION_STATUS_CANCELED' && status !== 'WORKFLOW_EXECUTION_STATUS_TERMINATED' && outcome.failure.message !== NO_TIME_TO_RETRY) {
      activity.lastFailure = outcome.failure;
    }
    if (activity.phase === 'started') info.lastAttemptCompleteTime = h.clock.now();
    activity.token = undefined;
    delete exec.activities[ACTIVITY_SLOT];
    info.final = activity;
    info.outcome = outcome;
    exec.status = status;
    exec.closeTime = h.clock.now();
    h.save(exec);
  }

  // ---------------------------------------------------------------- the outcome and description

  /** PollActivityExecution: waits (a long poll) for the outcome; answers without one when the poll runs out. */
  async poll(request: Pb, deadline: number): Promise<Pb> {
    const h = this.engine;
    const namespace = h.requireNamespace(request.namespace);
    let exec = this.find(namespace, request.activityId ?? '', request.runId || undefined);
    const runId = exec.runId;
    const ready = () => (h.store.getExecution(namespace, runId) ?? exec).status !== RUNNING;
    if (!ready()) {
      await h.longPoll(exec, 'historyWaiters', ready, deadline);
      exec = h.store.getExecution(namespace, runId) ?? exec;
    }
    return { runId, outcome: exec.status === RUNNING ? undefined : exec.standaloneActivity!.outcome };
  }

  /**
   * DescribeActivityExecution: status, run state, attempt, timeouts, heartbeat and last failure
   * (when asked), input and outcome (when asked). With `longPollToken`, waits until the state
   * differs from the one the token names.
   */
  async describe(request: Pb, deadline: number): Promise<Pb> {
    const h = this.engine;
    const namespace = h.requireNamespace(request.namespace);
    let exec = this.find(namespace, request.activityId ?? '', request.runId || undefined);
    const runId = exec.runId;
    if (request.longPollToken?.length) {
      if (!request.runId) throw invalidArgument('run id is required with a long poll token');
      const seen = Buffer.from(request.longPollToken).toString('utf8');
      const changed = () => this.stateToken(h.store.getExecution(namespace, runId) ?? exec) !== seen;
      if (!changed()) {
        await h.longPoll(exec, 'historyWaiters', changed, deadline);
        exec = h.store.getExecution(namespace, runId) ?? exec;
      }
    }
    const info = exec.standaloneActivity!;
    return {
      runId,
      info: this.executionInfo(exec, !!request.includeHeartbeatDetails, !!request.includeLastFailure),
      input: request.includeInput ? this.activity(exec).input : undefined,
      outcome: request.includeOutcome && exec.status !== RUNNING ? info.outcome : undefined,
      longPollToken: exec.status === RUNNING ? Buffer.from(this.stateToken(exec)) : undefined,
      callbacks: [],
    };
  }

  /** Names the state a describe saw: any move of the activity changes it. */
  private stateToken(exec: ExecutionRecord): string {
    const activity = this.activity(exec);
    return [exec.status, activity.phase, activity.attempt, activity.cancelRequested, !!activity.pause, !!activity.resetRequested, activity.lastHeartbeatTime ?? 0].join('|');
  }

  private runState(exec: ExecutionRecord, activity: ActivityState): string {
    if (exec.status !== RUNNING) return 'PENDING_ACTIVITY_STATE_UNSPECIFIED';
    return control.pendingActivityState(activity);
  }

  /** The state as the real server's activity state machine names it in its refusals. */
  private machineState(exec: ExecutionRecord, activity: ActivityState): string {
    if (exec.status !== RUNNING) return activityStatus(exec.status);
    if (activity.cancelRequested) return 'ACTIVITY_EXECUTION_STATUS_CANCEL_REQUESTED';
    if (activity.resetRequested) return 'ACTIVITY_EXECUTION_STATUS_RESET_REQUESTED';
    if (activity.phase === 'started') return activity.pause ? 'ACTIVITY_EXECUTION_STATUS_PAUSE_REQUESTED' : 'ACTIVITY_EXECUTION_STATUS_STARTED';
    return activity.pause ? 'ACTIVITY_EXECUTION_STATUS_PAUSED' : 'ACTIVITY_EXECUTION_STATUS_SCHEDULED';
  }

  executionInfo(exec: ExecutionRecord, withHeartbeat: boolean, withLastFailure: boolean): Pb {
    const h = this.engine;
    const info = exec.standaloneActivity!;
    const activity = this.activity(exec);
    const policy = activity.retryPolicy;
    const open = exec.status === RUNNING;
    let retryIntervalMs: number | undefined;
    if (open && activity.phase === 'backoff' && activity.attempt > 1) retryIntervalMs = Math.max(0, activity.retryTime! - h.clock.now());
    else if (open && (policy.maximumAttempts === 0 || activity.attempt < policy.maximumAttempts)) {
      retryIntervalMs = Math.min(toMs(policy.initialInterval) * Math.pow(policy.backoffCoefficient, activity.attempt - 1), toMs(policy.maximumInterval));
    }
    return {
      ...this.listInfo(exec),
      runState: this.runState(exec, activity),
      scheduleToCloseTimeout: duration(activity.scheduleToCloseMs),
      scheduleToStartTimeout: duration(activity.scheduleToStartMs),
      startToCloseTimeout: duration(activity.startToCloseMs),
      heartbeatTimeout: duration(activity.heartbeatMs),
      retryPolicy: policy,
      heartbeatDetails: withHeartbeat ? activity.heartbeatDetails : undefined,
      lastHeartbeatTime: activity.lastHeartbeatTime ? timestamp(activity.lastHeartbeatTime) : undefined,
      lastStartedTime: activity.startedTime ? timestamp(activity.startedTime) : undefined,
      attempt: activity.attempt,
      expirationTime: activity.scheduleToCloseMs ? timestamp(activity.scheduledTime + activity.scheduleToCloseMs) : undefined,
      lastFailure: withLastFailure ? activity.lastFailure : undefined,
      lastWorkerIdentity: activity.startedIdentity ?? '',
      currentRetryInterval: retryIntervalMs !== undefined ? duration(retryIntervalMs) : undefined,
      lastAttemptCompleteTime: info.lastAttemptCompleteTime ? timestamp(info.lastAttemptCompleteTime) : undefined,
      nextAttemptScheduleTime: open && activity.phase === 'backoff' ? timestamp(activity.retryTime!) : undefined,
      priority: info.priority,
      header: activity.header,
      userMetadata: info.userMetadata,
      canceledReason: info.cancelReason ?? '',
      startDelay: info.startDelayMs ? duration(info.startDelayMs) : undefined,
    };
  }

  /** `ActivityExecutionListInfo`: what a list shows of each activity. */
  listInfo(exec: ExecutionRecord): Pb {
    const info = exec.standaloneActivity!;
    return {
      activityId: info.activityId,
      runId: exec.runId,
      activityType: { name: exec.workflowType },
      scheduleTime: timestamp(exec.startTime),
      closeTime: exec.closeTime !== undefined ? timestamp(exec.closeTime) : undefined,
      status: activityStatus(exec.status),
      searchAttributes: { indexedFields: exec.searchAttributes },
      taskQueue: exec.taskQueue,
      executionDuration: exec.closeTime !== undefined ? duration(exec.closeTime - exec.startTime) : undefined,
      executionTime: timestamp(info.executionTime),
    };
  }

  // ---------------------------------------------------------------- cancel and terminate

  /**
   * RequestCancelActivityExecution: an activity no worker holds is cancelled at once; one with a
   * worker is marked, the worker learns it from its next heartbeat and answers RespondActivityTaskCanceled.
   */
  requestCancel(request: Pb): Pb {
    const h = this.engine;
    const exec = this.requested(request);
    const info = exec.standaloneActivity!;
    if (request.requestId && info.cancelRequestId === request.requestId) return {};
    if (exec.status !== RUNNING) throw failedPrecondition(`activity is in terminal state ${activityStatus(exec.status)}`);
    const activity = exec.activities[ACTIVITY_SLOT];
    if (activity.cancelRequested) throw failedPrecondition(`cancellation already requested with request ID ${info.cancelRequestId ?? ''}`);
    activity.cancelRequested = true;
    info.cancelRequestId = request.requestId || randomUUID();
    const reason: string = request.reason ?? '';
    info.cancelReason = reason;
    if (activity.phase !== 'started') {
      this.closed(exec, activity, 'EVENT_TYPE_ACTIVITY_TASK_CANCELED', { details: { payloads: [stringPayload(reason)] } });
    } else {
      h.save(exec);
    }
    return {};
  }

  /** TerminateActivityExecution: closed at once, whatever a worker is doing (its next call finds no task). */
  terminate(request: Pb): Pb {
    const exec = this.requested(request);
    const info = exec.standaloneActivity!;
    if (exec.status === 'WORKFLOW_EXECUTION_STATUS_TERMINATED') {
      if (request.requestId && info.terminateRequestId === request.requestId) return {};
      throw failedPrecondition(`already terminated with request ID ${info.terminateRequestId ?? ''}`);
    }
    if (exec.status !== RUNNING) throw failedPrecondition(`activity is in terminal state ${activityStatus(exec.status)}`);
    info.terminateRequestId = request.requestId || randomUUID();
    const failure = { message: request.reason ?? '', source: 'Server', terminatedFailureInfo: { identity: request.identity ?? '' } };
    this.finish(exec, exec.activities[ACTIVITY_SLOT], 'WORKFLOW_EXECUTION_STATUS_TERMINATED', { failure });
    return {};
  }

  // ---------------------------------------------------------------- operator commands (`activityControl.ts`)

  /**
   * PauseActivityExecution: one waiting for a worker or a retry is held back; one a worker holds runs
   * on and hears of it by heartbeat, and a failed attempt then waits for the unpause. The same
   * request id again is a no-op.
   * @throws ServiceError FAILED_PRECONDITION when closed, paused already or asked to cancel.
   */
  pause(request: Pb): Pb {
    const h = this.engine;
    const exec = this.requested(request);
    const activity = this.activity(exec);
    const requestId: string = request.requestId ?? '';
    if (requestId && activity.lastPauseRequestId === requestId) return {};
    if (exec.status !== RUNNING || activity.pause || activity.cancelRequested || activity.resetRequested) {
      throw failedPrecondition(`activity is in non-pausable state ${this.machineState(exec, activity)}`);
    }
    control.pause(h, exec, activity, { time: h.clock.now(), identity: request.identity ?? '', reason: request.reason ?? '', requestId });
    return {};
  }

  /**
   * UnpauseActivityExecution: one held back is dispatched now (or within `jitter`), not before the
   * retry it was waiting for; one a worker holds just is no longer paused.
   * @throws ServiceError FAILED_PRECONDITION when closed or not paused.
   */
  unpause(request: Pb): Pb {
    const h = this.engine;
    const exec = this.requested(request);
    const info = exec.standaloneActivity!;
    const activity = this.activity(exec);
    const requestId: string = request.requestId ?? '';
    if (requestId && info.lastUnpauseRequestId === requestId) return {};
    if (exec.status !== RUNNING) throw failedPrecondition(`activity is in terminal state ${activityStatus(exec.status)}`);
    if (!activity.pause || activity.resetRequested) throw failedPrecondition(`activity is in non-unpausable state ${this.machineState(exec, activity)}`);
    if (requestId) info.lastUnpauseRequestId = requestId;
    control.unpause(h, exec, activity, { jitterMs: toMs(request.jitter), keepBackoff: true });
    return {};
  }

  /**
   * ResetActivityExecution: back to attempt 1, dispatched now (or within `jitter`) unless it stays
   * paused (`keepPaused`), the retry backoff forgotten; with an attempt out, the worker hears of it by
   * heartbeat and the reset applies when the attempt fails. Optionally without heartbeat details and
   * with the options it was started with.
   * @throws ServiceError FAILED_PRECONDITION when closed, asked to cancel, or a reset is pending.
   */
  reset(request: Pb): Pb {
    const h = this.engine;
    const exec = this.requested(request);
    const info = exec.standaloneActivity!;
    const activity = this.activity(exec);
    const requestId: string = request.requestId ?? '';
    if (requestId && info.lastResetRequestId === requestId) return {};
    if (exec.status !== RUNNING) throw failedPrecondition('activity execution is not running');
    if (activity.cancelRequested) throw failedPrecondition('cannot reset an activity with a pending cancellation');
    if (activity.resetRequested) throw failedPrecondition('cannot reset an activity with a pending reset');
    if (request.restoreOriginalOptions) this.restoreOriginal(exec, activity);
    if (requestId) info.lastResetRequestId = requestId;
    control.reset(h, exec, activity, { jitterMs: toMs(request.jitter), keepPaused: !!request.keepPaused, resetHeartbeat: !!request.resetHeartbeat, attemptNow: false });
    return {};
  }

  /**
   * UpdateActivityExecutionOptions: the fields the mask names change (task queue, timeouts, retry
   * policy, priority, and the start delay while the first attempt waits for it), or the options it
   * was started with come back (`restoreOriginal`). Answers the options after the update.
   * @throws ServiceError FAILED_PRECONDITION when closed, asked to cancel, or a reset is pending.
   */
  updateOptions(request: Pb): Pb {
    const exec = this.requested(request);
    const info = exec.standaloneActivity!;
    const activity = this.activity(exec);
    const requestId: string = request.requestId ?? '';
    const answer = () => ({ activityOptions: { ...control.activityOptions(activity, info.priority), startDelay: duration(info.startDelayMs) } });
    if (requestId && info.lastUpdateOptionsRequestId === requestId) return answer();
    if (exec.status !== RUNNING || activity.cancelRequested || activity.resetRequested) {
      throw failedPrecondition(`Cannot update options for activity in state ${this.machineState(exec, activity)}`);
    }
    const paths = control.maskPaths(request.updateMask);
    if (request.restoreOriginal) {
      if (paths.length) throw invalidArgument('Both UpdateMask and RestoreOriginal are provided');
      this.restoreOriginal(exec, activity);
    } else {
      const given: Pb = request.activityOptions ?? {};
      if (paths.includes('startDelay')) this.changeStartDelay(exec, activity, toMs(given.startDelay));
      if (paths.includes('priority')) info.priority = given.priority;
      for (const field of ['priorityKey', 'fairnessKey', 'fairnessWeight']) {
        if (paths.includes(`priority.${field}`)) info.priority = { ...info.priority, [field]: given.priority?.[field] };
      }
      this.applyOptions(exec, activity, control.mergeOptions(activity, given, paths, 0));
    }
    if (requestId) info.lastUpdateOptionsRequestId = requestId;
    return answer();
  }

  private restoreOriginal(exec: ExecutionRecord, activity: ActivityState): void {
    const info = exec.standaloneActivity!;
    const original = info.originalOptions;
    if (!original) throw failedPrecondition('the original options of this activity are not known');
    const { startDelayMs, priority, ...values } = original;
    info.priority = priority;
    // The start delay only governs the first dispatch: once that happened, restoring it would change nothing.
    if (this.waitsForFirstDispatch(exec, activity)) this.changeStartDelay(exec, activity, startDelayMs);
    this.applyOptions(exec, activity, values);
  }

  /** The record's task queue follows the activity's: describe, lists and filters show where it is now. */
  private applyOptions(exec: ExecutionRecord, activity: ActivityState, values: control.ActivityOptionValues): void {
    exec.taskQueue = values.taskQueue;
    control.applyOptions(this.engine, exec, activity, values);
  }

  private waitsForFirstDispatch(exec: ExecutionRecord, activity: ActivityState): boolean {
    if (activity.startedTime || activity.attempt !== 1) return false;
    return activity.phase === 'paused' || (activity.phase === 'backoff' && this.engine.clock.now() < exec.standaloneActivity!.executionTime);
  }

  /**
   * A new start delay counts from the schedule time, and only while the first attempt waits for it.
   * @throws ServiceError FAILED_PRECONDITION once the first attempt has been dispatched.
   */
  private changeStartDelay(exec: ExecutionRecord, activity: ActivityState, startDelayMs: number): void {
    const h = this.engine;
    const info = exec.standaloneActivity!;
    if (startDelayMs < 0) throw invalidArgument('startDelay must not be negative.');
    if (!this.waitsForFirstDispatch(exec, activity)) throw failedPrecondition('cannot update start_delay: the first activity attempt has already been dispatched');
    info.startDelayMs = startDelayMs;
    info.executionTime = exec.startTime + startDelayMs;
    activity.scheduledTime = info.executionTime;
    activity.attemptScheduledTime = info.executionTime;
    activity.retryTime = info.executionTime;
    if (activity.phase !== 'backoff') return;
    if (info.executionTime <= h.clock.now()) h.retryActivityNow(exec, activity.scheduledEventId);
    else h.armBackoffTimer(exec, activity);
  }

  /**
   * DeleteActivityExecution: a running activity is terminated first; then the run, its outcome and
   * its claim on the id are gone (describe and poll answer NOT_FOUND, the id may start afresh).
   */
  delete(request: Pb): Pb {
    const h = this.engine;
    const exec = this.requested(request);
    if (exec.status === RUNNING) {
      const failure = { message: 'Delete activity execution', source: 'Server', terminatedFailureInfo: { identity: '' } };
      this.finish(exec, exec.activities[ACTIVITY_SLOT], 'WORKFLOW_EXECUTION_STATUS_TERMINATED', { failure });
    }
    h.timers.clearRun(exec.namespace, exec.runId);
    h.store.deleteExecution(exec);
    return {};
  }

  // ---------------------------------------------------------------- visibility

  /** ListActivityExecutions: the activities a filter matches, newest first by default, paged by keyset. */
  list(request: Pb): Pb {
    const { records, nextPageToken } = this.listing.page(request);
    return { executions: records.map((exec) => this.listInfo(exec)), nextPageToken };
  }

  /** CountActivityExecutions: how many match, or how many per ExecutionStatus with GROUP BY. */
  count(request: Pb): Pb {
    return this.listing.count(request);
  }
}
