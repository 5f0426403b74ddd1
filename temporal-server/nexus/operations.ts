/**
 * Nexus operations a workflow schedules, shaped like the real server's `components/nexusoperations`
 * state machine: ScheduleNexusOperation → NEXUS_OPERATION_SCHEDULED and a Nexus task on the
 * endpoint's task queue (`PollNexusTaskQueue`); the handler answers with a sync result
 * (NEXUS_OPERATION_COMPLETED), an operation error (FAILED / CANCELED), a handler error (retried
 * with backoff when retryable, else FAILED) or an async start (NEXUS_OPERATION_STARTED, linked to
 * the handler's workflow run). An async operation ends when the run it started ends: that run
 * carries a completion callback (`temporal://system` and a token naming the caller's operation),
 * which this server delivers in-process when the run closes. RequestCancelNexusOperation records
 * NEXUS_OPERATION_CANCEL_REQUESTED and, once the operation has started, sends a cancel task to the
 * handler (NEXUS_OPERATION_CANCEL_REQUEST_COMPLETED / _FAILED). The three timeouts are timer tasks
 * on the virtual clock (NEXUS_OPERATION_TIMED_OUT), so time skipping drives them: schedule-to-close
 * from the schedule, schedule-to-start until the operation starts (a sync answer or an async
 * start), start-to-close from an async start until it ends.
 *
 * The state lives in the caller's run record (`nexusOperations`), so it is written with the run in
 * the same unit of work and rebuilt at start ({@link NexusOperations.recoverRun}).
 */
import { randomUUID } from 'node:crypto';
import { RUNNING, type Engine } from '../engine';
import { invalidArgument, notFound } from '../errors';
import { duration, timestamp, toMs, type Pb } from '../proto';
import type { NexusTimeoutKind, TimerTask } from '../timerQueue';
import type { ExecutionRecord, ExecutionStatus } from '../store';
import { NexusEndpoints } from './endpoints';
import { StandaloneNexusOperations } from './standalone';

/** The callback URL the real server gives handlers for completions it delivers itself. */
export const CALLBACK_URL = 'temporal://system';
/** The callback header holding our token (which caller run and operation the completion is for). */
export const CALLBACK_TOKEN_HEADER = 'temporal-callback-token';
/** How long a Nexus task may stay with a worker before it is dispatched again (the real server's request timeout). */
export const NEXUS_TASK_TIMEOUT_MS = 10_000;
const MAX_BACKOFF_MS = 60_000;
/** Handler error types the real server retries (`nexus.HandlerErrorType` retryable by default). */
const RETRYABLE_TYPES = new Set(['INTERNAL', 'UNAVAILABLE', 'UPSTREAM_TIMEOUT', 'RESOURCE_EXHAUSTED', 'UNKNOWN']);

/** Where a cancel request stands: waiting for the operation to start, on a queue, backing off, or done. */
export interface NexusCancelState {
  requestedEventId: number;
  phase: 'waiting' | 'scheduled' | 'backoff' | 'done';
  attempt: number;
  /** How the handler answered, when done (a standalone operation's describe shows it). */
  failure?: Pb;
  token?: string;
  retryTime?: number;
}

export interface NexusOperationState {
  scheduledEventId: number;
  endpoint: string;
  endpointId: string;
  service: string;
  operation: string;
  input?: Pb;
  nexusHeader: Record<string, string>;
  requestId: string;
  scheduleToCloseMs: number;
  /** 0 when not set; absent in records written before they were enforced. */
  scheduleToStartMs?: number;
  startToCloseMs?: number;
  scheduledTime: number;
  /** When the handler started it asynchronously (start-to-close counts from here). */
  startedTime?: number;
  /** `scheduled`: a start task on the queue or with a worker; `backoff`: waiting to retry it; `started`: async, running. */
  phase: 'scheduled' | 'backoff' | 'started';
  attempt: number;
  /** Identifies the current start task: an answer to an older one is refused. */
  token?: string;
  retryTime?: number;
  operationToken?: string;
  cancel?: NexusCancelState;
  /** The last retryable handler error and when it came (a standalone operation's describe shows them). */
  lastAttemptFailure?: Pb;
  lastAttemptCompleteTime?: number;
}

interface NexusTaskToken {
  kind: 'nexus';
  namespace: string;
  runId: string;
  id: number;
  token: string;
  op: 'start' | 'cancel';
}

interface CallbackToken {
  namespace: string;
  workflowId: string;
  runId: string;
  scheduledEventId: number;
  requestId: string;
}

const encode = (value: unknown): string => Buffer.from(JSON.stringify(value)).toString('base64url');

function decode<T>(text: string | Buffer | undefined): T | undefined {
  try {
    return JSON.parse(Buffer.from(typeof text === 'string' ? Buffer.from(text, 'base64url') : (text ?? [])).toString('utf8')) as T;
  } catch {
    return undefined;
  }
}

const lock = (id: number) => `nexus:${id}`;
const timerKinds = ['schedule-to-close', 'schedule-to-start', 'start-to-close', 'retry', 'task'] as const;
const TIMEOUT_TYPE: Record<NexusTimeoutKind, string> = {
  'schedule-to-close': 'TIMEOUT_TYPE_SCHEDULE_TO_CLOSE',
  'schedule-to-start': 'TIMEOUT_TYPE_SCHEDULE_TO_START',
  'start-to-close': 'TIMEOUT_TYPE_START_TO_CLOSE',
};

/** `NexusOperationScheduled` ↔ `EVENT_TYPE_NEXUS_OPERATION_SCHEDULED`, as Nexus links name event types. */
const pascal = (eventType: string) =>
  eventType
    .replace(/^EVENT_TYPE_/, '')
    .toLowerCase()
    .replace(/(^|_)([a-z])/g, (_m, _s, c: string) => c.toUpperCase());
const upperSnake = (name: string) => `EVENT_TYPE_${name.replace(/([a-z0-9])([A-Z])/g, '$1_$2').toUpperCase()}`;

/** A link to an event of a run, in the Nexus URL form the SDKs read (`temporal:///namespaces/…`). */
export function workflowEventLink(namespace: string, workflowId: string, runId: string, eventId: number, eventType: string): Pb {
  const path = ['namespaces', namespace, 'workflows', workflowId, runId, 'history'].map(encodeURIComponent).join('/');
  return { url: `temporal:///${path}?referenceType=EventReference&eventID=${eventId}&eventType=${pascal(eventType)}`, type: 'temporal.api.common.v1.Link.WorkflowEvent' };
}

/** A Nexus link from a handler back to `temporal.api.common.v1.Link` (the STARTED event's links); others are dropped. */
export function temporalLink(link: Pb): Pb | undefined {
  try {
    const url = new URL(link.url);
    const parts = url.pathname.split('/').filter(Boolean).map(decodeURIComponent);
    if (url.protocol !== 'temporal:' || parts.length !== 6 || parts[0] !== 'namespaces' || parts[2] !== 'workflows' || parts[5] !== 'history') return undefined;
    const [, namespace, , workflowId, runId] = parts;
    const eventType = url.searchParams.get('eventType');
    const reference =
      url.searchParams.get('referenceType') === 'RequestIdReference'
        ? { requestIdRef: { requestId: url.searchParams.get('requestID') ?? '', eventType: eventType ? upperSnake(eventType) : undefined } }
        : { eventRef: { eventId: Number(url.searchParams.get('eventID') ?? 0), eventType: eventType ? upperSnake(eventType) : undefined } };
    return { workflowEvent: { namespace, workflowId, runId, ...reference } };
  } catch {
    return undefined;
  }
}

/** A link to a standalone Nexus operation, in the Nexus URL form (`temporal:///namespaces/…/nexus-operations/…`). */
export function nexusOperationLink(namespace: string, operationId: string, runId: string): Pb {
  const path = ['namespaces', namespace, 'nexus-operations', operationId, runId, 'details'].map(encodeURIComponent).join('/');
  return { url: `temporal:///${path}`, type: 'temporal.api.common.v1.Link.NexusOperation' };
}

export class NexusOperations {
  readonly endpoints: NexusEndpoints;
  /** Operations a client starts with no workflow: records of their own, moved by the machinery below. */
  readonly standalone: StandaloneNexusOperations;

  constructor(private readonly h: Engine) {
    this.endpoints = new NexusEndpoints(h);
    this.standalone = new StandaloneNexusOperations(h, this);
  }

  // ---------------------------------------------------------------- commands

  /**
   * An operation's timeouts as the real server trims them (0: not set): schedule-to-close at most
   * `maxMs` (a caller's run timeout) when that is set, the other two at most schedule-to-close.
   */
  timeouts(attributes: Pb, maxMs = 0): { scheduleToCloseMs: number; scheduleToStartMs: number; startToCloseMs: number } {
    let scheduleToCloseMs = toMs(attributes.scheduleToCloseTimeout);
    if (maxMs && (!scheduleToCloseMs || scheduleToCloseMs > maxMs)) scheduleToCloseMs = maxMs;
    const trim = (ms: number) => (scheduleToCloseMs && ms > scheduleToCloseMs ? scheduleToCloseMs : ms);
    return { scheduleToCloseMs, scheduleToStartMs: trim(toMs(attributes.scheduleToStartTimeout)), startToCloseMs: trim(toMs(attributes.startToCloseTimeout)) };
  }

  /** The ScheduleNexusOperation command. An endpoint not registered fails the operation at once. */
  schedule(exec: ExecutionRecord, attributes: Pb, completedId: number): void {
    const endpoint = this.endpoints.byName(attributes.endpoint ?? '');
    const requestId = randomUUID();
    const { scheduleToCloseMs, scheduleToStartMs, startToCloseMs } = this.timeouts(attributes, exec.runTimeoutMs);
    const nexusHeader: Record<string, string> = {};
    for (const [name, value] of Object.entries((attributes.nexusHeader ?? {}) as Record<string, string>)) nexusHeader[name.toLowerCase()] = value;
    const event = this.h.append(exec, 'EVENT_TYPE_NEXUS_OPERATION_SCHEDULED', {
      endpoint: attributes.endpoint,
      service: attributes.service,
      operation: attributes.operation,
      input: attributes.input,
      scheduleToCloseTimeout: scheduleToCloseMs ? duration(scheduleToCloseMs) : undefined,
      nexusHeader,
      workflowTaskCompletedEventId: completedId,
      requestId,
      endpointId: endpoint?.id ?? '',
      scheduleToStartTimeout: scheduleToStartMs ? duration(scheduleToStartMs) : undefined,
      startToCloseTimeout: startToCloseMs ? duration(startToCloseMs) : undefined,
    });
    const op: NexusOperationState = {
      scheduledEventId: event.eventId,
      endpoint: attributes.endpoint ?? '',
      endpointId: endpoint?.id ?? '',
      service: attributes.service ?? '',
      operation: attributes.operation ?? '',
      input: attributes.input,
      nexusHeader,
      requestId,
      scheduleToCloseMs,
      scheduleToStartMs,
      startToCloseMs,
      scheduledTime: this.h.clock.now(),
      phase: 'scheduled',
      attempt: 1,
    };
    if (!endpoint) {
      this.finish(exec, op, 'FAILED', { cause: { message: `endpoint "${op.endpoint}" not found`, nexusHandlerFailureInfo: { type: 'NOT_FOUND' } } });
      return;
    }
    this.begin(exec, op);
  }

  /** The operation is on: its timeouts armed and its start request on the endpoint's queue. */
  begin(exec: ExecutionRecord, op: NexusOperationState): void {
    exec.nexusOperations = { ...exec.nexusOperations, [op.scheduledEventId]: op };
    this.armTimeouts(exec, op);
    this.dispatchStart(exec, op);
  }

  /** The RequestCancelNexusOperation command: recorded now, sent to the handler once the operation has started. */
  requestCancel(exec: ExecutionRecord, attributes: Pb, completedId: number): void {
    const id = Number(attributes.scheduledEventId);
    const op = exec.nexusOperations?.[id];
    const event = this.h.append(exec, 'EVENT_TYPE_NEXUS_OPERATION_CANCEL_REQUESTED', { scheduledEventId: id, workflowTaskCompletedEventId: completedId });
    if (!op || op.cancel) return;
    this.askCancel(exec, op, event.eventId);
  }

  /** Asks the handler to cancel `op`: now if it has started, else once it starts. */
  askCancel(exec: ExecutionRecord, op: NexusOperationState, requestedEventId: number): void {
    op.cancel = { requestedEventId, phase: 'waiting', attempt: 1 };
    if (op.phase === 'started') this.dispatchCancel(exec, op);
  }

  /**
   * The real server's checks of Nexus commands before any command of the task is applied: an
   * endpoint not registered, or a cancel for no pending operation, fails the workflow task
   * (`BAD_SCHEDULE_NEXUS_OPERATION_ATTRIBUTES`, `BAD_REQUEST_CANCEL_NEXUS_OPERATION_ATTRIBUTES`).
   */
  refusedCommand(exec: ExecutionRecord, commands: Pb[]): { cause: string; message: string } | undefined {
    for (const command of commands) {
      if (command.commandType === 'COMMAND_TYPE_SCHEDULE_NEXUS_OPERATION') {
        const attributes = command.scheduleNexusOperationCommandAttributes ?? {};
        const cause = 'WORKFLOW_TASK_FAILED_CAUSE_BAD_SCHEDULE_NEXUS_OPERATION_ATTRIBUTES';
        if (!attributes.endpoint) return { cause, message: 'ScheduleNexusOperationCommandAttributes.Endpoint is not set' };
        if (!attributes.service) return { cause, message: 'ScheduleNexusOperationCommandAttributes.Service is not set' };
        if (!attributes.operation) return { cause, message: 'ScheduleNexusOperationCommandAttributes.Operation is not set' };
        if (!this.endpoints.byName(attributes.endpoint)) return { cause, message: `endpoint "${attributes.endpoint}" not found` };
      } else if (command.commandType === 'COMMAND_TYPE_REQUEST_CANCEL_NEXUS_OPERATION') {
        const id = Number(command.requestCancelNexusOperationCommandAttributes?.scheduledEventId ?? 0);
        // An operation that ended while the task ran (its end still buffered) may still be asked to cancel.
        const justEnded = exec.bufferedEvents.some((event) => String(event.eventType).startsWith('EVENT_TYPE_NEXUS_OPERATION_') && Object.values(event).some((value) => (value as Pb)?.scheduledEventId === id));
        if (!exec.nexusOperations?.[id] && !justEnded) {
          return {
            cause: 'WORKFLOW_TASK_FAILED_CAUSE_BAD_REQUEST_CANCEL_NEXUS_OPERATION_ATTRIBUTES',
            message: `requested cancelation for a non-existing or already completed operation with scheduled event ID of ${id}`,
          };
        }
      }
    }
    return undefined;
  }

  // ---------------------------------------------------------------- tasks

  private target(op: NexusOperationState): { namespace: string; taskQueue: string } | undefined {
    const worker = this.endpoints.byId(op.endpointId)?.spec.target?.worker;
    return worker ? { namespace: worker.namespace, taskQueue: worker.taskQueue } : undefined;
  }

  private dispatchStart(exec: ExecutionRecord, op: NexusOperationState): void {
    const target = this.target(op);
    if (!target) {
      this.finish(exec, op, 'FAILED', { cause: { message: `endpoint "${op.endpoint}" not found`, nexusHandlerFailureInfo: { type: 'NOT_FOUND' } } });
      return;
    }
    this.queueTask(exec, op, op, target, 'start');
  }

  private dispatchCancel(exec: ExecutionRecord, op: NexusOperationState): void {
    const cancel = op.cancel!;
    const target = this.target(op);
    if (!target) {
      this.cancelAnswered(exec, op, { message: `endpoint "${op.endpoint}" not found`, nexusHandlerFailureInfo: { type: 'NOT_FOUND' } });
      return;
    }
    this.queueTask(exec, op, cancel, target, 'cancel');
  }

  /** Puts `op`'s start or cancel request on the endpoint's task queue, under a fresh token (a late answer to an older one is ignored). */
  private queueTask(exec: ExecutionRecord, op: NexusOperationState, request: { phase: string; token?: string; retryTime?: number }, target: { namespace: string; taskQueue: string }, kind: 'start' | 'cancel'): void {
    const token = randomUUID();
    request.phase = 'scheduled';
    request.token = token;
    request.retryTime = undefined;
    this.h.hold(exec, lock(op.scheduledEventId));
    const { namespace, runId } = exec;
    const id = op.scheduledEventId;
    this.h.matching.addTask(target.namespace, 'nexus', target.taskQueue, { tryStart: () => this.startTask(namespace, runId, id, token, kind) });
  }

  /** A poller takes a task: the request it carries, or undefined when the operation has moved on. */
  private startTask(namespace: string, runId: string, id: number, token: string, kind: 'start' | 'cancel'): Pb | undefined {
    const exec = this.h.store.getExecution(namespace, runId);
    const op = exec?.nexusOperations?.[id];
    if (!exec || exec.status !== RUNNING || !op) return undefined;
    if (kind === 'start' ? op.phase !== 'scheduled' || op.token !== token : op.cancel?.phase !== 'scheduled' || op.cancel.token !== token) return undefined;
    const now = this.h.clock.now();
    const timeoutMs = Math.max(1, Math.min(this.nearestDeadline(op, kind) - now, NEXUS_TASK_TIMEOUT_MS));
    this.h.setTimer(exec, now + timeoutMs, { type: 'nexus', scheduledEventId: id, kind: 'task', token });
    const taskToken: NexusTaskToken = { kind: 'nexus', namespace, runId, id, token, op: kind };
    const header = { ...op.nexusHeader, 'request-timeout': `${timeoutMs}ms` };
    const variant =
      kind === 'start'
        ? {
            startOperation: {
              service: op.service,
              operation: op.operation,
              requestId: op.requestId,
              callback: CALLBACK_URL,
              payload: op.input,
              callbackHeader: {
                [CALLBACK_TOKEN_HEADER]: encode({ namespace, workflowId: exec.workflowId, runId, scheduledEventId: id, requestId: op.requestId } satisfies CallbackToken),
              },
              links: [
                exec.standaloneNexus
                  ? nexusOperationLink(namespace, exec.standaloneNexus.operationId, runId)
                  : workflowEventLink(namespace, exec.workflowId, runId, id, 'EVENT_TYPE_NEXUS_OPERATION_SCHEDULED'),
              ],
            },
          }
        : { cancelOperation: { service: op.service, operation: op.operation, operationId: op.operationToken, operationToken: op.operationToken } };
    return {
      taskToken: Buffer.from(JSON.stringify(taskToken)),
      request: { header, scheduledTime: timestamp(now), capabilities: { temporalFailureResponses: true }, endpoint: op.endpoint, ...variant },
    };
  }

  /** @throws ServiceError NOT_FOUND for a task that is no longer current (answered, timed out, retried). */
  private byToken(bytes: Buffer | undefined): { exec: ExecutionRecord; op: NexusOperationState; kind: 'start' | 'cancel' } {
    const token = decode<NexusTaskToken>(Buffer.from(bytes ?? []).toString('base64url'));
    const exec = token?.kind === 'nexus' ? this.h.store.getExecution(token.namespace, token.runId) : undefined;
    const op = exec?.status === RUNNING ? exec.nexusOperations?.[token!.id] : undefined;
    const current = token?.op === 'start' ? op?.phase === 'scheduled' && op.token === token.token : op?.cancel?.phase === 'scheduled' && op.cancel.token === token?.token;
    if (!exec || !op || !current) throw notFound('Nexus task not found or already expired.');
    this.h.clearTimer(exec, `nexus:${op.scheduledEventId}:task`);
    this.h.release(exec, lock(op.scheduledEventId));
    return { exec, op, kind: token!.op };
  }

  /** RespondNexusTaskCompleted: the handler's answer to a start or cancel request. */
  completed(request: Pb): Pb {
    this.h.requireNamespace(request.namespace);
    const { exec, op, kind } = this.byToken(request.taskToken);
    if (kind === 'cancel') {
      this.cancelAnswered(exec, op, undefined);
      this.h.save(exec);
      return {};
    }
    const start = request.response?.startOperation;
    if (start?.syncSuccess) this.finish(exec, op, 'COMPLETED', { result: start.syncSuccess.payload ?? {} });
    else if (start?.asyncSuccess) this.started(exec, op, start.asyncSuccess.operationToken || start.asyncSuccess.operationId || '', start.asyncSuccess.links ?? []);
    else if (start?.failure) this.finish(exec, op, start.failure.canceledFailureInfo ? 'CANCELED' : 'FAILED', { cause: start.failure });
    else if (start?.operationError) {
      const cause = nexusFailure(start.operationError.failure);
      const canceled = start.operationError.operationState === 'canceled';
      this.finish(exec, op, canceled ? 'CANCELED' : 'FAILED', { cause: canceled ? { ...cause, canceledFailureInfo: {} } : cause });
    } else throw invalidArgument('invalid response: a start operation response must be sync, async or a failure');
    this.h.save(exec);
    return {};
  }

  /** RespondNexusTaskFailed: a handler error, retried with backoff when retryable, else the end of the operation (or of the cancel request). */
  failed(request: Pb): Pb {
    this.h.requireNamespace(request.namespace);
    const { exec, op, kind } = this.byToken(request.taskToken);
    const failure: Pb = request.failure ?? {
      ...nexusFailure(request.error?.failure),
      nexusHandlerFailureInfo: { type: request.error?.errorType ?? 'INTERNAL', retryBehavior: request.error?.retryBehavior },
    };
    const info = failure.nexusHandlerFailureInfo ?? {};
    const behavior: string = info.retryBehavior ?? '';
    const retryable = behavior.endsWith('_NON_RETRYABLE') ? false : behavior.endsWith('_RETRYABLE') ? true : RETRYABLE_TYPES.has(info.type ?? 'INTERNAL');
    const state = kind === 'start' ? op : op.cancel!;
    if (retryable) {
      const retryTime = this.h.clock.now() + Math.min(1000 * 2 ** (state.attempt - 1), MAX_BACKOFF_MS);
      if (!op.scheduleToCloseMs || retryTime < op.scheduledTime + op.scheduleToCloseMs) {
        if (kind === 'start') {
          op.lastAttemptFailure = failure;
          op.lastAttemptCompleteTime = this.h.clock.now();
        }
        state.phase = 'backoff';
        state.attempt += 1;
        state.retryTime = retryTime;
        state.token = undefined;
        this.h.setTimer(exec, retryTime, { type: 'nexus', scheduledEventId: op.scheduledEventId, kind: 'retry' });
        this.h.save(exec);
        return {};
      }
    }
    if (kind === 'start') this.finish(exec, op, 'FAILED', { cause: failure });
    else this.cancelAnswered(exec, op, failure);
    this.h.save(exec);
    return {};
  }

  // ---------------------------------------------------------------- moves

  private started(exec: ExecutionRecord, op: NexusOperationState, operationToken: string, links: Pb[]): void {
    op.phase = 'started';
    op.token = undefined;
    op.operationToken = operationToken;
    op.startedTime = this.h.clock.now();
    this.h.clearTimer(exec, `nexus:${op.scheduledEventId}:schedule-to-start`);
    this.armTimeouts(exec, op);
    const temporalLinks = links.map(temporalLink).filter((link): link is Pb => !!link);
    if (exec.standaloneNexus) this.standalone.started(exec, temporalLinks);
    else {
      const [event] = this.h.deliver(exec, [
        ['EVENT_TYPE_NEXUS_OPERATION_STARTED', { scheduledEventId: op.scheduledEventId, operationId: operationToken, requestId: op.requestId, operationToken }],
      ]);
      if (event && temporalLinks.length > 0) event.links = temporalLinks;
    }
    if (op.cancel?.phase === 'waiting') this.dispatchCancel(exec, op);
  }

  /** The handler answered a cancel request: done, with its failure if it refused. */
  private cancelAnswered(exec: ExecutionRecord, op: NexusOperationState, failure: Pb | undefined): void {
    const cancel = op.cancel!;
    cancel.phase = 'done';
    cancel.failure = failure;
    if (exec.standaloneNexus) return;
    const attributes = { requestedEventId: cancel.requestedEventId, scheduledEventId: op.scheduledEventId };
    this.h.deliver(exec, [failure ? ['EVENT_TYPE_NEXUS_OPERATION_CANCEL_REQUEST_FAILED', { ...attributes, failure }] : ['EVENT_TYPE_NEXUS_OPERATION_CANCEL_REQUEST_COMPLETED', attributes]]);
  }

  /** Stops everything the operation had going: its timers, its hold on the clock, its slot. */
  release(exec: ExecutionRecord, op: NexusOperationState): void {
    for (const kind of timerKinds) this.h.clearTimer(exec, `nexus:${op.scheduledEventId}:${kind}`);
    this.h.release(exec, lock(op.scheduledEventId));
    if (exec.nexusOperations) delete exec.nexusOperations[op.scheduledEventId];
  }

  /**
   * The operation's end, with the handler's result or failure (`cause`): a closing event wrapping it
   * in a NexusOperationFailure for the workflow, or the outcome of a standalone operation as it is.
   */
  private finish(exec: ExecutionRecord, op: NexusOperationState, outcome: 'COMPLETED' | 'FAILED' | 'CANCELED' | 'TIMED_OUT', answer: { result?: Pb; cause?: Pb }): void {
    this.release(exec, op);
    if (exec.standaloneNexus) return this.standalone.closed(exec, op, outcome, answer);
    const attributes = answer.cause ? { failure: this.wrap(op, answer.cause) } : { result: answer.result };
    this.h.deliver(exec, [[`EVENT_TYPE_NEXUS_OPERATION_${outcome}`, { scheduledEventId: op.scheduledEventId, requestId: op.requestId, ...attributes }]]);
  }

  /** The failure the caller sees: a NexusOperationFailure whose cause is what the handler said. */
  private wrap(op: NexusOperationState, cause: Pb): Pb {
    return {
      message: 'nexus operation completed unsuccessfully',
      source: '',
      cause,
      nexusOperationExecutionFailureInfo: {
        scheduledEventId: op.scheduledEventId,
        endpoint: op.endpoint,
        service: op.service,
        operation: op.operation,
        operationId: op.operationToken ?? '',
        operationToken: op.operationToken ?? '',
      },
    };
  }

  /** When each timeout that applies in the operation's phase falls due. */
  private deadlines(op: NexusOperationState): Partial<Record<NexusTimeoutKind, number>> {
    const deadlines: Partial<Record<NexusTimeoutKind, number>> = {};
    if (op.scheduleToCloseMs) deadlines['schedule-to-close'] = op.scheduledTime + op.scheduleToCloseMs;
    if (op.phase !== 'started' && op.scheduleToStartMs) deadlines['schedule-to-start'] = op.scheduledTime + op.scheduleToStartMs;
    if (op.phase === 'started' && op.startToCloseMs && op.startedTime !== undefined) deadlines['start-to-close'] = op.startedTime + op.startToCloseMs;
    return deadlines;
  }

  /** How long a start or cancel request may stay with a worker: until the operation's nearest timeout. */
  private nearestDeadline(op: NexusOperationState, kind: 'start' | 'cancel'): number {
    const { 'schedule-to-close': toClose = Infinity, 'schedule-to-start': toStart = Infinity, 'start-to-close': startToClose = Infinity } = this.deadlines(op);
    return Math.min(toClose, kind === 'start' ? toStart : startToClose);
  }

  private armTimeouts(exec: ExecutionRecord, op: NexusOperationState): void {
    for (const [kind, at] of Object.entries(this.deadlines(op)) as [NexusTimeoutKind, number][]) {
      this.h.setTimer(exec, at, { type: 'nexus', scheduledEventId: op.scheduledEventId, kind });
    }
  }

  /** A Nexus timer task fell due (`engine.fireTimer`, in its unit of work). */
  fire(exec: ExecutionRecord, task: Extract<TimerTask, { type: 'nexus' }>): void {
    const op = exec.nexusOperations?.[task.scheduledEventId];
    if (!op) return;
    switch (task.kind) {
      case 'schedule-to-close':
      case 'schedule-to-start':
      case 'start-to-close':
        // A timeout of a phase the operation has left no longer applies (the real server's task validation).
        if (this.deadlines(op)[task.kind] === undefined) break;
        this.finish(exec, op, 'TIMED_OUT', { cause: { message: 'operation timed out', timeoutFailureInfo: { timeoutType: TIMEOUT_TYPE[task.kind] } } });
        break;
      case 'retry':
        if (op.phase === 'backoff') this.dispatchStart(exec, op);
        else if (op.cancel?.phase === 'backoff') this.dispatchCancel(exec, op);
        break;
      case 'task':
        // The worker kept the task past its request timeout: it goes out again (a new token refuses the late answer).
        this.h.release(exec, lock(op.scheduledEventId));
        if (op.phase === 'scheduled' && op.token === task.token) {
          op.attempt += 1;
          this.dispatchStart(exec, op);
        } else if (op.cancel?.phase === 'scheduled' && op.cancel.token === task.token) {
          op.cancel.attempt += 1;
          this.dispatchCancel(exec, op);
        }
        break;
    }
    this.h.save(exec);
  }

  /** At start: each operation's timers and tasks again (a task that was out with a worker goes out anew). */
  recoverRun(exec: ExecutionRecord): void {
    for (const op of Object.values(exec.nexusOperations ?? {})) {
      this.armTimeouts(exec, op);
      if (op.phase === 'scheduled') this.dispatchStart(exec, op);
      else if (op.phase === 'backoff') this.h.setTimer(exec, op.retryTime!, { type: 'nexus', scheduledEventId: op.scheduledEventId, kind: 'retry' });
      const cancel = op.cancel;
      if (cancel?.phase === 'scheduled') this.dispatchCancel(exec, op);
      else if (cancel?.phase === 'backoff') this.h.setTimer(exec, cancel.retryTime!, { type: 'nexus', scheduledEventId: op.scheduledEventId, kind: 'retry' });
    }
  }

  // ---------------------------------------------------------------- completions

  /**
   * A run closed: each Nexus operation it was started for hears how it ended (the completion
   * callback). A run that continued as new hands its callbacks to the next run instead.
   */
  runClosed(run: ExecutionRecord, status: ExecutionStatus, attributes: Pb): void {
    if (status === 'WORKFLOW_EXECUTION_STATUS_CONTINUED_AS_NEW') return;
    for (const callback of run.completionCallbacks ?? []) {
      if (callback.nexus?.url !== CALLBACK_URL) continue;
      const header: Record<string, string> = {};
      for (const [name, value] of Object.entries((callback.nexus.header ?? {}) as Record<string, string>)) header[name.toLowerCase()] = value;
      const ref = decode<CallbackToken>(header[CALLBACK_TOKEN_HEADER]);
      if (!ref) continue;
      const caller = this.h.store.getExecution(ref.namespace, ref.runId);
      const op = caller?.status === RUNNING ? caller.nexusOperations?.[ref.scheduledEventId] : undefined;
      if (!caller || !op || op.requestId !== ref.requestId) continue;
      // The run may end before the handler's start answer arrives: the start is recorded first, as the real server does.
      if (op.phase !== 'started') {
        this.h.clearTimer(caller, `nexus:${op.scheduledEventId}:task`);
        this.h.clearTimer(caller, `nexus:${op.scheduledEventId}:retry`);
        this.started(caller, op, header['nexus-operation-token'] ?? '', [
          workflowEventLink(run.namespace, run.workflowId, run.runId, 1, 'EVENT_TYPE_WORKFLOW_EXECUTION_STARTED'),
        ]);
      }
      switch (status) {
        case 'WORKFLOW_EXECUTION_STATUS_COMPLETED':
          this.finish(caller, op, 'COMPLETED', { result: attributes.result?.payloads?.[0] ?? {} });
          break;
        case 'WORKFLOW_EXECUTION_STATUS_CANCELED':
          this.finish(caller, op, 'CANCELED', { cause: { message: 'operation canceled', canceledFailureInfo: { details: attributes.details } } });
          break;
        case 'WORKFLOW_EXECUTION_STATUS_FAILED':
          this.finish(caller, op, 'FAILED', { cause: attributes.failure ?? { message: 'operation failed' } });
          break;
        case 'WORKFLOW_EXECUTION_STATUS_TERMINATED':
          this.finish(caller, op, 'FAILED', { cause: { message: 'operation terminated', terminatedFailureInfo: {} } });
          break;
        default:
          this.finish(caller, op, 'FAILED', { cause: { message: 'operation exceeded internal timeout', timeoutFailureInfo: { timeoutType: 'TIMEOUT_TYPE_START_TO_CLOSE' } } });
      }
      this.h.save(caller);
    }
  }
}

/** A `temporal.api.nexus.v1.Failure` as a Temporal failure: the details hold one when the SDK sent it so. */
function nexusFailure(failure: Pb | undefined): Pb {
  if (!failure) return { message: 'operation failed' };
  if (failure.metadata?.type === 'temporal.api.failure.v1.Failure' && failure.details?.length) {
    try {
      return { message: failure.message, ...JSON.parse(Buffer.from(failure.details).toString('utf8')) };
    } catch {
      // fall through: plain message
    }
  }
  return { message: failure.message ?? '', stackTrace: failure.stackTrace ?? '' };
}
