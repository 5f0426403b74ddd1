/** ListWorkflowExecutions (and ScanWorkflowExecutions): the runs a filter matches, in its order, paged by keyset. */
import { compileQuery } from '../visibility';
import { invalidArgument } from '../errors';
import type { Pb } from '../proto';
import type { Engine } from '../engine';
import { executionInfo } from '../executionInfo';
import type { ExecutionRecord, VisibilityQuery } from '../store';
import type { SaType } from '../searchAttributes';
import { countAnswer } from './countWorkflowExecutions';

const DEFAULT_PAGE_SIZE = 1000;

export function list(h: Engine, request: Pb): Pb {
  const namespace = h.requireNamespace(request.namespace);
  const query = compileQuery(request.query, h.store.customSearchAttributes(namespace), 'list');
  const { records, nextPageToken } = listPage(h, namespace, query, request);
  return { executions: records.map((exec) => executionInfo(h, exec)), nextPageToken };
}

/**
 * The page of records a list request (`pageSize`, `nextPageToken`) asks for, and the token of the next
 * page (empty when none follows); also the standalone activities' list.
 * @throws ServiceError INVALID_ARGUMENT for a page token that is not one of ours.
 */
export function listPage(h: Engine, namespace: string, query: VisibilityQuery, request: Pb): { records: ExecutionRecord[]; nextPageToken: Buffer } {
  let after: unknown[] | undefined;
  if (request.nextPageToken?.length) {
    try {
      after = JSON.parse(Buffer.from(request.nextPageToken).toString('utf8')) as unknown[];
    } catch {
      after = undefined;
    }
    if (!Array.isArray(after) || after.length !== query.order.length + 1) throw invalidArgument('Invalid NextPageToken.');
  }
  const pageSize = request.pageSize > 0 ? request.pageSize : DEFAULT_PAGE_SIZE;
  // One more than the page tells whether another page follows.
  const { records, keys } = h.store.listVisibility(namespace, query, pageSize + 1, after);
  const nextPageToken = records.length > pageSize ? Buffer.from(JSON.stringify(keys[pageSize - 1])) : Buffer.alloc(0);
  return { records: records.slice(0, pageSize), nextPageToken };
}

/**
 * List and count of one kind of standalone record (activities, Nexus operations): the filter language
 * over the namespace's attributes and the kind's own, within the kind's division of the runs.
 */
export function standaloneListing(h: Engine, attributes: Record<string, SaType>, division: NonNullable<VisibilityQuery['division']>) {
  const compiled = (request: Pb, kind: 'list' | 'count') => {
    const namespace = h.requireNamespace(request.namespace);
    return { namespace, query: { ...compileQuery(request.query, { ...h.store.customSearchAttributes(namespace), ...attributes }, kind), division } };
  };
  return {
    /** The page a list request asks for (see `listPage`). */
    page(request: Pb): { records: ExecutionRecord[]; nextPageToken: Buffer } {
      const { namespace, query } = compiled(request, 'list');
      return listPage(h, namespace, query, request);
    },
    /** How many match, or how many per ExecutionStatus with GROUP BY. */
    count(request: Pb): Pb {
      const { namespace, query } = compiled(request, 'count');
      return countAnswer(h, namespace, query);
    },
  };
}
