/** SignalWithStartWorkflowExecution: signal the running workflow, or start it with the signal first. */
import type { Pb } from '../proto';
import type { ExecutionRecord } from '../store';
import { type Engine, RUNNING } from '../engine';
import { signal } from './signalWorkflowExecution';
import { startWorkflow } from './startWorkflowExecution';

export function signalWithStart(h: Engine, request: Pb): { runId: string; started: boolean } {
  const namespace = h.requireNamespace(request.namespace);
  const current = h.store.getCurrentRun(namespace, request.workflowId ?? '');
  const signalFirst = (exec: ExecutionRecord) =>
    h.append(exec, 'EVENT_TYPE_WORKFLOW_EXECUTION_SIGNALED', {
      signalName: request.signalName,
      input: request.signalInput,
      identity: request.identity ?? '',
      header: request.header,
    });
  const conflict = request.workflowIdConflictPolicy ?? 'WORKFLOW_ID_CONFLICT_POLICY_UNSPECIFIED';
  if (current && current.status === RUNNING && conflict !== 'WORKFLOW_ID_CONFLICT_POLICY_TERMINATE_EXISTING' && conflict !== 'WORKFLOW_ID_CONFLICT_POLICY_FAIL') {
    signal(h, { ...request, workflowExecution: { workflowId: current.workflowId, runId: current.runId }, input: request.signalInput });
    return { runId: current.runId, started: false };
  }
  return startWorkflow(h, request, signalFirst);
}
