import type { Knex } from 'knex';
import type { Db } from '../knex';
import { DAY_MS, TERMINAL_STAGES } from '../../domain';
import { applyScope, type ApplicationRow, type Scope } from './applications';

/** The instant a worklist is ordered by: work that is due soonest comes first. */
export type WorklistOrder = 'deadlineAt' | 'readyForPickupAt' | 'temporaryCardDueAt';

export interface Worklist {
  /** Narrows the open applications in scope to this list's work. */
  narrow(query: Knex.QueryBuilder, now: Date): void;
  orderBy: WorklistOrder;
}

const column: Record<WorklistOrder, string> = { deadlineAt: 'deadline_at', readyForPickupAt: 'ready_for_pickup_at', temporaryCardDueAt: 'temporary_card_due_at' };

/**
 * The managers' `due` list: open cases not yet ready for pickup whose deadline is past or within
 * `warningDays` days of `now` (overdue ones included). `GET /v1/worklists/due` and the managers'
 * daily digest (`activities/managersDigest.ts`) both read it.
 */
export function dueWorklist(warningDays: number): Worklist {
  return {
    orderBy: 'deadlineAt',
    narrow: (query, now) => query.whereNotIn('applications.stage', ['READY_FOR_PICKUP']).where('applications.deadlineAt', '<=', new Date(now.getTime() + warningDays * DAY_MS)),
  };
}

/** Open applications in scope on one worklist, soonest first, unrun and unpaged: callers select and page. */
export function worklistQuery(db: Db, scope: Scope, list: Worklist, now: Date): Knex.QueryBuilder {
  const query = applyScope(db('applications'), scope).whereNotIn('applications.stage', TERMINAL_STAGES);
  list.narrow(query, now);
  query.whereNotNull(`applications.${column[list.orderBy]}`);
  return query.orderBy([{ column: `applications.${list.orderBy}` }, { column: 'applications.id' }]);
}

/** Open applications in scope on one worklist, soonest first, keyset-paged on (the order instant, id). */
export async function listWorklist(db: Db, scope: Scope, list: Worklist, page: { now: Date; after?: { at: string; id: string }; limit: number }): Promise<ApplicationRow[]> {
  const query = worklistQuery(db, scope, list, page.now);
  const orderColumn = column[list.orderBy];
  if (page.after) query.whereRaw(`(applications.${orderColumn}, applications.id) > (?, ?)`, [page.after.at, page.after.id]);
  return query.limit(page.limit).select('applications.*');
}
