import { Router } from 'express';
import { z } from 'zod';
import { listStuckApplications } from '../../db/queries/reconciliation';
import type { AppDependencies } from '../app';
import { mount, operationsWith } from '../operation';
import { cursor, pageOf, pageSchema } from '../paging';
import { isInstant, isUuid, nonEmptyText, regionCodeField } from '../validation';
import { overseerScope } from '../jurisdiction';
import { closedStuckApplicationSchema, closeStuckApplication, stuckApplicationSchema, stuckView } from './stuckApplications';

const PAGE = 50;

export const stuckListing = z.strictObject({ regionCode: regionCodeField.optional(), cursor: z.string().optional() });
export const closure = z.strictObject({ reason: nonEmptyText(500) });

const isStuckCursor = (value: any): value is { since: string; id: string } => isInstant(value?.since) && isUuid(value?.id);

const operation = operationsWith<AppDependencies>();

/**
 * Stuck cases: open applications whose workflow was lost and could not be restarted by
 * reconciliation (worker/reconciliation.ts), with the reason; a manager or admin closes one.
 */
export const STUCK_APPLICATION_OPERATIONS = [
  operation({
    method: 'get',
    path: '/v1/stuck-applications',
    summary: 'Open applications whose workflow was lost and could not be restarted, with the reason; longest stuck first',
    roles: ['manager', 'admin'],
    query: stuckListing,
    response: pageSchema(stuckApplicationSchema),
    handle: async ({ caller, query, res }, { db }) => {
      const scope = overseerScope(caller, query.regionCode);
      const after = cursor.decode(query.cursor, isStuckCursor);
      const rows = await listStuckApplications(db, scope, { after, limit: PAGE + 1 });
      res.json(pageOf(rows, PAGE, stuckView, (last) => ({ since: last.since.toISOString(), id: last.id })));
    },
  }),
  operation({
    method: 'post',
    path: '/v1/stuck-applications/{id}/close',
    summary: 'Close a stuck application with a reason (stage CLOSED); the person may apply again',
    roles: ['manager', 'admin'],
    body: closure,
    other: [404, 409],
    response: closedStuckApplicationSchema,
    handle: async ({ caller, body: { reason }, params, res }, deps) => {
      res.json(await closeStuckApplication(deps, caller, params.id, reason));
    },
  }),
];

export const stuckApplicationRoutes = (deps: AppDependencies): Router => mount(Router(), STUCK_APPLICATION_OPERATIONS, deps);
