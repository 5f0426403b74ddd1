/** SignalWorkflowExecution: delivered once per request id. */
import type { Pb } from '../proto';
import type { Engine } from '../engine';

export function signal(h: Engine, request: Pb): Pb {
  const namespace = h.requireNamespace(request.namespace);
  const exec = h.requireRunning(namespace, request.workflowExecution);
  if (request.requestId && exec.requestIds.includes(request.requestId)) return {};
  if (request.requestId) exec.requestIds.push(request.requestId);
  h.deliver(exec, [
    ['EVENT_TYPE_WORKFLOW_EXECUTION_SIGNALED', { signalName: request.signalName, input: request.input, identity: request.identity ?? '', header: request.header }],
  ]);
  h.save(exec);
  return {};
}
