import { Router, type Request } from 'express';
import { z } from 'zod';
import { roleForStep, type OfficialStep } from '../../domain';
import { applicationStats, listApplications, listOverdue } from '../../db/queries/applications';
import type { ApplicationRow } from '../../db/queries/applications';
import type { User } from '../../db/users';
import { updates } from '../../workflows/contract';
import type { AppDependencies } from '../app';
import { allow, userOf } from '../auth';
import { problems } from '../problems';
import { languageOf } from '../problemText';
import { calendarDateField, idNumberField, isInstant, isUuid, nonEmptyText, parse } from '../validation';
import { acceptApplication } from './accept';
import { importApplications } from './importApplications';
import { ServerTiming } from '../serverTiming';
import { printedCardDates } from './printing';
import { managerScope, scopeOf, stationInJurisdiction } from './jurisdiction';
import { applicationArrivedAt, applicationFor, applicationForStep, loadApplication, takeStep } from './steps';
import { cursor, pageOf } from '../paging';
import { caseFilesFor, fullCaseFileFor } from './views';
import { calendarDate } from '../answers';
import { worklistRoutes } from '../worklists/routes';

const PAGE = 50;
const stages = ['ACCEPTED', 'HOME_REVIEW', 'PRINTING', 'SHIPPING', 'READY_FOR_PICKUP', 'COMPLETED', 'REFUSED', 'WITHDRAWN', 'CLOSED'] as const;

export const acceptance = z.strictObject({
  idNumber: idNumberField,
  name: nonEmptyText(50),
  kind: z.enum(['renewal', 'replacement'], { error: 'must be "renewal" or "replacement"' }),
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
const regionCode = z.string().regex(/^\d{6}$/, 'must be a 6-digit region code');
export const overdueListing = z.strictObject({ regionCode: regionCode.optional(), stationCode: z.string().regex(/^[A-Za-z0-9]{1,32}$/, 'must be a station code').optional(), cursor: z.string().optional() });
export const statsQuery = z
  .strictObject({ regionCode: regionCode.optional(), stationCode: z.string().regex(/^[A-Za-z0-9]{1,32}$/, 'must be a station code').optional(), from: calendarDateField.optional(), to: calendarDateField.optional() })
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

/** Cross-region applications: acceptance by stations, each later step by whoever takes it. */
export function applicationRoutes(deps: AppDependencies): Router {
  const { db, temporal, config } = deps;
  const workflow = { temporal, waitMs: config.WORKFLOW_WAIT_MS };
  const router = Router();
  const viewers = allow('station', 'reviewer', 'production', 'manager');
  /** A keyset page of case files: the facts are read for the page shown only. */
  const casePageOf = async (user: User, rows: ApplicationRow[], cursorOf: (last: ApplicationRow) => Record<string, string>) => {
    const { items, nextCursor } = pageOf(rows, PAGE, (row) => row, cursorOf);
    return { items: await caseFilesFor(db, user, items), nextCursor };
  };

  router.post('/applications', allow('station'), async (req, res) => {
    const key = req.get('Idempotency-Key')?.trim();
    if (key !== undefined && (key.length === 0 || key.length > 200)) throw problems.badRequest('invalid_idempotency_key', 'Idempotency-Key must be 1 to 200 characters.');
    const timing = new ServerTiming();
    const { created, application } = await acceptApplication(deps, userOf(req), parse(acceptance, req.body), key, timing);
    res.set('Server-Timing', timing.header());
    res.status(created ? 201 : 200).location(`/v1/applications/${application.applicationId}`).json(application);
  });

  // Go-live import of the old systems' applications in flight: an admin's work, as it accepts for any station.
  router.post('/applications/import', allow('admin'), async (req, res) => {
    if (!/^application\/(x-ndjson|jsonl|x-jsonlines)\b/i.test(req.get('content-type') ?? '')) throw problems.unsupportedMediaType('application/x-ndjson');
    if (!temporal) throw problems.unavailable('The workflow engine is not reachable; nothing was imported.');
    await importApplications({ ...deps, language: languageOf(req) }, userOf(req), req, res);
  });

  router.get('/applications', viewers, async (req, res) => {
    const query = parse(listing, req.query, 'query');
    const after = cursor.decode(query.cursor, isAcceptedCursor);
    const user = userOf(req);
    const rows = await listApplications(db, scopeOf(user), { stage: query.stage, overdue: query.overdue, after, limit: PAGE + 1 });
    res.json(await casePageOf(user, rows, (last) => ({ acceptedAt: last.acceptedAt.toISOString(), id: last.id })));
  });

  // The person's applications within the caller's jurisdiction, newest first, any stage.
  router.post('/application-search', viewers, async (req, res) => {
    const body = parse(search, req.body);
    const after = cursor.decode(body.cursor, isAcceptedCursor);
    const user = userOf(req);
    const rows = await listApplications(db, scopeOf(user), { idNumber: body.idNumber, after, limit: PAGE + 1 });
    res.set('cache-control', 'no-store').json(await casePageOf(user, rows, (last) => ({ acceptedAt: last.acceptedAt.toISOString(), id: last.id })));
  });

  router.get('/applications/:id', viewers, async (req, res) => {
    const user = userOf(req);
    const application = await applicationFor(db, user, req.params.id as string);
    res.json(await fullCaseFileFor(db, user, application));
  });

  /** One step of the workflow: who may take it, what it carries, which update it sends. */
  /** The step's role comes from the rule the workflow's activities apply again (`domain/authority.ts`). */
  const step = <Body>(path: string, name: OfficialStep, schema: z.ZodType<Body>, send: (req: Request, application: Awaited<ReturnType<typeof applicationFor>>, body: Body) => Promise<unknown>) =>
    router.post(`/applications/:id/${path}`, allow(roleForStep[name]), async (req, res) => {
      const body = parse(schema, req.body);
      const application = await applicationForStep(db, userOf(req), req.params.id as string);
      await send(req, application, body);
      // Jurisdiction was checked above; the read model now holds the step's result.
      const updated = await loadApplication(db, application.id);
      res.json(await fullCaseFileFor(db, userOf(req), updated));
    });
  const actor = (req: Request) => userOf(req).id;

  step('review', 'review', review, (req, application, body) => takeStep(workflow, application, updates.review, { ...body, actor: actor(req) }));
  step('extend', 'extend', extension, (req, application, body) => takeStep(workflow, application, updates.extend, { ...body, actor: actor(req) }));
  step('temporary-card-issued', 'temporaryCardIssued', nothing, (req, application) => takeStep(workflow, application, updates.temporaryCardIssued, { actor: actor(req) }));
  step('printed', 'printed', printed, async (req, application, body) => {
    const dates = await printedCardDates(deps, application, body);
    return takeStep(workflow, application, updates.printed, { ...dates, actor: actor(req) });
  });
  step('print-failed', 'printFailed', reasonOnly, (req, application, body) => takeStep(workflow, application, updates.printFailed, { ...body, actor: actor(req) }));
  step('dispatched', 'dispatched', dispatched, (req, application, body) => takeStep(workflow, application, updates.dispatched, { ...body, actor: actor(req) }));
  step('picked-up', 'pickedUp', pickedUp, (req, application, body) => takeStep(workflow, application, updates.pickedUp, { ...body, actor: actor(req) }));
  step('withdraw', 'withdraw', reasonOnly, (req, application, body) => takeStep(workflow, application, updates.withdraw, { ...body, actor: actor(req) }));

  // A station holding the parcel reports its arrival: one that is not the accepting station flags it misrouted, and it is re-sent.
  router.post('/applications/:id/arrived', allow(roleForStep.arrived), async (req, res) => {
    const { trackingNumber } = parse(arrival, req.body);
    const user = userOf(req);
    const application = await applicationArrivedAt(db, user, req.params.id as string, trackingNumber);
    const state = await takeStep(workflow, application, updates.arrived, { stationCode: user.stationCode!, ...(trackingNumber !== undefined ? { trackingNumber } : {}), actor: user.id });
    if (user.stationCode !== application.acceptingStationCode) {
      res.status(202).json({ applicationId: application.id, misrouted: true, resentTo: application.acceptingStationCode, stage: state.stage } satisfies z.output<typeof misroutedArrivalSchema>);
      return;
    }
    const updated = await loadApplication(db, application.id);
    res.json(await fullCaseFileFor(db, user, updated));
  });

  router.get('/overdue', allow('manager'), async (req, res) => {
    const query = parse(overdueListing, req.query, 'query');
    const user = userOf(req);
    const scope = managerScope(user, query.regionCode);
    if (query.stationCode) scope.acceptingStationCode = await stationInJurisdiction(db, user, query.stationCode);
    const after = cursor.decode(query.cursor, isDeadlineCursor);
    const rows = await listOverdue(db, scope, { after, limit: PAGE + 1 });
    res.json(await casePageOf(user, rows, (last) => ({ deadlineAt: last.deadlineAt.toISOString(), id: last.id })));
  });

  router.get('/stats', allow('manager'), async (req, res) => {
    const query = parse(statsQuery, req.query, 'query');
    const user = userOf(req);
    const scope = managerScope(user, query.regionCode);
    if (query.stationCode) scope.acceptingStationCode = await stationInJurisdiction(db, user, query.stationCode);
    const stats = await applicationStats(db, scope, { from: query.from, to: query.to });
    res.json({
      regionCode: query.regionCode ?? user.regionCode ?? null,
      stationCode: query.stationCode ?? null,
      from: query.from ?? null,
      to: query.to ?? null,
      countsByStage: Object.fromEntries(stages.map((stage) => [stage, stats.countsByStage[stage] ?? 0])) as Record<(typeof stages)[number], number>,
      onTimeRate: rate(stats.onTime, stats.finished),
      daysPerStage: stats.durations.map((row) => ({ stage: row.stage, medianDays: toTenth(row.medianDays), p90Days: toTenth(row.p90Days) })),
      byStation: stats.byStation.map((row) => ({ station: { code: row.code, name: row.name, regionCode: row.regionCode }, open: row.open, overdue: row.overdue, onTimeRate: rate(row.onTime, row.finished) })),
    } satisfies z.output<typeof statsSchema>);
  });

  router.use(worklistRoutes(deps));
  return router;
}
