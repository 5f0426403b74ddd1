/** `WorkflowExecutionInfo` as describe and list show a run. */
import { duration, timestamp, type Pb } from './proto';
import type { ExecutionRecord } from './store';
import type { Engine } from './engine';

export function executionInfo(h: Engine, exec: ExecutionRecord): Pb {
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
    firstRunId: exec.firstExecutionRunId ?? exec.runId,
    parentNamespaceId: exec.parent?.namespace,
    parentExecution: exec.parent ? { workflowId: exec.parent.workflowId, runId: exec.parent.runId } : undefined,
    rootExecution: { workflowId: exec.workflowId, runId: exec.runId },
    executionDuration: exec.closeTime ? duration(exec.closeTime - exec.executionTime) : undefined,
  };
}
