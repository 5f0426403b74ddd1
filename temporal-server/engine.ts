/**
 * The history engine: what every RPC handler (`handlers/`, one file per RPC) works on. It holds
 * the runs' store, the task queues (matching), the timer queue and what lives only in memory for a
 * run (waiters, pending queries, time-skipping locks), and the state machine's shared moves:
 * appending events, scheduling and starting workflow and activity tasks, retries and timeouts,
 * closing a run. Every call runs as one unit of work ({@link Engine.transact}): its events, state
 * and tasks are committed together, then pollers and waiters hear of it. It knows nothing about
 * gRPC: handlers take decoded requests and return answers or throw {@link ServiceError}s.
 */
import { randomUUID } from 'node:crypto';
import type { VirtualClock } from './clock';
import { invalidArgument, namespaceNotFound, notFound, ServiceError } from './errors';
import { eventAttributesField, PREVIOUS_EVENT } from './history';
import { Matching } from './matching';
import { ACTIVITY_TIMER_NAMES, TimerQueue, type ActivityTimeoutKind, type TimerTask } from './timerQueue';
import { duration, packAny, timestamp, toMs, type Pb } from './proto';
import type { ActivityState, ExecutionRecord, ExecutionStatus, HistoryEvent, Store } from './store';
import type { Schedules } from './schedules/scheduler';
import type { StandaloneActivities } from './standaloneActivities/activities';
import type { NexusOperations } from './nexus/operations';
import { status as grpcStatus } from '@grpc/grpc-js';

export interface EngineOptions {
  store: Store;
  clock: VirtualClock;
  /** How long a poll for tasks waits before answering empty (real time). */
  pollTimeoutMs?: number;
  /** How long a history long-poll or an update call waits before answering "not yet" (real time). */
  longPollMs?: number;
}

export const RUNNING: ExecutionStatus = 'WORKFLOW_EXECUTION_STATUS_RUNNING';
export const DEFAULT_WORKFLOW_TASK_TIMEOUT_MS = 10_000;
export const MAX_WORKFLOW_TASK_TIMEOUT_MS = 120_000;
export const DEFAULT_STICKY_TIMEOUT_MS = 5_000;
export const QUERY_TIMEOUT_MS = 30_000;
const RECOVERY_BATCH = 500;

const ACTIVITY_TIMEOUT_TYPES: Record<ActivityTimeoutKind, string> = {
  'schedule-to-close': 'TIMEOUT_TYPE_SCHEDULE_TO_CLOSE',
  'schedule-to-start': 'TIMEOUT_TYPE_SCHEDULE_TO_START',
  'start-to-close': 'TIMEOUT_TYPE_START_TO_CLOSE',
  heartbeat: 'TIMEOUT_TYPE_HEARTBEAT',
};

export interface PendingQuery {
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
export interface Runtime {
  historyWaiters: Set<() => void>;
  updateWaiters: Set<() => void>;
  queries: PendingQuery[];
  locks: Set<string>;
  /** True while a completed task's commands are applied: a task they cause waits until all are written. */
  applyingCommands?: boolean;
}

export interface TaskToken {
  kind: 'workflow' | 'activity' | 'query';
  namespace: string;
  runId: string;
  id: number | string;
  token: string;
  /** An activity task of a standalone activity (`runId` is the activity's run), not of a workflow. */
  standalone?: boolean;
}

export function encodeToken(token: TaskToken): Buffer {
  return Buffer.from(JSON.stringify(token));
}

export function decodeToken(bytes: Buffer | undefined, kind: TaskToken['kind']): TaskToken {
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
  readonly timers: TimerQueue;
  readonly longPollMs: number;
  readonly runtimes = new Map<string, Runtime>();
  readonly stickyIndex = new Map<string, Set<string>>();
  taskIdCounter: number;
  savedTaskId: number;
  savedSkippedMs: number;
  closed = false;
  /** Set by `start()`: schedules wake on their timer tasks and hear of the runs they started closing. */
  schedules?: Schedules;
  /** Set by `start()`: standalone activities, whose one activity runs on the machinery below. */
  standaloneActivities?: StandaloneActivities;
  /** Set by `start()`: Nexus operations' tasks, timers and completions (`nexus/`). */
  nexus?: NexusOperations;

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
    // Batches keep the commits few and the runs loaded at once bounded.
    for (let from = 0; from < running.length; from += RECOVERY_BATCH) {
      this.transact(() => {
        for (const { namespace, runId } of running.slice(from, from + RECOVERY_BATCH)) {
          const exec = this.store.getExecution(namespace, runId);
          if (exec?.status === RUNNING) this.recoverRun(exec);
        }
      });
    }
    this.schedules?.recover();
    return running.length;
  }

  private recoverRun(exec: ExecutionRecord): void {
    if (exec.stickyQueue) this.setSticky(exec, undefined);
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
      } else if (activity.phase === 'backoff') this.armBackoffTimer(exec, activity);
      // A paused one waits for its unpause, with only its schedule-to-close timer.
    }
    this.nexus?.recoverRun(exec);
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

  key(exec: ExecutionRecord): string {
    return `${exec.namespace}/${exec.runId}`;
  }

  runtime(exec: ExecutionRecord): Runtime {
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
  forgetIfIdle(key: string): void {
    const runtime = this.runtimes.get(key);
    if (runtime && runtime.locks.size === 0 && runtime.queries.length === 0 && runtime.historyWaiters.size === 0 && runtime.updateWaiters.size === 0 && !runtime.applyingCommands) {
      this.runtimes.delete(key);
    }
  }

  setTimer(exec: ExecutionRecord, at: number, task: TimerTask): void {
    this.timers.set(exec.namespace, exec.runId, at, task);
  }

  clearTimer(exec: ExecutionRecord, name: string): void {
    this.timers.clear(exec.namespace, exec.runId, name);
  }

  /** One timer task fell due: its own unit of work, on the run as it is now. */
  fireTimer(namespace: string, runId: string, task: TimerTask): void {
    if (this.closed) return;
    if (task.type === 'scheduleWakeup') return this.schedules?.wake(namespace, task.scheduleId);
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
          return;
        case 'nexus':
          return this.nexus?.fire(exec, task);
      }
    });
  }

  /** Time may not skip while a task is out with (or waiting for) a worker. */
  hold(exec: ExecutionRecord, lock: string): void {
    const runtime = this.runtime(exec);
    if (runtime.locks.has(lock)) return;
    runtime.locks.add(lock);
    this.clock.lock();
  }

  release(exec: ExecutionRecord, lock: string): void {
    const runtime = this.runtimes.get(this.key(exec));
    if (!runtime?.locks.delete(lock)) return;
    this.clock.unlock();
    this.forgetIfIdle(this.key(exec));
  }

  save(exec: ExecutionRecord): void {
    this.store.putExecution(exec);
    const runtime = this.runtimes.get(this.key(exec));
    if (!runtime) return;
    for (const waiter of [...runtime.historyWaiters]) waiter();
    for (const waiter of [...runtime.updateWaiters]) waiter();
  }

  setSticky(exec: ExecutionRecord, queue: string | undefined, timeoutMs = DEFAULT_STICKY_TIMEOUT_MS): void {
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

  makeEvent(eventType: string, attributes: Pb): HistoryEvent {
    return {
      eventId: 0,
      eventTime: timestamp(this.clock.now()),
      eventType,
      version: 0,
      taskId: this.taskIdCounter++,
      [eventAttributesField(eventType)]: attributes,
    };
  }

  assignId(exec: ExecutionRecord, event: HistoryEvent): HistoryEvent {
    event.eventId = exec.nextEventId++;
    const attributes = event[eventAttributesField(event.eventType)];
    if (attributes?.startedEventId === PREVIOUS_EVENT) attributes.startedEventId = event.eventId - 1;
    this.store.appendEvents(exec.namespace, exec.runId, [event]);
    return event;
  }

  /** Appends an event now, whatever the state of the workflow task. */
  append(exec: ExecutionRecord, eventType: string, attributes: Pb): HistoryEvent {
    return this.assignId(exec, this.makeEvent(eventType, attributes));
  }

  /**
   * Records something that happened to the workflow from outside (a signal, an activity result, a
   * timer). While a workflow task runs, the event waits in the buffer so the task's own events come
   * first; either way the workflow gets a new task to see it.
   */
  deliver(exec: ExecutionRecord, events: Array<[string, Pb]>): HistoryEvent[] {
    if (exec.workflowTask?.startedEventId) {
      const buffered = events.map(([type, attributes]) => this.makeEvent(type, attributes));
      exec.bufferedEvents.push(...buffered);
      exec.workflowTaskNeeded = true;
      return buffered;
    }
    const appended = events.map(([type, attributes]) => this.append(exec, type, attributes));
    this.scheduleWorkflowTask(exec);
    return appended;
  }

  flushBuffer(exec: ExecutionRecord): boolean {
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

  requireRunning(namespace: string, execution: Pb): ExecutionRecord {
    const exec = this.getExecution(namespace, execution);
    if (exec.status !== RUNNING) throw notFound('workflow execution already completed');
    return exec;
  }

  // ---------------------------------------------------------------- start

  armRunTimeout(exec: ExecutionRecord): void {
    if (exec.runTimeoutMs) this.setTimer(exec, exec.startTime + exec.runTimeoutMs, { type: 'runTimeout' });
  }

  armStartDelay(exec: ExecutionRecord): void {
    this.setTimer(exec, exec.executionTime, { type: 'startDelay' });
  }

  // ---------------------------------------------------------------- workflow tasks

  /** Schedules the next workflow task; `enqueue` false leaves it for the caller to start at once (eager start). */
  scheduleWorkflowTask(exec: ExecutionRecord, enqueue = true): void {
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
    if (enqueue) this.enqueueWorkflowTask(exec);
  }

  enqueueWorkflowTask(exec: ExecutionRecord): void {
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

  stickyTimedOut(exec: ExecutionRecord, scheduledEventId: number): void {
    const task = exec.workflowTask;
    if (!task || task.scheduledEventId !== scheduledEventId || task.startedEventId || !task.sticky) return;
    this.moveToNormalQueue(exec);
    this.save(exec);
  }

  moveToNormalQueue(exec: ExecutionRecord): void {
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

  startWorkflowTask(namespace: string, runId: string, scheduledEventId: number, queue: string, poll: Pb): Pb | undefined {
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

  armWorkflowTaskTimeout(exec: ExecutionRecord): void {
    const { token, startedTime } = exec.workflowTask!;
    this.setTimer(exec, startedTime! + exec.workflowTaskTimeoutMs, { type: 'workflowTaskTimeout', token: token! });
  }

  currentWorkflowTask(request: Pb): ExecutionRecord {
    const token = decodeToken(request.taskToken, 'workflow');
    const exec = this.store.getExecution(token.namespace, token.runId);
    if (!exec || exec.status !== RUNNING || exec.workflowTask?.token !== token.token) throw notFound('Workflow task not found.');
    return exec;
  }

  /** Ends the started workflow task without its commands and schedules another attempt. */
  failWorkflowTask(exec: ExecutionRecord, eventType: string, attributes: Pb): void {
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

  scheduleTimer(exec: ExecutionRecord, timerId: string, fireTime: number): void {
    this.setTimer(exec, fireTime, { type: 'userTimer', timerId });
  }

  fireUserTimer(exec: ExecutionRecord, timerId: string): void {
    const timer = exec.timers[timerId];
    if (!timer) return;
    delete exec.timers[timerId];
    this.deliver(exec, [['EVENT_TYPE_TIMER_FIRED', { timerId, startedEventId: timer.startedEventId }]]);
    this.save(exec);
  }

  // ---------------------------------------------------------------- activities

  armScheduleToCloseTimer(exec: ExecutionRecord, activity: ActivityState): void {
    if (!activity.scheduleToCloseMs) return;
    this.setTimer(exec, activity.scheduledTime + activity.scheduleToCloseMs, { type: 'activityTimeout', scheduledEventId: activity.scheduledEventId, kind: 'schedule-to-close' });
  }

  dispatchActivity(exec: ExecutionRecord, activity: ActivityState): void {
    activity.phase = 'scheduled';
    activity.attemptScheduledTime = this.clock.now();
    activity.retryTime = undefined;
    this.enqueueActivity(exec, activity);
  }

  /** Puts a scheduled attempt on its queue, with its schedule-to-start timeout counted from when it was scheduled. */
  enqueueActivity(exec: ExecutionRecord, activity: ActivityState): void {
    this.hold(exec, `activity:${activity.scheduledEventId}`);
    const { namespace, runId } = exec;
    const { scheduledEventId, attempt, taskQueue } = activity;
    if (activity.scheduleToStartMs && activity.scheduleToStartMs !== activity.scheduleToCloseMs) {
      this.setTimer(exec, activity.attemptScheduledTime + activity.scheduleToStartMs, { type: 'activityTimeout', scheduledEventId, kind: 'schedule-to-start' });
    }
    this.matching.addTask(namespace, 'activity', activity.taskQueue, {
      tryStart: (poll) => this.startActivity(namespace, runId, scheduledEventId, attempt, taskQueue, poll),
    });
  }

  /** Starts the attempt for a poller on `taskQueue`, unless it moved on (started, paused, another attempt or queue). */
  startActivity(namespace: string, runId: string, scheduledEventId: number, attempt: number, taskQueue: string, poll: Pb): Pb | undefined {
    const exec = this.store.getExecution(namespace, runId);
    const activity = exec?.activities[scheduledEventId];
    if (!exec || exec.status !== RUNNING || !activity || activity.phase !== 'scheduled' || activity.attempt !== attempt || activity.taskQueue !== taskQueue) return undefined;
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
    if (exec.standaloneActivity) return this.standaloneActivities!.task(exec, activity);
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

  armStartedActivityTimers(exec: ExecutionRecord, activity: ActivityState): void {
    const { scheduledEventId, token } = activity;
    if (activity.startToCloseMs) {
      this.setTimer(exec, activity.startedTime! + activity.startToCloseMs, { type: 'activityTimeout', scheduledEventId, kind: 'start-to-close', token });
    }
    this.armHeartbeatTimer(exec, activity);
  }

  armHeartbeatTimer(exec: ExecutionRecord, activity: ActivityState): void {
    if (!activity.heartbeatMs) return;
    const since = activity.lastHeartbeatTime ?? activity.startedTime ?? this.clock.now();
    this.setTimer(exec, since + activity.heartbeatMs, { type: 'activityTimeout', scheduledEventId: activity.scheduledEventId, kind: 'heartbeat', token: activity.token });
  }

  clearActivityTimers(exec: ExecutionRecord, scheduledEventId: number, all: boolean): void {
    for (const name of ACTIVITY_TIMER_NAMES(scheduledEventId, all)) this.clearTimer(exec, name);
  }

  activityByToken(request: Pb): { exec: ExecutionRecord; activity: ActivityState } {
    const token = decodeToken(request.taskToken, 'activity');
    const exec = this.store.getExecution(token.namespace, token.runId);
    const activity = exec?.activities[Number(token.id)];
    if (!exec || exec.status !== RUNNING || !activity || activity.phase !== 'started' || activity.token !== token.token || !!token.standalone !== !!exec.standaloneActivity) {
      throw notFound('Activity task not found.');
    }
    return { exec, activity };
  }

  /** Closes an activity with Started + the given closing event, and lets the workflow see it. */
  closeActivity(exec: ExecutionRecord, activity: ActivityState, eventType: string, attributes: Pb, withStarted: boolean): void {
    if (exec.standaloneActivity) return this.standaloneActivities!.closed(exec, activity, eventType, attributes);
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

  /**
   * Schedules the next attempt after backoff if the policy and deadlines allow it. A paused activity
   * counts the attempt and waits for its unpause instead; a standalone activity reset while the
   * attempt was out starts again at attempt 1 at once (`activityControl.ts`).
   * @returns undefined when a retry is scheduled, else the retry state that ends the activity.
   */
  retry(exec: ExecutionRecord, activity: ActivityState, failure: Pb, nextRetryDelayMs = 0): string | undefined {
    if (activity.cancelRequested) return 'RETRY_STATE_CANCEL_REQUESTED';
    const policy = activity.retryPolicy;
    if (policy.maximumAttempts > 0 && activity.attempt >= policy.maximumAttempts) return 'RETRY_STATE_MAXIMUM_ATTEMPTS_REACHED';
    const restart = !!activity.resetRequested && !!exec.standaloneActivity;
    const initial = toMs(policy.initialInterval);
    const backoff = restart ? 0 : nextRetryDelayMs || Math.min(initial * Math.pow(policy.backoffCoefficient, activity.attempt - 1), toMs(policy.maximumInterval));
    const retryAt = this.clock.now() + backoff;
    if (activity.scheduleToCloseMs && retryAt >= activity.scheduledTime + activity.scheduleToCloseMs) return 'RETRY_STATE_TIMEOUT';
    this.clearActivityTimers(exec, activity.scheduledEventId, false);
    activity.retryTime = retryAt;
    activity.attempt = restart ? 1 : activity.attempt + 1;
    activity.lastFailure = failure;
    activity.token = undefined;
    activity.resetRequested = undefined;
    if (activity.resetHeartbeatOnRetry) {
      activity.heartbeatDetails = undefined;
      activity.lastHeartbeatTime = undefined;
      activity.resetHeartbeatOnRetry = undefined;
    }
    this.release(exec, `activity:${activity.scheduledEventId}`);
    if (activity.pause) activity.phase = 'paused';
    else if (restart) this.dispatchActivity(exec, activity);
    else {
      activity.phase = 'backoff';
      this.armBackoffTimer(exec, activity);
    }
    this.save(exec);
    return undefined;
  }

  armBackoffTimer(exec: ExecutionRecord, activity: ActivityState): void {
    this.setTimer(exec, activity.retryTime!, { type: 'activityRetry', scheduledEventId: activity.scheduledEventId });
  }

  retryActivityNow(exec: ExecutionRecord, scheduledEventId: number): void {
    const activity = exec.activities[scheduledEventId];
    if (!activity || activity.phase !== 'backoff') return;
    this.dispatchActivity(exec, activity);
    this.save(exec);
  }

  timeOutActivity(exec: ExecutionRecord, scheduledEventId: number, timeoutType: string, token?: string): void {
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

  // ---------------------------------------------------------------- closing

  close(exec: ExecutionRecord, status: ExecutionStatus, eventType: string, attributes: Pb): void {
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
    if (status !== 'WORKFLOW_EXECUTION_STATUS_CONTINUED_AS_NEW') this.notifyParent(exec, eventType, attributes);
    this.nexus?.runClosed(exec, status, attributes);
    this.applyParentClosePolicy(exec);
    this.schedules?.runClosed(exec);
  }

  /** A child's end, as its parent's history records it (ChildWorkflowExecution{Completed,Failed,...}). */
  private notifyParent(child: ExecutionRecord, closeEventType: string, attributes: Pb): void {
    const ref = child.parent;
    if (!ref) return;
    const parent = this.store.getExecution(ref.namespace, ref.runId);
    const entry = parent?.children?.[ref.initiatedEventId];
    if (!parent || parent.status !== RUNNING || !entry) return;
    delete parent.children![ref.initiatedEventId];
    const outcome = closeEventType.replace('EVENT_TYPE_WORKFLOW_EXECUTION_', '');
    this.deliver(parent, [
      [
        `EVENT_TYPE_CHILD_WORKFLOW_EXECUTION_${outcome}`,
        {
          result: attributes.result,
          failure: attributes.failure,
          details: attributes.details,
          retryState: attributes.retryState,
          namespace: child.namespace,
          workflowExecution: { workflowId: child.workflowId, runId: child.runId },
          workflowType: { name: child.workflowType },
          initiatedEventId: ref.initiatedEventId,
          startedEventId: entry.startedEventId,
        },
      ],
    ]);
    this.save(parent);
  }

  /** Children still running when their parent closes are terminated, asked to cancel, or left, as their policy says. */
  private applyParentClosePolicy(parent: ExecutionRecord): void {
    for (const child of Object.values(parent.children ?? {})) {
      if (child.parentClosePolicy === 'PARENT_CLOSE_POLICY_ABANDON') continue;
      const run = this.store.getCurrentRun(child.namespace, child.workflowId);
      if (!run || run.status !== RUNNING || run.parent?.runId !== parent.runId) continue;
      if (child.parentClosePolicy === 'PARENT_CLOSE_POLICY_REQUEST_CANCEL') this.requestCancelRun(run, 'parent closed', 'temporal-server');
      else this.terminate(run, 'by parent close policy', undefined, 'temporal-server');
    }
    parent.children = {};
  }

  /**
   * Tells a running workflow it is asked to cancel (once: a second request changes nothing).
   * `external` names the workflow that asked, for the RequestCancelExternal command.
   */
  requestCancelRun(exec: ExecutionRecord, cause: string, identity: string, external?: { initiatedEventId: number; workflowExecution: Pb }): void {
    if (exec.cancelRequested) return;
    exec.cancelRequested = true;
    this.deliver(exec, [
      [
        'EVENT_TYPE_WORKFLOW_EXECUTION_CANCEL_REQUESTED',
        { cause, identity, externalInitiatedEventId: external?.initiatedEventId, externalWorkflowExecution: external?.workflowExecution },
      ],
    ]);
    this.save(exec);
  }

  timeOutWorkflow(exec: ExecutionRecord): void {
    this.close(exec, 'WORKFLOW_EXECUTION_STATUS_TIMED_OUT', 'EVENT_TYPE_WORKFLOW_EXECUTION_TIMED_OUT', { retryState: 'RETRY_STATE_TIMEOUT' });
  }

  terminate(exec: ExecutionRecord, reason: string, details: Pb, identity: string): void {
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

  // ---------------------------------------------------------------- signals

  // ---------------------------------------------------------------- queries

  answerQueries(exec: ExecutionRecord, results: Record<string, Pb>): void {
    for (const query of [...this.runtime(exec).queries]) {
      const result = results[query.id];
      if (!result) continue;
      if (result.resultType === 'QUERY_RESULT_TYPE_ANSWERED') query.resolve(result.answer ?? { payloads: [] });
      else query.reject(this.queryFailed(result.errorMessage, result.failure));
    }
  }

  queryFailed(message: string | undefined, failure: Pb): ServiceError {
    return new ServiceError(grpcStatus.INVALID_ARGUMENT, message || failure?.message || 'query failed', {
      type: 'temporal.api.errordetails.v1.QueryFailedFailure',
      value: { failure },
    });
  }

  dispatchWaitingQueries(exec: ExecutionRecord): void {
    for (const query of this.runtime(exec).queries) {
      if (!query.attachedTo && !query.dispatched) this.dispatchQueryTask(exec, query);
    }
  }

  /**
   * A query-only task: to the sticky worker with no history (it has the run cached), else to the
   * normal queue with the whole history, as the real server does.
   */
  dispatchQueryTask(exec: ExecutionRecord, query: PendingQuery): void {
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

  // ---------------------------------------------------------------- updates

  /**
   * Waits until `ready()` (checked whenever the run changes: the engine calls every waiter in
   * `waiters`), the server closes, or the long poll runs out, leaving the caller's deadline half
   * a second to receive the empty answer.
   */
  longPoll(exec: ExecutionRecord, kind: 'historyWaiters' | 'updateWaiters', ready: () => boolean, deadline: number): Promise<void> {
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

  // ---------------------------------------------------------------- reading

}
