/**
 * Operator commands on a pending activity — pause, unpause, reset, update options — as moves on one
 * {@link ActivityState}, shared by a workflow's activities (`handlers/pauseActivity.ts`, …; the real
 * server's `service/history/workflow/activity.go`) and standalone ones (`standaloneActivities/`;
 * `chasm/lib/activity`). The callers find the activity and refuse what their server refuses; the
 * moves keep the engine's invariants: an attempt on a queue holds the clock and has its
 * schedule-to-start timer, a paused one has neither and is on no timer but schedule-to-close.
 */
import { activityTimeouts } from './commands';
import type { Engine } from './engine';
import { invalidArgument, notFound } from './errors';
import { duration, timestamp, toMs, type Pb } from './proto';
import type { ActivityPause, ActivityState, ExecutionRecord } from './store';

/** The run state describe shows: paused with no attempt out is PAUSED, with one out PAUSE_REQUESTED. */
export function pendingActivityState(activity: ActivityState): string {
  if (activity.cancelRequested) return 'PENDING_ACTIVITY_STATE_CANCEL_REQUESTED';
  if (activity.phase === 'started') return activity.pause ? 'PENDING_ACTIVITY_STATE_PAUSE_REQUESTED' : 'PENDING_ACTIVITY_STATE_STARTED';
  return activity.pause ? 'PENDING_ACTIVITY_STATE_PAUSED' : 'PENDING_ACTIVITY_STATE_SCHEDULED';
}

/** `PendingActivityInfo.PauseInfo`. */
export function pauseInfo(pause: ActivityPause): Pb {
  return { pauseTime: timestamp(pause.time), manual: { identity: pause.identity, reason: pause.reason } };
}

/** `temporal.api.activity.v1.ActivityOptions` of the activity as it is now. */
export function activityOptions(activity: ActivityState, priority?: Pb): Pb {
  return {
    taskQueue: { name: activity.taskQueue, kind: 'TASK_QUEUE_KIND_NORMAL', normalName: activity.taskQueue },
    scheduleToCloseTimeout: duration(activity.scheduleToCloseMs),
    scheduleToStartTimeout: duration(activity.scheduleToStartMs),
    startToCloseTimeout: duration(activity.startToCloseMs),
    heartbeatTimeout: duration(activity.heartbeatMs),
    retryPolicy: activity.retryPolicy,
    priority,
  };
}

/** Pauses: an attempt on its queue or waiting to retry is held back; one a worker holds runs on. */
export function pause(h: Engine, exec: ExecutionRecord, activity: ActivityState, by: ActivityPause): void {
  activity.pause = by;
  activity.lastPauseRequestId = by.requestId;
  if (activity.phase === 'scheduled' || activity.phase === 'backoff') holdBack(h, exec, activity);
  h.save(exec);
}

/**
 * Unpauses: a held-back attempt is dispatched at `notBefore` (now, or later by a random part of
 * `jitterMs`). `keepBackoff`: not before the retry it was waiting for, as a standalone activity does.
 */
export function unpause(h: Engine, exec: ExecutionRecord, activity: ActivityState, options: { jitterMs: number; resetAttempts?: boolean; resetHeartbeat?: boolean; keepBackoff?: boolean }): void {
  activity.pause = undefined;
  if (options.resetAttempts) activity.attempt = 1;
  if (options.resetHeartbeat) clearHeartbeat(activity);
  if (activity.phase === 'paused') {
    const at = jittered(h, options.jitterMs);
    dispatchAt(h, exec, activity, options.keepBackoff ? Math.max(at, activity.retryTime ?? 0) : at);
  }
  h.save(exec);
}

/**
 * Resets to attempt 1. With no attempt out, it is dispatched again at once (after `jitterMs`) unless
 * it stays paused; with one out, the worker hears of it by heartbeat and the attempt's end applies it
 * (`Engine.retry`). `attemptNow`: the attempt number goes to 1 at once even then (a workflow's
 * activity); otherwise when the attempt ends (a standalone one).
 */
export function reset(
  h: Engine,
  exec: ExecutionRecord,
  activity: ActivityState,
  options: { jitterMs: number; keepPaused: boolean; resetHeartbeat: boolean; attemptNow: boolean },
): void {
  if (activity.pause && !options.keepPaused) activity.pause = undefined;
  if (activity.phase === 'started') {
    if (options.attemptNow) activity.attempt = 1;
    activity.resetRequested = true;
    if (options.resetHeartbeat) activity.resetHeartbeatOnRetry = true;
  } else {
    activity.attempt = 1;
    if (options.resetHeartbeat) clearHeartbeat(activity);
    if (activity.pause) {
      // Stays paused at attempt 1; the backoff it was waiting for is gone.
      activity.retryTime = undefined;
    } else dispatchAt(h, exec, activity, jittered(h, options.jitterMs));
  }
  h.save(exec);
}

/** The options an update may change; `activityTimeouts` (commands.ts) fixes the rest as at scheduling. */
export type ActivityOptionValues = Pick<ActivityState, 'taskQueue' | 'scheduleToCloseMs' | 'scheduleToStartMs' | 'startToCloseMs' | 'heartbeatMs' | 'retryPolicy'>;

/** The field-mask paths an update understands, camel-cased (the SDK and CLI send snake_case). */
const OPTION_PATHS = [
  'taskQueue.name',
  'scheduleToCloseTimeout',
  'scheduleToStartTimeout',
  'startToCloseTimeout',
  'heartbeatTimeout',
  'retryPolicy',
  'retryPolicy.initialInterval',
  'retryPolicy.backoffCoefficient',
  'retryPolicy.maximumInterval',
  'retryPolicy.maximumAttempts',
  'priority',
  'priority.priorityKey',
  'priority.fairnessKey',
  'priority.fairnessWeight',
  'startDelay',
];

export function maskPaths(mask: Pb | undefined): string[] {
  const camel = (path: string) => path.replace(/_([a-z])/g, (_, letter: string) => letter.toUpperCase());
  return ((mask?.paths ?? []) as string[]).map(camel).filter((path) => OPTION_PATHS.includes(path));
}

/**
 * The activity's options with the fields `paths` name taken from `given` (a field named but absent
 * is cleared, then defaulted as at scheduling), checked as a schedule command's are.
 * @throws ServiceError INVALID_ARGUMENT for a field named without its message, or no timeout left.
 */
export function mergeOptions(activity: ActivityState, given: Pb, paths: string[], defaultScheduleToCloseMs: number): ActivityOptionValues {
  const has = (path: string) => paths.includes(path);
  const current = activityOptions(activity);
  const merged: Pb = { ...current, retryPolicy: { ...current.retryPolicy } };
  if (has('taskQueue.name')) {
    if (!given.taskQueue?.name) throw invalidArgument('TaskQueue is not provided');
    merged.taskQueue = { name: given.taskQueue.name };
  }
  for (const field of ['scheduleToCloseTimeout', 'scheduleToStartTimeout', 'startToCloseTimeout', 'heartbeatTimeout']) {
    if (!has(field)) continue;
    if (toMs(given[field]) < 0) throw invalidArgument(`${field} must not be negative.`);
    merged[field] = given[field];
  }
  if (has('retryPolicy')) merged.retryPolicy = { ...given.retryPolicy, nonRetryableErrorTypes: activity.retryPolicy.nonRetryableErrorTypes };
  for (const field of ['initialInterval', 'backoffCoefficient', 'maximumInterval', 'maximumAttempts']) {
    if (!has(`retryPolicy.${field}`)) continue;
    if (!given.retryPolicy) throw invalidArgument('RetryPolicy is not provided');
    merged.retryPolicy[field] = given.retryPolicy[field];
  }
  const policy = merged.retryPolicy;
  if ((policy.maximumAttempts ?? 0) < 0) throw invalidArgument('MaximumAttempts cannot be negative on retry policy.');
  if (policy.backoffCoefficient !== undefined && policy.backoffCoefficient !== 0 && policy.backoffCoefficient < 1) {
    throw invalidArgument('BackoffCoefficient cannot be less than 1 on retry policy.');
  }
  if (!toMs(merged.scheduleToCloseTimeout) && !toMs(merged.startToCloseTimeout) && !defaultScheduleToCloseMs) {
    throw invalidArgument('A valid StartToClose or ScheduleToCloseTimeout is not set on ScheduleActivityTaskCommand.');
  }
  return { taskQueue: merged.taskQueue.name, ...activityTimeouts(merged, defaultScheduleToCloseMs) };
}

/**
 * Applies new options: timeouts re-armed from when their periods began (schedule-to-close from the
 * schedule, start-to-close and heartbeat from the attempt's start), an attempt on its queue moved to
 * the new task queue. A retry already waiting keeps its time.
 */
export function applyOptions(h: Engine, exec: ExecutionRecord, activity: ActivityState, values: ActivityOptionValues): void {
  Object.assign(activity, values);
  const id = activity.scheduledEventId;
  h.clearTimer(exec, `activity:${id}:schedule-to-close`);
  h.armScheduleToCloseTimer(exec, activity);
  if (activity.phase === 'started') {
    h.clearActivityTimers(exec, id, false);
    h.armStartedActivityTimers(exec, activity);
  } else if (activity.phase === 'scheduled') {
    h.clearTimer(exec, `activity:${id}:schedule-to-start`);
    h.enqueueActivity(exec, activity);
  }
  h.save(exec);
}

/** The options as the activity was scheduled with them: its ACTIVITY_TASK_SCHEDULED event's (a workflow's activity). */
export function scheduledOptions(h: Engine, exec: ExecutionRecord, activity: ActivityState): ActivityOptionValues {
  const [event] = h.store.readEvents(exec.namespace, exec.runId, activity.scheduledEventId);
  const attributes = event?.activityTaskScheduledEventAttributes;
  if (!attributes) throw invalidArgument('ActivityTaskScheduledEvent not found');
  return { taskQueue: attributes.taskQueue?.name ?? activity.taskQueue, ...activityTimeouts(attributes, 0) };
}

function clearHeartbeat(activity: ActivityState): void {
  activity.heartbeatDetails = undefined;
  activity.lastHeartbeatTime = undefined;
}

function jittered(h: Engine, jitterMs: number): number {
  return h.clock.now() + (jitterMs > 0 ? Math.floor(Math.random() * jitterMs) : 0);
}

/** Takes an attempt that is not out off its queue and timers: nothing dispatches it until unpaused. */
function holdBack(h: Engine, exec: ExecutionRecord, activity: ActivityState): void {
  const id = activity.scheduledEventId;
  if (activity.phase === 'scheduled') activity.retryTime = undefined;
  h.clearActivityTimers(exec, id, false);
  h.clearTimer(exec, `activity:${id}:retry`);
  h.release(exec, `activity:${id}`);
  activity.phase = 'paused';
}

/** A new dispatch of an attempt that is not out: on its queue now, or after a backoff until `at`. */
function dispatchAt(h: Engine, exec: ExecutionRecord, activity: ActivityState, at: number): void {
  holdBack(h, exec, activity);
  if (at <= h.clock.now()) {
    h.dispatchActivity(exec, activity);
    return;
  }
  activity.phase = 'backoff';
  activity.retryTime = at;
  h.armBackoffTimer(exec, activity);
}

/** The real server's NOT_FOUND for an activity id or type no pending activity has. */
export const ACTIVITY_NOT_FOUND = "Can't find pending activity with such ID. Invalid activityID or activity already completed";

/**
 * A running workflow's pending activities a request names: by `id`, by `type`, or all
 * (`matchAll`, `unpauseAll`).
 * @throws ServiceError NOT_FOUND when the run is closed or no pending activity matches.
 */
export function workflowActivities(h: Engine, request: Pb): { exec: ExecutionRecord; activities: ActivityState[] } {
  const namespace = h.requireNamespace(request.namespace);
  const exec = h.requireRunning(namespace, request.execution);
  const pending = Object.values(exec.activities);
  const activities = request.id
    ? pending.filter((activity) => activity.activityId === request.id)
    : request.type
      ? pending.filter((activity) => activity.activityType === request.type)
      : request.matchAll || request.unpauseAll
        ? pending
        : [];
  if (activities.length === 0) throw notFound(ACTIVITY_NOT_FOUND);
  return { exec, activities };
}
