/** UpdateWorkflowExecution: admitted, offered to the workflow with its next task, waited on to the stage asked for. */
import { randomUUID } from 'node:crypto';
import { notFound } from '../errors';
import type { Pb } from '../proto';
import type { ExecutionRecord, UpdateState } from '../store';
import type { Engine } from '../engine';

type Stage = 'UNSPECIFIED' | 'ADMITTED' | 'ACCEPTED' | 'COMPLETED';
const STAGE_ORDER: Stage[] = ['UNSPECIFIED', 'ADMITTED', 'ACCEPTED', 'COMPLETED'];

export async function update(h: Engine, request: Pb, deadline: number): Promise<Pb> {
  const namespace = h.requireNamespace(request.namespace);
  const exec = h.requireRunning(namespace, request.workflowExecution);
  if (request.firstExecutionRunId && request.firstExecutionRunId !== exec.runId) throw notFound('workflow execution not found for the given first execution run id');
  const updateId = admit(exec, request);
  if (updateId.admitted) {
    h.scheduleWorkflowTask(exec);
    h.save(exec);
  }
  return waitForUpdate(h, exec, updateId.id, request.waitPolicy?.lifecycleStage, deadline);
}

/** Admits the request's update to the run (once per update id): offered to the workflow with its next task. */
export function admit(exec: ExecutionRecord, request: Pb): { id: string; admitted: boolean } {
  const updateId: string = request.request?.meta?.updateId || randomUUID();
  if (exec.updates[updateId]) return { id: updateId, admitted: false };
  exec.updates[updateId] = { updateId, request: { ...request.request, meta: { ...request.request?.meta, updateId } }, stage: 'admitted' };
  return { id: updateId, admitted: true };
}

export async function waitForUpdate(h: Engine, exec: ExecutionRecord, updateId: string, wanted: string | undefined, deadline: number): Promise<Pb> {
  const want: Stage = ((wanted ?? '').replace('UPDATE_WORKFLOW_EXECUTION_LIFECYCLE_STAGE_', '') || 'ACCEPTED') as Stage;
  const stageOf = (update: UpdateState): Stage => (update.stage === 'completed' ? 'COMPLETED' : update.stage === 'accepted' ? 'ACCEPTED' : 'ADMITTED');
  const current = () => h.store.getExecution(exec.namespace, exec.runId)?.updates[updateId];
  const reached = () => {
    const update = current();
    return !!update && STAGE_ORDER.indexOf(stageOf(update)) >= Math.max(STAGE_ORDER.indexOf(want), STAGE_ORDER.indexOf('ACCEPTED'));
  };
  if (!reached()) await h.longPoll(exec, 'updateWaiters', reached, deadline);
  const update = current();
  if (!update) throw notFound(`update ${updateId} not found`);
  const stage = stageOf(update);
  const rejected = update.stage === 'completed' && update.acceptedEventId === undefined && !!update.outcome?.failure;
  if (rejected && update.outcome?.failure?.applicationFailureInfo?.type === 'AcceptedUpdateCompletedWorkflow') {
    throw notFound('workflow execution already completed');
  }
  return {
    updateRef: { workflowExecution: { workflowId: exec.workflowId, runId: exec.runId }, updateId },
    outcome: update.stage === 'completed' ? update.outcome : undefined,
    stage: `UPDATE_WORKFLOW_EXECUTION_LIFECYCLE_STAGE_${stage}`,
  };
}
