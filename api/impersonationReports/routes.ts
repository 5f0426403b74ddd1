import { Router } from 'express';
import { z } from 'zod';
import type { AppDependencies } from '../app';
import { mount, operationsWith } from '../operation';
import { pageSchema } from '../paging';
import { BLACKLIST_CATEGORIES } from '../../domain/blacklist';
import { calendarDateField, idNumberField, nonEmptyText } from '../validation';
import { decideImpersonation, impersonationReportedSchema, impersonationReportSchema, listForManager, reportImpersonation } from './impersonationReports';

export const report = z.strictObject({ idNumber: idNumberField, cardValidFrom: calendarDateField.optional(), note: nonEmptyText(1000).optional() });
export const confirmation = z.strictObject({
  impersonatorIdNumber: idNumberField,
  category: z.enum(BLACKLIST_CATEGORIES, { error: `must be one of ${BLACKLIST_CATEGORIES.join(', ')}` }).default('IMPERSONATION'),
  note: nonEmptyText(1000).optional(),
});
export const dismissal = z.strictObject({ reason: nonEmptyText(500) });
export const listing = z.strictObject({ state: z.enum(['OPEN', 'CONFIRMED', 'DISMISSED']).optional(), cursor: z.string().optional() });

const operation = operationsWith<AppDependencies>();

/** Impersonation (冒用) reported by card-using units, decided by managers. */
export const IMPERSONATION_REPORT_OPERATIONS = [
  operation({
    method: 'post',
    path: '/v1/impersonation-reports',
    summary: 'A card-using unit reports impersonation',
    roles: ['unit'],
    body: report,
    status: 201,
    response: impersonationReportedSchema,
    handle: async ({ caller, body, res }, { db }) => {
      const created = await reportImpersonation(db, caller, body);
      res.status(201).location(`/v1/impersonation-reports/${created.impersonationReportId}`).json(created);
    },
  }),
  operation({
    method: 'get',
    path: '/v1/impersonation-reports',
    summary: 'Impersonation reports for managers',
    roles: ['manager', 'admin'],
    query: listing,
    response: pageSchema(impersonationReportSchema),
    handle: async ({ caller, query, res }, { db }) => {
      res.json(await listForManager(db, caller, query));
    },
  }),
  operation({
    method: 'post',
    path: '/v1/impersonation-reports/{id}/confirm',
    summary: 'Confirm a report into the blacklist',
    roles: ['manager', 'admin'],
    body: confirmation,
    other: [404, 409],
    response: impersonationReportSchema,
    handle: async ({ caller, body, params, res }, { db }) => {
      res.json(await decideImpersonation(db, caller, params.id, { confirm: true, ...body }));
    },
  }),
  operation({
    method: 'post',
    path: '/v1/impersonation-reports/{id}/dismiss',
    summary: 'Dismiss a report',
    roles: ['manager', 'admin'],
    body: dismissal,
    other: [404, 409],
    response: impersonationReportSchema,
    handle: async ({ caller, body, params, res }, { db }) => {
      res.json(await decideImpersonation(db, caller, params.id, { confirm: false, ...body }));
    },
  }),
];

export const impersonationReportRoutes = (deps: AppDependencies): Router => mount(Router(), IMPERSONATION_REPORT_OPERATIONS, deps);
