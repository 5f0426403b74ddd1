import type { Pb } from './proto';

/** The lifecycle of a workflow execution, named as in `temporal.api.enums.v1.WorkflowExecutionStatus`. */
export type ExecutionStatus =
  | 'WORKFLOW_EXECUTION_STATUS_RUNNING'
  | 'WORKFLOW_EXECUTION_STATUS_COMPLETED'
  | 'WORKFLOW_EXECUTION_STATUS_FAILED'
  | 'WORKFLOW_EXECUTION_STATUS_CANCELED'
  | 'WORKFLOW_EXECUTION_STATUS_TERMINATED'
  | 'WORKFLOW_EXECUTION_STATUS_TIMED_OUT';

/** One history event as the API shapes it (`temporal.api.history.v1.HistoryEvent`). */
export type HistoryEvent = Pb;

/** The workflow task currently scheduled or running for an execution. */
export interface WorkflowTaskState {
  scheduledEventId: number;
  attempt: number;
  /** The queue it was put on: the execution's sticky queue or its normal one. */
  queue: string;
  sticky: boolean;
  scheduledTime: number;
  startedEventId?: number;
  startedTime?: number;
  /** Identifies this start; a completion carrying an older token is refused. */
  token?: string;
  identity?: string;
}

/** An activity scheduled by the workflow and not yet closed. */
export interface ActivityState {
  scheduledEventId: number;
  activityId: string;
  activityType: string;
  taskQueue: string;
  input?: Pb;
  header?: Pb;
  scheduleToCloseMs: number;
  scheduleToStartMs: number;
  startToCloseMs: number;
  heartbeatMs: number;
  retryPolicy: Pb;
  scheduledTime: number;
  attempt: number;
  attemptScheduledTime: number;
  /** `scheduled`: waiting for a worker; `started`: with a worker; `backoff`: waiting to retry. */
  phase: 'scheduled' | 'started' | 'backoff';
  startedTime?: number;
  startedIdentity?: string;
  startedRequestId?: string;
  lastHeartbeatTime?: number;
  heartbeatDetails?: Pb;
  lastFailure?: Pb;
  cancelRequested: boolean;
  cancelRequestedEventId?: number;
  token?: string;
}

export interface TimerState {
  timerId: string;
  startedEventId: number;
  fireTime: number;
}

/** An update from the moment it is admitted until its outcome is known. */
export interface UpdateState {
  updateId: string;
  request: Pb;
  /** `admitted`: not yet seen by the workflow; `delivered`: in a running task; then accepted or completed. */
  stage: 'admitted' | 'delivered' | 'accepted' | 'completed';
  messageId?: string;
  sequencingEventId?: number;
  acceptedEventId?: number;
  outcome?: Pb;
}

/**
 * Everything the server knows about one run, as a plain, serialisable record. Timers, waiters,
 * locks, queries and task-queue entries that refer to it live only in the engine's memory; a
 * durable store will need the engine to rebuild them from these records at start (not done yet).
 */
export interface ExecutionRecord {
  namespace: string;
  workflowId: string;
  runId: string;
  workflowType: string;
  taskQueue: string;
  status: ExecutionStatus;
  startTime: number;
  executionTime: number;
  closeTime?: number;
  startRequestIds: string[];
  /** Request ids of signals and cancellations already applied. */
  requestIds: string[];
  executionTimeoutMs: number;
  runTimeoutMs: number;
  workflowTaskTimeoutMs: number;
  memo: Record<string, Pb>;
  searchAttributes: Record<string, Pb>;
  nextEventId: number;
  /** Events that arrived while a workflow task was running, appended when it ends. */
  bufferedEvents: HistoryEvent[];
  workflowTask?: WorkflowTaskState;
  /** Attempt number the next workflow task gets: above 1 after failures and timeouts. */
  workflowTaskAttempt?: number;
  /** A new workflow task is due as soon as the running one ends. */
  workflowTaskNeeded: boolean;
  lastCompletedStartedEventId: number;
  stickyQueue?: string;
  stickyScheduleToStartMs: number;
  activities: Record<number, ActivityState>;
  timers: Record<string, TimerState>;
  updates: Record<string, UpdateState>;
  cancelRequested: boolean;
  historySizeBytes: number;
}

/** Filter for listing executions; every present field must match. */
export interface ExecutionFilter {
  workflowType?: string;
  workflowId?: string;
  status?: ExecutionStatus;
}

/**
 * Storage behind the engine. The engine owns the state machine and calls these after each change;
 * an implementation only keeps records and histories. A durable implementation replaces
 * {@link MemoryStore} without touching the engine.
 */
export interface Store {
  namespaces(): string[];
  addNamespace(name: string): void;
  getExecution(namespace: string, runId: string): ExecutionRecord | undefined;
  /** The run that owns `workflowId` now: the most recently started one. */
  getCurrentRun(namespace: string, workflowId: string): ExecutionRecord | undefined;
  putExecution(record: ExecutionRecord): void;
  listExecutions(namespace: string, filter: ExecutionFilter): ExecutionRecord[];
  appendEvents(namespace: string, runId: string, events: HistoryEvent[]): void;
  /** Events from `fromEventId` (1-based, inclusive) to the end. */
  readEvents(namespace: string, runId: string, fromEventId?: number): HistoryEvent[];
}

export class MemoryStore implements Store {
  private readonly names = new Set<string>();
  private readonly executions = new Map<string, ExecutionRecord>();
  private readonly current = new Map<string, string>();
  private readonly histories = new Map<string, HistoryEvent[]>();

  namespaces(): string[] {
    return [...this.names];
  }

  addNamespace(name: string): void {
    this.names.add(name);
  }

  getExecution(namespace: string, runId: string): ExecutionRecord | undefined {
    return this.executions.get(`${namespace}/${runId}`);
  }

  getCurrentRun(namespace: string, workflowId: string): ExecutionRecord | undefined {
    const runId = this.current.get(`${namespace}/${workflowId}`);
    return runId === undefined ? undefined : this.getExecution(namespace, runId);
  }

  putExecution(record: ExecutionRecord): void {
    const key = `${record.namespace}/${record.runId}`;
    // A run seen for the first time is the newest one for its workflow id.
    if (!this.executions.has(key)) this.current.set(`${record.namespace}/${record.workflowId}`, record.runId);
    this.executions.set(key, record);
  }

  listExecutions(namespace: string, filter: ExecutionFilter): ExecutionRecord[] {
    const out: ExecutionRecord[] = [];
    for (const record of this.executions.values()) {
      if (record.namespace !== namespace) continue;
      if (filter.workflowType !== undefined && record.workflowType !== filter.workflowType) continue;
      if (filter.workflowId !== undefined && record.workflowId !== filter.workflowId) continue;
      if (filter.status !== undefined && record.status !== filter.status) continue;
      out.push(record);
    }
    return out.sort((a, b) => b.startTime - a.startTime);
  }

  appendEvents(namespace: string, runId: string, events: HistoryEvent[]): void {
    const key = `${namespace}/${runId}`;
    let history = this.histories.get(key);
    if (!history) this.histories.set(key, (history = []));
    history.push(...events);
  }

  readEvents(namespace: string, runId: string, fromEventId = 1): HistoryEvent[] {
    const history = this.histories.get(`${namespace}/${runId}`) ?? [];
    return fromEventId <= 1 ? history.slice() : history.slice(fromEventId - 1);
  }
}
