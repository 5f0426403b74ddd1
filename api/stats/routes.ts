import { Router } from 'express';
import { z } from 'zod';
import { daysRemainingTally, onTimeByWeek } from '../../db/queries/dashboard';
import { listWorklist, type Worklist } from '../../db/queries/worklists';
import type { AppDependencies } from '../app';
import { mount, operationsWith } from '../operation';
import { narrowedScope } from '../jurisdiction';
import { applicationPageSchema, caseFilesFor } from '../applications/views';
import { cursor, pageOf } from '../paging';
import { isInstant, isUuid, regionCodeField, stationCodeField } from '../validation';
import { calendarDate, instant } from '../answers';

const share = z.number().min(0).max(1).nullable().meta({ description: 'to three places; null when nothing finished' });
/** `GET /v1/stats/on-time-by-week`: oldest week first, the current one so far. */
export const onTimeByWeekSchema = z.object({
  weeks: z.array(z.object({ weekStart: calendarDate.meta({ description: "the week's Monday, China's date" }), finished: z.int().min(0), onTime: z.int().min(0), onTimeRate: share })),
});
/** `GET /v1/stats/days-remaining`: each bucket `[minDays, maxDays]`, an open end null. */
export const daysRemainingSchema = z.object({
  asOf: instant,
  open: z.int().min(0),
  buckets: z.array(z.object({ minDays: z.int().nullable(), maxDays: z.int().nullable(), count: z.int().min(0) })),
});

const PAGE = 50;
/** The same narrowing as `GET /v1/stats`: the manager's region, or a region or station within it. */
export const dashboardQuery = z.strictObject({ regionCode: regionCodeField.optional(), stationCode: stationCodeField.optional() });
export const weeklyQuery = dashboardQuery.extend({
  weeks: z.coerce.number({ error: 'must be a number' }).int('must be whole weeks').min(1, 'must be at least 1').max(52, 'must be at most 52').default(12),
});
export const drillDownQuery = z.strictObject({ cursor: z.string().optional() });

/**
 * Days left as the dashboard groups them: overdue, then the warning weeks, then the rest of the legal
 * 60 days and an extension's 30. Each bucket is `[minDays, maxDays]`, either end open when null.
 */
export const DAYS_REMAINING_BUCKETS: ReadonlyArray<{ minDays: number | null; maxDays: number | null }> = [
  { minDays: null, maxDays: -1 },
  { minDays: 0, maxDays: 7 },
  { minDays: 8, maxDays: 15 },
  { minDays: 16, maxDays: 30 },
  { minDays: 31, maxDays: 60 },
  { minDays: 61, maxDays: null },
];

/** A station's open cases still running against their deadline: soonest deadline first, so the overdue come first. */
const stationOpenCases: Worklist = { orderBy: 'deadlineAt', narrow: (query) => query.whereNot('applications.stage', 'READY_FOR_PICKUP') };
const isDeadlineCursor = (value: any): value is { at: string; id: string } => isInstant(value?.at) && isUuid(value?.id);

/** The share to three places, or null when nothing finished (as `GET /v1/stats` gives it). */
const rate = (part: number, whole: number) => (whole ? Math.round((part / whole) * 1000) / 1000 : null);

const operation = operationsWith<AppDependencies>();

/**
 * The manager dashboard's figures beyond `GET /v1/stats`, read-only and within the manager's region:
 * the on-time rate week by week, the spread of days left on open cases, and a station's open cases.
 */
export const STATS_OPERATIONS = [
  operation({
    method: 'get',
    path: '/v1/stats/on-time-by-week',
    summary: 'On-time rate week by week (China weeks, Monday first; the current week so far): applications ready for pickup each week and how many by their deadline',
    roles: ['manager'],
    query: weeklyQuery,
    response: onTimeByWeekSchema,
    handle: async ({ caller, query, res }, { db }) => {
      const weeks = await onTimeByWeek(db, await narrowedScope(db, caller, query), { now: new Date(), weeks: query.weeks });
      res.json({ weeks: weeks.map((week) => ({ ...week, onTimeRate: rate(week.onTime, week.finished) })) } satisfies z.output<typeof onTimeByWeekSchema>);
    },
  }),
  operation({
    method: 'get',
    path: '/v1/stats/days-remaining',
    summary: 'Open applications not yet ready for pickup by days left to the deadline (overdue, 0–7, 8–15, 16–30, 31–60, 61+)',
    roles: ['manager'],
    query: dashboardQuery,
    response: daysRemainingSchema,
    handle: async ({ caller, query, res }, { db }) => {
      const now = new Date();
      const tally = await daysRemainingTally(db, await narrowedScope(db, caller, query), now);
      const within = (days: number, bucket: (typeof DAYS_REMAINING_BUCKETS)[number]) => (bucket.minDays === null || days >= bucket.minDays) && (bucket.maxDays === null || days <= bucket.maxDays);
      res.json({
        asOf: now.toISOString(),
        open: tally.reduce((sum, row) => sum + row.count, 0),
        buckets: DAYS_REMAINING_BUCKETS.map((bucket) => ({ ...bucket, count: tally.filter((row) => within(row.days, bucket)).reduce((sum, row) => sum + row.count, 0) })),
      } satisfies z.output<typeof daysRemainingSchema>);
    },
  }),
  operation({
    method: 'get',
    path: '/v1/stats/stations/{code}/open-applications',
    summary: "A station's open applications not yet ready for pickup, soonest deadline (so the overdue) first, cursor-paged",
    roles: ['manager'],
    query: drillDownQuery,
    other: [404],
    response: applicationPageSchema,
    handle: async ({ caller, query, params, res }, { db }) => {
      // An unknown station is a 404, one outside the manager's region a 403 (narrowedScope).
      const scope = await narrowedScope(db, caller, { stationCode: params.code });
      const now = new Date();
      const rows = await listWorklist(db, scope, stationOpenCases, { now, after: cursor.decode(query.cursor, isDeadlineCursor), limit: PAGE + 1 });
      const { items, nextCursor } = pageOf(rows, PAGE, (row) => row, (last) => ({ at: last.deadlineAt.toISOString(), id: last.id }));
      res.json({ items: await caseFilesFor(db, caller, items, now), nextCursor });
    },
  }),
];

export const statsRoutes = (deps: AppDependencies): Router => mount(Router(), STATS_OPERATIONS, deps);
