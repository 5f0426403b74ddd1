import type { Pb } from './proto';
import type { SaType } from './searchAttributes';
import type { ScheduleRecord } from './schedules/scheduler';
import type { StandaloneActivityInfo } from './standaloneActivities/activities';
import type { NexusEndpointRecord } from './nexus/endpoints';
import type { NexusOperationState } from './nexus/operations';
import type { StandaloneNexusInfo } from './nexus/standalone';

/** The lifecycle of a workflow execution, named as in `temporal.api.enums.v1.WorkflowExecutionStatus`. */
export type ExecutionStatus =
  | 'WORKFLOW_EXECUTION_STATUS_RUNNING'
  | 'WORKFLOW_EXECUTION_STATUS_COMPLETED'
  | 'WORKFLOW_EXECUTION_STATUS_FAILED'
  | 'WORKFLOW_EXECUTION_STATUS_CANCELED'
  | 'WORKFLOW_EXECUTION_STATUS_TERMINATED'
  | 'WORKFLOW_EXECUTION_STATUS_TIMED_OUT'
  | 'WORKFLOW_EXECUTION_STATUS_CONTINUED_AS_NEW';

/** The parent of a child workflow run, told when the child closes. */
export interface ParentRef {
  namespace: string;
  workflowId: string;
  runId: string;
  /** The parent's START_CHILD_WORKFLOW_EXECUTION_INITIATED event. */
  initiatedEventId: number;
}

/** A child workflow a run started and has not yet heard the end of. */
export interface ChildState {
  namespace: string;
  workflowId: string;
  runId: string;
  workflowType: string;
  startedEventId: number;
  /** What happens to the child when this run closes: terminate (the default), request cancel, abandon. */
  parentClosePolicy: string;
}

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
  /**
   * `scheduled`: waiting for a worker; `started`: with a worker; `backoff`: waiting to retry;
   * `paused`: paused with no attempt out, none dispatched until unpaused (`activityControl.ts`).
   */
  phase: 'scheduled' | 'started' | 'backoff' | 'paused';
  /** When the next attempt is due, while in backoff. */
  retryTime?: number;
  startedTime?: number;
  startedIdentity?: string;
  startedRequestId?: string;
  lastHeartbeatTime?: number;
  heartbeatDetails?: Pb;
  lastFailure?: Pb;
  cancelRequested: boolean;
  cancelRequestedEventId?: number;
  token?: string;
  /** Set while paused (PauseActivity); a started attempt runs on and hears of it by heartbeat. */
  pause?: ActivityPause;
  /** The request id of the last pause, paused still or not: the same pause again is a no-op. */
  lastPauseRequestId?: string;
  /** Reset while an attempt was out: the worker hears of it by heartbeat, and the attempt's end applies it. */
  resetRequested?: boolean;
  /** Heartbeat details go at the next attempt (a reset with `resetHeartbeat` while an attempt was out). */
  resetHeartbeatOnRetry?: boolean;
}

/** Who paused an activity, when and why. */
export interface ActivityPause {
  time: number;
  identity: string;
  reason: string;
  requestId: string;
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
 * locks, queries and task-queue entries that refer to it live only in the engine's memory; the
 * engine rebuilds them from these records at start ({@link Engine.recover}).
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
  /** The first run of a continue-as-new chain (this run's own id when absent). */
  firstExecutionRunId?: string;
  parent?: ParentRef;
  /** Children by their initiated event id. */
  children?: Record<number, ChildState>;
  /**
   * Set when the record is a standalone activity (`standaloneActivities/`), not a workflow run: its
   * one activity is `activities[1]` while open, and lists and counts of workflows leave it out.
   */
  standaloneActivity?: StandaloneActivityInfo;
  /**
   * Set when the record is a standalone Nexus operation (`nexus/standalone.ts`): its one operation is
   * `nexusOperations[1]` while open, and lists and counts of workflows leave it out.
   */
  standaloneNexus?: StandaloneNexusInfo;
  /** Nexus operations this run scheduled and has not yet heard the end of, by scheduled event id (`nexus/`). */
  nexusOperations?: Record<number, NexusOperationState>;
  /** Who hears of this run's end (a Nexus operation that started it: `completion_callbacks`). */
  completionCallbacks?: Pb[];
}

/**
 * A standalone activity's record keeps its activity id behind this prefix where a run keeps its
 * workflow id: activity ids are apart from workflow ids, and lists tell the two apart by it.
 */
export const ACTIVITY_KEY_PREFIX = '\u001factivity\u001f';
/** The first key after every prefixed one. */
export const ACTIVITY_KEY_END = '\u001factivity\u0020';

/** A standalone Nexus operation's record keeps its operation id behind this prefix, as an activity's does. */
export const NEXUS_KEY_PREFIX = '\u001fnexus\u001f';
export const NEXUS_KEY_END = '\u001fnexus\u0020';

/** A piece of SQL and its parameters. */
export interface SqlFragment {
  sql: string;
  params: unknown[];
}

/** A list or count over the runs' visibility rows, compiled from a list filter (`visibility.ts`). */
export interface VisibilityQuery {
  where?: SqlFragment;
  /** Sort keys, most significant first; the run id (ascending) always breaks ties. */
  order: Array<SqlFragment & { desc: boolean }>;
  groupBy?: SqlFragment;
  /** Which records: workflow runs (absent), standalone activities (`activity`) or standalone Nexus operations (`nexus`). */
  division?: 'activity' | 'nexus';
}

/**
 * Storage behind the engine ({@link SqliteStore}, in a file or in memory). The engine owns the state
 * machine; the store keeps runs, histories, namespaces and a few counters. Changes are made inside
 * {@link Store.transact} and written together when the outermost unit ends; outside a unit every
 * read is a fresh copy.
 */
export interface Store {
  /**
   * Runs `fn` as one unit of work: within it each run is one object, reads see the unit's own
   * writes, and when the outermost unit returns everything it changed is committed at once. If `fn`
   * throws, nothing of the unit is written. Nested calls join the open unit.
   */
  transact<T>(fn: () => T): T;
  namespaces(): string[];
  addNamespace(name: string): void;
  getExecution(namespace: string, runId: string): ExecutionRecord | undefined;
  /** The run that owns `workflowId` now: the most recently started one. */
  getCurrentRun(namespace: string, workflowId: string): ExecutionRecord | undefined;
  putExecution(record: ExecutionRecord): void;
  /** Removes a run, its history and (when it is the current one) its id's claim, with the unit. */
  deleteExecution(record: ExecutionRecord): void;
  /**
   * One page of runs matching `query`, in its order, after the run whose sort keys are `after`
   * (keyset paging: a page token stays right while runs start and close); `keys` are each run's
   * sort keys, for the next page token.
   */
  listVisibility(namespace: string, query: VisibilityQuery, pageSize: number, after?: unknown[]): { records: ExecutionRecord[]; keys: unknown[][] };
  /** How many runs match, in one group or per value of `query.groupBy`. */
  countVisibility(namespace: string, query: VisibilityQuery): Array<{ value?: unknown; count: number }>;
  /** The namespace's custom search attributes and their types. */
  customSearchAttributes(namespace: string): Record<string, SaType>;
  /** Registers (or, with `type` undefined, removes) a custom search attribute; written at once. */
  setSearchAttribute(namespace: string, name: string, type: SaType | undefined): void;
  /** Nexus endpoints, in id order; written at once, outside units (`nexus/endpoints.ts`). */
  nexusEndpoints(): NexusEndpointRecord[];
  /** Creates, replaces or (with `record` undefined) deletes an endpoint. */
  setNexusEndpoint(id: string, record: NexusEndpointRecord | undefined): void;
  /** Runs still running, to rebuild timers and queues at start. */
  runningExecutions(): Array<{ namespace: string; runId: string }>;
  appendEvents(namespace: string, runId: string, events: HistoryEvent[]): void;
  /** Events from `fromEventId` (1-based, inclusive) to the end. */
  readEvents(namespace: string, runId: string, fromEventId?: number): HistoryEvent[];
  /** Schedules (`schedules/`), kept like runs: one object per schedule within a unit. */
  getSchedule(namespace: string, scheduleId: string): ScheduleRecord | undefined;
  putSchedule(record: ScheduleRecord): void;
  deleteSchedule(namespace: string, scheduleId: string): void;
  /** In schedule id order; of every namespace when `namespace` is undefined. */
  listSchedules(namespace: string | undefined): ScheduleRecord[];
  /** Counters the engine keeps across restarts (event task ids, skipped time). */
  getMeta(name: string): number | undefined;
  setMeta(name: string, value: number): void;
  /** True when the state outlives the process (a file). */
  readonly persistent: boolean;
  close(): void;
}
