import { createHash, randomUUID } from 'node:crypto';
import type { IncomingMessage, ServerResponse } from 'node:http';
import { z } from 'zod';
import type { Logger } from '../../config/logger';
import type { Db } from '../../db/knex';
import { recordAudit } from '../../db/queries/auditLog';
import { findCardsByNumberAndDate, findImported, insertImportedLossReports, reportCardsLost, type NewLossReport } from '../../db/queries/lossReports';
import { stationRegionCodes } from '../../db/queries/stations';
import type { CallerAs } from '../../db/users';
import { checkLossReport, chinaDateOf, mayImportLossReport } from '../../domain';
import { IN_LANGUAGE, importHeaders, importStopped, importTooLarge, importTooManyLines, LimitExceeded, linesOf, parseLine, summaryLine, type ImportLimits } from '../ndjsonImport';
import { lineRefusalIn, localized, type Language } from '../problemText';
import { Problem, problems } from '../problems';
import { calendarDateField, idNumberField, nonEmptyText } from '../validation';
import { cardKey, type CardCacheInvalidator } from '../verifications/cardFactsCache';
import { lossReportRefusal, reporterRefusal } from './reportLoss';

/** Lines are committed this many at a time; a re-run after a failure skips what was committed. */
const BATCH_LINES = 500;

/**
 * One loss report taken before the system existed. `externalId` (the old system's reference) makes
 * a re-run recognise the line; without it, the card, the day and time, and the authority do.
 */
export const lossReportImportLine = z.strictObject({
  externalId: z.string({ error: 'must be a string' }).trim().min(1, 'must not be empty').max(100, 'must be at most 100 characters').optional(),
  idNumber: idNumberField,
  /** The name the reporter gave, checked against the registry as at the counter. */
  name: nonEmptyText(50),
  cardValidFrom: calendarDateField,
  /** The fingerprint comparison the old system recorded; required when the card carries fingerprints. */
  fingerprintMatched: z.boolean({ error: 'must be true or false' }).optional(),
  circumstance: z.enum(['lost', 'stolen'], { error: 'must be "lost" or "stolen"' }).default('lost'),
  reportedAt: z.iso.datetime({ offset: true, error: 'must be an ISO 8601 date-time with offset' }),
  authorityRegionCode: z.string({ error: 'must be a string' }).regex(/^\d{6}$/, 'must be a 6-digit region code').optional(),
  reportingStationCode: z.string({ error: 'must be a string' }).trim().min(1).max(40).optional(),
});
type ImportLine = z.infer<typeof lossReportImportLine>;

export type ImportOutcome =
  | { line: number; ok: true; status: 'imported' | 'already_imported'; lossReportId: string }
  | { line: number; ok: false; code: string; detail: string; [fact: string]: unknown };

/** A refused line: the refusal's code, its text in the caller's language, and its facts (e.g. `cardStatus`, `errors`). */
const refusedLine = (line: number, problem: Problem, language: Language): ImportOutcome => {
  const { code, text, extra } = lineRefusalIn(problem, language);
  return { ...extra, line, ok: false, code, detail: text };
};

export interface ImportSummary {
  lines: number;
  imported: number;
  alreadyImported: number;
  failed: number;
}

interface Parsed {
  line: number;
  report: ImportLine & { authorityRegionCode: string };
  importKey: string;
}

/**
 * Bulk import of old loss reports (NDJSON, one report per line), streamed both ways: the body is
 * read line by line — never whole — and each line's outcome is written back as it is decided, in
 * line order, followed by a `{ "summary": … }` line. Lines are committed in batches; each batch
 * invalidates its cards on every instance like a report taken at a station. Idempotent: a line
 * already imported is answered `already_imported` with its report's id.
 *
 * Only an importer (`loss_report_importer`) imports, for authorities within its own region (its
 * region is the default `authorityRegionCode`), and each line passes the counter's checks on the
 * person (name, fingerprints: `reporterRefusal`). A body declared larger than `maxBytes` is refused
 * before anything is read (413 problem+json); one that grows past it, or past `maxLines`, ends the
 * stream with that problem (and the summary) after the lines before it.
 *
 * Which card may be reported, and on which day, is the counter's rule (`checkLossReport`): a report
 * dated before its card's `validFrom` is refused, and a card no longer valid (superseded,
 * expired, destroyed) or already reported lost is refused as at the counter. Refusals are
 * written in `language` (the caller's `Accept-Language`), with stable codes.
 * @throws Problem 413 `import_too_large` when the declared length is over the limit.
 */
export async function importLossReports(
  deps: { db: Db; cache: CardCacheInvalidator; logger: Logger },
  user: CallerAs<'loss_report_importer'>,
  body: IncomingMessage,
  out: ServerResponse,
  limits: ImportLimits,
  language: Language = 'zh-CN',
): Promise<ImportSummary> {
  const { db, logger } = deps;
  const declared = Number(body.headers['content-length']);
  if (declared > limits.maxBytes) throw importTooLarge(limits.maxBytes);
  const summary: ImportSummary = { lines: 0, imported: 0, alreadyImported: 0, failed: 0 };
  const [knownRegions, knownStations] = await Promise.all([
    db('regions').pluck('code').then((codes: string[]) => new Set(codes)),
    stationRegionCodes(db),
  ]);

  out.writeHead(200, importHeaders(language));
  // A client gone away never drains: stop waiting when the response closes, and stop writing.
  const emit = async (value: unknown) => {
    if (out.destroyed) return;
    if (!out.write(`${JSON.stringify(value)}\n`)) {
      await new Promise<void>((resolve) => {
        const done = () => {
          out.off('drain', done).off('close', done);
          resolve();
        };
        out.on('drain', done).on('close', done);
      });
    }
  };
  const settle = async (outcomes: ImportOutcome[]) => {
    for (const outcome of outcomes.sort((a, b) => a.line - b.line)) {
      if (!outcome.ok) summary.failed++;
      else if (outcome.status === 'imported') summary.imported++;
      else summary.alreadyImported++;
      await emit(outcome);
    }
  };

  let batch: Parsed[] = [];
  let outcomes: ImportOutcome[] = [];
  const flush = async () => {
    outcomes.push(...(await importBatch(deps, user, batch, language)));
    batch = [];
    await settle(outcomes);
    outcomes = [];
  };

  let stoppedAt: Problem | undefined;
  try {
    for await (const { line, text } of linesOf(body, limits.maxBytes)) {
      if (line > limits.maxLines) throw new LimitExceeded(importTooManyLines(limits.maxLines));
      summary.lines++;
      const checked = checkLine(line, text, user, knownRegions, knownStations, language);
      if ('ok' in checked) outcomes.push(checked);
      else batch.push(checked);
      if (batch.length >= BATCH_LINES) await flush();
      // Outcomes go out in line order, so refused lines wait for the valid lines before them.
      else if (outcomes.length >= BATCH_LINES) await flush();
    }
    await flush();
    await emit({ summary });
  } catch (error) {
    if (error instanceof LimitExceeded) {
      stoppedAt = error.problem;
      // The lines within the limit are imported and answered, then the problem with the summary.
      await flush().then(() => emit({ ...localized(error.problem, language), summary }), stopped);
    } else {
      await stopped(error);
    }
  }
  out.end();
  // The rest of an over-limit body is not read: the connection goes once the answer is out.
  if (stoppedAt) out.once('finish', () => body.destroy());
  return summary;

  async function stopped(error: unknown) {
    logger.error({ err: error, linesRead: summary.lines }, 'loss report import stopped');
    await settle(outcomes);
    const stop = lineRefusalIn(importStopped('The import stopped on our side; lines answered above are recorded, re-run the file to continue.'), language);
    await emit({ error: stop.code, detail: stop.text, summary });
  }
}

function checkLine(line: number, text: string | undefined, user: CallerAs<'loss_report_importer'>, regions: Set<string>, stations: Map<string, string>, language: Language): Parsed | ImportOutcome {
  const fail = (problem: Problem) => refusedLine(line, problem, language);
  const parsed = parseLine(lossReportImportLine, text);
  if ('refusal' in parsed) return fail(parsed.refusal);
  const report: ImportLine = parsed.request;
  if (Date.parse(report.reportedAt) > Date.now()) return fail(problems.validation([{ field: 'reportedAt', message: 'must not be in the future', code: 'in_future' }]));
  const authorityRegionCode = report.authorityRegionCode ?? user.regionCode;
  if (!regions.has(authorityRegionCode)) return fail(new Problem(422, 'unknown_region', 'Refused', 'authorityRegionCode: no such region', { field: 'authorityRegionCode' }));
  if (!mayImportLossReport(user, authorityRegionCode)) {
    return fail(problems.forbiddenJurisdiction('An importer may import only reports taken by authorities within its own region.'));
  }
  if (report.reportingStationCode !== undefined && stations.get(report.reportingStationCode) !== authorityRegionCode) {
    return fail(new Problem(422, 'unknown_station', 'Refused', 'reportingStationCode: no such station in that authority', { field: 'reportingStationCode' }));
  }
  const importKey = report.externalId
    ? `ext:${authorityRegionCode}:${report.externalId}`
    : `sha256:${createHash('sha256').update([report.idNumber, report.cardValidFrom, new Date(report.reportedAt).toISOString(), authorityRegionCode].join('|')).digest('hex')}`;
  return { line, report: { ...report, authorityRegionCode }, importKey };
}

/**
 * One transaction for a batch of checked lines: what was imported before is answered so, the rest
 * pass the counter's checks (the person, then `checkLossReport` on the report's own day, China's
 * date) on the card's row held until commit; what is new is inserted and its ACTIVE cards invalidated.
 */
async function importBatch(deps: { db: Db; cache: CardCacheInvalidator }, user: CallerAs<'loss_report_importer'>, batch: Parsed[], language: Language): Promise<ImportOutcome[]> {
  if (batch.length === 0) return [];
  const at = new Date();
  const outcomes: ImportOutcome[] = [];
  const invalidated: string[] = [];
  await deps.db.transaction(async (trx) => {
    // A re-run first: its cards are reported lost by its own first run.
    const importedBefore = await findImported(trx, batch.map((entry) => entry.importKey));
    const cards = await findCardsByNumberAndDate(trx, batch.map((entry) => ({ idNumber: entry.report.idNumber, validFrom: entry.report.cardValidFrom })), { forUpdate: true });
    const cardOf = new Map(cards.map((card) => [cardKey(card.idNumber, card.validFrom), card]));
    const reports: Array<NewLossReport & { line: number }> = [];
    const firstOfKey = new Map<string, NewLossReport & { line: number }>();
    const repeated: Array<{ line: number; importKey: string }> = [];
    for (const entry of batch) {
      const earlier = importedBefore.get(entry.importKey);
      if (earlier) {
        outcomes.push({ line: entry.line, ok: true, status: 'already_imported', lossReportId: earlier });
        continue;
      }
      // The same old report twice in one file: the second is the first's.
      if (firstOfKey.has(entry.importKey)) {
        repeated.push({ line: entry.line, importKey: entry.importKey });
        continue;
      }
      const card = cardOf.get(cardKey(entry.report.idNumber, entry.report.cardValidFrom));
      if (!card) {
        outcomes.push(refusedLine(entry.line, problems.cardNotFound(), language));
        continue;
      }
      const refusal = reporterRefusal(card, entry.report);
      if (refusal) {
        outcomes.push(refusedLine(entry.line, refusal, language));
        continue;
      }
      const check = checkLossReport(card, chinaDateOf(Date.parse(entry.report.reportedAt)));
      if (!check.ok) {
        outcomes.push(refusedLine(entry.line, lossReportRefusal(check), language));
        continue;
      }
      const report = {
        line: entry.line,
        id: randomUUID(),
        cardId: card.id,
        circumstance: entry.report.circumstance,
        reportingStationCode: entry.report.reportingStationCode ?? null,
        authorityRegionCode: entry.report.authorityRegionCode,
        source: 'import' as const,
        applicationId: null,
        importKey: entry.importKey,
        reportedAt: new Date(entry.report.reportedAt),
      };
      reports.push(report);
      firstOfKey.set(entry.importKey, report);
    }
    const inserted = await insertImportedLossReports(trx, reports.map(({ line: _line, ...report }) => report));
    // Not inserted: another import took the same line meanwhile, or another line of this file or a station reported the card.
    const earlier = await findImported(trx, reports.filter((report) => !inserted.has(report.importKey!)).map((report) => report.importKey!));
    const fresh = reports.filter((report) => inserted.has(report.importKey!));
    const alreadyLost = (line: number) => refusedLine(line, lossReportRefusal({ ok: false, code: 'already_reported_lost', message: 'The card is already reported lost.' }), language);
    for (const report of reports) {
      if (inserted.has(report.importKey!)) outcomes.push({ line: report.line, ok: true, status: 'imported', lossReportId: report.id });
      else if (earlier.has(report.importKey!)) outcomes.push({ line: report.line, ok: true, status: 'already_imported', lossReportId: earlier.get(report.importKey!)! });
      else outcomes.push(alreadyLost(report.line));
    }
    for (const { line, importKey } of repeated) {
      const first = firstOfKey.get(importKey)!;
      const id = inserted.has(importKey) ? first.id : earlier.get(importKey);
      outcomes.push(id ? { line, ok: true, status: 'already_imported', lossReportId: id } : alreadyLost(line));
    }
    const changed = new Set(await reportCardsLost(trx, fresh.map((report) => report.cardId), at));
    for (const card of cards) if (changed.has(card.id)) invalidated.push(cardKey(card.idNumber, card.validFrom));
    await recordAudit(
      trx,
      fresh.map((report) => ({
        actor: user.id,
        action: 'loss_report.imported',
        subjectType: 'loss_report',
        subjectId: report.id,
        at,
        details: { cardId: report.cardId, importKey: report.importKey, reportedAt: report.reportedAt.toISOString(), cardInvalidated: changed.has(report.cardId) },
      })),
    );
  });
  for (const key of invalidated) deps.cache.invalidate(key);
  if (invalidated.length) await deps.cache.everywhere?.();
  return outcomes;
}

/** An outcome line of the import, as the API document declares it. */
export const LOSS_REPORT_IMPORT_OUTCOME = {
  oneOf: [
    { type: 'object', required: ['line', 'ok'], properties: { line: { type: 'integer' }, ok: { const: true }, status: { enum: ['imported', 'already_imported'] }, lossReportId: { type: 'string', format: 'uuid' } } },
    {
      type: 'object',
      required: ['line', 'ok', 'code', 'detail'],
      description:
        "Refused, as POST /v1/loss-reports refuses (the same rules, on the report's own day): card_not_found, name_mismatch, fingerprint_check_required, fingerprint_mismatch, reported_before_valid_from (with cardValidFrom), already_reported_lost, card_not_active (superseded, expired or destroyed; with cardStatus); the line itself: unknown_region, unknown_station (with field), forbidden_jurisdiction, validation_failed (with errors), invalid_id_number, malformed_json, line_too_long",
      properties: { line: { type: 'integer' }, ok: { const: false }, code: { type: 'string', pattern: '^[a-z_]+$' }, detail: { type: 'string', description: IN_LANGUAGE } },
    },
    summaryLine(['lines', 'imported', 'alreadyImported', 'failed']),
  ],
};
