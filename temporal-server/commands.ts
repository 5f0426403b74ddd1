/** One handler per command type a completed workflow task may carry, and the update protocol's messages. */
import { duration, toMs, unpackAny, type Pb } from './proto';
import { commandAttributesField } from './history';
import type { ActivityState, ExecutionRecord, UpdateState } from './store';
import type { Engine } from './engine';

/** What a command handler gets: the run, the command's attributes, the task's completed event and the worker. */
interface CommandContext {
  exec: ExecutionRecord;
  attributes: Pb;
  completedId: number;
  identity: string;
}

type CommandHandler = (h: Engine, command: CommandContext) => void;

/** One handler per command type; a type missing here ends the run with a reason naming it. */
const COMMAND_HANDLERS: Record<string, CommandHandler> = {
  COMMAND_TYPE_SCHEDULE_ACTIVITY_TASK: (h, { exec, attributes, completedId }) => scheduleActivity(h, exec, attributes, completedId),
  COMMAND_TYPE_REQUEST_CANCEL_ACTIVITY_TASK: (h, { exec, attributes, completedId }) => requestCancelActivity(h, exec, Number(attributes.scheduledEventId), completedId),
  COMMAND_TYPE_START_TIMER: (h, { exec, attributes, completedId }) => startTimer(h, exec, attributes, completedId),
  COMMAND_TYPE_CANCEL_TIMER: (h, { exec, attributes, completedId, identity }) => {
    const timer = exec.timers[attributes.timerId];
    if (!timer) return;
    h.clearTimer(exec, `timer:${timer.timerId}`);
    delete exec.timers[timer.timerId];
    h.append(exec, 'EVENT_TYPE_TIMER_CANCELED', { timerId: timer.timerId, startedEventId: timer.startedEventId, workflowTaskCompletedEventId: completedId, identity });
  },
  COMMAND_TYPE_COMPLETE_WORKFLOW_EXECUTION: (h, { exec, attributes, completedId }) =>
    h.close(exec, 'WORKFLOW_EXECUTION_STATUS_COMPLETED', 'EVENT_TYPE_WORKFLOW_EXECUTION_COMPLETED', { result: attributes.result, workflowTaskCompletedEventId: completedId }),
  COMMAND_TYPE_FAIL_WORKFLOW_EXECUTION: (h, { exec, attributes, completedId }) =>
    h.close(exec, 'WORKFLOW_EXECUTION_STATUS_FAILED', 'EVENT_TYPE_WORKFLOW_EXECUTION_FAILED', {
      failure: attributes.failure,
      retryState: 'RETRY_STATE_RETRY_POLICY_NOT_SET',
      workflowTaskCompletedEventId: completedId,
    }),
  COMMAND_TYPE_CANCEL_WORKFLOW_EXECUTION: (h, { exec, attributes, completedId }) =>
    h.close(exec, 'WORKFLOW_EXECUTION_STATUS_CANCELED', 'EVENT_TYPE_WORKFLOW_EXECUTION_CANCELED', { details: attributes.details, workflowTaskCompletedEventId: completedId }),
  COMMAND_TYPE_RECORD_MARKER: (h, { exec, attributes, completedId }) => {
    h.append(exec, 'EVENT_TYPE_MARKER_RECORDED', {
      markerName: attributes.markerName,
      details: attributes.details,
      header: attributes.header,
      failure: attributes.failure,
      workflowTaskCompletedEventId: completedId,
    });
  },
  COMMAND_TYPE_UPSERT_WORKFLOW_SEARCH_ATTRIBUTES: (h, { exec, attributes, completedId }) => {
    Object.assign(exec.searchAttributes, attributes.searchAttributes?.indexedFields ?? {});
    h.append(exec, 'EVENT_TYPE_UPSERT_WORKFLOW_SEARCH_ATTRIBUTES', { searchAttributes: attributes.searchAttributes, workflowTaskCompletedEventId: completedId });
  },
  COMMAND_TYPE_MODIFY_WORKFLOW_PROPERTIES: (h, { exec, attributes, completedId }) => {
    Object.assign(exec.memo, attributes.upsertedMemo?.fields ?? {});
    h.append(exec, 'EVENT_TYPE_WORKFLOW_PROPERTIES_MODIFIED', { upsertedMemo: attributes.upsertedMemo, workflowTaskCompletedEventId: completedId });
  },
};

export function handleCommand(h: Engine, exec: ExecutionRecord, command: Pb, completedId: number, identity: string): void {
  const type: string = command.commandType;
  const handler = COMMAND_HANDLERS[type];
  if (handler) {
    handler(h, { exec, attributes: command[commandAttributesField(type)] ?? {}, completedId, identity });
    return;
  }
  // Child workflows, continue-as-new, external signals/cancels and Nexus come with a later issue.
  // Terminating says so plainly instead of retrying a task that can never succeed.
  h.close(exec, 'WORKFLOW_EXECUTION_STATUS_TERMINATED', 'EVENT_TYPE_WORKFLOW_EXECUTION_TERMINATED', {
    reason: `command ${type.replace(/^COMMAND_TYPE_/, '')} is not supported by the embedded Temporal server`,
    identity: 'temporal-server',
  });
}

export function handleMessage(h: Engine, exec: ExecutionRecord, message: Pb, completedId: number): void {
  if (!message.body) return;
  const { typeName, value } = unpackAny(message.body);
  const update: UpdateState | undefined = exec.updates[message.protocolInstanceId];
  if (!update) return;
  switch (typeName) {
    case 'temporal.api.update.v1.Acceptance': {
      const event = h.append(exec, 'EVENT_TYPE_WORKFLOW_EXECUTION_UPDATE_ACCEPTED', {
        protocolInstanceId: update.updateId,
        acceptedRequestMessageId: value.acceptedRequestMessageId || update.messageId,
        acceptedRequestSequencingEventId: value.acceptedRequestSequencingEventId || update.sequencingEventId,
        acceptedRequest: value.acceptedRequest ?? update.request,
      });
      update.stage = 'accepted';
      update.acceptedEventId = event.eventId;
      return;
    }
    case 'temporal.api.update.v1.Rejection':
      update.stage = 'completed';
      update.outcome = { failure: value.failure };
      return;
    case 'temporal.api.update.v1.Response':
      h.append(exec, 'EVENT_TYPE_WORKFLOW_EXECUTION_UPDATE_COMPLETED', {
        meta: value.meta ?? { updateId: update.updateId },
        acceptedEventId: update.acceptedEventId,
        outcome: value.outcome,
      });
      update.stage = 'completed';
      update.outcome = value.outcome;
      return;
    default:
      void completedId;
  }
}

export function startTimer(h: Engine, exec: ExecutionRecord, attributes: Pb, completedId: number): void {
  const timerId: string = attributes.timerId;
  const fireMs = toMs(attributes.startToFireTimeout);
  const event = h.append(exec, 'EVENT_TYPE_TIMER_STARTED', { timerId, startToFireTimeout: attributes.startToFireTimeout, workflowTaskCompletedEventId: completedId });
  const fireTime = h.clock.now() + fireMs;
  exec.timers[timerId] = { timerId, startedEventId: event.eventId, fireTime };
  h.scheduleTimer(exec, timerId, fireTime);
}

export function scheduleActivity(h: Engine, exec: ExecutionRecord, attributes: Pb, completedId: number): void {
  let scheduleToCloseMs = toMs(attributes.scheduleToCloseTimeout);
  if (!scheduleToCloseMs) scheduleToCloseMs = exec.runTimeoutMs;
  let startToCloseMs = toMs(attributes.startToCloseTimeout) || scheduleToCloseMs;
  let scheduleToStartMs = toMs(attributes.scheduleToStartTimeout) || scheduleToCloseMs;
  if (scheduleToCloseMs) {
    startToCloseMs = Math.min(startToCloseMs || scheduleToCloseMs, scheduleToCloseMs);
    scheduleToStartMs = Math.min(scheduleToStartMs || scheduleToCloseMs, scheduleToCloseMs);
  }
  const heartbeatMs = Math.min(toMs(attributes.heartbeatTimeout), startToCloseMs || Infinity);
  const given = attributes.retryPolicy ?? {};
  const initialMs = toMs(given.initialInterval) || 1000;
  const retryPolicy = {
    initialInterval: duration(initialMs),
    backoffCoefficient: given.backoffCoefficient || 2,
    maximumInterval: duration(toMs(given.maximumInterval) || initialMs * 100),
    maximumAttempts: given.maximumAttempts ?? 0,
    nonRetryableErrorTypes: given.nonRetryableErrorTypes ?? [],
  };
  const event = h.append(exec, 'EVENT_TYPE_ACTIVITY_TASK_SCHEDULED', {
    activityId: attributes.activityId,
    activityType: attributes.activityType,
    taskQueue: { name: attributes.taskQueue?.name || exec.taskQueue, kind: 'TASK_QUEUE_KIND_NORMAL' },
    header: attributes.header,
    input: attributes.input,
    scheduleToCloseTimeout: duration(scheduleToCloseMs),
    scheduleToStartTimeout: duration(scheduleToStartMs),
    startToCloseTimeout: duration(startToCloseMs),
    heartbeatTimeout: duration(heartbeatMs),
    workflowTaskCompletedEventId: completedId,
    retryPolicy,
    useWorkflowBuildId: attributes.useWorkflowBuildId,
    priority: attributes.priority,
  });
  const now = h.clock.now();
  const activity: ActivityState = {
    scheduledEventId: event.eventId,
    activityId: attributes.activityId,
    activityType: attributes.activityType?.name ?? '',
    taskQueue: attributes.taskQueue?.name || exec.taskQueue,
    input: attributes.input,
    header: attributes.header,
    scheduleToCloseMs,
    scheduleToStartMs,
    startToCloseMs,
    heartbeatMs,
    retryPolicy,
    scheduledTime: now,
    attempt: 1,
    attemptScheduledTime: now,
    phase: 'scheduled',
    cancelRequested: false,
  };
  exec.activities[activity.scheduledEventId] = activity;
  h.armScheduleToCloseTimer(exec, activity);
  h.dispatchActivity(exec, activity);
}

export function requestCancelActivity(h: Engine, exec: ExecutionRecord, scheduledEventId: number, completedId: number): void {
  const activity = exec.activities[scheduledEventId];
  if (!activity) return;
  const event = h.append(exec, 'EVENT_TYPE_ACTIVITY_TASK_CANCEL_REQUESTED', { scheduledEventId, workflowTaskCompletedEventId: completedId });
  activity.cancelRequested = true;
  activity.cancelRequestedEventId = event.eventId;
  if (activity.phase !== 'started') {
    // Nobody is running it: it is cancelled at once.
    h.closeActivity(exec, activity, 'EVENT_TYPE_ACTIVITY_TASK_CANCELED', { latestCancelRequestedEventId: event.eventId, identity: '' }, false);
  }
}
