/**
 * What standalone activities and standalone Nexus operations share: each is a record among the runs,
 * keyed by its kind's prefix and its id, started under the same id policies as the real server's
 * chasm library applies to both.
 */
import { RUNNING, type Engine } from './engine';
import type { ServiceError } from './errors';
import type { Pb } from './proto';
import type { ExecutionRecord } from './store';

/**
 * The start's answer when the id is taken by the request itself (a retried request id) or may be
 * reused as it stands (USE_EXISTING on a running one); undefined when a new run may start.
 * `reuse` and `conflict` are the policies' names without their kind's prefix (`ALLOW_DUPLICATE`, `USE_EXISTING`).
 * @throws the kind's ALREADY_EXISTS (`taken`) when the policies refuse the id.
 */
export function claimId(
  h: Engine,
  current: ExecutionRecord | undefined,
  start: { requestId: string; reuse: string; conflict: string; attachRequestId?: boolean },
  taken: (current: ExecutionRecord) => ServiceError,
): { runId: string; started: boolean } | undefined {
  if (!current) return undefined;
  if (current.startRequestIds.includes(start.requestId)) return { runId: current.runId, started: true };
  if (current.status === RUNNING) {
    if (start.conflict !== 'USE_EXISTING') throw taken(current);
    if (start.attachRequestId) {
      current.startRequestIds.push(start.requestId);
      h.save(current);
    }
    return { runId: current.runId, started: false };
  }
  if (start.reuse === 'REJECT_DUPLICATE') throw taken(current);
  if (start.reuse === 'ALLOW_DUPLICATE_FAILED_ONLY' && current.status === 'WORKFLOW_EXECUTION_STATUS_COMPLETED') throw taken(current);
  return undefined;
}

/** A new running record of a standalone kind: the run's fields a workflow has, empty. */
export function standaloneRun(run: { namespace: string; key: string; runId: string; type: string; taskQueue: string; now: number; requestId: string; searchAttributes: Record<string, Pb> }): ExecutionRecord {
  return {
    namespace: run.namespace,
    workflowId: run.key,
    runId: run.runId,
    workflowType: run.type,
    taskQueue: run.taskQueue,
    status: RUNNING,
    startTime: run.now,
    executionTime: run.now,
    startRequestIds: [run.requestId],
    requestIds: [],
    executionTimeoutMs: 0,
    runTimeoutMs: 0,
    workflowTaskTimeoutMs: 0,
    memo: {},
    searchAttributes: run.searchAttributes,
    nextEventId: 1,
    bufferedEvents: [],
    workflowTaskNeeded: false,
    lastCompletedStartedEventId: 0,
    stickyScheduleToStartMs: 0,
    activities: {},
    timers: {},
    updates: {},
    cancelRequested: false,
    historySizeBytes: 0,
  };
}
