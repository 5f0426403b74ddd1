/**
 * Standalone Nexus operations: operations a client starts with no caller workflow (SDK 1.24
 * `client.nexus`; `chasm/lib/nexusoperation` in temporalio/temporal). Each one is a record in the
 * runs' store — an {@link ExecutionRecord} with `standaloneNexus` set, keyed by a run id of its own
 * and an operation id kept apart from workflow and activity ids — that hosts exactly one
 * {@link NexusOperationState} (`nexusOperations[1]`) while it is open. So its start and cancel
 * requests go to the endpoint's handler workers, are retried, timed out, answered and completed by
 * the handler's run through the very moves {@link NexusOperations} makes for a workflow's operation,
 * in the same units of work, and are put back on their queues and timers at start. Where a workflow's
 * operation would write an event into the caller's history, {@link NexusOperations} hands the move to
 * this class: the record takes its terminal status and outcome, and long polls waiting for it are answered.
 */
import { randomUUID } from 'node:crypto';
import { RUNNING, type Engine } from '../engine';
import { alreadyExists, failedPrecondition, invalidArgument, notFound } from '../errors';
import { duration, timestamp, toMs, type Pb } from '../proto';
import { asIndexedFields, mergeSearchAttributes, setOrUnset, validateSearchAttributes, type SaType } from '../searchAttributes';
import { NEXUS_KEY_PREFIX as KEY_PREFIX, type ExecutionRecord, type ExecutionStatus } from '../store';
import { standaloneListing } from '../handlers/listWorkflowExecutions';
import { claimId, standaloneRun } from '../standaloneRecords';
import type { NexusOperations, NexusOperationState } from './operations';

/** What a standalone operation's record holds besides the one operation. */
export interface StandaloneNexusInfo {
  operationId: string;
  endpoint: string;
  service: string;
  operation: string;
  /** The server's request id for the handler (the operation's), not the client's start request id. */
  requestId: string;
  identity: string;
  nexusHeader: Record<string, string>;
  userMetadata?: Pb;
  /** Links the handler attached on start (its workflow run). */
  links: Pb[];
  stateTransitionCount: number;
  /** `{ result }` or `{ failure }`, once closed. */
  outcome?: Pb;
  /** The operation as it was when it closed (while open it is `nexusOperations[1]`). */
  final?: NexusOperationState;
  cancelRequestId?: string;
  cancelReason?: string;
  cancelRequestedTime?: number;
  terminateRequestId?: string;
}

/** The one operation of a standalone record sits where a workflow's first scheduled event would. */
export const OPERATION_SLOT = 1;
/** Attributes a filter over operations may name besides the system and custom ones. */
const OPERATION_ATTRIBUTES: Record<string, SaType> = { OperationId: 'Keyword', Endpoint: 'Keyword', Service: 'Keyword', Operation: 'Keyword', RequestId: 'Keyword' };

const CLOSE_STATUS: Record<string, ExecutionStatus> = {
  COMPLETED: 'WORKFLOW_EXECUTION_STATUS_COMPLETED',
  FAILED: 'WORKFLOW_EXECUTION_STATUS_FAILED',
  CANCELED: 'WORKFLOW_EXECUTION_STATUS_CANCELED',
  TIMED_OUT: 'WORKFLOW_EXECUTION_STATUS_TIMED_OUT',
  TERMINATED: 'WORKFLOW_EXECUTION_STATUS_TERMINATED',
};

const WAIT_STAGES = ['NEXUS_OPERATION_WAIT_STAGE_STARTED', 'NEXUS_OPERATION_WAIT_STAGE_CLOSED'];

/** `NEXUS_OPERATION_EXECUTION_STATUS_…` for the record's status (the same names as a workflow's). */
const operationStatus = (status: ExecutionStatus): string => status.replace('WORKFLOW_EXECUTION_STATUS_', 'NEXUS_OPERATION_EXECUTION_STATUS_');

export class StandaloneNexusOperations {
  private readonly listing;

  constructor(
    private readonly engine: Engine,
    private readonly operations: NexusOperations,
  ) {
    this.listing = standaloneListing(engine, OPERATION_ATTRIBUTES, 'nexus');
  }

  // ---------------------------------------------------------------- finding

  /**
   * The run `runId` of `operationId`, or its latest run.
   * @throws ServiceError NOT_FOUND when there is none.
   */
  private find(namespace: string, operationId: string, runId?: string): ExecutionRecord {
    if (!operationId) throw invalidArgument('operation_id is required');
    const store = this.engine.store;
    const exec = runId ? store.getExecution(namespace, runId) : store.getCurrentRun(namespace, KEY_PREFIX + operationId);
    if (!exec?.standaloneNexus || exec.standaloneNexus.operationId !== operationId) {
      throw notFound(`nexus operation execution not found for operation ID ${operationId}${runId ? ` and run ID ${runId}` : ''}`);
    }
    return exec;
  }

  /** The operation a request names by `namespace`, `operationId` and (optionally) `runId`, as {@link find}. */
  private requested(request: Pb): ExecutionRecord {
    return this.find(this.engine.requireNamespace(request.namespace), request.operationId ?? '', request.runId || undefined);
  }

  /** The operation as it is now: the open one, or as it closed. */
  private operation(exec: ExecutionRecord): NexusOperationState {
    return exec.nexusOperations?.[OPERATION_SLOT] ?? exec.standaloneNexus!.final!;
  }

  // ---------------------------------------------------------------- start

  /**
   * StartNexusOperationExecution: a new run, the running one (USE_EXISTING, or a retried request id),
   * or ALREADY_EXISTS with `NexusOperationExecutionAlreadyStartedFailure` as the id policies say.
   * @throws ServiceError NOT_FOUND for an endpoint not registered (the real registry's words).
   */
  start(request: Pb): Pb {
    const h = this.engine;
    const namespace = h.requireNamespace(request.namespace);
    const operationId: string = request.operationId ?? '';
    if (!operationId) throw invalidArgument('operation_id is required');
    if (!request.endpoint) throw invalidArgument('endpoint is required');
    if (!request.service) throw invalidArgument('service is required');
    if (!request.operation) throw invalidArgument('operation is required');
    for (const field of ['scheduleToCloseTimeout', 'scheduleToStartTimeout', 'startToCloseTimeout']) {
      if (toMs(request[field]) < 0) throw invalidArgument(`${field.replace(/[A-Z]/g, (c) => `_${c.toLowerCase()}`)} is invalid: negative duration`);
    }
    const reuse: string = request.idReusePolicy || 'NEXUS_OPERATION_ID_REUSE_POLICY_UNSPECIFIED';
    const conflict: string = request.idConflictPolicy || 'NEXUS_OPERATION_ID_CONFLICT_POLICY_UNSPECIFIED';
    if (!/^NEXUS_OPERATION_ID_REUSE_POLICY_(UNSPECIFIED|ALLOW_DUPLICATE|ALLOW_DUPLICATE_FAILED_ONLY|REJECT_DUPLICATE)$/.test(reuse)) throw invalidArgument(`unsupported ID reuse policy: ${reuse}`);
    if (!/^NEXUS_OPERATION_ID_CONFLICT_POLICY_(UNSPECIFIED|FAIL|USE_EXISTING)$/.test(conflict)) throw invalidArgument(`unsupported ID conflict policy: ${conflict}`);
    const given = request.searchAttributes?.indexedFields;
    const validated = validateSearchAttributes(h.store, namespace, given);
    const endpoint = this.operations.endpoints.byName(request.endpoint);
    if (!endpoint) throw notFound(`could not find Nexus endpoint by name: ${request.endpoint}`);
    const startRequestId: string = request.requestId || randomUUID();

    const existing = claimId(
      h,
      h.store.getCurrentRun(namespace, KEY_PREFIX + operationId),
      { requestId: startRequestId, reuse: reuse.replace('NEXUS_OPERATION_ID_REUSE_POLICY_', ''), conflict: conflict.replace('NEXUS_OPERATION_ID_CONFLICT_POLICY_', '') },
      (current) => {
        const requestId = current.startRequestIds[0] ?? '';
        return alreadyExists(`nexus operation execution already started: request_id=${requestId}, run_id=${current.runId}`, {
          type: 'temporal.api.errordetails.v1.NexusOperationExecutionAlreadyStartedFailure',
          value: { startRequestId: requestId, runId: current.runId },
        });
      },
    );
    if (existing) return existing;

    const now = h.clock.now();
    const runId = randomUUID();
    const nexusHeader: Record<string, string> = {};
    for (const [name, value] of Object.entries((request.nexusHeader ?? {}) as Record<string, string>)) nexusHeader[name.toLowerCase()] = value;
    const searchAttributes: Record<string, Pb> = {};
    if (given && Object.keys(given).length > 0) mergeSearchAttributes(searchAttributes, setOrUnset(asIndexedFields(validated, given)));
    const op: NexusOperationState = {
      scheduledEventId: OPERATION_SLOT,
      endpoint: request.endpoint,
      endpointId: endpoint.id,
      service: request.service,
      operation: request.operation,
      input: request.input,
      nexusHeader,
      requestId: randomUUID(),
      ...this.operations.timeouts(request),
      scheduledTime: now,
      phase: 'scheduled',
      attempt: 1,
    };
    const exec: ExecutionRecord = {
      ...standaloneRun({ namespace, key: KEY_PREFIX + operationId, runId, type: request.operation, taskQueue: '', now, requestId: startRequestId, searchAttributes }),
      standaloneNexus: {
        operationId,
        endpoint: request.endpoint,
        service: request.service,
        operation: request.operation,
        requestId: op.requestId,
        identity: request.identity ?? '',
        nexusHeader,
        userMetadata: request.userMetadata,
        links: [],
        stateTransitionCount: 1,
      },
    };
    h.store.putExecution(exec);
    this.operations.begin(exec, op);
    h.save(exec);
    return { runId, started: true };
  }

  // ---------------------------------------------------------------- NexusOperations' hooks

  /** The handler started the operation asynchronously (its run, linked). */
  started(exec: ExecutionRecord, links: Pb[]): void {
    const info = exec.standaloneNexus!;
    info.links.push(...links);
    info.stateTransitionCount += 1;
  }

  /** The operation ended: the record takes the terminal status and keeps the outcome as the handler gave it. */
  closed(exec: ExecutionRecord, op: NexusOperationState, outcome: keyof typeof CLOSE_STATUS, answer: { result?: Pb; cause?: Pb }): void {
    const info = exec.standaloneNexus!;
    info.outcome = answer.cause ? { failure: answer.cause } : { result: answer.result ?? {} };
    info.final = op;
    info.stateTransitionCount += 1;
    op.token = undefined;
    exec.status = CLOSE_STATUS[outcome];
    exec.closeTime = this.engine.clock.now();
    this.engine.save(exec);
  }

  // ---------------------------------------------------------------- the outcome and description

  /**
   * PollNexusOperationExecution: waits (a long poll) until the operation has started or closed, as
   * asked; answers empty when the poll runs out first (the caller polls again).
   */
  async poll(request: Pb, deadline: number): Promise<Pb> {
    const h = this.engine;
    const namespace = h.requireNamespace(request.namespace);
    const stage: string = request.waitStage || 'NEXUS_OPERATION_WAIT_STAGE_UNSPECIFIED';
    if (!WAIT_STAGES.includes(stage)) throw invalidArgument(`unsupported wait_stage: ${stage}`);
    let exec = this.find(namespace, request.operationId ?? '', request.runId || undefined);
    const runId = exec.runId;
    const reached = (record: ExecutionRecord) => record.status !== RUNNING || (stage === 'NEXUS_OPERATION_WAIT_STAGE_STARTED' && this.operation(record).phase === 'started');
    if (!reached(exec)) {
      await h.longPoll(exec, 'historyWaiters', () => reached(h.store.getExecution(namespace, runId) ?? exec), deadline);
      exec = h.store.getExecution(namespace, runId) ?? exec;
      if (!reached(exec)) return {};
    }
    const closed = exec.status !== RUNNING;
    return {
      runId,
      waitStage: closed ? 'NEXUS_OPERATION_WAIT_STAGE_CLOSED' : 'NEXUS_OPERATION_WAIT_STAGE_STARTED',
      operationToken: this.operation(exec).operationToken ?? '',
      ...(closed ? exec.standaloneNexus!.outcome : {}),
    };
  }

  /**
   * DescribeNexusOperationExecution: status, state, attempts, timeouts, cancellation, links; input and
   * outcome when asked. With `longPollToken`, waits until the state differs from the one it names.
   */
  async describe(request: Pb, deadline: number): Promise<Pb> {
    const h = this.engine;
    const namespace = h.requireNamespace(request.namespace);
    let exec = this.find(namespace, request.operationId ?? '', request.runId || undefined);
    const runId = exec.runId;
    if (request.longPollToken?.length) {
      if (!request.runId) throw invalidArgument('run_id is required when long_poll_token is provided');
      const [tokenRunId, seen] = Buffer.from(request.longPollToken).toString('utf8').split('|', 2);
      if (seen === undefined) throw invalidArgument('invalid long poll token');
      if (tokenRunId !== runId) throw invalidArgument('long poll token does not match execution');
      const changed = () => this.stateToken(h.store.getExecution(namespace, runId) ?? exec) !== seen;
      if (!changed()) {
        await h.longPoll(exec, 'historyWaiters', changed, deadline);
        exec = h.store.getExecution(namespace, runId) ?? exec;
        if (!changed()) return {};
      }
    }
    const outcome = exec.standaloneNexus!.outcome;
    return {
      runId,
      info: this.executionInfo(exec),
      input: request.includeInput ? this.operation(exec).input : undefined,
      ...(request.includeOutcome && exec.status !== RUNNING ? outcome : {}),
      longPollToken: exec.status === RUNNING ? Buffer.from(`${runId}|${this.stateToken(exec)}`) : undefined,
    };
  }

  /** Names the state a describe saw: any move of the operation or its cancellation changes it. */
  private stateToken(exec: ExecutionRecord): string {
    const op = this.operation(exec);
    return [exec.status, op.phase, op.attempt, op.cancel?.phase ?? '', op.cancel?.attempt ?? 0].join(',');
  }

  private state(exec: ExecutionRecord, op: NexusOperationState): string {
    if (exec.status !== RUNNING) return 'PENDING_NEXUS_OPERATION_STATE_UNSPECIFIED';
    return { scheduled: 'PENDING_NEXUS_OPERATION_STATE_SCHEDULED', backoff: 'PENDING_NEXUS_OPERATION_STATE_BACKING_OFF', started: 'PENDING_NEXUS_OPERATION_STATE_STARTED' }[op.phase];
  }

  private cancellationInfo(exec: ExecutionRecord, op: NexusOperationState): Pb | undefined {
    const info = exec.standaloneNexus!;
    const cancel = op.cancel;
    if (!cancel || info.cancelRequestedTime === undefined) return undefined;
    let state = { waiting: 'SCHEDULED', scheduled: 'SCHEDULED', backoff: 'BACKING_OFF', done: cancel.failure ? 'FAILED' : 'SUCCEEDED' }[cancel.phase];
    if (cancel.phase !== 'done' && exec.status === 'WORKFLOW_EXECUTION_STATUS_TIMED_OUT') state = 'TIMED_OUT';
    return {
      requestedTime: timestamp(info.cancelRequestedTime),
      state: `NEXUS_OPERATION_CANCELLATION_STATE_${state}`,
      attempt: cancel.attempt,
      lastAttemptFailure: cancel.failure,
      nextAttemptScheduleTime: cancel.phase === 'backoff' && cancel.retryTime ? timestamp(cancel.retryTime) : undefined,
      reason: info.cancelReason ?? '',
    };
  }

  private executionInfo(exec: ExecutionRecord): Pb {
    const h = this.engine;
    const info = exec.standaloneNexus!;
    const op = this.operation(exec);
    const end = exec.closeTime ?? h.clock.now();
    return {
      ...this.listInfo(exec),
      state: this.state(exec, op),
      scheduleToCloseTimeout: op.scheduleToCloseMs ? duration(op.scheduleToCloseMs) : undefined,
      scheduleToStartTimeout: op.scheduleToStartMs ? duration(op.scheduleToStartMs) : undefined,
      startToCloseTimeout: op.startToCloseMs ? duration(op.startToCloseMs) : undefined,
      attempt: op.attempt,
      expirationTime: op.scheduleToCloseMs ? timestamp(op.scheduledTime + op.scheduleToCloseMs) : undefined,
      lastAttemptCompleteTime: op.lastAttemptCompleteTime !== undefined ? timestamp(op.lastAttemptCompleteTime) : undefined,
      lastAttemptFailure: op.lastAttemptFailure,
      nextAttemptScheduleTime: exec.status === RUNNING && op.phase === 'backoff' && op.retryTime ? timestamp(op.retryTime) : undefined,
      executionDuration: duration(end - exec.startTime),
      cancellationInfo: this.cancellationInfo(exec, op),
      requestId: info.requestId,
      operationToken: op.operationToken ?? '',
      nexusHeader: info.nexusHeader,
      userMetadata: info.userMetadata,
      links: info.links,
      identity: info.identity,
    };
  }

  /** `NexusOperationExecutionListInfo`: what a list shows of each operation. */
  private listInfo(exec: ExecutionRecord): Pb {
    const info = exec.standaloneNexus!;
    return {
      operationId: info.operationId,
      runId: exec.runId,
      endpoint: info.endpoint,
      service: info.service,
      operation: info.operation,
      scheduleTime: timestamp(exec.startTime),
      closeTime: exec.closeTime !== undefined ? timestamp(exec.closeTime) : undefined,
      status: operationStatus(exec.status),
      searchAttributes: { indexedFields: exec.searchAttributes },
      stateTransitionCount: info.stateTransitionCount,
      executionDuration: exec.closeTime !== undefined ? duration(exec.closeTime - exec.startTime) : undefined,
    };
  }

  // ---------------------------------------------------------------- cancel, terminate, delete

  /**
   * RequestCancelNexusOperationExecution: recorded at once, sent to the handler once the operation
   * has started (as for a workflow's operation); it ends CANCELED when the handler's run does.
   */
  requestCancel(request: Pb): Pb {
    const h = this.engine;
    const exec = this.requested(request);
    const info = exec.standaloneNexus!;
    // A retried cancel may arrive after the operation closed: the same request id is not refused.
    if (request.requestId && info.cancelRequestId === request.requestId) return {};
    if (exec.status !== RUNNING) throw failedPrecondition('operation already completed');
    if (info.cancelRequestId !== undefined) throw failedPrecondition(`cancellation already requested with request ID ${info.cancelRequestId}`);
    info.cancelRequestId = request.requestId || randomUUID();
    info.cancelReason = request.reason ?? '';
    info.cancelRequestedTime = h.clock.now();
    info.stateTransitionCount += 1;
    this.operations.askCancel(exec, this.operation(exec), 0);
    h.save(exec);
    return {};
  }

  /** TerminateNexusOperationExecution: closed at once without telling the handler (a late answer finds no task). */
  terminate(request: Pb): Pb {
    const exec = this.requested(request);
    const info = exec.standaloneNexus!;
    if (info.terminateRequestId !== undefined) {
      if (info.terminateRequestId === request.requestId) return {};
      throw failedPrecondition(`already terminated with request ID ${info.terminateRequestId}`);
    }
    if (exec.status !== RUNNING) throw failedPrecondition('operation already completed');
    this.close(exec, request.requestId || randomUUID(), request.reason ?? '', request.identity ?? '');
    return {};
  }

  private close(exec: ExecutionRecord, requestId: string, reason: string, identity: string): void {
    const op = this.operation(exec);
    exec.standaloneNexus!.terminateRequestId = requestId;
    this.operations.release(exec, op);
    this.closed(exec, op, 'TERMINATED', { cause: { message: reason, terminatedFailureInfo: { identity } } });
  }

  /** DeleteNexusOperationExecution: terminates it if running, then removes the run (the real server does so asynchronously). */
  delete(request: Pb): Pb {
    const h = this.engine;
    const exec = this.requested(request);
    if (exec.status === RUNNING) this.close(exec, randomUUID(), 'Delete nexus operation execution', '');
    h.store.deleteExecution(exec);
    return {};
  }

  // ---------------------------------------------------------------- visibility

  /** ListNexusOperationExecutions: the operations a filter matches, newest first by default, paged by keyset. */
  list(request: Pb): Pb {
    const { records, nextPageToken } = this.listing.page(request);
    return { operations: records.map((exec) => this.listInfo(exec)), nextPageToken };
  }

  /** CountNexusOperationExecutions: how many match, or how many per ExecutionStatus with GROUP BY. */
  count(request: Pb): Pb {
    return this.listing.count(request);
  }
}
