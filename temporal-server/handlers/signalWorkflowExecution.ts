/** SignalWorkflowExecution: delivered once per request id, a retry answered as the first was. */
import type { Pb } from '../proto';
import type { Engine } from '../engine';

export function signal(h: Engine, request: Pb): Pb {
  const namespace = h.requireNamespace(request.namespace);
  // As the real server: a retry of a signal that landed is a no-op, even once the run has closed
  // since (its answer was lost, say, to a crash); only then must the run still be running.
  const landed = h.getExecution(namespace, request.workflowExecution);
  if (request.requestId && landed.requestIds.includes(request.requestId)) return {};
  const exec = h.requireRunning(namespace, request.workflowExecution);
  if (request.requestId) exec.requestIds.push(request.requestId);
  h.deliver(exec, [
    ['EVENT_TYPE_WORKFLOW_EXECUTION_SIGNALED', { signalName: request.signalName, input: request.input, identity: request.identity ?? '', header: request.header }],
  ]);
  h.save(exec);
  return {};
}
