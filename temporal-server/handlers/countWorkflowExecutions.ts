/** CountWorkflowExecutions. */
import { parseListQuery } from '../visibility';
import type { Pb } from '../proto';
import type { Engine } from '../engine';

export function count(h: Engine, request: Pb): Pb {
  const namespace = h.requireNamespace(request.namespace);
  return { count: h.store.listExecutions(namespace, parseListQuery(request.query)).length, groups: [] };
}
