/** TerminateWorkflowExecution: the run ends at once, whatever it was doing. */
import { notFound } from '../errors';
import type { Pb } from '../proto';
import type { Engine } from '../engine';

export function terminateRequest(h: Engine, request: Pb): Pb {
  const namespace = h.requireNamespace(request.namespace);
  const exec = h.requireRunning(namespace, request.workflowExecution);
  if (request.firstExecutionRunId && request.firstExecutionRunId !== exec.runId) throw notFound('workflow execution not found for the given first execution run id');
  h.terminate(exec, request.reason ?? '', request.details, request.identity ?? '');
  return {};
}
