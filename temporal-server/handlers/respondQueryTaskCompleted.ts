/** RespondQueryTaskCompleted: a worker's answer to a query-only task. */
import { notFound } from '../errors';
import type { Pb } from '../proto';
import { type Engine, decodeToken } from '../engine';

export function respondQueryTask(h: Engine, request: Pb): Pb {
  const token = decodeToken(request.taskToken, 'query');
  const exec = h.store.getExecution(token.namespace, token.runId);
  const query = exec && h.runtime(exec).queries.find((candidate) => candidate.id === token.id);
  if (!query) throw notFound('Query task not found.');
  if (request.completedType === 'QUERY_RESULT_TYPE_ANSWERED') query.resolve(request.queryResult ?? { payloads: [] });
  else query.reject(h.queryFailed(request.errorMessage, request.failure));
  return {};
}
