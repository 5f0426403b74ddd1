import { Router } from 'express';
import { z } from 'zod';
import { dueWorklist, listWorklist, type Worklist } from '../../db/queries/worklists';
import type { AppDependencies } from '../app';
import { mount, operationsWith } from '../operation';
import { narrowedScope, scopeOf, type Viewer } from '../jurisdiction';
import { applicationPageSchema, applicationViewSchema, caseFilesFor } from '../applications/views';
import { cursor, pageOf, pageSchema } from '../paging';
import { instant } from '../answers';
import { isInstant, isUuid, regionCodeField, stationCodeField } from '../validation';

const PAGE = 50;

/** Each role's work, in the order it falls due. */
export const WORKLISTS: Record<string, Worklist & { roles: Array<Viewer['role']>; summary: string }> = {
  review: {
    roles: ['reviewer'],
    summary: "Applications waiting for the home region's review, soonest deadline first",
    orderBy: 'deadlineAt',
    narrow: (query) => query.where('applications.stage', 'HOME_REVIEW'),
  },
  printing: {
    roles: ['production'],
    summary: 'Cards to print, soonest deadline first, grouped by the accepting station they go back to (分拣)',
    orderBy: 'deadlineAt',
    narrow: (query) => query.where('applications.stage', 'PRINTING'),
  },
  arrivals: {
    roles: ['station'],
    summary: 'Cards on their way to the station (SHIPPING), soonest deadline first',
    orderBy: 'deadlineAt',
    narrow: (query) => query.where('applications.stage', 'SHIPPING'),
  },
  pickups: {
    roles: ['station'],
    summary: 'Cards waiting for pickup, longest waiting first, with the days waiting',
    orderBy: 'readyForPickupAt',
    narrow: (query) => query.where('applications.stage', 'READY_FOR_PICKUP'),
  },
  'temporary-cards': {
    roles: ['station', 'reviewer'],
    summary: 'Temporary cards requested and not yet issued, soonest due first',
    orderBy: 'temporaryCardDueAt',
    narrow: (query) => query.where('applications.temporaryCardRequested', true).whereNull('applications.temporaryCardIssuedAt'),
  },
  due: {
    roles: ['manager'],
    summary: 'Overdue cases and those due within DEADLINE_WARNING_DAYS, not yet ready for pickup, soonest deadline first',
    // Replaced per request by `dueWorklist(DEADLINE_WARNING_DAYS)`: the window comes from the configuration.
    ...dueWorklist(0),
  },
};

export const worklistQuery = z.strictObject({
  regionCode: regionCodeField.optional(),
  stationCode: stationCodeField.optional(),
  cursor: z.string().optional(),
});

/** Production's page: the case files, and the page's cards grouped by the accepting station they go back to. */
export const printingPageSchema = pageSchema(applicationViewSchema).extend({
  byStation: z.array(
    z.object({
      acceptingStation: applicationViewSchema.shape.acceptingStation,
      applicationIds: z.array(z.uuid()),
      earliestDeadlineAt: instant,
      count: z.int().min(1),
    }),
  ),
});

const isWorklistCursor = (value: any): value is { at: string; id: string } => isInstant(value?.at) && isUuid(value?.id);

const operation = operationsWith<AppDependencies>();

/** `GET /v1/worklists/{name}`: a role's open work, soonest due first, cursor-paged; each item a case file. */
export const WORKLIST_OPERATIONS = Object.entries(WORKLISTS).map(([name, declared]) =>
  operation({
    method: 'get',
    path: `/v1/worklists/${name}`,
    summary: declared.summary,
    roles: declared.roles,
    query: worklistQuery,
    response: name === 'printing' ? printingPageSchema : applicationPageSchema,
    handle: async ({ caller, query, res }, { db, config }) => {
      const list = name === 'due' ? { ...declared, ...dueWorklist(config.DEADLINE_WARNING_DAYS) } : declared;
      const scope = caller.role === 'manager' ? await narrowedScope(db, caller, query) : scopeOf(caller);
      const now = new Date();
      const rows = await listWorklist(db, scope, list, { now, after: cursor.decode(query.cursor, isWorklistCursor), limit: PAGE + 1 });
      const { items: shown, nextCursor } = pageOf(rows, PAGE, (row) => row, (last) => ({ at: (last[list.orderBy] as Date).toISOString(), id: last.id }));
      const items = await caseFilesFor(db, caller, shown, now);
      res.json(name === 'printing' ? { items, byStation: byStation(items), nextCursor } : { items, nextCursor });
    },
  }),
);

export const worklistRoutes = (deps: AppDependencies): Router => mount(Router(), WORKLIST_OPERATIONS, deps);

type CaseFileItem = Awaited<ReturnType<typeof caseFilesFor>>[number];

/** The page's cards by the station they go back to, in the order of each station's most urgent card. */
function byStation(items: CaseFileItem[]): z.output<typeof printingPageSchema>['byStation'] {
  const groups = new Map<string, { acceptingStation: CaseFileItem['acceptingStation']; applicationIds: string[]; earliestDeadlineAt: string }>();
  for (const item of items) {
    const group = groups.get(item.acceptingStationCode);
    if (group) group.applicationIds.push(item.applicationId);
    else groups.set(item.acceptingStationCode, { acceptingStation: item.acceptingStation, applicationIds: [item.applicationId], earliestDeadlineAt: item.deadlineAt });
  }
  return [...groups.values()].map((group) => ({ ...group, count: group.applicationIds.length }));
}
