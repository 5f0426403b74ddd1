/**
 * The part of Temporal's list-filter language this server understands: `Field = 'value'` clauses
 * joined by AND, on WorkflowType, WorkflowId and ExecutionStatus, with an optional ORDER BY that is
 * ignored (results always come newest first).
 */
import { invalidArgument } from './errors';
import { STATUS_NAMES } from './history';
import type { ExecutionFilter, ExecutionStatus } from './store';

const CLAUSE = /^\s*(\w+)\s*=\s*(?:'([^']*)'|"([^"]*)")\s*$/;

/** @throws ServiceError INVALID_ARGUMENT for anything outside the supported subset. */
export function parseListQuery(query: string | undefined): ExecutionFilter {
  const filter: ExecutionFilter = {};
  const text = (query ?? '').replace(/\s+order\s+by\s+.*$/i, '').trim();
  if (text === '') return filter;
  for (const clause of text.split(/\s+and\s+/i)) {
    const match = CLAUSE.exec(clause.replace(/^\(+|\)+$/g, ''));
    if (!match) throw invalidArgument(`unsupported list filter clause "${clause.trim()}": this server understands Field = 'value' joined by AND`);
    const [, field, single, double] = match;
    const value = single ?? double;
    switch (field) {
      case 'WorkflowType':
        filter.workflowType = value;
        break;
      case 'WorkflowId':
        filter.workflowId = value;
        break;
      case 'ExecutionStatus': {
        const status = STATUS_NAMES[value] ?? (Object.values(STATUS_NAMES).includes(value) ? value : undefined);
        if (!status) throw invalidArgument(`unknown ExecutionStatus "${value}"`);
        filter.status = status as ExecutionStatus;
        break;
      }
      default:
        throw invalidArgument(`unsupported list filter field "${field}": this server filters on WorkflowType, WorkflowId and ExecutionStatus`);
    }
  }
  return filter;
}
