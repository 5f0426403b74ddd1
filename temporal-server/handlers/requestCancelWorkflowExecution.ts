/** RequestCancelWorkflowExecution: the workflow is told; it decides how to end. */
import type { Pb } from '../proto';
import type { Engine } from '../engine';

export function requestCancel(h: Engine, request: Pb): Pb {
  const namespace = h.requireNamespace(request.namespace);
  const exec = h.requireRunning(namespace, request.workflowExecution);
  if (request.requestId && exec.requestIds.includes(request.requestId)) return {};
  if (request.requestId) exec.requestIds.push(request.requestId);
  if (exec.cancelRequested) return {};
  exec.cancelRequested = true;
  h.deliver(exec, [['EVENT_TYPE_WORKFLOW_EXECUTION_CANCEL_REQUESTED', { cause: request.reason ?? '', identity: request.identity ?? '' }]]);
  h.save(exec);
  return {};
}
