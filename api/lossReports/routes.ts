import { Router } from 'express';
import { z } from 'zod';
import { isWithinRegion } from '../../domain';
import { findCardById } from '../../db/queries/cardRegistry';
import { findLossReport, listLossReports } from '../../db/queries/lossReports';
import type { AppDependencies } from '../app';
import { allow, userOf } from '../auth';
import { cursor, pageOf } from '../paging';
import { problems } from '../problems';
import { languageOf } from '../problemText';
import { personOnRecord, personOnRecordSchema, stationRecordFilter, stationRecordScope } from '../stationRecords';
import { calendarDate, instant } from '../answers';
import { CARD_STATUSES, type CardStatus } from '../../domain';
import { calendarDateField, idNumberField, isInstant, isUuid, nonEmptyText, parse } from '../validation';
import type { CardCacheInvalidator } from '../verifications/cardFactsCache';
import { importLossReports } from './importLossReports';
export { lossReportImportLine } from './importLossReports';
import { reportLoss } from './reportLoss';
import { withdrawLossReport } from './withdrawLossReport';

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

/** Loss reports (挂失申报): at any station, withdrawn at the authority that took them, bulk-imported. */
export function lossReportRoutes(deps: AppDependencies, cache: CardCacheInvalidator): Router {
  const { db, logger, clock } = deps;
  const router = Router();

  router.post('/loss-reports', allow('station'), async (req, res) => {
    const report = await reportLoss({ db, cache, clock }, userOf(req), parse(lossReport, req.body));
    res.status(201).location(`/v1/loss-reports/${report.lossReportId}`).json(report);
  });

  // Bulk work has a role of its own: neither a station nor an admin invalidates cards wholesale.
  router.post('/loss-reports/import', allow('loss_report_importer'), async (req, res) => {
    if (!/^application\/(x-ndjson|jsonl|x-jsonlines)\b/i.test(req.get('content-type') ?? '')) throw problems.unsupportedMediaType('application/x-ndjson');
    const limits = { maxBytes: deps.config.LOSS_REPORT_IMPORT_MAX_BYTES, maxLines: deps.config.LOSS_REPORT_IMPORT_MAX_LINES };
    await importLossReports({ db, cache, logger }, userOf(req), req, res, limits, languageOf(req));
  });

  router.post('/loss-reports/:id/withdraw', allow('station'), async (req, res) => {
    res.json(await withdrawLossReport({ db, cache }, userOf(req), req.params.id as string, parse(withdrawal, req.body)));
  });

  // The station's own list (taken at its counter), or a manager's of the region's stations, newest first.
  router.get('/loss-reports', allow('station', 'manager', 'admin'), async (req, res) => {
    const user = userOf(req);
    const query = parse(lossReportListing, req.query, 'query');
    const scope = await stationRecordScope(db, user, query);
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
        person: personOnRecord(user, row),
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
  });

  router.get('/loss-reports/:id', allow('station', 'manager', 'admin'), async (req, res) => {
    const id = req.params.id as string;
    const report = isUuid(id) ? await findLossReport(db, id) : undefined;
    if (!report) throw problems.notFound('The loss report');
    const user = userOf(req);
    const inJurisdiction =
      user.role === 'admin' ||
      (user.role === 'station' && (user.regionCode === report.authorityRegionCode || user.stationCode === report.reportingStationCode)) ||
      (user.role === 'manager' && (!user.regionCode || isWithinRegion(report.authorityRegionCode, user.regionCode)));
    if (!inJurisdiction) throw problems.forbiddenJurisdiction('This loss report was taken outside your jurisdiction.');
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
  });

  return router;
}
