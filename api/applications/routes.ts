import { Router } from 'express';
import { z } from 'zod';
import { APPLICATION_KINDS, roleForStep, type OfficialStep } from '../../domain';
import { applicationStats, listApplications, listOverdue } from '../../db/queries/applications';
import type { ApplicationRow } from '../../db/queries/applications';
import type { Db } from '../../db/knex';
import { updates } from '../../workflows/contract';
import type { AppDependencies } from '../app';
import { mount, operationsWith, type Parsed } from '../operation';
import { problems, stillInProgressSchema } from '../problems';
import { languageOf } from '../problemText';
import { calendarDateField, idNumberField, isInstant, isUuid, nonEmptyText, regionCodeField, stationCodeField } from '../validation';
import { acceptApplication, acceptedSchema } from './accept';
import { APPLICATION_IMPORT_OUTCOME, applicationImportLine, importApplications } from './importApplications';
import { ServerTiming } from '../serverTiming';
import { printedCardDates } from './printing';
import { narrowedScope, scopeOf, VIEWERS, type Viewer } from '../jurisdiction';
import { applicationArrivedAt, applicationFor, applicationForStep, loadApplication, takeStep } from './steps';
import { cursor, pageOf } from '../paging';
import { applicationPageSchema, applicationViewSchema, caseFilesFor, fullCaseFileFor } from './views';
import { calendarDate } from '../answers';
import { worklistRoutes } from '../worklists/routes';

const PAGE = 50;
const stages = ['ACCEPTED', 'HOME_REVIEW', 'PRINTING', 'SHIPPING', 'READY_FOR_PICKUP', 'COMPLETED', 'REFUSED', 'WITHDRAWN', 'CLOSED'] as const;

export const acceptance = z.strictObject({
  idNumber: idNumberField,
  name: nonEmptyText(50),
  kind: z.enum(APPLICATION_KINDS, { error: 'must be "renewal" or "replacement"' }),
  reason: nonEmptyText(),
  fingerprintCaptured: z.boolean({ error: 'must be true or false' }),
  appearanceChanged: z.boolean({ error: 'must be true or false' }),
  temporaryCardRequested: z.boolean({ error: 'must be true or false' }).optional(),
  contactPhone: z.string().regex(/^\+?[0-9 -]{6,20}$/, 'must be a phone number').optional(),
});
export const review = z
  .strictObject({ decision: z.enum(['approve', 'refuse'], { error: 'must be "approve" or "refuse"' }), reason: nonEmptyText().optional() })
  .refine((body) => body.decision === 'approve' || body.reason, { message: 'is required to refuse', path: ['reason'] });
export const extension = z.strictObject({ days: z.number({ error: 'must be a number' }).int('must be whole days').min(1, 'must be at least 1').max(30, 'must be at most 30 (the law allows one extension of up to 30 days)'), reason: nonEmptyText() });
// Both dates may be omitted: the API derives them by the law's rule (printing.ts); sent, they must agree with it.
export const printed = z
  .strictObject({ validFrom: calendarDateField.optional(), validUntil: calendarDateField.nullable().optional() })
  .refine((body) => body.validUntil === null || body.validUntil === undefined || body.validFrom === undefined || body.validUntil > body.validFrom, { message: 'must be after validFrom', path: ['validUntil'] });
export const reasonOnly = z.strictObject({ reason: nonEmptyText() });
export const dispatched = z.strictObject({ trackingNumber: nonEmptyText(64) });
export const pickedUp = z.strictObject({ oldCardReturned: z.boolean({ error: 'must be true or false' }), temporaryCardReturned: z.boolean({ error: 'must be true or false' }).optional() });
export const nothing = z.strictObject({});
/** Another station than the accepting one proves it holds the parcel by its tracking number. */
export const arrival = z.strictObject({ trackingNumber: nonEmptyText(64).optional() });
/** Search by citizen number: in a body, never in a URL (URLs end up in logs and browser histories). */
export const search = z.strictObject({ idNumber: idNumberField, cursor: z.string().optional() });
export const listing = z.strictObject({
  stage: z.enum(stages).optional(),
  overdue: z.enum(['true', 'false']).transform((value) => value === 'true').optional(),
  cursor: z.string().optional(),
});
export const overdueListing = z.strictObject({ regionCode: regionCodeField.optional(), stationCode: stationCodeField.optional(), cursor: z.string().optional() });
export const statsQuery = z
  .strictObject({ regionCode: regionCodeField.optional(), stationCode: stationCodeField.optional(), from: calendarDateField.optional(), to: calendarDateField.optional() })
  .refine((query) => !query.from || !query.to || query.from < query.to, { message: 'must be after from', path: ['to'] });

const share = z.number().min(0).max(1).nullable().meta({ description: 'to three places; null when nothing finished' });
const tenthsOfDays = z.number().nullable().meta({ description: 'days to a tenth' });
/** `GET /v1/stats`: counts per stage, the on-time rate, days per stage, per station. */
export const statsSchema = z.object({
  regionCode: z.string().nullable(),
  stationCode: z.string().nullable(),
  from: calendarDate.nullable(),
  to: calendarDate.nullable(),
  countsByStage: z.record(z.enum(stages), z.int().min(0)),
  onTimeRate: share,
  daysPerStage: z.array(z.object({ stage: z.enum(stages), medianDays: tenthsOfDays, p90Days: tenthsOfDays })),
  byStation: z.array(z.object({ station: z.object({ code: z.string(), name: z.string(), regionCode: z.string() }), open: z.int().min(0), overdue: z.int().min(0), onTimeRate: share })),
});
/** 202 from `arrived` at another station than the accepting one: flagged misrouted, re-sent there. */
export const misroutedArrivalSchema = z.object({ applicationId: z.uuid(), misrouted: z.literal(true), resentTo: z.string(), stage: z.enum(stages) });

// A cursor's parts go into SQL comparisons: anything PostgreSQL could not read is a cursor this API did not hand out.
const isAcceptedCursor = (value: any): value is { acceptedAt: string; id: string } => isInstant(value?.acceptedAt) && isUuid(value?.id);
const isDeadlineCursor = (value: any): value is { deadlineAt: string; id: string } => isInstant(value?.deadlineAt) && isUuid(value?.id);

/** Days as managers read them: to a tenth of a day (never `6.13e-7`). */
const toTenth = (days: number | null) => (days === null ? null : Math.round(days * 10) / 10);
/** A share to three places, or null when there is nothing to count. */
const rate = (part: number, whole: number) => (whole ? Math.round((part / whole) * 1000) / 1000 : null);

const operation = operationsWith<AppDependencies>();

/** A keyset page of case files: the facts are read for the page shown only. */
const casePageOf = async (db: Db, user: Viewer, rows: ApplicationRow[], cursorOf: (last: ApplicationRow) => Record<string, string>) => {
  const { items, nextCursor } = pageOf(rows, PAGE, (row) => row, cursorOf);
  return { items: await caseFilesFor(db, user, items), nextCursor };
};
const workflowOf = ({ temporal, config }: AppDependencies) => ({ temporal, waitMs: config.WORKFLOW_WAIT_MS });

const STEP_ANSWERS = [202, 404, 409, 422];

/**
 * One step of the workflow: who may take it (the role from the rule the workflow's activities apply
 * again, `domain/authority.ts`), what it carries, which update it sends; answered with the case file.
 */
const step = <Body extends z.ZodType>(path: string, name: OfficialStep, summary: string, body: Body, send: (deps: AppDependencies, application: ApplicationRow, body: Parsed<Body>, actor: string) => Promise<unknown>) =>
  operation({
    method: 'post',
    path: `/v1/applications/{id}/${path}`,
    summary,
    roles: [roleForStep[name]],
    body,
    other: STEP_ANSWERS,
    response: applicationViewSchema,
    handle: async ({ caller, body, params, res }, deps) => {
      const application = await applicationForStep(deps.db, caller, params.id);
      await send(deps, application, body, caller.id);
      // Jurisdiction was checked above; the read model now holds the step's result.
      const updated = await loadApplication(deps.db, application.id);
      res.json(await fullCaseFileFor(deps.db, caller, updated));
    },
  });

/** Cross-region applications: acceptance by stations, each later step by whoever takes it. */
export const APPLICATION_OPERATIONS = [
  operation({
    method: 'post',
    path: '/v1/applications',
    summary: 'Accept an application at a station; a replacement (a lost card) answers the loss report it made',
    roles: ['station'],
    body: acceptance,
    status: 201,
    idempotencyKey: true,
    other: [200, 202, 409, 422],
    response: acceptedSchema,
    handle: async ({ caller, body, idempotencyKey, res }, deps) => {
      const timing = new ServerTiming();
      const { created, application } = await acceptApplication(deps, caller, body, idempotencyKey, timing);
      res.set('Server-Timing', timing.header());
      res.status(created ? 201 : 200).location(`/v1/applications/${application.applicationId}`).json(application);
    },
  }),
  operation({
    method: 'get',
    path: '/v1/applications',
    summary: "The caller's applications, newest first, cursor-paged",
    roles: VIEWERS,
    query: listing,
    response: applicationPageSchema,
    handle: async ({ caller, query, res }, { db }) => {
      const after = cursor.decode(query.cursor, isAcceptedCursor);
      const rows = await listApplications(db, scopeOf(caller), { stage: query.stage, overdue: query.overdue, after, limit: PAGE + 1 });
      res.json(await casePageOf(db, caller, rows, (last) => ({ acceptedAt: last.acceptedAt.toISOString(), id: last.id })));
    },
  }),
  operation({
    method: 'get',
    path: '/v1/applications/{id}',
    summary:
      "The case file: stage history with who acted, deadline, overdue; the person (citizen number in full for the accepting station and home-region reviewers, masked for others; phone masked), the request's facts, temporary card, extension, print failures with reasons, misroutes; places by name",
    roles: VIEWERS,
    other: [404],
    response: applicationViewSchema,
    handle: async ({ caller, params, res }, { db }) => {
      const application = await applicationFor(db, caller, params.id);
      res.json(await fullCaseFileFor(db, caller, application));
    },
  }),
  // The person's applications within the caller's jurisdiction, newest first, any stage.
  operation({
    method: 'post',
    path: '/v1/application-search',
    summary: "The person's applications within the caller's jurisdiction, newest first, any stage (the citizen number in the body, never in a URL)",
    roles: VIEWERS,
    body: search,
    response: applicationPageSchema,
    handle: async ({ caller, body, res }, { db }) => {
      const after = cursor.decode(body.cursor, isAcceptedCursor);
      const rows = await listApplications(db, scopeOf(caller), { idNumber: body.idNumber, after, limit: PAGE + 1 });
      res.set('cache-control', 'no-store').json(await casePageOf(db, caller, rows, (last) => ({ acceptedAt: last.acceptedAt.toISOString(), id: last.id })));
    },
  }),
  step('review', 'review', 'Home-region review decision', review, (deps, application, body, actor) => takeStep(workflowOf(deps), application, updates.review, { ...body, actor })),
  step('extend', 'extend', 'Grant the one extension of at most 30 days', extension, (deps, application, body, actor) => takeStep(workflowOf(deps), application, updates.extend, { ...body, actor })),
  step('temporary-card-issued', 'temporaryCardIssued', 'The home county issued the temporary card', nothing, (deps, application, _body, actor) => takeStep(workflowOf(deps), application, updates.temporaryCardIssued, { actor })),
  step(
    'printed',
    'printed',
    "The production centre printed the card. validFrom (the issue date) lies between the acceptance day and today, China's dates; validUntil follows the holder's age on it (under 16: 5 years, 16–25: 10, 26–45: 20, 46+: long-term, null). Either may be omitted and is then derived (validFrom: today); sent, they must agree (422 valid_from_out_of_range, valid_until_mismatch, valid_from_not_after_existing_card). The answer's newCard holds the dates to print",
    printed,
    async (deps, application, body, actor) => {
      const dates = await printedCardDates(deps, application, body);
      return takeStep(workflowOf(deps), application, updates.printed, { ...dates, actor });
    },
  ),
  step('print-failed', 'printFailed', 'Printing failed; the card is reprinted up to the limit', reasonOnly, (deps, application, body, actor) => takeStep(workflowOf(deps), application, updates.printFailed, { ...body, actor })),
  step('dispatched', 'dispatched', 'The card left the production centre', dispatched, (deps, application, body, actor) => takeStep(workflowOf(deps), application, updates.dispatched, { ...body, actor })),
  // A station holding the parcel reports its arrival: one that is not the accepting station flags it misrouted, and it is re-sent.
  operation({
    method: 'post',
    path: '/v1/applications/{id}/arrived',
    summary: "The card arrived at a station (elsewhere than the accepting station, which names the parcel's trackingNumber: misrouted, re-sent)",
    roles: [roleForStep.arrived],
    body: arrival,
    other: STEP_ANSWERS,
    response: applicationViewSchema,
    accepted: z.union([misroutedArrivalSchema, stillInProgressSchema]),
    handle: async ({ caller, body: { trackingNumber }, params, res }, deps) => {
      const { db } = deps;
      const application = await applicationArrivedAt(db, caller, params.id, trackingNumber);
      const state = await takeStep(workflowOf(deps), application, updates.arrived, { stationCode: caller.stationCode, ...(trackingNumber !== undefined ? { trackingNumber } : {}), actor: caller.id });
      if (caller.stationCode !== application.acceptingStationCode) {
        res.status(202).json({ applicationId: application.id, misrouted: true, resentTo: application.acceptingStationCode, stage: state.stage } satisfies z.output<typeof misroutedArrivalSchema>);
        return;
      }
      const updated = await loadApplication(db, application.id);
      res.json(await fullCaseFileFor(db, caller, updated));
    },
  }),
  step('picked-up', 'pickedUp', 'The applicant collected the card', pickedUp, (deps, application, body, actor) => takeStep(workflowOf(deps), application, updates.pickedUp, { ...body, actor })),
  step('withdraw', 'withdraw', 'The applicant withdrew before printing', reasonOnly, (deps, application, body, actor) => takeStep(workflowOf(deps), application, updates.withdraw, { ...body, actor })),
  operation({
    method: 'get',
    path: '/v1/overdue',
    summary: 'Overdue applications, most overdue first',
    roles: ['manager'],
    query: overdueListing,
    response: applicationPageSchema,
    handle: async ({ caller, query, res }, { db }) => {
      const scope = await narrowedScope(db, caller, query);
      const after = cursor.decode(query.cursor, isDeadlineCursor);
      const rows = await listOverdue(db, scope, { after, limit: PAGE + 1 });
      res.json(await casePageOf(db, caller, rows, (last) => ({ deadlineAt: last.deadlineAt.toISOString(), id: last.id })));
    },
  }),
  operation({
    method: 'get',
    path: '/v1/stats',
    summary: 'Counts per stage, on-time rate, days per stage',
    roles: ['manager'],
    query: statsQuery,
    response: statsSchema,
    handle: async ({ caller, query, res }, { db }) => {
      const scope = await narrowedScope(db, caller, query);
      const stats = await applicationStats(db, scope, { from: query.from, to: query.to });
      res.json({
        regionCode: query.regionCode ?? caller.regionCode ?? null,
        stationCode: query.stationCode ?? null,
        from: query.from ?? null,
        to: query.to ?? null,
        countsByStage: Object.fromEntries(stages.map((stage) => [stage, stats.countsByStage[stage] ?? 0])) as Record<(typeof stages)[number], number>,
        onTimeRate: rate(stats.onTime, stats.finished),
        daysPerStage: stats.durations.map((row) => ({ stage: row.stage, medianDays: toTenth(row.medianDays), p90Days: toTenth(row.p90Days) })),
        byStation: stats.byStation.map((row) => ({ station: { code: row.code, name: row.name, regionCode: row.regionCode }, open: row.open, overdue: row.overdue, onTimeRate: rate(row.onTime, row.finished) })),
      } satisfies z.output<typeof statsSchema>);
    },
  }),
  // Go-live import of the old systems' applications in flight: an admin's work, as it accepts for any station.
  operation({
    method: 'post',
    path: '/v1/applications/import',
    summary:
      "Go-live import of the old systems' applications in flight (NDJSON in, one application per line; NDJSON out, one outcome per line, then a summary; over 4 MiB or 2,000 lines: 413). Each line is checked as acceptance checks the person on its acceptance day, and its stage's facts; it becomes a workflow at its stage whose deadline counts from acceptedAt (not in the future; at most 90 days back unless already overdue). The same externalReference again: already_imported. A refused line writes nothing",
    roles: ['admin'],
    other: [413, 415],
    ndjson: { line: applicationImportLine, outcome: APPLICATION_IMPORT_OUTCOME },
    handle: async ({ caller, req, res }, deps) => {
      if (!/^application\/(x-ndjson|jsonl|x-jsonlines)\b/i.test(req.get('content-type') ?? '')) throw problems.unsupportedMediaType('application/x-ndjson');
      if (!deps.temporal) throw problems.unavailable('The workflow engine is not reachable; nothing was imported.');
      await importApplications({ ...deps, language: languageOf(req) }, caller, req, res);
    },
  }),
];

export function applicationRoutes(deps: AppDependencies): Router {
  const router = mount(Router(), APPLICATION_OPERATIONS, deps);
  router.use(worklistRoutes(deps));
  return router;
}
