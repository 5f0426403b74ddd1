import { Router } from 'express';
import { z } from 'zod';
import { listStuckApplications } from '../../db/queries/reconciliation';
import type { AppDependencies } from '../app';
import { allow, userOf } from '../auth';
import { cursor, pageOf } from '../paging';
import { isInstant, isUuid, nonEmptyText, parse } from '../validation';
import { closeStuckApplication, stuckScope, stuckView } from './stuckApplications';

const PAGE = 50;

export const stuckListing = z.strictObject({ regionCode: z.string().regex(/^\d{6}$/, 'must be a 6-digit region code').optional(), cursor: z.string().optional() });
export const closure = z.strictObject({ reason: nonEmptyText(500) });

const isStuckCursor = (value: any): value is { since: string; id: string } => isInstant(value?.since) && isUuid(value?.id);

/**
 * Stuck cases: open applications whose workflow was lost and could not be restarted by
 * reconciliation (worker/reconciliation.ts), with the reason; a manager or admin closes one.
 */
export function stuckApplicationRoutes(deps: AppDependencies): Router {
  const { db } = deps;
  const router = Router();

  router.get('/stuck-applications', allow('manager', 'admin'), async (req, res) => {
    const query = parse(stuckListing, req.query, 'query');
    const scope = stuckScope(userOf(req), query.regionCode);
    const after = cursor.decode(query.cursor, isStuckCursor);
    const rows = await listStuckApplications(db, scope, { after, limit: PAGE + 1 });
    res.json(pageOf(rows, PAGE, stuckView, (last) => ({ since: last.since.toISOString(), id: last.id })));
  });

  router.post('/stuck-applications/:id/close', allow('manager', 'admin'), async (req, res) => {
    const { reason } = parse(closure, req.body);
    res.json(await closeStuckApplication(deps, userOf(req), req.params.id as string, reason));
  });

  return router;
}
