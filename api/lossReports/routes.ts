import { Router } from 'express';
import { z } from 'zod';
import { findCardById } from '../../db/queries/cardRegistry';
import { findLossReport, listLossReports } from '../../db/queries/lossReports';
import type { AppDependencies } from '../app';
import { mount, operationsWith } from '../operation';
import { cursor, pageOf, pageSchema } from '../paging';
import { problems } from '../problems';
import { languageOf } from '../problemText';
import { personOnRecord, personOnRecordSchema, stationRecordFilter, stationRecordScope } from '../stationRecords';
import { calendarDate, instant } from '../answers';
import { CARD_STATUSES, maySeeLossReport, type CardStatus } from '../../domain';
import { calendarDateField, idNumberField, isInstant, isUuid, nonEmptyText } from '../validation';
import type { CardCacheInvalidator } from '../verifications/cardFactsCache';
import { importLossReports, LOSS_REPORT_IMPORT_OUTCOME, lossReportImportLine } from './importLossReports';
import { reportLoss, takenLossReportSchema } from './reportLoss';
import { withdrawLossReport, withdrawnLossReportSchema } from './withdrawLossReport';

export const lossReport = z.strictObject({
  idNumber: idNumberField,
  name: nonEmptyText(50),
  /** Omitted: the person's current card. */
  cardValidFrom: calendarDateField.optional(),
  circumstance: z.enum(['lost', 'stolen'], { error: 'must be "lost" or "stolen"' }),
  fingerprintMatched: z.boolean({ error: 'must be true or false' }).optional(),
});
export const withdrawal = z.strictObject({ reason: nonEmptyText().optional() });
export const lossReportListing = z.strictObject({ state: z.enum(['open', 'withdrawn', 'all'], { error: 'must be open, withdrawn or all' }).default('all'), ...stationRecordFilter });

const source = z.enum(['station', 'application', 'import']).meta({ description: "taken at a station's counter, made by a replacement's acceptance, or imported" });
/** A loss report as the station's (or a manager's) list shows it. */
export const listedLossReportSchema = z.object({
  lossReportId: z.uuid(),
  reportedAt: instant,
  state: z.enum(['OPEN', 'WITHDRAWN']),
  circumstance: z.enum(['lost', 'stolen']),
  source,
  person: personOnRecordSchema,
  cardValidFrom: calendarDate,
  cardStatus: z.enum(CARD_STATUSES),
  reportingStation: z.object({ code: z.string(), name: z.string().nullable() }).nullable(),
  authorityRegionCode: z.string(),
  applicationId: z.uuid().nullable(),
  withdrawnAt: instant.nullable(),
  withdrawnByStationCode: z.string().nullable(),
});
/** One loss report (`GET /v1/loss-reports/{id}`). */
export const lossReportSchema = z.object({
  lossReportId: z.uuid(),
  idNumber: z.string(),
  cardValidFrom: calendarDate,
  cardStatus: z.enum(CARD_STATUSES),
  circumstance: z.enum(['lost', 'stolen']),
  source,
  authorityRegionCode: z.string(),
  reportingStationCode: z.string().nullable(),
  reportedAt: instant,
  withdrawnAt: instant.nullable(),
});

const PAGE = 50;
const isListingCursor = (value: any): value is { reportedAt: string; id: string } => isInstant(value?.reportedAt) && isUuid(value?.id);

/** What the loss reports' handlers need beside the app's dependencies: the verification cache to invalidate. */
export type LossReportDeps = AppDependencies & { cache: CardCacheInvalidator };
const operation = operationsWith<LossReportDeps>();

/** Loss reports (挂失申报): at any station, withdrawn at the authority that took them, bulk-imported. */
export const LOSS_REPORT_OPERATIONS = [
  operation({
    method: 'post',
    path: '/v1/loss-reports',
    summary: "Report a card lost or stolen; it reads invalid at once (409 already_reported_lost, card_not_active for a card superseded, expired or destroyed; 422 reported_before_valid_from for a card not yet issued)",
    roles: ['station'],
    body: lossReport,
    status: 201,
    other: [404, 409, 422],
    response: takenLossReportSchema,
    handle: async ({ caller, body, res }, { db, cache, clock }) => {
      const report = await reportLoss({ db, cache, clock }, caller, body);
      res.status(201).location(`/v1/loss-reports/${report.lossReportId}`).json(report);
    },
  }),
  // Bulk work has a role of its own: neither a station nor an admin invalidates cards wholesale.
  operation({
    method: 'post',
    path: '/v1/loss-reports/import',
    summary: "Bulk import of old loss reports for the importer's region (NDJSON in, NDJSON outcome per line out; over the size or line limit: 413)",
    roles: ['loss_report_importer'],
    other: [413],
    ndjson: { line: lossReportImportLine, outcome: LOSS_REPORT_IMPORT_OUTCOME },
    handle: async ({ caller, req, res }, { db, cache, logger, config }) => {
      if (!/^application\/(x-ndjson|jsonl|x-jsonlines)\b/i.test(req.get('content-type') ?? '')) throw problems.unsupportedMediaType('application/x-ndjson');
      const limits = { maxBytes: config.LOSS_REPORT_IMPORT_MAX_BYTES, maxLines: config.LOSS_REPORT_IMPORT_MAX_LINES };
      await importLossReports({ db, cache, logger }, caller, req, res, limits, languageOf(req));
    },
  }),
  // The station's own list (taken at its counter), or a manager's of the region's stations, newest first.
  operation({
    method: 'get',
    path: '/v1/loss-reports',
    summary:
      "Loss reports newest first, cursor-paged: a station's taken at its counter (citizen number in full), a manager's those of the region's stations (masked), narrowed by regionCode or stationCode; state open, withdrawn or all (default)",
    roles: ['station', 'manager', 'admin'],
    query: lossReportListing,
    other: [404],
    response: pageSchema(listedLossReportSchema),
    handle: async ({ caller, query, res }, { db }) => {
      const scope = await stationRecordScope(db, caller, query);
      const rows = await listLossReports(db, scope, { state: query.state, after: cursor.decode(query.cursor, isListingCursor), limit: PAGE + 1 });
      const page = pageOf(
        rows,
        PAGE,
        (row): z.output<typeof listedLossReportSchema> => ({
          lossReportId: row.id,
          reportedAt: row.reportedAt.toISOString(),
          state: row.withdrawnAt ? 'WITHDRAWN' : 'OPEN',
          circumstance: row.circumstance,
          source: row.source,
          person: personOnRecord(caller, row),
          cardValidFrom: row.cardValidFrom,
          cardStatus: row.cardStatus as CardStatus,
          reportingStation: row.reportingStationCode ? { code: row.reportingStationCode, name: row.reportingStationName } : null,
          authorityRegionCode: row.authorityRegionCode,
          applicationId: row.applicationId,
          withdrawnAt: row.withdrawnAt?.toISOString() ?? null,
          withdrawnByStationCode: row.withdrawnByStationCode,
        }),
        (last) => ({ reportedAt: last.reportedAt.toISOString(), id: last.id }),
      );
      res.set('cache-control', 'no-store').json(page);
    },
  }),
  operation({
    method: 'get',
    path: '/v1/loss-reports/{id}',
    summary: 'One loss report',
    roles: ['station', 'manager', 'admin'],
    other: [404],
    response: lossReportSchema,
    handle: async ({ caller, params, res }, { db }) => {
      const report = isUuid(params.id) ? await findLossReport(db, params.id) : undefined;
      if (!report) throw problems.notFound('The loss report');
      if (!maySeeLossReport(caller, report)) throw problems.forbiddenJurisdiction('This loss report was taken outside your jurisdiction.');
      const card = (await findCardById(db, report.cardId))!;
      res.json({
        lossReportId: report.id,
        idNumber: card.idNumber,
        cardValidFrom: card.validFrom,
        cardStatus: card.status,
        circumstance: report.circumstance,
        source: report.source,
        authorityRegionCode: report.authorityRegionCode,
        reportingStationCode: report.reportingStationCode,
        reportedAt: report.reportedAt.toISOString(),
        withdrawnAt: report.withdrawnAt?.toISOString() ?? null,
      } satisfies z.output<typeof lossReportSchema>);
    },
  }),
  operation({
    method: 'post',
    path: '/v1/loss-reports/{id}/withdraw',
    summary: 'Withdraw a loss report (the authority that took it)',
    roles: ['station'],
    body: withdrawal,
    other: [404, 409],
    response: withdrawnLossReportSchema,
    handle: async ({ caller, body, params, res }, { db, cache }) => {
      res.json(await withdrawLossReport({ db, cache }, caller, params.id, body));
    },
  }),
];

export const lossReportRoutes = (deps: AppDependencies, cache: CardCacheInvalidator): Router => mount(Router(), LOSS_REPORT_OPERATIONS, { ...deps, cache });
