/** PollWorkflowExecutionUpdate: waits on an update already admitted. */
import { notFound } from '../errors';
import type { Pb } from '../proto';
import type { Engine } from '../engine';
import { waitForUpdate } from './updateWorkflowExecution';

export async function pollUpdate(h: Engine, request: Pb, deadline: number): Promise<Pb> {
  const namespace = h.requireNamespace(request.namespace);
  const exec = h.getExecution(namespace, request.updateRef?.workflowExecution);
  const updateId: string = request.updateRef?.updateId ?? '';
  if (!exec.updates[updateId]) throw notFound(`update ${updateId} not found`);
  return waitForUpdate(h, exec, updateId, request.waitPolicy?.lifecycleStage, deadline);
}
