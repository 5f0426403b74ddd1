/** RequestCancelWorkflowExecution: the workflow is told; it decides how to end. */
import type { Pb } from '../proto';
import { type Engine, RUNNING } from '../engine';

export function requestCancel(h: Engine, request: Pb): Pb {
  const namespace = h.requireNamespace(request.namespace);
  const exec = h.getExecution(namespace, request.workflowExecution);
  // As the real server: cancelling a run that has already closed succeeds and changes nothing.
  if (exec.status !== RUNNING) return {};
  if (request.requestId && exec.requestIds.includes(request.requestId)) return {};
  if (request.requestId) exec.requestIds.push(request.requestId);
  h.requestCancelRun(exec, request.reason ?? '', request.identity ?? '');
  return {};
}
