/** RespondWorkflowTaskFailed: the attempt is recorded and the task retried on the normal queue. */
import type { Pb } from '../proto';
import type { Engine } from '../engine';

export function failWorkflowTaskRequest(h: Engine, request: Pb): Pb {
  const exec = h.currentWorkflowTask(request);
  h.failWorkflowTask(exec, 'EVENT_TYPE_WORKFLOW_TASK_FAILED', {
    cause: request.cause ?? 'WORKFLOW_TASK_FAILED_CAUSE_UNSPECIFIED',
    failure: request.failure,
    identity: request.identity ?? '',
    binaryChecksum: request.binaryChecksum ?? '',
  });
  return {};
}
