/** CountWorkflowExecutions: how many runs a filter matches, or how many per ExecutionStatus with GROUP BY. */
import { compileQuery } from '../visibility';
import type { Pb } from '../proto';
import type { Engine } from '../engine';
import type { VisibilityQuery } from '../store';

export function count(h: Engine, request: Pb): Pb {
  const namespace = h.requireNamespace(request.namespace);
  return countAnswer(h, namespace, compileQuery(request.query, h.store.customSearchAttributes(namespace), 'count'));
}

/** The count, or the groups' counts, as the answer carries them; also the standalone activities' count. */
export function countAnswer(h: Engine, namespace: string, query: VisibilityQuery): Pb {
  const rows = h.store.countVisibility(namespace, query);
  if (!query.groupBy) return { count: rows[0]?.count ?? 0, groups: [] };
  return {
    count: rows.reduce((sum, row) => sum + row.count, 0),
    groups: rows.map((row) => ({
      // As the real server encodes a Keyword group value: a JSON string typed Keyword.
      groupValues: [{ metadata: { encoding: Buffer.from('json/plain'), type: Buffer.from('Keyword') }, data: Buffer.from(JSON.stringify(row.value)) }],
      count: row.count,
    })),
  };
}
