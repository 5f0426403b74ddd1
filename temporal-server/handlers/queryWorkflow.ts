/** QueryWorkflow: answered by a worker, riding on the next workflow task or as a query-only task. */
import { randomUUID } from 'node:crypto';
import { status as grpcStatus } from '@grpc/grpc-js';
import { ServiceError } from '../errors';
import type { Pb } from '../proto';
import { type Engine, RUNNING, QUERY_TIMEOUT_MS, type PendingQuery } from '../engine';

/** Answers a query through a worker: riding on the next workflow task, or as a query-only task. */
export async function query(h: Engine, request: Pb): Promise<Pb> {
  const namespace = h.requireNamespace(request.namespace);
  const exec = h.getExecution(namespace, request.execution);
  const condition: string = request.queryRejectCondition ?? 'QUERY_REJECT_CONDITION_UNSPECIFIED';
  if (
    (condition === 'QUERY_REJECT_CONDITION_NOT_OPEN' && exec.status !== RUNNING) ||
    (condition === 'QUERY_REJECT_CONDITION_NOT_COMPLETED_CLEANLY' && exec.status !== RUNNING && exec.status !== 'WORKFLOW_EXECUTION_STATUS_COMPLETED')
  ) {
    return { queryRejected: { status: exec.status } };
  }
  const runtime = h.runtime(exec);
  const result = await new Promise<Pb>((resolve, reject) => {
    const timer = setTimeout(() => {
      remove();
      reject(new ServiceError(grpcStatus.DEADLINE_EXCEEDED, 'query timed out: no worker answered it (is a worker polling the task queue?)'));
    }, QUERY_TIMEOUT_MS);
    const remove = () => {
      clearTimeout(timer);
      const index = runtime.queries.indexOf(pending);
      if (index >= 0) runtime.queries.splice(index, 1);
      h.forgetIfIdle(h.key(exec));
    };
    const pending: PendingQuery = {
      id: randomUUID(),
      query: request.query,
      resolve: (value) => {
        remove();
        resolve(value);
      },
      reject: (error) => {
        remove();
        reject(error);
      },
    };
    runtime.queries.push(pending);
    // With no workflow task coming, the query goes to a worker on its own.
    if (exec.status !== RUNNING || !exec.workflowTask) h.dispatchQueryTask(exec, pending);
  });
  return { queryResult: result };
}
