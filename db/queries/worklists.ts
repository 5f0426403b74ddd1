import type { Knex } from 'knex';
import type { Db } from '../knex';
import { TERMINAL_STAGES } from '../../domain';
import { applyScope, type ApplicationRow, type Scope } from './applications';

/** The instant a worklist is ordered by: work that is due soonest comes first. */
export type WorklistOrder = 'deadlineAt' | 'readyForPickupAt' | 'temporaryCardDueAt';

export interface Worklist {
  /** Narrows the open applications in scope to this list's work. */
  narrow(query: Knex.QueryBuilder, now: Date): void;
  orderBy: WorklistOrder;
}

const column: Record<WorklistOrder, string> = { deadlineAt: 'deadline_at', readyForPickupAt: 'ready_for_pickup_at', temporaryCardDueAt: 'temporary_card_due_at' };

/** Open applications in scope on one worklist, soonest first, keyset-paged on (the order instant, id). */
export async function listWorklist(db: Db, scope: Scope, list: Worklist, page: { now: Date; after?: { at: string; id: string }; limit: number }): Promise<ApplicationRow[]> {
  const query = applyScope(db('applications'), scope).whereNotIn('applications.stage', TERMINAL_STAGES);
  list.narrow(query, page.now);
  const orderColumn = column[list.orderBy];
  query.whereNotNull(`applications.${orderColumn}`);
  if (page.after) query.whereRaw(`(applications.${orderColumn}, applications.id) > (?, ?)`, [page.after.at, page.after.id]);
  return query.orderBy([{ column: `applications.${list.orderBy}` }, { column: 'applications.id' }]).limit(page.limit).select('applications.*');
}
