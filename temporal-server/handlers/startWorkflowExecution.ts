/** StartWorkflowExecution: a new run, or the same one for a retried request id, under the id reuse and conflict policies. */
import { randomUUID } from 'node:crypto';
import { alreadyExists, invalidArgument } from '../errors';
import { duration, timestamp, toMs, type Pb } from '../proto';
import type { ExecutionRecord, ParentRef } from '../store';
import { asIndexedFields, mergeSearchAttributes, setOrUnset, validateSearchAttributes } from '../searchAttributes';
import { type Engine, RUNNING, DEFAULT_WORKFLOW_TASK_TIMEOUT_MS, MAX_WORKFLOW_TASK_TIMEOUT_MS, DEFAULT_STICKY_TIMEOUT_MS } from '../engine';

/** @throws ServiceError ALREADY_EXISTS when the id is taken under the request's policies. */
/** How a run came to be, besides a client's start: continue-as-new, or a parent's child. */
export interface RunOrigin {
  runId?: string;
  firstExecutionRunId?: string;
  continuedExecutionRunId?: string;
  initiator?: string;
  parent?: ParentRef;
  /** Written before the first workflow task (signal-with-start's signal). */
  beforeFirstTask?: (exec: ExecutionRecord) => void;
  /**
   * Eager workflow start: the first workflow task is started at once for the starting worker
   * (`identity`) and handed back in `task` instead of going on the queue.
   */
  eager?: { identity: string; task?: Pb };
}

/** The attributes a new run starts with: those given, less those given as unset. */
function setAttributes(indexedFields: Record<string, Pb> | undefined): Record<string, Pb> {
  const attributes: Record<string, Pb> = {};
  mergeSearchAttributes(attributes, setOrUnset(indexedFields));
  return attributes;
}

export function startWorkflow(h: Engine, request: Pb, beforeFirstTask?: (exec: ExecutionRecord) => void): { runId: string; started: boolean; eagerWorkflowTask?: Pb; link?: Pb } {
  const namespace = h.requireNamespace(request.namespace);
  const workflowId: string = request.workflowId ?? '';
  if (!workflowId) throw invalidArgument('WorkflowId is not set on request.');
  if (!request.workflowType?.name) throw invalidArgument('WorkflowType is not set on request.');
  if (!request.taskQueue?.name) throw invalidArgument('TaskQueue is not set on request.');
  const requestId: string = request.requestId || randomUUID();
  // Checked against the namespace's registered types first, as the real frontend does; stored typed.
  const given = request.searchAttributes?.indexedFields;
  const validated = validateSearchAttributes(h.store, namespace, given);
  if (given && Object.keys(given).length > 0) request = { ...request, searchAttributes: { indexedFields: asIndexedFields(validated, given) } };

  const current = h.store.getCurrentRun(namespace, workflowId);
  if (current) {
    if (current.startRequestIds.includes(requestId)) return { runId: current.runId, started: true };
    const reuse: string = request.workflowIdReusePolicy ?? 'WORKFLOW_ID_REUSE_POLICY_UNSPECIFIED';
    if (current.status === RUNNING) {
      let conflict: string = request.workflowIdConflictPolicy ?? 'WORKFLOW_ID_CONFLICT_POLICY_UNSPECIFIED';
      if (reuse === 'WORKFLOW_ID_REUSE_POLICY_TERMINATE_IF_RUNNING') conflict = 'WORKFLOW_ID_CONFLICT_POLICY_TERMINATE_EXISTING';
      if (conflict === 'WORKFLOW_ID_CONFLICT_POLICY_USE_EXISTING') {
        if (request.onConflictOptions?.attachRequestId) current.startRequestIds.push(requestId);
        return { runId: current.runId, started: false };
      }
      if (conflict === 'WORKFLOW_ID_CONFLICT_POLICY_TERMINATE_EXISTING') {
        h.terminate(current, 'terminated by a new start with the same workflow id (TERMINATE_EXISTING)', undefined, request.identity ?? '');
      } else {
        throw alreadyExists(`Workflow execution is already running. WorkflowId: ${workflowId}, RunId: ${current.runId}.`, {
          type: 'temporal.api.errordetails.v1.WorkflowExecutionAlreadyStartedFailure',
          value: { startRequestId: current.startRequestIds[0] ?? '', runId: current.runId },
        });
      }
    } else if (
      reuse === 'WORKFLOW_ID_REUSE_POLICY_REJECT_DUPLICATE' ||
      (reuse === 'WORKFLOW_ID_REUSE_POLICY_ALLOW_DUPLICATE_FAILED_ONLY' && current.status === 'WORKFLOW_EXECUTION_STATUS_COMPLETED')
    ) {
      throw alreadyExists(`Workflow execution already finished and its workflow id reuse policy forbids a new run. WorkflowId: ${workflowId}, RunId: ${current.runId}.`, {
        type: 'temporal.api.errordetails.v1.WorkflowExecutionAlreadyStartedFailure',
        value: { startRequestId: current.startRequestIds[0] ?? '', runId: current.runId },
      });
    }
  }

  // As the real server: eager only for a new run with no start delay and no cron schedule.
  const eager: RunOrigin['eager'] = request.requestEagerExecution && !toMs(request.workflowStartDelay) && !request.cronSchedule ? { identity: request.identity ?? '' } : undefined;
  const { runId } = createRun(h, namespace, request, { beforeFirstTask, eager });
  // A link to the new run's first event, as the real server answers (a Nexus handler passes it back to its caller).
  const link = { workflowEvent: { namespace, workflowId, runId, eventRef: { eventId: 1, eventType: 'EVENT_TYPE_WORKFLOW_EXECUTION_STARTED' } } };
  return { runId, started: true, eagerWorkflowTask: eager?.task, link };
}

/** A new run of `request.workflowId`, its WorkflowExecutionStarted event and first workflow task. */
export function createRun(h: Engine, namespace: string, request: Pb, origin: RunOrigin = {}): ExecutionRecord {
  const workflowId: string = request.workflowId;
  const requestId: string = request.requestId || randomUUID();
  const now = h.clock.now();
  const runId = origin.runId ?? randomUUID();
  const firstExecutionRunId = origin.firstExecutionRunId ?? runId;
  const executionTimeoutMs = toMs(request.workflowExecutionTimeout);
  let runTimeoutMs = toMs(request.workflowRunTimeout);
  if (executionTimeoutMs && (!runTimeoutMs || runTimeoutMs > executionTimeoutMs)) runTimeoutMs = executionTimeoutMs;
  let workflowTaskTimeoutMs = Math.min(toMs(request.workflowTaskTimeout) || DEFAULT_WORKFLOW_TASK_TIMEOUT_MS, MAX_WORKFLOW_TASK_TIMEOUT_MS);
  if (runTimeoutMs) workflowTaskTimeoutMs = Math.min(workflowTaskTimeoutMs, runTimeoutMs);
  const delayMs = toMs(request.workflowStartDelay);
  const exec: ExecutionRecord = {
    namespace,
    workflowId,
    runId,
    workflowType: request.workflowType.name,
    taskQueue: request.taskQueue.name,
    status: RUNNING,
    startTime: now,
    executionTime: now + delayMs,
    startRequestIds: [requestId],
    requestIds: [],
    executionTimeoutMs,
    runTimeoutMs,
    workflowTaskTimeoutMs,
    memo: { ...(request.memo?.fields ?? {}) },
    searchAttributes: setAttributes(request.searchAttributes?.indexedFields),
    nextEventId: 1,
    bufferedEvents: [],
    workflowTaskNeeded: false,
    lastCompletedStartedEventId: 0,
    stickyScheduleToStartMs: DEFAULT_STICKY_TIMEOUT_MS,
    activities: {},
    timers: {},
    updates: {},
    cancelRequested: false,
    historySizeBytes: 0,
    firstExecutionRunId,
    parent: origin.parent,
    completionCallbacks: request.completionCallbacks?.length ? request.completionCallbacks : undefined,
  };
  h.store.putExecution(exec);
  const startedEvent = h.append(exec, 'EVENT_TYPE_WORKFLOW_EXECUTION_STARTED', {
    workflowType: { name: exec.workflowType },
    taskQueue: { name: exec.taskQueue, kind: 'TASK_QUEUE_KIND_NORMAL' },
    header: request.header,
    input: request.input,
    workflowExecutionTimeout: duration(executionTimeoutMs),
    workflowRunTimeout: duration(runTimeoutMs),
    workflowTaskTimeout: duration(workflowTaskTimeoutMs),
    originalExecutionRunId: runId,
    firstExecutionRunId,
    continuedExecutionRunId: origin.continuedExecutionRunId,
    initiator: origin.initiator,
    parentWorkflowNamespace: origin.parent?.namespace,
    parentWorkflowExecution: origin.parent ? { workflowId: origin.parent.workflowId, runId: origin.parent.runId } : undefined,
    parentInitiatedEventId: origin.parent?.initiatedEventId,
    identity: request.identity ?? '',
    attempt: 1,
    workflowExecutionExpirationTime: executionTimeoutMs ? timestamp(now + executionTimeoutMs) : undefined,
    firstWorkflowTaskBackoff: delayMs ? duration(delayMs) : undefined,
    memo: request.memo,
    searchAttributes: request.searchAttributes,
    retryPolicy: request.retryPolicy,
    cronSchedule: request.cronSchedule,
    workflowId,
    completionCallbacks: exec.completionCallbacks,
  });
  // Links the start names (a Nexus operation's caller), on the event as the real server puts them.
  if (request.links?.length) startedEvent.links = request.links;
  origin.beforeFirstTask?.(exec);
  h.armRunTimeout(exec);
  if (delayMs) {
    h.armStartDelay(exec);
  } else if (origin.eager) {
    h.scheduleWorkflowTask(exec, false);
    const task = exec.workflowTask!;
    origin.eager.task = h.startWorkflowTask(namespace, exec.runId, task.scheduledEventId, task.queue, { identity: origin.eager.identity });
  } else {
    h.scheduleWorkflowTask(exec);
  }
  h.save(exec);
  return exec;
}
