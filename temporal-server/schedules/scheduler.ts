/**
 * Schedules: what Temporal's scheduler workflow (`service/worker/scheduler/workflow.go`) does,
 * kept as a record beside the runs instead of as a workflow of its own. Each schedule's next wake-up
 * is one typed timer task (`scheduleWakeup`) on the engine's timer queue over the virtual clock, so
 * time skipping drives schedules as it drives timers; the record is written in the same unit of work
 * as the runs it starts, and {@link Schedules.recover} wakes every schedule at start, which takes
 * the firings missed while the server was down that are still within the catch-up window.
 *
 * A wake-up processes the time since the last one: each firing becomes a buffered start (or is
 * counted as missed beyond the catch-up window), then the buffer is resolved under the overlap
 * policies (buffer.go's rules), starting workflows `<workflowId>-<nominal time, RFC 3339>` with the
 * `TemporalScheduledStartTime` and `TemporalScheduledById` search attributes. The engine tells the
 * schedule when one of its workflows closes ({@link Schedules.runClosed}): that frees the way for a
 * buffered start and applies pause-on-failure.
 */
import { randomUUID } from 'node:crypto';
import { alreadyExists, failedPrecondition, invalidArgument, notFound, ServiceError } from '../errors';
import { startWorkflow } from '../handlers/startWorkflowExecution';
import { duration, timestamp, toMs, type Pb } from '../proto';
import type { ExecutionRecord } from '../store';
import type { Engine } from '../engine';
import { canonicalizeSpec, CompiledSpec } from './spec';

export const DEFAULT_CATCHUP_WINDOW_MS = 365 * 86_400_000;
export const MIN_CATCHUP_WINDOW_MS = 10_000;
const MAX_BUFFER = 1000;
/** Missed firings counted one by one before the rest outside the catch-up window are skipped uncounted. */
const MAX_MISSED_SCAN = 10_000;
const RECENT_ACTIONS = 10;
const FUTURE_ACTIONS = 10;
const LIST_RECENT_ACTIONS = 3;
const LIST_FUTURE_ACTIONS = 5;
const SKIP = 'SCHEDULE_OVERLAP_POLICY_SKIP';
const ALLOW_ALL = 'SCHEDULE_OVERLAP_POLICY_ALLOW_ALL';
const UNSPECIFIED = 'SCHEDULE_OVERLAP_POLICY_UNSPECIFIED';
const OVERLAP_POLICIES = [UNSPECIFIED, SKIP, 'SCHEDULE_OVERLAP_POLICY_BUFFER_ONE', 'SCHEDULE_OVERLAP_POLICY_BUFFER_ALL', 'SCHEDULE_OVERLAP_POLICY_CANCEL_OTHER', 'SCHEDULE_OVERLAP_POLICY_TERMINATE_OTHER', ALLOW_ALL];
export const SCHEDULED_BY_ID = 'TemporalScheduledById';
export const SCHEDULED_START_TIME = 'TemporalScheduledStartTime';

export interface BufferedStart {
  nominal: number;
  actual: number;
  overlapPolicy: string;
  manual: boolean;
}

export interface ScheduleActionRecord {
  scheduleTime: number;
  actualTime: number;
  workflowId: string;
  runId: string;
  status: string;
}

/** One schedule as stored: the schedule as described (canonical spec) and the scheduler's state. */
export interface ScheduleRecord {
  namespace: string;
  scheduleId: string;
  /** `temporal.api.schedule.v1.Schedule`: spec (canonical), action, policies, state. */
  schedule: Pb;
  memo?: Pb;
  searchAttributes?: Pb;
  requestIds: string[];
  conflictToken: number;
  createTime: number;
  updateTime?: number;
  /** Firings up to here (their time with jitter) have been dealt with. */
  lastProcessedTime: number;
  actionCount: number;
  missedCatchupWindow: number;
  overlapSkipped: number;
  bufferDropped: number;
  /** Started workflows not yet closed that count for overlap (those not started under ALLOW_ALL). */
  runningWorkflows: Array<{ workflowId: string; runId: string }>;
  recentActions: ScheduleActionRecord[];
  buffer: BufferedStart[];
}

const scheduleKey = (scheduleId: string) => `schedule:${scheduleId}`;

/** int64 big-endian, as the real server hands conflict tokens out. */
function encodeToken(token: number): Buffer {
  const bytes = Buffer.alloc(8);
  bytes.writeBigInt64BE(BigInt(token));
  return bytes;
}

function decodeToken(bytes: Buffer | undefined): number | undefined {
  if (!bytes?.length) return undefined;
  if (bytes.length !== 8) throw invalidArgument('invalid conflict token');
  return Number(Buffer.from(bytes).readBigInt64BE());
}

function jsonPayload(value: unknown, type: string): Pb {
  return { metadata: { encoding: Buffer.from('json/plain'), type: Buffer.from(type) }, data: Buffer.from(JSON.stringify(value)) };
}

/** `2024-05-01T09:30:00Z`: RFC 3339 at whole seconds, as Go's time.RFC3339 writes UTC. */
export function rfc3339Seconds(ms: number): string {
  return new Date(Math.floor(ms / 1000) * 1000).toISOString().replace('.000Z', 'Z');
}

/** The schedule id a run was started by, from its `TemporalScheduledById` search attribute. */
function scheduledBy(exec: ExecutionRecord): string | undefined {
  const payload = exec.searchAttributes?.[SCHEDULED_BY_ID];
  if (!payload?.data) return undefined;
  try {
    const value: unknown = JSON.parse(Buffer.from(payload.data).toString('utf8'));
    return typeof value === 'string' ? value : undefined;
  } catch {
    return undefined;
  }
}

export class Schedules {
  /** Schedules whose buffer is being resolved now: a run they close meanwhile is only noted. */
  private readonly busy = new Set<string>();

  constructor(private readonly engine: Engine) {}

  private get now(): number {
    return this.engine.clock.now();
  }

  private compiled(record: ScheduleRecord): CompiledSpec {
    return new CompiledSpec(record.schedule.spec, `${record.namespace}-${record.scheduleId}`);
  }

  private require(namespace: string, scheduleId: string): ScheduleRecord {
    if (!scheduleId) throw invalidArgument('ScheduleId is not set on request.');
    const record = this.engine.store.getSchedule(namespace, scheduleId);
    if (!record) throw notFound(`schedule "${scheduleId}" not found`);
    return record;
  }

  // ---------------------------------------------------------------- requests

  create(request: Pb): Pb {
    const namespace = this.engine.requireNamespace(request.namespace);
    const scheduleId: string = request.scheduleId ?? '';
    if (!scheduleId) throw invalidArgument('ScheduleId is not set on request.');
    const requestId: string = request.requestId || randomUUID();
    return this.engine.transact(() => {
      const existing = this.engine.store.getSchedule(namespace, scheduleId);
      if (existing) {
        if (existing.requestIds.includes(requestId)) return { conflictToken: encodeToken(existing.conflictToken) };
        throw alreadyExists(`schedule "${scheduleId}" is already registered`);
      }
      const now = this.now;
      const record: ScheduleRecord = {
        namespace,
        scheduleId,
        schedule: this.canonicalSchedule(request.schedule),
        memo: request.memo,
        searchAttributes: request.searchAttributes,
        requestIds: [requestId],
        conflictToken: 1,
        createTime: now,
        lastProcessedTime: now,
        actionCount: 0,
        missedCatchupWindow: 0,
        overlapSkipped: 0,
        bufferDropped: 0,
        runningWorkflows: [],
        recentActions: [],
        buffer: [],
      };
      this.engine.store.putSchedule(record);
      if (request.initialPatch) this.applyPatch(record, request.initialPatch);
      this.settle(record);
      return { conflictToken: encodeToken(record.conflictToken) };
    });
  }

  describe(request: Pb): Pb {
    const namespace = this.engine.requireNamespace(request.namespace);
    const record = this.require(namespace, request.scheduleId);
    return {
      schedule: record.schedule,
      info: {
        actionCount: record.actionCount,
        missedCatchupWindow: record.missedCatchupWindow,
        overlapSkipped: record.overlapSkipped,
        bufferDropped: record.bufferDropped,
        bufferSize: record.buffer.length,
        runningWorkflows: record.runningWorkflows,
        recentActions: record.recentActions.map(actionResult),
        futureActionTimes: this.futureActionTimes(record, FUTURE_ACTIONS).map(timestamp),
        createTime: timestamp(record.createTime),
        updateTime: record.updateTime !== undefined ? timestamp(record.updateTime) : undefined,
      },
      memo: record.memo,
      searchAttributes: record.searchAttributes,
      conflictToken: encodeToken(record.conflictToken),
    };
  }

  /** @throws ServiceError FAILED_PRECONDITION when the conflict token is not the schedule's current one. */
  update(request: Pb): Pb {
    const namespace = this.engine.requireNamespace(request.namespace);
    return this.engine.transact(() => {
      const record = this.require(namespace, request.scheduleId);
      const token = decodeToken(request.conflictToken);
      if (token !== undefined && token !== record.conflictToken) throw failedPrecondition(`schedule "${record.scheduleId}" was changed since its conflict token was read`);
      this.processTime(record);
      record.schedule = this.canonicalSchedule(request.schedule);
      if (request.searchAttributes) record.searchAttributes = request.searchAttributes;
      record.updateTime = this.now;
      record.conflictToken++;
      this.settle(record);
      return {};
    });
  }

  patch(request: Pb): Pb {
    const namespace = this.engine.requireNamespace(request.namespace);
    return this.engine.transact(() => {
      const record = this.require(namespace, request.scheduleId);
      this.processTime(record);
      this.applyPatch(record, request.patch ?? {});
      this.settle(record);
      return {};
    });
  }

  delete(request: Pb): Pb {
    const namespace = this.engine.requireNamespace(request.namespace);
    return this.engine.transact(() => {
      const record = this.require(namespace, request.scheduleId);
      this.engine.store.deleteSchedule(namespace, record.scheduleId);
      this.engine.timers.clearRun(namespace, scheduleKey(record.scheduleId));
      return {};
    });
  }

  /** Schedules in id order, paged; the list-filter language is not applied to schedules here. */
  list(request: Pb): Pb {
    const namespace = this.engine.requireNamespace(request.namespace);
    if ((request.query ?? '').trim()) throw invalidArgument('this server does not filter schedules: list them without a query');
    const all = this.engine.store.listSchedules(namespace);
    const offset = request.nextPageToken?.length ? Number(Buffer.from(request.nextPageToken).toString('utf8')) : 0;
    if (!Number.isInteger(offset) || offset < 0) throw invalidArgument('invalid next page token');
    const pageSize = request.maximumPageSize > 0 ? request.maximumPageSize : 1000;
    const page = all.slice(offset, offset + pageSize);
    const next = offset + page.length;
    return {
      schedules: page.map((record) => ({
        scheduleId: record.scheduleId,
        memo: record.memo,
        searchAttributes: record.searchAttributes,
        info: {
          spec: record.schedule.spec,
          workflowType: record.schedule.action?.startWorkflow?.workflowType,
          notes: record.schedule.state?.notes ?? '',
          paused: !!record.schedule.state?.paused,
          recentActions: record.recentActions.slice(-LIST_RECENT_ACTIONS).map(actionResult),
          futureActionTimes: this.futureActionTimes(record, LIST_FUTURE_ACTIONS).map(timestamp),
        },
      })),
      nextPageToken: next < all.length ? Buffer.from(String(next)) : Buffer.alloc(0),
    };
  }

  /** The spec's firing times in [startTime, endTime], for ListScheduleMatchingTimes. */
  matchingTimes(request: Pb): Pb {
    const namespace = this.engine.requireNamespace(request.namespace);
    const record = this.require(namespace, request.scheduleId);
    if (!request.startTime || !request.endTime) throw invalidArgument('missing start or end time');
    const spec = this.compiled(record);
    const end = toMs(request.endTime);
    const times: number[] = [];
    for (let next = spec.next(toMs(request.startTime)); next && next.actual <= end && times.length < 1000; next = spec.next(next.actual)) times.push(next.actual);
    return { startTime: times.map(timestamp) };
  }

  // ---------------------------------------------------------------- engine hooks

  /** The schedule's timer task fell due: its own unit of work. */
  wake(namespace: string, scheduleId: string): void {
    this.engine.transact(() => {
      const record = this.engine.store.getSchedule(namespace, scheduleId);
      if (!record) return;
      this.processTime(record);
      this.settle(record);
    });
  }

  /** At start: every schedule catches up with the time the server was down, within its catch-up window. */
  recover(): number {
    const ids = this.engine.transact(() => this.engine.store.listSchedules(undefined).map((record) => [record.namespace, record.scheduleId] as const));
    for (const [namespace, scheduleId] of ids) this.wake(namespace, scheduleId);
    return ids.length;
  }

  /** A run closed (inside the unit that closed it): if a schedule started it, the schedule hears of it. */
  runClosed(exec: ExecutionRecord): void {
    if (exec.status === 'WORKFLOW_EXECUTION_STATUS_CONTINUED_AS_NEW') return;
    const scheduleId = scheduledBy(exec);
    if (!scheduleId) return;
    const record = this.engine.store.getSchedule(exec.namespace, scheduleId);
    if (!record) return;
    for (const action of record.recentActions) if (action.workflowId === exec.workflowId) action.status = exec.status;
    const index = record.runningWorkflows.findIndex((run) => run.workflowId === exec.workflowId);
    if (index < 0) return this.engine.store.putSchedule(record);
    record.runningWorkflows.splice(index, 1);
    const failed = exec.status === 'WORKFLOW_EXECUTION_STATUS_FAILED' || exec.status === 'WORKFLOW_EXECUTION_STATUS_TIMED_OUT';
    const state = record.schedule.state;
    if (failed && record.schedule.policies?.pauseOnFailure && !state.paused) {
      state.paused = true;
      if (exec.status === 'WORKFLOW_EXECUTION_STATUS_FAILED') {
        const events = this.engine.store.readEvents(exec.namespace, exec.runId, exec.nextEventId - 1);
        const message: string = events[0]?.workflowExecutionFailedEventAttributes?.failure?.message ?? '';
        state.notes = `paused due to workflow failure: ${exec.workflowId}: ${message}`;
      } else state.notes = `paused due to workflow timeout: ${exec.workflowId}`;
      record.conflictToken++;
    }
    if (!this.busy.has(record.scheduleId)) this.settle(record);
    else this.engine.store.putSchedule(record);
  }

  // ---------------------------------------------------------------- the scheduler

  /** Spec, action, policies and state as stored and described (defaults made explicit, as the real server does). */
  private canonicalSchedule(input: Pb | undefined): Pb {
    const schedule: Pb = input ?? {};
    const spec = canonicalizeSpec(schedule.spec);
    const start = schedule.action?.startWorkflow;
    if (!start) throw invalidArgument('Schedule action must start a workflow (action.startWorkflow is not set).');
    if (!start.workflowId) throw invalidArgument('WorkflowId is not set on the schedule action.');
    if (!start.workflowType?.name) throw invalidArgument('WorkflowType is not set on the schedule action.');
    if (!start.taskQueue?.name) throw invalidArgument('TaskQueue is not set on the schedule action.');
    if (start.cronSchedule) throw invalidArgument('CronSchedule is not allowed in a schedule action.');
    const policies: Pb = schedule.policies ?? {};
    const overlap: string = policies.overlapPolicy && policies.overlapPolicy !== UNSPECIFIED ? policies.overlapPolicy : SKIP;
    if (!OVERLAP_POLICIES.includes(overlap)) throw invalidArgument(`unknown overlap policy ${overlap}`);
    const state: Pb = schedule.state ?? {};
    return {
      spec,
      action: schedule.action,
      policies: {
        overlapPolicy: overlap,
        catchupWindow: duration(this.catchupWindowOf(policies)),
        pauseOnFailure: !!policies.pauseOnFailure,
        keepOriginalWorkflowId: !!policies.keepOriginalWorkflowId,
      },
      state: { notes: state.notes ?? '', paused: !!state.paused, limitedActions: !!state.limitedActions, remainingActions: state.limitedActions ? Number(state.remainingActions ?? 0) : 0 },
    };
  }

  private catchupWindowOf(policies: Pb): number {
    if (!policies?.catchupWindow) return DEFAULT_CATCHUP_WINDOW_MS;
    return Math.max(toMs(policies.catchupWindow), MIN_CATCHUP_WINDOW_MS);
  }

  private canTakeScheduledAction(record: ScheduleRecord, manual: boolean, decrement: boolean): boolean {
    if (manual) return true;
    const state = record.schedule.state;
    if (state.paused) return false;
    if (!state.limitedActions) return true;
    if (state.remainingActions > 0) {
      if (decrement) {
        state.remainingActions--;
        record.conflictToken++;
      }
      return true;
    }
    return false;
  }

  private resolveOverlap(record: ScheduleRecord, policy: string | undefined): string {
    if (policy && policy !== UNSPECIFIED) return policy;
    return record.schedule.policies.overlapPolicy || SKIP;
  }

  /** Firings since the last wake-up, up to now. */
  private processTime(record: ScheduleRecord): void {
    const end = Math.max(this.now, record.lastProcessedTime);
    record.lastProcessedTime = this.processTimeRange(record, record.lastProcessedTime, end, UNSPECIFIED, false);
  }

  /** @returns the time processing reached (the last firing dealt with, or `end` when nothing could be taken). */
  private processTimeRange(record: ScheduleRecord, start: number, end: number, overlapPolicy: string, manual: boolean): number {
    if (!this.canTakeScheduledAction(record, manual, false)) return end;
    const spec = this.compiled(record);
    const catchupWindow = toMs(record.schedule.policies.catchupWindow);
    let last = start;
    let scanned = 0;
    for (let next = spec.next(start); next && next.actual <= end; next = spec.next(next.actual)) {
      if (!manual && ++scanned > MAX_MISSED_SCAN && end - next.actual > catchupWindow) {
        // After a long outage of a frequent schedule, the firings before the window are not counted one by one.
        next = spec.next(end - catchupWindow - 1);
        if (!next || next.actual > end) break;
      }
      // A full buffer drops whatever else the range holds: no need to walk it.
      if (record.buffer.length >= MAX_BUFFER) {
        record.bufferDropped++;
        return end;
      }
      last = next.actual;
      // After an update, firings from before it are not taken.
      if (!manual && record.updateTime !== undefined && record.updateTime > next.actual) continue;
      if (!manual && end - next.actual > catchupWindow) {
        record.missedCatchupWindow++;
        continue;
      }
      this.addStart(record, { nominal: next.nominal, actual: next.actual, overlapPolicy, manual });
    }
    return last;
  }

  private addStart(record: ScheduleRecord, start: BufferedStart): void {
    if (record.buffer.length >= MAX_BUFFER) {
      record.bufferDropped++;
      return;
    }
    record.buffer.push(start);
  }

  private applyPatch(record: ScheduleRecord, patch: Pb): void {
    if (patch.triggerImmediately) {
      const at = patch.triggerImmediately.scheduledTime ? toMs(patch.triggerImmediately.scheduledTime) : this.now;
      this.addStart(record, { nominal: at, actual: at, overlapPolicy: patch.triggerImmediately.overlapPolicy ?? UNSPECIFIED, manual: true });
    }
    for (const backfill of patch.backfillRequest ?? []) {
      if (!backfill.startTime || !backfill.endTime) throw invalidArgument('a backfill needs a start and an end time');
      // The start is inclusive.
      this.processTimeRange(record, toMs(backfill.startTime) - 1, toMs(backfill.endTime), backfill.overlapPolicy ?? UNSPECIFIED, true);
    }
    const state = record.schedule.state;
    if (patch.pause) {
      state.paused = true;
      state.notes = patch.pause;
      record.conflictToken++;
    }
    if (patch.unpause) {
      state.paused = false;
      state.notes = patch.unpause;
      record.conflictToken++;
    }
  }

  /** Resolves the buffer, arms the next wake-up and saves the record. */
  private settle(record: ScheduleRecord): void {
    this.busy.add(record.scheduleId);
    try {
      this.processBuffer(record);
    } finally {
      this.busy.delete(record.scheduleId);
    }
    this.arm(record);
    this.engine.store.putSchedule(record);
  }

  /** buffer.go's ProcessBuffer, then the starts, cancels and terminations it asks for. */
  private processBuffer(record: ScheduleRecord): void {
    const action = record.schedule.action?.startWorkflow;
    if (!action) {
      record.buffer = [];
      return;
    }
    // A termination closes the others at once: then the buffered start goes in the next round.
    for (let round = 0; round < 3 && record.buffer.length > 0; round++) {
      const isRunning = record.runningWorkflows.length > 0;
      const overlapping: BufferedStart[] = [];
      let nonOverlapping: BufferedStart | undefined;
      const newBuffer: BufferedStart[] = [];
      let needCancel = false;
      let needTerminate = false;
      for (const start of record.buffer) {
        const policy = this.resolveOverlap(record, start.overlapPolicy);
        if (policy === ALLOW_ALL) {
          overlapping.push(start);
          continue;
        }
        if (!isRunning && !nonOverlapping) {
          nonOverlapping = start;
          continue;
        }
        switch (policy) {
          case SKIP:
            record.overlapSkipped++;
            break;
          case 'SCHEDULE_OVERLAP_POLICY_BUFFER_ONE':
            if (newBuffer.length === 0) newBuffer.push(start);
            else record.overlapSkipped++;
            break;
          case 'SCHEDULE_OVERLAP_POLICY_BUFFER_ALL':
            newBuffer.push(start);
            break;
          case 'SCHEDULE_OVERLAP_POLICY_CANCEL_OTHER':
          case 'SCHEDULE_OVERLAP_POLICY_TERMINATE_OTHER':
            if (isRunning) {
              if (policy === 'SCHEDULE_OVERLAP_POLICY_CANCEL_OTHER') needCancel = true;
              else needTerminate = true;
              newBuffer.push(start);
            } else nonOverlapping = start;
            break;
        }
      }
      record.buffer = newBuffer;
      const starts = needCancel || needTerminate ? [] : overlapping;
      for (const start of nonOverlapping ? [...starts, nonOverlapping] : starts) {
        if (!this.canTakeScheduledAction(record, start.manual, true)) continue;
        this.startAction(record, action, start, start === nonOverlapping);
      }
      if (needTerminate) {
        for (const run of [...record.runningWorkflows]) {
          const current = this.engine.store.getCurrentRun(record.namespace, run.workflowId);
          // Closing it tells runClosed, which takes it off the running list.
          if (current?.status === 'WORKFLOW_EXECUTION_STATUS_RUNNING') this.engine.terminate(current, 'terminated by schedule overlap policy', undefined, this.identity(record));
          else record.runningWorkflows = record.runningWorkflows.filter((other) => other !== run);
        }
        continue;
      }
      if (needCancel) {
        for (const run of record.runningWorkflows) {
          const current = this.engine.store.getCurrentRun(record.namespace, run.workflowId);
          if (current?.status === 'WORKFLOW_EXECUTION_STATUS_RUNNING') this.engine.requestCancelRun(current, 'cancelled by schedule overlap policy', this.identity(record));
        }
      }
      break;
    }
  }

  private identity(record: ScheduleRecord): string {
    return `temporal-scheduler-${record.namespace}-${record.scheduleId}`;
  }

  private startAction(record: ScheduleRecord, action: Pb, start: BufferedStart, nonOverlapping: boolean): void {
    const overlap = this.resolveOverlap(record, start.overlapPolicy);
    const keepId = record.schedule.policies.keepOriginalWorkflowId && overlap !== ALLOW_ALL;
    const workflowId: string = keepId ? action.workflowId : `${action.workflowId}-${rfc3339Seconds(start.nominal)}`;
    const request: Pb = {
      namespace: record.namespace,
      workflowId,
      workflowType: action.workflowType,
      taskQueue: action.taskQueue,
      input: action.input,
      workflowExecutionTimeout: action.workflowExecutionTimeout,
      workflowRunTimeout: action.workflowRunTimeout,
      workflowTaskTimeout: action.workflowTaskTimeout,
      identity: this.identity(record),
      requestId: randomUUID(),
      workflowIdReusePolicy: start.manual ? 'WORKFLOW_ID_REUSE_POLICY_ALLOW_DUPLICATE' : 'WORKFLOW_ID_REUSE_POLICY_REJECT_DUPLICATE',
      retryPolicy: action.retryPolicy,
      memo: action.memo,
      searchAttributes: {
        indexedFields: {
          ...(action.searchAttributes?.indexedFields ?? {}),
          [SCHEDULED_START_TIME]: jsonPayload(rfc3339Seconds(start.nominal), 'Datetime'),
          [SCHEDULED_BY_ID]: jsonPayload(record.scheduleId, 'Keyword'),
        },
      },
      header: action.header,
      userMetadata: action.userMetadata,
      priority: action.priority,
    };
    let runId: string;
    try {
      runId = startWorkflow(this.engine, request).runId;
    } catch (error) {
      // The real scheduler drops a start the server refuses (an id still running, a bad task queue).
      if (error instanceof ServiceError) return;
      throw error;
    }
    record.actionCount++;
    record.recentActions.push({ scheduleTime: start.actual, actualTime: this.now, workflowId, runId, status: 'WORKFLOW_EXECUTION_STATUS_RUNNING' });
    if (record.recentActions.length > RECENT_ACTIONS) record.recentActions.splice(0, record.recentActions.length - RECENT_ACTIONS);
    // The real scheduler does not track ALLOW_ALL starts for overlap.
    if (nonOverlapping) record.runningWorkflows.push({ workflowId, runId });
  }

  /** The next firing times from where processing stands (those before an update left out), within the remaining actions. */
  private futureActionTimes(record: ScheduleRecord, count: number): number[] {
    const state = record.schedule.state;
    const n = state.limitedActions ? Math.min(count, state.remainingActions) : count;
    const spec = this.compiled(record);
    const times: number[] = [];
    for (let next = spec.next(record.lastProcessedTime); next && times.length < n; next = spec.next(next.actual)) {
      if (record.updateTime !== undefined && record.updateTime > next.actual) continue;
      times.push(next.actual);
    }
    return times;
  }

  /** One timer task at the next firing; none while paused or out of actions (an unpause or update arms it again). */
  private arm(record: ScheduleRecord): void {
    const key = scheduleKey(record.scheduleId);
    const next = this.canTakeScheduledAction(record, false, false) ? this.compiled(record).next(record.lastProcessedTime) : undefined;
    if (next) this.engine.timers.set(record.namespace, key, next.actual, { type: 'scheduleWakeup', scheduleId: record.scheduleId });
    else this.engine.timers.clearRun(record.namespace, key);
  }
}

function actionResult(action: ScheduleActionRecord): Pb {
  return {
    scheduleTime: timestamp(action.scheduleTime),
    actualTime: timestamp(action.actualTime),
    startWorkflowResult: { workflowId: action.workflowId, runId: action.runId },
    startWorkflowStatus: action.status,
  };
}
