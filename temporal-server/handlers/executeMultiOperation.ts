/**
 * ExecuteMultiOperation: update-with-start. The start (usually with conflict policy USE_EXISTING)
 * and the update's admission are one unit of work, the update admitted before the new run's first
 * task is scheduled; then the update is waited on as UpdateWorkflowExecution waits.
 */
import type { Engine } from '../engine';
import { invalidArgument } from '../errors';
import type { Pb } from '../proto';
import { startWorkflow } from './startWorkflowExecution';
import { admit, update, waitForUpdate } from './updateWorkflowExecution';

export async function executeMultiOperation(h: Engine, request: Pb, deadline: number): Promise<Pb> {
  const [first, second] = request.operations ?? [];
  if (request.operations?.length !== 2 || !first?.startWorkflow || !second?.updateWorkflow) {
    throw invalidArgument('ExecuteMultiOperation takes exactly two operations: a start, then an update');
  }
  const namespace = h.requireNamespace(request.namespace);
  // Eager start is not offered with update-with-start: the first task goes on the queue.
  const start: Pb = { ...first.startWorkflow, namespace, requestEagerExecution: false };
  if (second.updateWorkflow.workflowExecution?.workflowId && second.updateWorkflow.workflowExecution.workflowId !== start.workflowId) {
    throw invalidArgument('the update must name the workflow the start starts');
  }
  // A new run carries the update from its first workflow task, as the real server's does: one task
  // both starts the workflow and answers the update. An existing run (USE_EXISTING) is updated as usual.
  let updateId: string | undefined;
  const { runId, started } = startWorkflow(h, start, (exec) => (updateId = admit(exec, second.updateWorkflow).id));
  const updateRequest = { ...second.updateWorkflow, namespace, workflowExecution: { workflowId: start.workflowId, runId } };
  const updated = updateId
    ? await waitForUpdate(h, h.requireRunning(namespace, updateRequest.workflowExecution), updateId, updateRequest.waitPolicy?.lifecycleStage, deadline)
    : await update(h, updateRequest, deadline);
  return { responses: [{ startWorkflow: { runId, started } }, { updateWorkflow: updated }] };
}
