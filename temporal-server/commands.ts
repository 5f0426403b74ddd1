/** One handler per command type a completed workflow task may carry, and the update protocol's messages. */
import { randomUUID } from 'node:crypto';
import { RUNNING, type Engine } from './engine';
import { createRun } from './handlers/startWorkflowExecution';
import { duration, toMs, unpackAny, type Pb } from './proto';
import { commandAttributesField } from './history';
import { mergeSearchAttributes, setOrUnset } from './searchAttributes';
import type { ActivityState, ExecutionRecord, UpdateState } from './store';

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
    // Checked and typed before any command was applied (respondWorkflowTaskCompleted.ts): a null or empty value unsets.
    mergeSearchAttributes(exec.searchAttributes, setOrUnset(attributes.searchAttributes?.indexedFields));
    h.append(exec, 'EVENT_TYPE_UPSERT_WORKFLOW_SEARCH_ATTRIBUTES', { searchAttributes: attributes.searchAttributes, workflowTaskCompletedEventId: completedId });
  },
  COMMAND_TYPE_CONTINUE_AS_NEW_WORKFLOW_EXECUTION: (h, command) => continueAsNew(h, command),
  COMMAND_TYPE_START_CHILD_WORKFLOW_EXECUTION: (h, command) => startChild(h, command),
  COMMAND_TYPE_SIGNAL_EXTERNAL_WORKFLOW_EXECUTION: (h, command) => signalExternal(h, command),
  COMMAND_TYPE_REQUEST_CANCEL_EXTERNAL_WORKFLOW_EXECUTION: (h, command) => requestCancelExternal(h, command),
  COMMAND_TYPE_SCHEDULE_NEXUS_OPERATION: (h, { exec, attributes, completedId }) => h.nexus!.schedule(exec, attributes, completedId),
  COMMAND_TYPE_REQUEST_CANCEL_NEXUS_OPERATION: (h, { exec, attributes, completedId }) => h.nexus!.requestCancel(exec, attributes, completedId),
  COMMAND_TYPE_MODIFY_WORKFLOW_PROPERTIES: (h, { exec, attributes, completedId }) => {
    Object.assign(exec.memo, attributes.upsertedMemo?.fields ?? {});
    h.append(exec, 'EVENT_TYPE_WORKFLOW_PROPERTIES_MODIFIED', { upsertedMemo: attributes.upsertedMemo, workflowTaskCompletedEventId: completedId });
  },
};

/** The run closes as ContinuedAsNew and a new run of the same workflow id starts with the carried state. */
function continueAsNew(h: Engine, { exec, attributes, completedId }: CommandContext): void {
  const newRunId = randomUUID();
  const workflowType = attributes.workflowType?.name ? attributes.workflowType : { name: exec.workflowType };
  const taskQueue = attributes.taskQueue?.name ? attributes.taskQueue : { name: exec.taskQueue, kind: 'TASK_QUEUE_KIND_NORMAL' };
  const workflowRunTimeout = attributes.workflowRunTimeout ?? duration(exec.runTimeoutMs);
  const workflowTaskTimeout = attributes.workflowTaskTimeout ?? duration(exec.workflowTaskTimeoutMs);
  h.close(exec, 'WORKFLOW_EXECUTION_STATUS_CONTINUED_AS_NEW', 'EVENT_TYPE_WORKFLOW_EXECUTION_CONTINUED_AS_NEW', {
    newExecutionRunId: newRunId,
    workflowType,
    taskQueue,
    input: attributes.input,
    workflowRunTimeout,
    workflowTaskTimeout,
    workflowTaskCompletedEventId: completedId,
    backoffStartInterval: attributes.backoffStartInterval,
    initiator: attributes.initiator,
    failure: attributes.failure,
    lastCompletionResult: attributes.lastCompletionResult,
    header: attributes.header,
    memo: attributes.memo,
    searchAttributes: attributes.searchAttributes,
  });
  createRun(
    h,
    exec.namespace,
    {
      workflowId: exec.workflowId,
      workflowType,
      taskQueue,
      input: attributes.input,
      header: attributes.header,
      memo: attributes.memo ?? { fields: exec.memo },
      searchAttributes: attributes.searchAttributes ?? { indexedFields: exec.searchAttributes },
      retryPolicy: attributes.retryPolicy,
      workflowExecutionTimeout: duration(exec.executionTimeoutMs),
      workflowRunTimeout,
      workflowTaskTimeout,
      workflowStartDelay: attributes.backoffStartInterval,
      // A Nexus operation's completion callback follows the chain to the run that ends it.
      completionCallbacks: exec.completionCallbacks,
    },
    {
      runId: newRunId,
      firstExecutionRunId: exec.firstExecutionRunId ?? exec.runId,
      continuedExecutionRunId: exec.runId,
      initiator: attributes.initiator ?? 'CONTINUE_AS_NEW_INITIATOR_WORKFLOW',
      parent: exec.parent,
    },
  );
}

/** A child workflow: initiated in the parent, started (or refused) at once, its end reported back to the parent. */
function startChild(h: Engine, { exec, attributes, completedId }: CommandContext): void {
  const namespace: string = attributes.namespace || exec.namespace;
  const initiated = h.append(exec, 'EVENT_TYPE_START_CHILD_WORKFLOW_EXECUTION_INITIATED', {
    namespace,
    workflowId: attributes.workflowId,
    workflowType: attributes.workflowType,
    taskQueue: attributes.taskQueue,
    input: attributes.input,
    workflowExecutionTimeout: attributes.workflowExecutionTimeout,
    workflowRunTimeout: attributes.workflowRunTimeout,
    workflowTaskTimeout: attributes.workflowTaskTimeout,
    parentClosePolicy: attributes.parentClosePolicy,
    control: attributes.control,
    workflowTaskCompletedEventId: completedId,
    workflowIdReusePolicy: attributes.workflowIdReusePolicy,
    retryPolicy: attributes.retryPolicy,
    cronSchedule: attributes.cronSchedule,
    header: attributes.header,
    memo: attributes.memo,
    searchAttributes: attributes.searchAttributes,
  });
  const current = h.store.namespaces().includes(namespace) ? h.store.getCurrentRun(namespace, attributes.workflowId) : undefined;
  const cause = !h.store.namespaces().includes(namespace)
    ? 'START_CHILD_WORKFLOW_EXECUTION_FAILED_CAUSE_NAMESPACE_NOT_FOUND'
    : current && (current.status === RUNNING || attributes.workflowIdReusePolicy === 'WORKFLOW_ID_REUSE_POLICY_REJECT_DUPLICATE')
      ? 'START_CHILD_WORKFLOW_EXECUTION_FAILED_CAUSE_WORKFLOW_ALREADY_EXISTS'
      : undefined;
  if (cause) {
    h.deliver(exec, [
      [
        'EVENT_TYPE_START_CHILD_WORKFLOW_EXECUTION_FAILED',
        { namespace, workflowId: attributes.workflowId, workflowType: attributes.workflowType, cause, control: attributes.control, initiatedEventId: initiated.eventId, workflowTaskCompletedEventId: completedId },
      ],
    ]);
    return;
  }
  const child = createRun(
    h,
    namespace,
    { ...attributes, namespace, taskQueue: attributes.taskQueue?.name ? attributes.taskQueue : { name: exec.taskQueue }, requestId: randomUUID() },
    { parent: { namespace: exec.namespace, workflowId: exec.workflowId, runId: exec.runId, initiatedEventId: initiated.eventId } },
  );
  const started = h.deliver(exec, [
    [
      'EVENT_TYPE_CHILD_WORKFLOW_EXECUTION_STARTED',
      { namespace, initiatedEventId: initiated.eventId, workflowExecution: { workflowId: child.workflowId, runId: child.runId }, workflowType: attributes.workflowType, header: attributes.header },
    ],
  ]);
  exec.children = {
    ...exec.children,
    [initiated.eventId]: {
      namespace,
      workflowId: child.workflowId,
      runId: child.runId,
      workflowType: child.workflowType,
      startedEventId: started[0]?.eventId ?? 0,
      parentClosePolicy: attributes.parentClosePolicy ?? 'PARENT_CLOSE_POLICY_TERMINATE',
    },
  };
}

/** The running run an external command names, if any (a child-only command finds only this run's children). */
function externalTarget(h: Engine, exec: ExecutionRecord, namespace: string, target: Pb, childOnly: boolean): ExecutionRecord | undefined {
  if (!h.store.namespaces().includes(namespace) || !target?.workflowId) return undefined;
  const run = target.runId ? h.store.getExecution(namespace, target.runId) : h.store.getCurrentRun(namespace, target.workflowId);
  if (!run || run.workflowId !== target.workflowId || run.status !== RUNNING) return undefined;
  if (childOnly && run.parent?.workflowId !== exec.workflowId) return undefined;
  return run;
}

function signalExternal(h: Engine, { exec, attributes, completedId }: CommandContext): void {
  const namespace: string = attributes.namespace || exec.namespace;
  const initiated = h.append(exec, 'EVENT_TYPE_SIGNAL_EXTERNAL_WORKFLOW_EXECUTION_INITIATED', {
    namespace,
    workflowExecution: attributes.execution,
    signalName: attributes.signalName,
    input: attributes.input,
    control: attributes.control,
    childWorkflowOnly: attributes.childWorkflowOnly,
    header: attributes.header,
    workflowTaskCompletedEventId: completedId,
  });
  const target = externalTarget(h, exec, namespace, attributes.execution, !!attributes.childWorkflowOnly);
  if (!target) {
    h.deliver(exec, [
      [
        'EVENT_TYPE_SIGNAL_EXTERNAL_WORKFLOW_EXECUTION_FAILED',
        { cause: 'SIGNAL_EXTERNAL_WORKFLOW_EXECUTION_FAILED_CAUSE_EXTERNAL_WORKFLOW_EXECUTION_NOT_FOUND', workflowTaskCompletedEventId: completedId, namespace, workflowExecution: attributes.execution, initiatedEventId: initiated.eventId, control: attributes.control },
      ],
    ]);
    return;
  }
  h.deliver(target, [
    [
      'EVENT_TYPE_WORKFLOW_EXECUTION_SIGNALED',
      { signalName: attributes.signalName, input: attributes.input, identity: '', header: attributes.header, externalWorkflowExecution: { workflowId: exec.workflowId, runId: exec.runId } },
    ],
  ]);
  h.save(target);
  h.deliver(exec, [
    [
      'EVENT_TYPE_EXTERNAL_WORKFLOW_EXECUTION_SIGNALED',
      { initiatedEventId: initiated.eventId, namespace, workflowExecution: { workflowId: target.workflowId, runId: target.runId }, control: attributes.control },
    ],
  ]);
}

function requestCancelExternal(h: Engine, { exec, attributes, completedId }: CommandContext): void {
  const namespace: string = attributes.namespace || exec.namespace;
  const execution = { workflowId: attributes.workflowId, runId: attributes.runId };
  const initiated = h.append(exec, 'EVENT_TYPE_REQUEST_CANCEL_EXTERNAL_WORKFLOW_EXECUTION_INITIATED', {
    workflowTaskCompletedEventId: completedId,
    namespace,
    workflowExecution: execution,
    control: attributes.control,
    childWorkflowOnly: attributes.childWorkflowOnly,
    reason: attributes.reason,
  });
  const target = externalTarget(h, exec, namespace, execution, !!attributes.childWorkflowOnly);
  if (!target) {
    h.deliver(exec, [
      [
        'EVENT_TYPE_REQUEST_CANCEL_EXTERNAL_WORKFLOW_EXECUTION_FAILED',
        { cause: 'CANCEL_EXTERNAL_WORKFLOW_EXECUTION_FAILED_CAUSE_EXTERNAL_WORKFLOW_EXECUTION_NOT_FOUND', workflowTaskCompletedEventId: completedId, namespace, workflowExecution: execution, initiatedEventId: initiated.eventId, control: attributes.control },
      ],
    ]);
    return;
  }
  h.requestCancelRun(target, attributes.reason ?? '', '', { initiatedEventId: initiated.eventId, workflowExecution: { workflowId: exec.workflowId, runId: exec.runId } });
  h.deliver(exec, [
    [
      'EVENT_TYPE_EXTERNAL_WORKFLOW_EXECUTION_CANCEL_REQUESTED',
      { initiatedEventId: initiated.eventId, namespace, workflowExecution: { workflowId: target.workflowId, runId: target.runId } },
    ],
  ]);
}

export function handleCommand(h: Engine, exec: ExecutionRecord, command: Pb, completedId: number, identity: string): void {
  const type: string = command.commandType;
  const handler = COMMAND_HANDLERS[type];
  if (handler) {
    handler(h, { exec, attributes: command[commandAttributesField(type)] ?? {}, completedId, identity });
    return;
  }
  // A command this server does not know: terminating says so plainly instead of retrying a task
  // that can never succeed.
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

/**
 * An activity's timeouts and retry policy as the server fixes them at scheduling: absent timeouts
 * from the others (schedule-to-close from `defaultScheduleToCloseMs`, a workflow's run timeout),
 * none beyond schedule-to-close, the heartbeat timeout within start-to-close, the retry policy's
 * defaults (1 s, coefficient 2, at most 100 × the first interval, unlimited attempts).
 */
export function activityTimeouts(attributes: Pb, defaultScheduleToCloseMs: number): Pick<ActivityState, 'scheduleToCloseMs' | 'scheduleToStartMs' | 'startToCloseMs' | 'heartbeatMs' | 'retryPolicy'> {
  let scheduleToCloseMs = toMs(attributes.scheduleToCloseTimeout);
  if (!scheduleToCloseMs) scheduleToCloseMs = defaultScheduleToCloseMs;
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
  return { scheduleToCloseMs, scheduleToStartMs, startToCloseMs, heartbeatMs, retryPolicy };
}

export function scheduleActivity(h: Engine, exec: ExecutionRecord, attributes: Pb, completedId: number): void {
  const { scheduleToCloseMs, scheduleToStartMs, startToCloseMs, heartbeatMs, retryPolicy } = activityTimeouts(attributes, exec.runTimeoutMs);
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
