/** ListWorkflowExecutions: visibility, newest first, paged. */
import { parseListQuery } from '../visibility';
import type { Pb } from '../proto';
import type { Engine } from '../engine';
import { executionInfo } from '../executionInfo';

export function list(h: Engine, request: Pb): Pb {
  const namespace = h.requireNamespace(request.namespace);
  const filter = parseListQuery(request.query);
  const all = h.store.listExecutions(namespace, filter);
  const offset = request.nextPageToken?.length ? Number(Buffer.from(request.nextPageToken).toString('utf8')) : 0;
  const pageSize = request.pageSize > 0 ? request.pageSize : 1000;
  const page = all.slice(offset, offset + pageSize);
  const next = offset + page.length;
  return { executions: page.map((exec) => executionInfo(h, exec)), nextPageToken: next < all.length ? Buffer.from(String(next)) : Buffer.alloc(0) };
}
