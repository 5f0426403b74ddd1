/**
 * The state machine: workflow executions, their histories, workflow and activity tasks, timers,
 * retries, signals, queries and updates. It knows nothing about gRPC: the service layer hands it
 * decoded requests and sends back what it returns, or the {@link ServiceError} it throws.
 */
import { randomUUID } from 'node:crypto';
import type { VirtualClock } from './clock';
import { alreadyExists, invalidArgument, namespaceNotFound, notFound, ServiceError } from './errors';
import { commandAttributesField, eventAttributesField, isCloseEvent, PREVIOUS_EVENT } from './history';
import { Matching } from './matching';
import { ACTIVITY_TIMER_NAMES, TimerQueue, type ActivityTimeoutKind, type TimerTask } from './timerQueue';
import { duration, packAny, timestamp, toMs, unpackAny, type Pb } from './proto';
import type { ActivityState, ExecutionRecord, ExecutionStatus, HistoryEvent, Store, UpdateState } from './store';
import { parseListQuery } from './visibility';
import { status as grpcStatus } from '@grpc/grpc-js';

export interface EngineOptions {
  store: Store;
  clock: VirtualClock;
  /** How long a poll for tasks waits before answering empty (real time). */
  pollTimeoutMs?: number;
  /** How long a history long-poll or an update call waits before answering "not yet" (real time). */
  longPollMs?: number;
}

const RUNNING: ExecutionStatus = 'WORKFLOW_EXECUTION_STATUS_RUNNING';
const DEFAULT_WORKFLOW_TASK_TIMEOUT_MS = 10_000;
const MAX_WORKFLOW_TASK_TIMEOUT_MS = 120_000;
const DEFAULT_STICKY_TIMEOUT_MS = 5_000;
const QUERY_TIMEOUT_MS = 30_000;

const ACTIVITY_TIMEOUT_TYPES: Record<ActivityTimeoutKind, string> = {
  'schedule-to-close': 'TIMEOUT_TYPE_SCHEDULE_TO_CLOSE',
  'schedule-to-start': 'TIMEOUT_TYPE_SCHEDULE_TO_START',
  'start-to-close': 'TIMEOUT_TYPE_START_TO_CLOSE',
  heartbeat: 'TIMEOUT_TYPE_HEARTBEAT',
};

type Stage = 'UNSPECIFIED' | 'ADMITTED' | 'ACCEPTED' | 'COMPLETED';
const STAGE_ORDER: Stage[] = ['UNSPECIFIED', 'ADMITTED', 'ACCEPTED', 'COMPLETED'];

interface PendingQuery {
  id: string;
  query: Pb;
  /** Set while the query rides on a started workflow task. */
  attachedTo?: string;
  /** Set while the query waits on a queue as a query-only task. */
  dispatched?: boolean;
  /** Which dispatch of the query is current: a task from an earlier dispatch is dropped. */
  attempt?: string;
  resolve(result: Pb): void;
  reject(error: Error): void;
}

/** What lives only in memory for a run: scheduled callbacks, waiters, and time-skipping locks. */
interface Runtime {
  historyWaiters: Set<() => void>;
  updateWaiters: Set<() => void>;
  queries: PendingQuery[];
  locks: Set<string>;
  /** True while a completed task's commands are applied: a task they cause waits until all are written. */
  applyingCommands?: boolean;
}

interface TaskToken {
  kind: 'workflow' | 'activity' | 'query';
  namespace: string;
  runId: string;
  id: number | string;
  token: string;
}

function encodeToken(token: TaskToken): Buffer {
  return Buffer.from(JSON.stringify(token));
}

function decodeToken(bytes: Buffer | undefined, kind: TaskToken['kind']): TaskToken {
  try {
    const token = JSON.parse(Buffer.from(bytes ?? []).toString('utf8')) as TaskToken;
    if (token.kind === kind) return token;
  } catch {
    // fall through: not one of ours
  }
  throw notFound(`${kind} task not found (unknown task token)`);
}

export class Engine {
  readonly store: Store;
  readonly clock: VirtualClock;
  readonly matching: Matching;
  private readonly timers: TimerQueue;
  private readonly longPollMs: number;
  private readonly runtimes = new Map<string, Runtime>();
  private readonly stickyIndex = new Map<string, Set<string>>();
  private taskIdCounter: number;
  private savedTaskId: number;
  private savedSkippedMs: number;
  private closed = false;

  constructor(options: EngineOptions) {
    this.store = options.store;
    this.clock = options.clock;
    this.matching = new Matching(options.pollTimeoutMs ?? 60_000);
    this.timers = new TimerQueue(this.clock, (namespace, runId, task) => this.fireTimer(namespace, runId, task));
    this.longPollMs = options.longPollMs ?? 20_000;
    this.taskIdCounter = this.store.getMeta('taskId') ?? 1;
    this.savedTaskId = this.taskIdCounter;
    // Time skipped before a restart stays skipped: timers were set on that clock.
    this.clock.skipTo(this.store.getMeta('skippedMs') ?? 0);
    this.savedSkippedMs = this.clock.skippedMs;
  }

  /**
   * Runs one request, timer or poll as a unit of work: everything it changes (events, runs, the
   * event task-id counter) is committed at once when it returns, before any answer leaves.
   */
  transact<T>(fn: () => T): T {
    return this.store.transact(() => {
      const result = fn();
      if (this.taskIdCounter !== this.savedTaskId) {
        this.store.setMeta('taskId', this.taskIdCounter);
        this.savedTaskId = this.taskIdCounter;
      }
      if (this.clock.skippedMs !== this.savedSkippedMs) {
        this.store.setMeta('skippedMs', this.clock.skippedMs);
        this.savedSkippedMs = this.clock.skippedMs;
      }
      return result;
    });
  }

  /**
   * Rebuilds what lives only in memory from the store, at start: every running run's timers (those
   * that fell due while the server was down fire at once), its workflow task and activities put
   * back on their queues or watched by their timeouts (a task out with a worker that died times out
   * and is retried), and stickiness dropped: no worker's cache survived with us.
   */
  recover(): number {
    const running = this.store.runningExecutions();
    for (const { namespace, runId } of running) {
      this.transact(() => {
        const exec = this.store.getExecution(namespace, runId);
        if (!exec || exec.status !== RUNNING) return;
        this.setSticky(exec, undefined);
        this.armRunTimeout(exec);
        for (const timer of Object.values(exec.timers)) this.scheduleTimer(exec, timer.timerId, timer.fireTime);
        const task = exec.workflowTask;
        if (task) {
          this.hold(exec, 'workflow-task');
          if (task.startedEventId) this.armWorkflowTaskTimeout(exec);
          else {
            task.sticky = false;
            task.queue = exec.taskQueue;
            this.enqueueWorkflowTask(exec);
          }
        } else if (exec.workflowTaskNeeded || Object.values(exec.updates).some((update) => update.stage === 'admitted')) {
          this.scheduleWorkflowTask(exec);
        } else if (exec.lastCompletedStartedEventId === 0 && exec.executionTime > exec.startTime) {
          this.armStartDelay(exec);
        }
        for (const activity of Object.values(exec.activities)) {
          this.armScheduleToCloseTimer(exec, activity);
          if (activity.phase === 'scheduled') this.enqueueActivity(exec, activity);
          else if (activity.phase === 'started') {
            this.hold(exec, `activity:${activity.scheduledEventId}`);
            this.armStartedActivityTimers(exec, activity);
          } else this.armBackoffTimer(exec, activity);
        }
        this.save(exec);
      });
    }
    return running.length;
  }

  /** `sqlite` with a file, else `memory` (what GetClusterInfo reports). */
  get persistence(): string {
    return this.store.persistent ? 'sqlite' : 'memory';
  }

  shutdown(): void {
    this.closed = true;
    this.matching.releaseAll();
    this.timers.clearAll();
    for (const runtime of this.runtimes.values()) {
      for (const waiter of [...runtime.historyWaiters, ...runtime.updateWaiters]) waiter();
      for (const query of runtime.queries) query.reject(new ServiceError(grpcStatus.UNAVAILABLE, 'server shutting down'));
    }
    this.clock.stop();
  }

  // ---------------------------------------------------------------- namespaces

  /** @throws ServiceError NOT_FOUND (with NamespaceNotFoundFailure) for an unknown namespace. */
  requireNamespace(namespace: string | undefined): string {
    const name = namespace || 'default';
    if (!this.store.namespaces().includes(name)) throw namespaceNotFound(name);
    return name;
  }

  // ---------------------------------------------------------------- runtime bookkeeping

  private key(exec: ExecutionRecord): string {
    return `${exec.namespace}/${exec.runId}`;
  }

  private runtime(exec: ExecutionRecord): Runtime {
    const key = this.key(exec);
    let runtime = this.runtimes.get(key);
    if (!runtime) {
      runtime = { historyWaiters: new Set(), updateWaiters: new Set(), queries: [], locks: new Set() };
      this.runtimes.set(key, runtime);
    }
    return runtime;
  }

  /**
   * A run's runtime goes once nothing waits on it or is held for it, so memory grows with what
   * is going on now, not with open work (an idle run waiting on a timer has only its timer task).
   */
  private forgetIfIdle(key: string): void {
    const runtime = this.runtimes.get(key);
    if (runtime && runtime.locks.size === 0 && runtime.queries.length === 0 && runtime.historyWaiters.size === 0 && runtime.updateWaiters.size === 0 && !runtime.applyingCommands) {
      this.runtimes.delete(key);
    }
  }

  private setTimer(exec: ExecutionRecord, at: number, task: TimerTask): void {
    this.timers.set(exec.namespace, exec.runId, at, task);
  }

  private clearTimer(exec: ExecutionRecord, name: string): void {
    this.timers.clear(exec.namespace, exec.runId, name);
  }

  /** One timer task fell due: its own unit of work, on the run as it is now. */
  private fireTimer(namespace: string, runId: string, task: TimerTask): void {
    if (this.closed) return;
    this.transact(() => {
      const exec = this.store.getExecution(namespace, runId);
      if (!exec || exec.status !== RUNNING) return;
      switch (task.type) {
        case 'userTimer':
          return this.fireUserTimer(exec, task.timerId);
        case 'activityTimeout':
          return this.timeOutActivity(exec, task.scheduledEventId, ACTIVITY_TIMEOUT_TYPES[task.kind], task.token);
        case 'activityRetry':
          return this.retryActivityNow(exec, task.scheduledEventId);
        case 'workflowTaskTimeout':
          if (exec.workflowTask?.token === task.token) this.failWorkflowTask(exec, 'EVENT_TYPE_WORKFLOW_TASK_TIMED_OUT', { timeoutType: 'TIMEOUT_TYPE_START_TO_CLOSE' });
          return;
        case 'stickyTimeout':
          return this.stickyTimedOut(exec, task.scheduledEventId);
        case 'runTimeout':
          return this.timeOutWorkflow(exec);
        case 'startDelay':
          this.scheduleWorkflowTask(exec);
          this.save(exec);
      }
    });
  }

  /** Time may not skip while a task is out with (or waiting for) a worker. */
  private hold(exec: ExecutionRecord, lock: string): void {
    const runtime = this.runtime(exec);
    if (runtime.locks.has(lock)) return;
    runtime.locks.add(lock);
    this.clock.lock();
  }

  private release(exec: ExecutionRecord, lock: string): void {
    const runtime = this.runtimes.get(this.key(exec));
    if (!runtime?.locks.delete(lock)) return;
    this.clock.unlock();
    this.forgetIfIdle(this.key(exec));
  }

  private save(exec: ExecutionRecord): void {
    this.store.putExecution(exec);
    const runtime = this.runtimes.get(this.key(exec));
    if (!runtime) return;
    for (const waiter of [...runtime.historyWaiters]) waiter();
    for (const waiter of [...runtime.updateWaiters]) waiter();
  }

  private setSticky(exec: ExecutionRecord, queue: string | undefined, timeoutMs = DEFAULT_STICKY_TIMEOUT_MS): void {
    if (exec.stickyQueue) this.stickyIndex.get(exec.stickyQueue)?.delete(this.key(exec));
    exec.stickyQueue = queue;
    exec.stickyScheduleToStartMs = timeoutMs;
    if (queue) {
      let runs = this.stickyIndex.get(queue);
      if (!runs) this.stickyIndex.set(queue, (runs = new Set()));
      runs.add(this.key(exec));
    }
  }

  // ---------------------------------------------------------------- history

  private makeEvent(eventType: string, attributes: Pb): HistoryEvent {
    return {
      eventId: 0,
      eventTime: timestamp(this.clock.now()),
      eventType,
      version: 0,
      taskId: this.taskIdCounter++,
      [eventAttributesField(eventType)]: attributes,
    };
  }

  private assignId(exec: ExecutionRecord, event: HistoryEvent): HistoryEvent {
    event.eventId = exec.nextEventId++;
    const attributes = event[eventAttributesField(event.eventType)];
    if (attributes?.startedEventId === PREVIOUS_EVENT) attributes.startedEventId = event.eventId - 1;
    this.store.appendEvents(exec.namespace, exec.runId, [event]);
    return event;
  }

  /** Appends an event now, whatever the state of the workflow task. */
  private append(exec: ExecutionRecord, eventType: string, attributes: Pb): HistoryEvent {
    return this.assignId(exec, this.makeEvent(eventType, attributes));
  }

  /**
   * Records something that happened to the workflow from outside (a signal, an activity result, a
   * timer). While a workflow task runs, the event waits in the buffer so the task's own events come
   * first; either way the workflow gets a new task to see it.
   */
  private deliver(exec: ExecutionRecord, events: Array<[string, Pb]>): void {
    if (exec.workflowTask?.startedEventId) {
      for (const [type, attributes] of events) exec.bufferedEvents.push(this.makeEvent(type, attributes));
      exec.workflowTaskNeeded = true;
    } else {
      for (const [type, attributes] of events) this.append(exec, type, attributes);
      this.scheduleWorkflowTask(exec);
    }
  }

  private flushBuffer(exec: ExecutionRecord): boolean {
    const events = exec.bufferedEvents.splice(0);
    for (const event of events) {
      event.eventTime = timestamp(this.clock.now());
      this.assignId(exec, event);
    }
    return events.length > 0;
  }

  // ---------------------------------------------------------------- resolving executions

  /** @throws ServiceError NOT_FOUND when no such run exists. */
  getExecution(namespace: string, execution: Pb): ExecutionRecord {
    const workflowId: string = execution?.workflowId ?? '';
    const runId: string = execution?.runId ?? '';
    if (!workflowId) throw invalidArgument('workflow id is not set');
    const exec = runId ? this.store.getExecution(namespace, runId) : this.store.getCurrentRun(namespace, workflowId);
    if (!exec || exec.workflowId !== workflowId) throw notFound(`workflow execution not found for workflow ID ${workflowId}${runId ? ` and run ID ${runId}` : ''}`);
    return exec;
  }

  private requireRunning(namespace: string, execution: Pb): ExecutionRecord {
    const exec = this.getExecution(namespace, execution);
    if (exec.status !== RUNNING) throw notFound('workflow execution already completed');
    return exec;
  }

  // ---------------------------------------------------------------- start

  /** @throws ServiceError ALREADY_EXISTS when the id is taken under the request's policies. */
  startWorkflow(request: Pb, beforeFirstTask?: (exec: ExecutionRecord) => void): { runId: string; started: boolean } {
    const namespace = this.requireNamespace(request.namespace);
    const workflowId: string = request.workflowId ?? '';
    if (!workflowId) throw invalidArgument('WorkflowId is not set on request.');
    if (!request.workflowType?.name) throw invalidArgument('WorkflowType is not set on request.');
    if (!request.taskQueue?.name) throw invalidArgument('TaskQueue is not set on request.');
    const requestId: string = request.requestId || randomUUID();

    const current = this.store.getCurrentRun(namespace, workflowId);
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
          this.terminate(current, 'terminated by a new start with the same workflow id (TERMINATE_EXISTING)', undefined, request.identity ?? '');
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

    const now = this.clock.now();
    const runId = randomUUID();
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
      searchAttributes: { ...(request.searchAttributes?.indexedFields ?? {}) },
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
    };
    this.store.putExecution(exec);
    this.append(exec, 'EVENT_TYPE_WORKFLOW_EXECUTION_STARTED', {
      workflowType: { name: exec.workflowType },
      taskQueue: { name: exec.taskQueue, kind: 'TASK_QUEUE_KIND_NORMAL' },
      header: request.header,
      input: request.input,
      workflowExecutionTimeout: duration(executionTimeoutMs),
      workflowRunTimeout: duration(runTimeoutMs),
      workflowTaskTimeout: duration(workflowTaskTimeoutMs),
      originalExecutionRunId: runId,
      firstExecutionRunId: runId,
      identity: request.identity ?? '',
      attempt: 1,
      workflowExecutionExpirationTime: executionTimeoutMs ? timestamp(now + executionTimeoutMs) : undefined,
      firstWorkflowTaskBackoff: delayMs ? duration(delayMs) : undefined,
      memo: request.memo,
      searchAttributes: request.searchAttributes,
      retryPolicy: request.retryPolicy,
      cronSchedule: request.cronSchedule,
      workflowId,
    });
    beforeFirstTask?.(exec);
    this.armRunTimeout(exec);
    if (delayMs) this.armStartDelay(exec);
    else this.scheduleWorkflowTask(exec);
    this.save(exec);
    return { runId, started: true };
  }

  private armRunTimeout(exec: ExecutionRecord): void {
    if (exec.runTimeoutMs) this.setTimer(exec, exec.startTime + exec.runTimeoutMs, { type: 'runTimeout' });
  }

  private armStartDelay(exec: ExecutionRecord): void {
    this.setTimer(exec, exec.executionTime, { type: 'startDelay' });
  }

  signalWithStart(request: Pb): { runId: string; started: boolean } {
    const namespace = this.requireNamespace(request.namespace);
    const current = this.store.getCurrentRun(namespace, request.workflowId ?? '');
    const signal = (exec: ExecutionRecord) =>
      this.append(exec, 'EVENT_TYPE_WORKFLOW_EXECUTION_SIGNALED', {
        signalName: request.signalName,
        input: request.signalInput,
        identity: request.identity ?? '',
        header: request.header,
      });
    const conflict = request.workflowIdConflictPolicy ?? 'WORKFLOW_ID_CONFLICT_POLICY_UNSPECIFIED';
    if (current && current.status === RUNNING && conflict !== 'WORKFLOW_ID_CONFLICT_POLICY_TERMINATE_EXISTING' && conflict !== 'WORKFLOW_ID_CONFLICT_POLICY_FAIL') {
      this.signal({ ...request, workflowExecution: { workflowId: current.workflowId, runId: current.runId }, input: request.signalInput });
      return { runId: current.runId, started: false };
    }
    return this.startWorkflow(request, signal);
  }

  // ---------------------------------------------------------------- workflow tasks

  private scheduleWorkflowTask(exec: ExecutionRecord): void {
    if (exec.status !== RUNNING) return;
    if (exec.workflowTask) {
      if (exec.workflowTask.startedEventId) exec.workflowTaskNeeded = true;
      return;
    }
    if (this.runtimes.get(this.key(exec))?.applyingCommands) {
      exec.workflowTaskNeeded = true;
      return;
    }
    exec.workflowTaskNeeded = false;
    this.clearTimer(exec, 'startDelay');
    const attempt = exec.workflowTaskAttempt ?? 1;
    const sticky = exec.stickyQueue;
    const queue = sticky ?? exec.taskQueue;
    const event = this.append(exec, 'EVENT_TYPE_WORKFLOW_TASK_SCHEDULED', {
      taskQueue: sticky ? { name: sticky, kind: 'TASK_QUEUE_KIND_STICKY', normalName: exec.taskQueue } : { name: exec.taskQueue, kind: 'TASK_QUEUE_KIND_NORMAL' },
      startToCloseTimeout: duration(exec.workflowTaskTimeoutMs),
      attempt,
    });
    exec.workflowTask = { scheduledEventId: event.eventId, attempt, queue, sticky: !!sticky, scheduledTime: this.clock.now() };
    this.hold(exec, 'workflow-task');
    this.enqueueWorkflowTask(exec);
  }

  private enqueueWorkflowTask(exec: ExecutionRecord): void {
    const task = exec.workflowTask!;
    const { namespace, runId } = exec;
    const { scheduledEventId, queue } = task;
    this.matching.addTask(namespace, 'workflow', queue, {
      tryStart: (poll) => this.startWorkflowTask(namespace, runId, scheduledEventId, queue, poll),
    });
    if (task.sticky) {
      // A sticky task nobody picks up in time goes back to the normal queue, without stickiness.
      this.setTimer(exec, this.clock.now() + exec.stickyScheduleToStartMs, { type: 'stickyTimeout', scheduledEventId });
    }
  }

  private stickyTimedOut(exec: ExecutionRecord, scheduledEventId: number): void {
    const task = exec.workflowTask;
    if (!task || task.scheduledEventId !== scheduledEventId || task.startedEventId || !task.sticky) return;
    this.moveToNormalQueue(exec);
    this.save(exec);
  }

  private moveToNormalQueue(exec: ExecutionRecord): void {
    this.setSticky(exec, undefined);
    const task = exec.workflowTask;
    if (task && !task.startedEventId && task.sticky) {
      task.sticky = false;
      task.queue = exec.taskQueue;
      this.clearTimer(exec, 'stickyTimeout');
      this.enqueueWorkflowTask(exec);
    }
    for (const query of this.runtimes.get(this.key(exec))?.queries ?? []) {
      if (query.dispatched) this.dispatchQueryTask(exec, query);
    }
  }

  private startWorkflowTask(namespace: string, runId: string, scheduledEventId: number, queue: string, poll: Pb): Pb | undefined {
    const exec = this.store.getExecution(namespace, runId);
    const task = exec?.workflowTask;
    if (!exec || exec.status !== RUNNING || !task || task.scheduledEventId !== scheduledEventId || task.startedEventId || task.queue !== queue) return undefined;
    this.clearTimer(exec, 'stickyTimeout');
    const started = this.append(exec, 'EVENT_TYPE_WORKFLOW_TASK_STARTED', {
      scheduledEventId,
      identity: poll.identity ?? '',
      requestId: randomUUID(),
      historySizeBytes: exec.historySizeBytes,
    });
    task.startedEventId = started.eventId;
    task.startedTime = this.clock.now();
    task.token = randomUUID();
    task.identity = poll.identity ?? '';
    this.armWorkflowTaskTimeout(exec);

    const queries: Record<string, Pb> = {};
    for (const query of this.runtime(exec).queries) {
      if (query.attachedTo || query.dispatched) continue;
      query.attachedTo = task.token;
      queries[query.id] = query.query;
    }
    const messages: Pb[] = [];
    for (const update of Object.values(exec.updates)) {
      if (update.stage !== 'admitted') continue;
      update.stage = 'delivered';
      update.messageId = `${update.updateId}/request`;
      update.sequencingEventId = started.eventId - 1;
      messages.push({
        id: update.messageId,
        protocolInstanceId: update.updateId,
        eventId: update.sequencingEventId,
        body: packAny('temporal.api.update.v1.Request', update.request),
      });
    }
    const events = this.store.readEvents(namespace, runId, task.sticky ? exec.lastCompletedStartedEventId + 1 : 1);
    this.save(exec);
    return {
      taskToken: encodeToken({ kind: 'workflow', namespace, runId, id: scheduledEventId, token: task.token }),
      workflowExecution: { workflowId: exec.workflowId, runId },
      workflowType: { name: exec.workflowType },
      previousStartedEventId: exec.lastCompletedStartedEventId,
      startedEventId: started.eventId,
      attempt: task.attempt,
      backlogCountHint: this.matching.backlog(namespace, 'workflow', queue),
      history: { events },
      nextPageToken: Buffer.alloc(0),
      workflowExecutionTaskQueue: { name: exec.taskQueue, kind: 'TASK_QUEUE_KIND_NORMAL' },
      scheduledTime: timestamp(task.scheduledTime),
      startedTime: timestamp(task.startedTime),
      queries,
      messages,
    };
  }

  private armWorkflowTaskTimeout(exec: ExecutionRecord): void {
    const { token, startedTime } = exec.workflowTask!;
    this.setTimer(exec, startedTime! + exec.workflowTaskTimeoutMs, { type: 'workflowTaskTimeout', token: token! });
  }

  private currentWorkflowTask(request: Pb): ExecutionRecord {
    const token = decodeToken(request.taskToken, 'workflow');
    const exec = this.store.getExecution(token.namespace, token.runId);
    if (!exec || exec.status !== RUNNING || exec.workflowTask?.token !== token.token) throw notFound('Workflow task not found.');
    return exec;
  }

  completeWorkflowTask(request: Pb): Pb {
    const exec = this.currentWorkflowTask(request);
    const task = exec.workflowTask!;
    const commands: Pb[] = request.commands ?? [];
    const messages = new Map<string, Pb>((request.messages ?? []).map((message: Pb) => [message.id, message]));
    this.answerQueries(exec, request.queryResults ?? {});

    const closing = commands.some((command) =>
      ['COMMAND_TYPE_COMPLETE_WORKFLOW_EXECUTION', 'COMMAND_TYPE_FAIL_WORKFLOW_EXECUTION', 'COMMAND_TYPE_CANCEL_WORKFLOW_EXECUTION', 'COMMAND_TYPE_CONTINUE_AS_NEW_WORKFLOW_EXECUTION'].includes(command.commandType),
    );
    const unseenUpdates = Object.values(exec.updates).some((update) => update.stage === 'admitted');
    if (closing && (exec.bufferedEvents.length > 0 || unseenUpdates)) {
      // The workflow decided to finish without having seen everything: it must look again.
      this.failWorkflowTask(exec, 'EVENT_TYPE_WORKFLOW_TASK_FAILED', {
        cause: 'WORKFLOW_TASK_FAILED_CAUSE_UNHANDLED_COMMAND',
        failure: { message: 'Workflow tried to close while new events or updates were pending', source: 'Server' },
        identity: request.identity ?? '',
      });
      return {};
    }

    this.clearTimer(exec, 'workflowTaskTimeout');
    const completed = this.append(exec, 'EVENT_TYPE_WORKFLOW_TASK_COMPLETED', {
      scheduledEventId: task.scheduledEventId,
      startedEventId: task.startedEventId,
      identity: request.identity ?? '',
      binaryChecksum: request.binaryChecksum ?? '',
      sdkMetadata: request.sdkMetadata,
      meteringMetadata: request.meteringMetadata,
      workerVersion: request.workerVersionStamp,
      deployment: request.deployment,
      versioningBehavior: request.versioningBehavior,
      deploymentOptions: request.deploymentOptions,
    });
    exec.lastCompletedStartedEventId = task.startedEventId!;
    exec.workflowTask = undefined;
    exec.workflowTaskAttempt = 1;
    // Released before any next task takes the lock again; skipping waits for the end of this turn.
    this.release(exec, 'workflow-task');

    const completedId = completed.eventId;
    const runtime = this.runtime(exec);
    runtime.applyingCommands = true;
    try {
      for (const command of commands) {
        if (exec.status !== RUNNING) break;
        if (command.commandType === 'COMMAND_TYPE_PROTOCOL_MESSAGE') {
          const id = command.protocolMessageCommandAttributes?.messageId;
          const message = messages.get(id);
          if (message) {
            messages.delete(id);
            this.handleMessage(exec, message, completedId);
          }
          continue;
        }
        this.handleCommand(exec, command, completedId, request.identity ?? '');
      }
      for (const message of messages.values()) {
        if (exec.status !== RUNNING) break;
        this.handleMessage(exec, message, completedId);
      }
    } finally {
      runtime.applyingCommands = false;
      this.forgetIfIdle(this.key(exec));
    }

    if (exec.status === RUNNING) {
      const sticky = request.stickyAttributes?.workerTaskQueue?.name;
      this.setSticky(exec, sticky || undefined, toMs(request.stickyAttributes?.scheduleToStartTimeout) || DEFAULT_STICKY_TIMEOUT_MS);
      for (const update of Object.values(exec.updates)) {
        // An update the workflow neither accepted nor rejected is offered again.
        if (update.stage === 'delivered') update.stage = 'admitted';
      }
      const flushed = this.flushBuffer(exec);
      const pendingUpdates = Object.values(exec.updates).some((update) => update.stage === 'admitted');
      if (flushed || exec.workflowTaskNeeded || request.forceCreateNewWorkflowTask || pendingUpdates) this.scheduleWorkflowTask(exec);
      else this.dispatchWaitingQueries(exec);
    }
    this.save(exec);
    return {};
  }

  failWorkflowTaskRequest(request: Pb): Pb {
    const exec = this.currentWorkflowTask(request);
    this.failWorkflowTask(exec, 'EVENT_TYPE_WORKFLOW_TASK_FAILED', {
      cause: request.cause ?? 'WORKFLOW_TASK_FAILED_CAUSE_UNSPECIFIED',
      failure: request.failure,
      identity: request.identity ?? '',
      binaryChecksum: request.binaryChecksum ?? '',
    });
    return {};
  }

  /** Ends the started workflow task without its commands and schedules another attempt. */
  private failWorkflowTask(exec: ExecutionRecord, eventType: string, attributes: Pb): void {
    const task = exec.workflowTask!;
    this.clearTimer(exec, 'workflowTaskTimeout');
    this.append(exec, eventType, { ...attributes, scheduledEventId: task.scheduledEventId, startedEventId: task.startedEventId });
    exec.workflowTask = undefined;
    exec.workflowTaskAttempt = task.attempt + 1;
    this.release(exec, 'workflow-task');
    // The worker that failed may have a broken cache: the next attempt goes to the normal queue.
    this.setSticky(exec, undefined);
    for (const update of Object.values(exec.updates)) if (update.stage === 'delivered') update.stage = 'admitted';
    for (const query of this.runtime(exec).queries) if (query.attachedTo === task.token) query.attachedTo = undefined;
    this.flushBuffer(exec);
    this.scheduleWorkflowTask(exec);
    this.save(exec);
  }

  // ---------------------------------------------------------------- commands

  private handleCommand(exec: ExecutionRecord, command: Pb, completedId: number, identity: string): void {
    const type: string = command.commandType;
    const attributes: Pb = command[commandAttributesField(type)] ?? {};
    switch (type) {
      case 'COMMAND_TYPE_SCHEDULE_ACTIVITY_TASK':
        this.scheduleActivity(exec, attributes, completedId);
        return;
      case 'COMMAND_TYPE_REQUEST_CANCEL_ACTIVITY_TASK':
        this.requestCancelActivity(exec, Number(attributes.scheduledEventId), completedId);
        return;
      case 'COMMAND_TYPE_START_TIMER':
        this.startTimer(exec, attributes, completedId);
        return;
      case 'COMMAND_TYPE_CANCEL_TIMER': {
        const timer = exec.timers[attributes.timerId];
        if (!timer) return;
        this.clearTimer(exec, `timer:${timer.timerId}`);
        delete exec.timers[timer.timerId];
        this.append(exec, 'EVENT_TYPE_TIMER_CANCELED', { timerId: timer.timerId, startedEventId: timer.startedEventId, workflowTaskCompletedEventId: completedId, identity });
        return;
      }
      case 'COMMAND_TYPE_COMPLETE_WORKFLOW_EXECUTION':
        this.close(exec, 'WORKFLOW_EXECUTION_STATUS_COMPLETED', 'EVENT_TYPE_WORKFLOW_EXECUTION_COMPLETED', { result: attributes.result, workflowTaskCompletedEventId: completedId });
        return;
      case 'COMMAND_TYPE_FAIL_WORKFLOW_EXECUTION':
        this.close(exec, 'WORKFLOW_EXECUTION_STATUS_FAILED', 'EVENT_TYPE_WORKFLOW_EXECUTION_FAILED', {
          failure: attributes.failure,
          retryState: 'RETRY_STATE_RETRY_POLICY_NOT_SET',
          workflowTaskCompletedEventId: completedId,
        });
        return;
      case 'COMMAND_TYPE_CANCEL_WORKFLOW_EXECUTION':
        this.close(exec, 'WORKFLOW_EXECUTION_STATUS_CANCELED', 'EVENT_TYPE_WORKFLOW_EXECUTION_CANCELED', { details: attributes.details, workflowTaskCompletedEventId: completedId });
        return;
      case 'COMMAND_TYPE_RECORD_MARKER':
        this.append(exec, 'EVENT_TYPE_MARKER_RECORDED', {
          markerName: attributes.markerName,
          details: attributes.details,
          header: attributes.header,
          failure: attributes.failure,
          workflowTaskCompletedEventId: completedId,
        });
        return;
      case 'COMMAND_TYPE_UPSERT_WORKFLOW_SEARCH_ATTRIBUTES':
        Object.assign(exec.searchAttributes, attributes.searchAttributes?.indexedFields ?? {});
        this.append(exec, 'EVENT_TYPE_UPSERT_WORKFLOW_SEARCH_ATTRIBUTES', { searchAttributes: attributes.searchAttributes, workflowTaskCompletedEventId: completedId });
        return;
      case 'COMMAND_TYPE_MODIFY_WORKFLOW_PROPERTIES':
        Object.assign(exec.memo, attributes.upsertedMemo?.fields ?? {});
        this.append(exec, 'EVENT_TYPE_WORKFLOW_PROPERTIES_MODIFIED', { upsertedMemo: attributes.upsertedMemo, workflowTaskCompletedEventId: completedId });
        return;
      default: {
        // Child workflows, continue-as-new, external signals/cancels and Nexus come with a later issue.
        // Terminating says so plainly instead of retrying a task that can never succeed.
        const name = type.replace(/^COMMAND_TYPE_/, '');
        this.close(exec, 'WORKFLOW_EXECUTION_STATUS_TERMINATED', 'EVENT_TYPE_WORKFLOW_EXECUTION_TERMINATED', {
          reason: `command ${name} is not supported by the embedded Temporal server`,
          identity: 'temporal-server',
        });
      }
    }
  }

  private handleMessage(exec: ExecutionRecord, message: Pb, completedId: number): void {
    if (!message.body) return;
    const { typeName, value } = unpackAny(message.body);
    const update: UpdateState | undefined = exec.updates[message.protocolInstanceId];
    if (!update) return;
    switch (typeName) {
      case 'temporal.api.update.v1.Acceptance': {
        const event = this.append(exec, 'EVENT_TYPE_WORKFLOW_EXECUTION_UPDATE_ACCEPTED', {
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
        this.append(exec, 'EVENT_TYPE_WORKFLOW_EXECUTION_UPDATE_COMPLETED', {
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

  private startTimer(exec: ExecutionRecord, attributes: Pb, completedId: number): void {
    const timerId: string = attributes.timerId;
    const fireMs = toMs(attributes.startToFireTimeout);
    const event = this.append(exec, 'EVENT_TYPE_TIMER_STARTED', { timerId, startToFireTimeout: attributes.startToFireTimeout, workflowTaskCompletedEventId: completedId });
    const fireTime = this.clock.now() + fireMs;
    exec.timers[timerId] = { timerId, startedEventId: event.eventId, fireTime };
    this.scheduleTimer(exec, timerId, fireTime);
  }

  private scheduleTimer(exec: ExecutionRecord, timerId: string, fireTime: number): void {
    this.setTimer(exec, fireTime, { type: 'userTimer', timerId });
  }

  private fireUserTimer(exec: ExecutionRecord, timerId: string): void {
    const timer = exec.timers[timerId];
    if (!timer) return;
    delete exec.timers[timerId];
    this.deliver(exec, [['EVENT_TYPE_TIMER_FIRED', { timerId, startedEventId: timer.startedEventId }]]);
    this.save(exec);
  }

  // ---------------------------------------------------------------- activities

  private scheduleActivity(exec: ExecutionRecord, attributes: Pb, completedId: number): void {
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
    const event = this.append(exec, 'EVENT_TYPE_ACTIVITY_TASK_SCHEDULED', {
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
    const now = this.clock.now();
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
    this.armScheduleToCloseTimer(exec, activity);
    this.dispatchActivity(exec, activity);
  }

  private armScheduleToCloseTimer(exec: ExecutionRecord, activity: ActivityState): void {
    if (!activity.scheduleToCloseMs) return;
    this.setTimer(exec, activity.scheduledTime + activity.scheduleToCloseMs, { type: 'activityTimeout', scheduledEventId: activity.scheduledEventId, kind: 'schedule-to-close' });
  }

  private dispatchActivity(exec: ExecutionRecord, activity: ActivityState): void {
    activity.phase = 'scheduled';
    activity.attemptScheduledTime = this.clock.now();
    activity.retryTime = undefined;
    this.enqueueActivity(exec, activity);
  }

  /** Puts a scheduled attempt on its queue, with its schedule-to-start timeout counted from when it was scheduled. */
  private enqueueActivity(exec: ExecutionRecord, activity: ActivityState): void {
    this.hold(exec, `activity:${activity.scheduledEventId}`);
    const { namespace, runId } = exec;
    const { scheduledEventId, attempt } = activity;
    if (activity.scheduleToStartMs && activity.scheduleToStartMs !== activity.scheduleToCloseMs) {
      this.setTimer(exec, activity.attemptScheduledTime + activity.scheduleToStartMs, { type: 'activityTimeout', scheduledEventId, kind: 'schedule-to-start' });
    }
    this.matching.addTask(namespace, 'activity', activity.taskQueue, {
      tryStart: (poll) => this.startActivity(namespace, runId, scheduledEventId, attempt, poll),
    });
  }

  private startActivity(namespace: string, runId: string, scheduledEventId: number, attempt: number, poll: Pb): Pb | undefined {
    const exec = this.store.getExecution(namespace, runId);
    const activity = exec?.activities[scheduledEventId];
    if (!exec || exec.status !== RUNNING || !activity || activity.phase !== 'scheduled' || activity.attempt !== attempt) return undefined;
    const now = this.clock.now();
    activity.phase = 'started';
    activity.startedTime = now;
    activity.lastHeartbeatTime = undefined;
    activity.startedIdentity = poll.identity ?? '';
    activity.startedRequestId = randomUUID();
    activity.token = randomUUID();
    this.clearTimer(exec, `activity:${scheduledEventId}:schedule-to-start`);
    this.armStartedActivityTimers(exec, activity);
    this.save(exec);
    return {
      taskToken: encodeToken({ kind: 'activity', namespace, runId, id: scheduledEventId, token: activity.token }),
      workflowNamespace: namespace,
      workflowType: { name: exec.workflowType },
      workflowExecution: { workflowId: exec.workflowId, runId },
      activityType: { name: activity.activityType },
      activityId: activity.activityId,
      header: activity.header,
      input: activity.input,
      heartbeatDetails: activity.heartbeatDetails,
      scheduledTime: timestamp(activity.scheduledTime),
      currentAttemptScheduledTime: timestamp(activity.attemptScheduledTime),
      startedTime: timestamp(now),
      attempt: activity.attempt,
      scheduleToCloseTimeout: duration(activity.scheduleToCloseMs),
      startToCloseTimeout: duration(activity.startToCloseMs),
      heartbeatTimeout: duration(activity.heartbeatMs),
      retryPolicy: activity.retryPolicy,
    };
  }

  private armStartedActivityTimers(exec: ExecutionRecord, activity: ActivityState): void {
    const { scheduledEventId, token } = activity;
    if (activity.startToCloseMs) {
      this.setTimer(exec, activity.startedTime! + activity.startToCloseMs, { type: 'activityTimeout', scheduledEventId, kind: 'start-to-close', token });
    }
    this.armHeartbeatTimer(exec, activity);
  }

  private armHeartbeatTimer(exec: ExecutionRecord, activity: ActivityState): void {
    if (!activity.heartbeatMs) return;
    const since = activity.lastHeartbeatTime ?? activity.startedTime ?? this.clock.now();
    this.setTimer(exec, since + activity.heartbeatMs, { type: 'activityTimeout', scheduledEventId: activity.scheduledEventId, kind: 'heartbeat', token: activity.token });
  }

  private clearActivityTimers(exec: ExecutionRecord, scheduledEventId: number, all: boolean): void {
    for (const name of ACTIVITY_TIMER_NAMES(scheduledEventId, all)) this.clearTimer(exec, name);
  }

  private activityByToken(request: Pb): { exec: ExecutionRecord; activity: ActivityState } {
    const token = decodeToken(request.taskToken, 'activity');
    const exec = this.store.getExecution(token.namespace, token.runId);
    const activity = exec?.activities[Number(token.id)];
    if (!exec || exec.status !== RUNNING || !activity || activity.phase !== 'started' || activity.token !== token.token) {
      throw notFound('Activity task not found.');
    }
    return { exec, activity };
  }

  /** Finds the running attempt of an activity by workflow and activity id, for the `...ById` calls. */
  activityTokenById(request: Pb): Buffer {
    const namespace = this.requireNamespace(request.namespace);
    const exec = this.requireRunning(namespace, { workflowId: request.workflowId, runId: request.runId });
    const activity = Object.values(exec.activities).find((candidate) => candidate.activityId === request.activityId);
    if (!activity || activity.phase !== 'started' || !activity.token) throw notFound('Activity task not found.');
    return encodeToken({ kind: 'activity', namespace, runId: exec.runId, id: activity.scheduledEventId, token: activity.token });
  }

  /** Closes an activity with Started + the given closing event, and lets the workflow see it. */
  private closeActivity(exec: ExecutionRecord, activity: ActivityState, eventType: string, attributes: Pb, withStarted: boolean): void {
    this.clearActivityTimers(exec, activity.scheduledEventId, true);
    delete exec.activities[activity.scheduledEventId];
    this.release(exec, `activity:${activity.scheduledEventId}`);
    const events: Array<[string, Pb]> = [];
    if (withStarted) {
      events.push([
        'EVENT_TYPE_ACTIVITY_TASK_STARTED',
        {
          scheduledEventId: activity.scheduledEventId,
          identity: activity.startedIdentity ?? '',
          requestId: activity.startedRequestId ?? '',
          attempt: activity.attempt,
          lastFailure: activity.lastFailure,
        },
      ]);
    }
    events.push([eventType, { ...attributes, scheduledEventId: activity.scheduledEventId, startedEventId: withStarted ? PREVIOUS_EVENT : 0 }]);
    this.deliver(exec, events);
    this.save(exec);
  }

  completeActivity(request: Pb): Pb {
    const { exec, activity } = this.activityByToken(request);
    this.closeActivity(exec, activity, 'EVENT_TYPE_ACTIVITY_TASK_COMPLETED', { result: request.result, identity: request.identity ?? '' }, true);
    return {};
  }

  cancelActivityRequest(request: Pb): Pb {
    const { exec, activity } = this.activityByToken(request);
    this.closeActivity(
      exec,
      activity,
      'EVENT_TYPE_ACTIVITY_TASK_CANCELED',
      { details: request.details, latestCancelRequestedEventId: activity.cancelRequestedEventId ?? 0, identity: request.identity ?? '' },
      true,
    );
    return {};
  }

  failActivity(request: Pb): Pb {
    const { exec, activity } = this.activityByToken(request);
    if (request.lastHeartbeatDetails) activity.heartbeatDetails = request.lastHeartbeatDetails;
    const failure: Pb = request.failure ?? { message: 'activity failed' };
    const info = failure.applicationFailureInfo;
    const nonRetryable = !!info?.nonRetryable || (info?.type !== undefined && activity.retryPolicy.nonRetryableErrorTypes.includes(info.type));
    const retryState = nonRetryable ? 'RETRY_STATE_NON_RETRYABLE_FAILURE' : this.retry(exec, activity, failure, toMs(info?.nextRetryDelay));
    if (retryState) {
      this.closeActivity(exec, activity, 'EVENT_TYPE_ACTIVITY_TASK_FAILED', { failure, identity: request.identity ?? '', retryState }, true);
    }
    return { failures: [] };
  }

  /**
   * Schedules the next attempt after backoff if the policy and deadlines allow it.
   * @returns undefined when a retry is scheduled, else the retry state that ends the activity.
   */
  private retry(exec: ExecutionRecord, activity: ActivityState, failure: Pb, nextRetryDelayMs = 0): string | undefined {
    if (activity.cancelRequested) return 'RETRY_STATE_CANCEL_REQUESTED';
    const policy = activity.retryPolicy;
    if (policy.maximumAttempts > 0 && activity.attempt >= policy.maximumAttempts) return 'RETRY_STATE_MAXIMUM_ATTEMPTS_REACHED';
    const initial = toMs(policy.initialInterval);
    const backoff = nextRetryDelayMs || Math.min(initial * Math.pow(policy.backoffCoefficient, activity.attempt - 1), toMs(policy.maximumInterval));
    const retryAt = this.clock.now() + backoff;
    if (activity.scheduleToCloseMs && retryAt >= activity.scheduledTime + activity.scheduleToCloseMs) return 'RETRY_STATE_TIMEOUT';
    this.clearActivityTimers(exec, activity.scheduledEventId, false);
    activity.phase = 'backoff';
    activity.retryTime = retryAt;
    activity.attempt += 1;
    activity.lastFailure = failure;
    activity.token = undefined;
    this.release(exec, `activity:${activity.scheduledEventId}`);
    this.armBackoffTimer(exec, activity);
    this.save(exec);
    return undefined;
  }

  private armBackoffTimer(exec: ExecutionRecord, activity: ActivityState): void {
    this.setTimer(exec, activity.retryTime!, { type: 'activityRetry', scheduledEventId: activity.scheduledEventId });
  }

  private retryActivityNow(exec: ExecutionRecord, scheduledEventId: number): void {
    const activity = exec.activities[scheduledEventId];
    if (!activity || activity.phase !== 'backoff') return;
    this.dispatchActivity(exec, activity);
    this.save(exec);
  }

  private timeOutActivity(exec: ExecutionRecord, scheduledEventId: number, timeoutType: string, token?: string): void {
    const activity = exec.activities[scheduledEventId];
    if (!activity || exec.status !== RUNNING) return;
    if (token !== undefined && activity.token !== token) return;
    const kind = { TIMEOUT_TYPE_SCHEDULE_TO_CLOSE: 'ScheduleToClose', TIMEOUT_TYPE_SCHEDULE_TO_START: 'ScheduleToStart', TIMEOUT_TYPE_START_TO_CLOSE: 'StartToClose', TIMEOUT_TYPE_HEARTBEAT: 'Heartbeat' }[timeoutType];
    const failure: Pb = {
      message: `activity ${kind} timeout`,
      source: 'Server',
      timeoutFailureInfo: { timeoutType, lastHeartbeatDetails: activity.heartbeatDetails },
      cause: timeoutType === 'TIMEOUT_TYPE_SCHEDULE_TO_CLOSE' ? activity.lastFailure : undefined,
    };
    let retryState = 'RETRY_STATE_TIMEOUT';
    if (timeoutType === 'TIMEOUT_TYPE_START_TO_CLOSE' || timeoutType === 'TIMEOUT_TYPE_HEARTBEAT') {
      const state = this.retry(exec, activity, failure);
      if (state === undefined) return;
      retryState = state;
    }
    this.closeActivity(exec, activity, 'EVENT_TYPE_ACTIVITY_TASK_TIMED_OUT', { failure, retryState }, activity.phase === 'started');
  }

  heartbeat(request: Pb): Pb {
    const { exec, activity } = this.activityByToken(request);
    activity.lastHeartbeatTime = this.clock.now();
    if (request.details) activity.heartbeatDetails = request.details;
    this.armHeartbeatTimer(exec, activity);
    this.save(exec);
    return { cancelRequested: activity.cancelRequested, activityPaused: false, activityReset: false };
  }

  private requestCancelActivity(exec: ExecutionRecord, scheduledEventId: number, completedId: number): void {
    const activity = exec.activities[scheduledEventId];
    if (!activity) return;
    const event = this.append(exec, 'EVENT_TYPE_ACTIVITY_TASK_CANCEL_REQUESTED', { scheduledEventId, workflowTaskCompletedEventId: completedId });
    activity.cancelRequested = true;
    activity.cancelRequestedEventId = event.eventId;
    if (activity.phase !== 'started') {
      // Nobody is running it: it is cancelled at once.
      this.closeActivity(exec, activity, 'EVENT_TYPE_ACTIVITY_TASK_CANCELED', { latestCancelRequestedEventId: event.eventId, identity: '' }, false);
    }
  }

  // ---------------------------------------------------------------- closing

  private close(exec: ExecutionRecord, status: ExecutionStatus, eventType: string, attributes: Pb): void {
    if (exec.status !== RUNNING) return;
    this.flushBuffer(exec);
    this.append(exec, eventType, attributes);
    exec.status = status;
    exec.closeTime = this.clock.now();
    exec.workflowTask = undefined;
    exec.workflowTaskNeeded = false;
    this.setSticky(exec, undefined);
    this.timers.clearRun(exec.namespace, exec.runId);
    const runtime = this.runtime(exec);
    for (const lock of [...runtime.locks]) this.release(exec, lock);
    exec.activities = {};
    exec.timers = {};
    for (const update of Object.values(exec.updates)) {
      if (update.stage !== 'completed') {
        update.stage = 'completed';
        update.outcome = { failure: { message: 'Workflow Update failed because the Workflow completed before the Update completed.', source: 'Server', applicationFailureInfo: { type: 'AcceptedUpdateCompletedWorkflow', nonRetryable: true } } };
      }
    }
    // Queries waiting on a task that will never come are answered from the closed history instead.
    for (const query of runtime.queries) {
      if (!query.dispatched) {
        query.attachedTo = undefined;
        this.dispatchQueryTask(exec, query);
      }
    }
    this.save(exec);
    this.forgetIfIdle(this.key(exec));
  }

  private timeOutWorkflow(exec: ExecutionRecord): void {
    this.close(exec, 'WORKFLOW_EXECUTION_STATUS_TIMED_OUT', 'EVENT_TYPE_WORKFLOW_EXECUTION_TIMED_OUT', { retryState: 'RETRY_STATE_TIMEOUT' });
  }

  private terminate(exec: ExecutionRecord, reason: string, details: Pb, identity: string): void {
    const task = exec.workflowTask;
    if (task?.startedEventId) {
      this.clearTimer(exec, 'workflowTaskTimeout');
      this.append(exec, 'EVENT_TYPE_WORKFLOW_TASK_FAILED', {
        scheduledEventId: task.scheduledEventId,
        startedEventId: task.startedEventId,
        cause: 'WORKFLOW_TASK_FAILED_CAUSE_FORCE_CLOSE_COMMAND',
        identity,
      });
    }
    this.close(exec, 'WORKFLOW_EXECUTION_STATUS_TERMINATED', 'EVENT_TYPE_WORKFLOW_EXECUTION_TERMINATED', { reason, details, identity });
  }

  terminateRequest(request: Pb): Pb {
    const namespace = this.requireNamespace(request.namespace);
    const exec = this.requireRunning(namespace, request.workflowExecution);
    if (request.firstExecutionRunId && request.firstExecutionRunId !== exec.runId) throw notFound('workflow execution not found for the given first execution run id');
    this.terminate(exec, request.reason ?? '', request.details, request.identity ?? '');
    return {};
  }

  requestCancel(request: Pb): Pb {
    const namespace = this.requireNamespace(request.namespace);
    const exec = this.requireRunning(namespace, request.workflowExecution);
    if (request.requestId && exec.requestIds.includes(request.requestId)) return {};
    if (request.requestId) exec.requestIds.push(request.requestId);
    if (exec.cancelRequested) return {};
    exec.cancelRequested = true;
    this.deliver(exec, [['EVENT_TYPE_WORKFLOW_EXECUTION_CANCEL_REQUESTED', { cause: request.reason ?? '', identity: request.identity ?? '' }]]);
    this.save(exec);
    return {};
  }

  // ---------------------------------------------------------------- signals

  signal(request: Pb): Pb {
    const namespace = this.requireNamespace(request.namespace);
    const exec = this.requireRunning(namespace, request.workflowExecution);
    if (request.requestId && exec.requestIds.includes(request.requestId)) return {};
    if (request.requestId) exec.requestIds.push(request.requestId);
    this.deliver(exec, [
      ['EVENT_TYPE_WORKFLOW_EXECUTION_SIGNALED', { signalName: request.signalName, input: request.input, identity: request.identity ?? '', header: request.header }],
    ]);
    this.save(exec);
    return {};
  }

  // ---------------------------------------------------------------- queries

  /** Answers a query through a worker: riding on the next workflow task, or as a query-only task. */
  async query(request: Pb): Promise<Pb> {
    const namespace = this.requireNamespace(request.namespace);
    const exec = this.getExecution(namespace, request.execution);
    const condition: string = request.queryRejectCondition ?? 'QUERY_REJECT_CONDITION_UNSPECIFIED';
    if (
      (condition === 'QUERY_REJECT_CONDITION_NOT_OPEN' && exec.status !== RUNNING) ||
      (condition === 'QUERY_REJECT_CONDITION_NOT_COMPLETED_CLEANLY' && exec.status !== RUNNING && exec.status !== 'WORKFLOW_EXECUTION_STATUS_COMPLETED')
    ) {
      return { queryRejected: { status: exec.status } };
    }
    const runtime = this.runtime(exec);
    const result = await new Promise<Pb>((resolve, reject) => {
      const timer = setTimeout(() => {
        remove();
        reject(new ServiceError(grpcStatus.DEADLINE_EXCEEDED, 'query timed out: no worker answered it (is a worker polling the task queue?)'));
      }, QUERY_TIMEOUT_MS);
      const remove = () => {
        clearTimeout(timer);
        const index = runtime.queries.indexOf(pending);
        if (index >= 0) runtime.queries.splice(index, 1);
        this.forgetIfIdle(this.key(exec));
      };
      const pending: PendingQuery = {
        id: randomUUID(),
        query: request.query,
        resolve: (value) => {
          remove();
          resolve(value);
        },
        reject: (error) => {
          remove();
          reject(error);
        },
      };
      runtime.queries.push(pending);
      // With no workflow task coming, the query goes to a worker on its own.
      if (exec.status !== RUNNING || !exec.workflowTask) this.dispatchQueryTask(exec, pending);
    });
    return { queryResult: result };
  }

  private answerQueries(exec: ExecutionRecord, results: Record<string, Pb>): void {
    for (const query of [...this.runtime(exec).queries]) {
      const result = results[query.id];
      if (!result) continue;
      if (result.resultType === 'QUERY_RESULT_TYPE_ANSWERED') query.resolve(result.answer ?? { payloads: [] });
      else query.reject(this.queryFailed(result.errorMessage, result.failure));
    }
  }

  private queryFailed(message: string | undefined, failure: Pb): ServiceError {
    return new ServiceError(grpcStatus.INVALID_ARGUMENT, message || failure?.message || 'query failed', {
      type: 'temporal.api.errordetails.v1.QueryFailedFailure',
      value: { failure },
    });
  }

  private dispatchWaitingQueries(exec: ExecutionRecord): void {
    for (const query of this.runtime(exec).queries) {
      if (!query.attachedTo && !query.dispatched) this.dispatchQueryTask(exec, query);
    }
  }

  /**
   * A query-only task: to the sticky worker with no history (it has the run cached), else to the
   * normal queue with the whole history, as the real server does.
   */
  private dispatchQueryTask(exec: ExecutionRecord, query: PendingQuery): void {
    query.dispatched = true;
    const { namespace, runId } = exec;
    const sticky = exec.status === RUNNING ? exec.stickyQueue : undefined;
    const queue = sticky ?? exec.taskQueue;
    const attempt = randomUUID();
    query.attempt = attempt;
    this.matching.addTask(namespace, 'workflow', queue, {
      tryStart: () => {
        const current = this.store.getExecution(namespace, runId);
        if (!current || !this.runtime(current).queries.includes(query) || query.attempt !== attempt) return undefined;
        const events = sticky ? [] : this.store.readEvents(namespace, runId);
        return {
          taskToken: encodeToken({ kind: 'query', namespace, runId, id: query.id, token: query.id }),
          workflowExecution: { workflowId: current.workflowId, runId },
          workflowType: { name: current.workflowType },
          previousStartedEventId: current.lastCompletedStartedEventId,
          startedEventId: 0,
          attempt: 1,
          history: { events },
          nextPageToken: Buffer.alloc(0),
          query: query.query,
          workflowExecutionTaskQueue: { name: current.taskQueue, kind: 'TASK_QUEUE_KIND_NORMAL' },
          scheduledTime: timestamp(this.clock.now()),
          startedTime: timestamp(this.clock.now()),
          messages: [],
          queries: {},
        };
      },
    });
    if (sticky) {
      const timer = setTimeout(() => {
        if (this.closed) return;
        this.transact(() => {
          const current = this.store.getExecution(namespace, runId);
          if (current && this.runtime(current).queries.includes(query) && query.attempt === attempt) {
            // The sticky worker is gone: this query, and a workflow task waiting there, go to the normal queue.
            this.moveToNormalQueue(current);
            this.save(current);
          }
        });
      }, exec.stickyScheduleToStartMs);
      timer.unref();
    }
  }

  respondQueryTask(request: Pb): Pb {
    const token = decodeToken(request.taskToken, 'query');
    const exec = this.store.getExecution(token.namespace, token.runId);
    const query = exec && this.runtime(exec).queries.find((candidate) => candidate.id === token.id);
    if (!query) throw notFound('Query task not found.');
    if (request.completedType === 'QUERY_RESULT_TYPE_ANSWERED') query.resolve(request.queryResult ?? { payloads: [] });
    else query.reject(this.queryFailed(request.errorMessage, request.failure));
    return {};
  }

  // ---------------------------------------------------------------- updates

  async update(request: Pb, deadline: number): Promise<Pb> {
    const namespace = this.requireNamespace(request.namespace);
    const exec = this.requireRunning(namespace, request.workflowExecution);
    if (request.firstExecutionRunId && request.firstExecutionRunId !== exec.runId) throw notFound('workflow execution not found for the given first execution run id');
    const updateId: string = request.request?.meta?.updateId || randomUUID();
    let update = exec.updates[updateId];
    if (!update) {
      update = { updateId, request: { ...request.request, meta: { ...request.request?.meta, updateId } }, stage: 'admitted' };
      exec.updates[updateId] = update;
      this.scheduleWorkflowTask(exec);
      this.save(exec);
    }
    return this.waitForUpdate(exec, updateId, request.waitPolicy?.lifecycleStage, deadline);
  }

  async pollUpdate(request: Pb, deadline: number): Promise<Pb> {
    const namespace = this.requireNamespace(request.namespace);
    const exec = this.getExecution(namespace, request.updateRef?.workflowExecution);
    const updateId: string = request.updateRef?.updateId ?? '';
    if (!exec.updates[updateId]) throw notFound(`update ${updateId} not found`);
    return this.waitForUpdate(exec, updateId, request.waitPolicy?.lifecycleStage, deadline);
  }

  private async waitForUpdate(exec: ExecutionRecord, updateId: string, wanted: string | undefined, deadline: number): Promise<Pb> {
    const want: Stage = ((wanted ?? '').replace('UPDATE_WORKFLOW_EXECUTION_LIFECYCLE_STAGE_', '') || 'ACCEPTED') as Stage;
    const stageOf = (update: UpdateState): Stage => (update.stage === 'completed' ? 'COMPLETED' : update.stage === 'accepted' ? 'ACCEPTED' : 'ADMITTED');
    const current = () => this.store.getExecution(exec.namespace, exec.runId)?.updates[updateId];
    const reached = () => {
      const update = current();
      return !!update && STAGE_ORDER.indexOf(stageOf(update)) >= Math.max(STAGE_ORDER.indexOf(want), STAGE_ORDER.indexOf('ACCEPTED'));
    };
    if (!reached()) await this.longPoll(exec, 'updateWaiters', reached, deadline);
    const update = current();
    if (!update) throw notFound(`update ${updateId} not found`);
    const stage = stageOf(update);
    const rejected = update.stage === 'completed' && update.acceptedEventId === undefined && !!update.outcome?.failure;
    if (rejected && update.outcome?.failure?.applicationFailureInfo?.type === 'AcceptedUpdateCompletedWorkflow') {
      throw notFound('workflow execution already completed');
    }
    return {
      updateRef: { workflowExecution: { workflowId: exec.workflowId, runId: exec.runId }, updateId },
      outcome: update.stage === 'completed' ? update.outcome : undefined,
      stage: `UPDATE_WORKFLOW_EXECUTION_LIFECYCLE_STAGE_${stage}`,
    };
  }

  /**
   * Waits until `ready()` (checked whenever the run changes: the engine calls every waiter in
   * `waiters`), the server closes, or the long poll runs out, leaving the caller's deadline half
   * a second to receive the empty answer.
   */
  private longPoll(exec: ExecutionRecord, kind: 'historyWaiters' | 'updateWaiters', ready: () => boolean, deadline: number): Promise<void> {
    const key = this.key(exec);
    const waiters = this.runtime(exec)[kind];
    return new Promise<void>((resolve) => {
      const waitMs = Math.max(0, Math.min(this.longPollMs, deadline - Date.now() - 500));
      const done = () => {
        clearTimeout(timer);
        waiters.delete(check);
        this.forgetIfIdle(key);
        resolve();
      };
      const check = () => {
        if (ready() || this.closed) done();
      };
      const timer = setTimeout(done, waitMs);
      waiters.add(check);
    });
  }

  // ---------------------------------------------------------------- polls

  pollWorkflowTask(request: Pb, isCancelled: () => boolean): Promise<Pb> {
    const namespace = this.requireNamespace(request.namespace);
    const name: string = request.taskQueue?.name ?? '';
    if (!name) throw invalidArgument('TaskQueue is not set on request.');
    return this.matching.poll(namespace, 'workflow', name, request, isCancelled);
  }

  pollActivityTask(request: Pb, isCancelled: () => boolean): Promise<Pb> {
    const namespace = this.requireNamespace(request.namespace);
    const name: string = request.taskQueue?.name ?? '';
    if (!name) throw invalidArgument('TaskQueue is not set on request.');
    return this.matching.poll(namespace, 'activity', name, request, isCancelled);
  }

  /** A worker going away: its sticky queue is dead, so its runs go back to the normal queue. */
  shutdownWorker(request: Pb): Pb {
    const namespace = this.requireNamespace(request.namespace);
    const queue: string = request.stickyTaskQueue ?? '';
    if (!queue) return {};
    for (const key of [...(this.stickyIndex.get(queue) ?? [])]) {
      const exec = this.store.getExecution(key.slice(0, key.indexOf('/')), key.slice(key.indexOf('/') + 1));
      if (exec) {
        this.moveToNormalQueue(exec);
        this.save(exec);
      }
    }
    this.stickyIndex.delete(queue);
    this.matching.releasePollers(namespace, 'workflow', queue);
    return {};
  }

  // ---------------------------------------------------------------- reading

  async getHistory(request: Pb, deadline: number): Promise<Pb> {
    const namespace = this.requireNamespace(request.namespace);
    let exec = this.getExecution(namespace, request.execution);
    const closeOnly = request.historyEventFilterType === 'HISTORY_EVENT_FILTER_TYPE_CLOSE_EVENT';
    const from = request.nextPageToken?.length ? Number(Buffer.from(request.nextPageToken).toString('utf8')) : 1;
    const ready = () => {
      const now = this.store.getExecution(namespace, exec.runId) ?? exec;
      return closeOnly ? now.status !== RUNNING : now.nextEventId > from || now.status !== RUNNING;
    };
    if (request.waitNewEvent && !ready()) {
      await this.longPoll(exec, 'historyWaiters', ready, deadline);
      exec = this.store.getExecution(namespace, exec.runId) ?? exec;
    }
    if (closeOnly) {
      if (exec.status === RUNNING) return { history: { events: [] }, nextPageToken: Buffer.from(String(from)) };
      const events = this.store.readEvents(namespace, exec.runId);
      return { history: { events: events.filter(isCloseEvent).slice(-1) }, nextPageToken: Buffer.alloc(0) };
    }
    const pageSize = request.maximumPageSize > 0 ? request.maximumPageSize : 1000;
    const events = this.store.readEvents(namespace, exec.runId, from).slice(0, pageSize);
    const next = from + events.length;
    const more = next < exec.nextEventId || (request.waitNewEvent && exec.status === RUNNING);
    return { history: { events }, nextPageToken: more ? Buffer.from(String(next)) : Buffer.alloc(0), archived: false };
  }

  private executionInfo(exec: ExecutionRecord): Pb {
    return {
      execution: { workflowId: exec.workflowId, runId: exec.runId },
      type: { name: exec.workflowType },
      startTime: timestamp(exec.startTime),
      closeTime: exec.closeTime ? timestamp(exec.closeTime) : undefined,
      status: exec.status,
      historyLength: exec.nextEventId - 1,
      executionTime: timestamp(exec.executionTime),
      memo: { fields: exec.memo },
      searchAttributes: { indexedFields: exec.searchAttributes },
      taskQueue: exec.taskQueue,
      stateTransitionCount: exec.nextEventId - 1,
      historySizeBytes: exec.historySizeBytes,
      firstRunId: exec.runId,
      rootExecution: { workflowId: exec.workflowId, runId: exec.runId },
      executionDuration: exec.closeTime ? duration(exec.closeTime - exec.executionTime) : undefined,
    };
  }

  describe(request: Pb): Pb {
    const namespace = this.requireNamespace(request.namespace);
    const exec = this.getExecution(namespace, request.execution);
    const task = exec.workflowTask;
    return {
      executionConfig: {
        taskQueue: { name: exec.taskQueue, kind: 'TASK_QUEUE_KIND_NORMAL' },
        workflowExecutionTimeout: duration(exec.executionTimeoutMs),
        workflowRunTimeout: duration(exec.runTimeoutMs),
        defaultWorkflowTaskTimeout: duration(exec.workflowTaskTimeoutMs),
      },
      workflowExecutionInfo: this.executionInfo(exec),
      pendingActivities: Object.values(exec.activities).map((activity) => ({
        activityId: activity.activityId,
        activityType: { name: activity.activityType },
        state: activity.cancelRequested
          ? 'PENDING_ACTIVITY_STATE_CANCEL_REQUESTED'
          : activity.phase === 'started'
            ? 'PENDING_ACTIVITY_STATE_STARTED'
            : 'PENDING_ACTIVITY_STATE_SCHEDULED',
        heartbeatDetails: activity.heartbeatDetails,
        lastHeartbeatTime: activity.lastHeartbeatTime ? timestamp(activity.lastHeartbeatTime) : undefined,
        lastStartedTime: activity.startedTime ? timestamp(activity.startedTime) : undefined,
        attempt: activity.attempt,
        maximumAttempts: activity.retryPolicy.maximumAttempts,
        scheduledTime: timestamp(activity.attemptScheduledTime),
        expirationTime: activity.scheduleToCloseMs ? timestamp(activity.scheduledTime + activity.scheduleToCloseMs) : undefined,
        lastFailure: activity.lastFailure,
        lastWorkerIdentity: activity.startedIdentity ?? '',
      })),
      pendingWorkflowTask: task
        ? {
            state: task.startedEventId ? 'PENDING_WORKFLOW_TASK_STATE_STARTED' : 'PENDING_WORKFLOW_TASK_STATE_SCHEDULED',
            scheduledTime: timestamp(task.scheduledTime),
            originalScheduledTime: timestamp(task.scheduledTime),
            startedTime: task.startedTime ? timestamp(task.startedTime) : undefined,
            attempt: task.attempt,
          }
        : undefined,
    };
  }

  list(request: Pb): Pb {
    const namespace = this.requireNamespace(request.namespace);
    const filter = parseListQuery(request.query);
    const all = this.store.listExecutions(namespace, filter);
    const offset = request.nextPageToken?.length ? Number(Buffer.from(request.nextPageToken).toString('utf8')) : 0;
    const pageSize = request.pageSize > 0 ? request.pageSize : 1000;
    const page = all.slice(offset, offset + pageSize);
    const next = offset + page.length;
    return { executions: page.map((exec) => this.executionInfo(exec)), nextPageToken: next < all.length ? Buffer.from(String(next)) : Buffer.alloc(0) };
  }

  count(request: Pb): Pb {
    const namespace = this.requireNamespace(request.namespace);
    return { count: this.store.listExecutions(namespace, parseListQuery(request.query)).length, groups: [] };
  }
}
