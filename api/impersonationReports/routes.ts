import { Router } from 'express';
import { z } from 'zod';
import type { AppDependencies } from '../app';
import { allow, userOf } from '../auth';
import { BLACKLIST_CATEGORIES } from '../../domain/blacklist';
import { calendarDateField, idNumberField, nonEmptyText, parse } from '../validation';
import { decideImpersonation, listForManager, reportImpersonation } from './impersonationReports';

export const report = z.strictObject({ idNumber: idNumberField, cardValidFrom: calendarDateField.optional(), note: nonEmptyText(1000).optional() });
export const confirmation = z.strictObject({
  impersonatorIdNumber: idNumberField,
  category: z.enum(BLACKLIST_CATEGORIES, { error: `must be one of ${BLACKLIST_CATEGORIES.join(', ')}` }).default('IMPERSONATION'),
  note: nonEmptyText(1000).optional(),
});
export const dismissal = z.strictObject({ reason: nonEmptyText(500) });
export const listing = z.strictObject({ state: z.enum(['OPEN', 'CONFIRMED', 'DISMISSED']).optional(), cursor: z.string().optional() });

/** Impersonation (冒用) reported by card-using units, decided by managers. */
export function impersonationReportRoutes(deps: AppDependencies): Router {
  const { db } = deps;
  const router = Router();
  const managers = allow('manager', 'admin');

  router.post('/impersonation-reports', allow('unit'), async (req, res) => {
    const created = await reportImpersonation(db, userOf(req), parse(report, req.body));
    res.status(201).location(`/v1/impersonation-reports/${created.impersonationReportId}`).json(created);
  });

  router.get('/impersonation-reports', managers, async (req, res) => {
    res.json(await listForManager(db, userOf(req), parse(listing, req.query, 'query')));
  });

  router.post('/impersonation-reports/:id/confirm', managers, async (req, res) => {
    res.json(await decideImpersonation(db, userOf(req), req.params.id as string, { confirm: true, ...parse(confirmation, req.body) }));
  });

  router.post('/impersonation-reports/:id/dismiss', managers, async (req, res) => {
    res.json(await decideImpersonation(db, userOf(req), req.params.id as string, { confirm: false, ...parse(dismissal, req.body) }));
  });

  return router;
}
