import { randomUUID } from 'node:crypto';
import type { IncomingMessage, ServerResponse } from 'node:http';
import { WorkflowExecutionAlreadyStartedError, WorkflowUpdateFailedError, type Client } from '@temporalio/client';
import { ApplicationFailure } from '@temporalio/common';
import { z } from 'zod';
import type { Config } from '../../config';
import { applicationSettings } from '../../config/applicationSettings';
import { systemClock, type Clock } from '../../config/clock';
import type { Logger } from '../../config/logger';
import type { Db } from '../../db/knex';
import { findApplication, findByImportReference, findInProgress, registryFactsForAcceptance } from '../../db/queries/applications';
import type { User } from '../../db/users';
import { APPLICATION_KINDS, checkAcceptance, checkImportedApplication, chinaDateOf, IMPORTABLE_STAGES, parseIdNumber, type ApplicationStage } from '../../domain';
import { DUPLICATE_APPLICATION, updates, type ApplicationInput, type StageEntry } from '../../workflows/contract';
import { IN_LANGUAGE, importHeaders, importStopped, importTooLarge, importTooManyLines, LimitExceeded, linesOf, parseLine, summaryLine } from '../ndjsonImport';
import { lineRefusalIn, localized, type Language } from '../problemText';
import { Problem, problems } from '../problems';
import { calendarDateField, idNumberField, nonEmptyText } from '../validation';
import { applicationStart, applicationWorkflowId } from './workflowId';
import { waitForWorkflow } from './workflowWait';

/** How much one import may hold: each line starts a workflow, so a file is a few hundred cases, not a registry. */
export const APPLICATION_IMPORT_LIMITS = { maxBytes: 4 * 1024 * 1024, maxLines: 2_000 };

const instant = (what: string) => z.iso.datetime({ offset: true, error: `${what} must be an ISO 8601 date-time with offset` });

/**
 * One application in flight in a station's old system (NDJSON line). The stage's facts: `printed`
 * from PRINTING on (required from SHIPPING), `trackingNumber` from SHIPPING, `readyForPickupAt` at
 * READY_FOR_PICKUP; `extension` once granted; `temporaryCard` when one was requested (`issuedAt`
 * once issued). `externalReference` names the case in the old system: posting it again is
 * recognised (`already_imported`).
 */
export const applicationImportLine = z.strictObject({
  externalReference: z.string({ error: 'must be a string' }).trim().min(1, 'must not be empty').max(100, 'must be at most 100 characters'),
  idNumber: idNumberField,
  name: nonEmptyText(50),
  kind: z.enum(APPLICATION_KINDS, { error: 'must be "renewal" or "replacement"' }),
  reason: nonEmptyText(500),
  acceptingStationCode: z.string({ error: 'must be a string' }).trim().min(1, 'must not be empty').max(40),
  acceptedAt: instant('acceptedAt'),
  stage: z.enum(IMPORTABLE_STAGES, { error: `must be one of ${IMPORTABLE_STAGES.join(', ')}` }),
  fingerprintCaptured: z.boolean({ error: 'must be true or false' }).default(false),
  appearanceChanged: z.boolean({ error: 'must be true or false' }).default(false),
  contactPhone: z.string({ error: 'must be a string' }).regex(/^\+?[0-9 -]{5,20}$/, 'must be a phone number').optional(),
  printed: z.strictObject({ validFrom: calendarDateField, validUntil: calendarDateField.nullable() }).optional(),
  trackingNumber: z.string({ error: 'must be a string' }).trim().min(1).max(60).optional(),
  readyForPickupAt: instant('readyForPickupAt').optional(),
  extension: z.strictObject({ days: z.number({ error: 'must be a number' }).int('must be whole days'), reason: nonEmptyText(500) }).optional(),
  temporaryCard: z.strictObject({ issuedAt: instant('issuedAt').optional() }).optional(),
});
export type ApplicationImportLine = z.infer<typeof applicationImportLine>;

export type ApplicationImportOutcome =
  | { line: number; status: 'imported' | 'already_imported'; applicationId: string; receiptNumber: string }
  | { line: number; status: 'refused'; code: string; message: string; [fact: string]: unknown };

export interface ApplicationImportSummary {
  lines: number;
  imported: number;
  alreadyImported: number;
  refused: number;
}

interface Deps {
  db: Db;
  temporal?: Client;
  config: Config;
  logger: Logger;
  clock?: Clock;
  /** The refusals' language (the caller's `Accept-Language`); zh-CN when not given. */
  language?: Language;
}

/**
 * Go-live import of the applications in flight in stations' old systems (NDJSON, one per line),
 * streamed both ways as the loss-report import is: read line by line, each line's outcome written
 * back as soon as it is decided, then a `{ "summary": … }` line. Each line passes acceptance's
 * checks on the person as of its acceptance day (registry, name, blacklist, fingerprints, the
 * station's rollout, one application in progress) and the import's own (`checkImportedApplication`),
 * then becomes a workflow started at its stage with its original acceptance time and deadline
 * (`Resumption` with `imported`), whose first activity records the application, its history and
 * the audit entry naming the importer. A refused line writes nothing.
 * @throws Problem 413 `import_too_large` when the declared length is over the limit.
 */
export async function importApplications(deps: Deps, importer: User, body: IncomingMessage, out: ServerResponse, limits = APPLICATION_IMPORT_LIMITS): Promise<ApplicationImportSummary> {
  const declared = Number(body.headers['content-length']);
  if (declared > limits.maxBytes) throw importTooLarge(limits.maxBytes);
  const summary: ApplicationImportSummary = { lines: 0, imported: 0, alreadyImported: 0, refused: 0 };
  const language = deps.language ?? 'zh-CN';
  out.writeHead(200, importHeaders(language));
  const emit = async (value: unknown) => {
    if (out.destroyed) return;
    if (!out.write(`${JSON.stringify(value)}\n`)) await new Promise<void>((resolve) => out.once('drain', resolve).once('close', resolve));
  };
  let stoppedAt: Problem | undefined;
  try {
    for await (const { line, text } of linesOf(body, limits.maxBytes)) {
      if (line > limits.maxLines) throw new LimitExceeded(importTooManyLines(limits.maxLines));
      summary.lines++;
      const outcome = await importLine(deps, importer, line, text);
      if (outcome.status === 'imported') summary.imported++;
      else if (outcome.status === 'already_imported') summary.alreadyImported++;
      else summary.refused++;
      await emit(outcome);
    }
    await emit({ summary });
  } catch (error) {
    if (error instanceof LimitExceeded) {
      stoppedAt = error.problem;
      await emit({ ...localized(error.problem, language), summary });
    } else {
      deps.logger.error({ err: error, linesRead: summary.lines }, 'application import stopped');
      const stop = lineRefusalIn(importStopped('The import stopped on our side; lines answered above are recorded, post the file again to continue (imported lines answer already_imported).'), language);
      await emit({ error: stop.code, detail: stop.text, summary });
    }
  }
  out.end();
  if (stoppedAt) out.once('finish', () => body.destroy());
  return summary;
}

/**
 * One line: parsed, checked, started. Never throws for the line's own faults (they are `refused`,
 * with a stable code, the message in `deps.language` and the refusal's facts, e.g. `reason`);
 * throws when the engine or the database fails, which ends the import.
 */
export async function importLine(deps: Deps, importer: User, line: number, text: string | undefined): Promise<ApplicationImportOutcome> {
  const refuse = (problem: Problem): ApplicationImportOutcome => {
    const { code, text: message, extra } = lineRefusalIn(problem, deps.language ?? 'zh-CN');
    return { ...extra, line, status: 'refused', code, message };
  };
  const parsed = parseLine(applicationImportLine, text);
  if ('refusal' in parsed) return refuse(parsed.refusal);
  const request: ApplicationImportLine = parsed.request;
  const { db, config } = deps;
  const earlier = await findByImportReference(db, request.externalReference);
  if (earlier) return { line, status: 'already_imported', applicationId: earlier.id, receiptNumber: earlier.receiptNumber };

  const now = (deps.clock ?? systemClock).now();
  const acceptedAt = new Date(request.acceptedAt);
  const [facts, inProgress] = await Promise.all([registryFactsForAcceptance(db, request.idNumber, request.acceptingStationCode), findInProgress(db, request.idNumber)]);
  if (!facts.station) return refuse(new Problem(422, 'unknown_station', 'Refused', 'acceptingStationCode: no such station', { field: 'acceptingStationCode' }));
  const verdict = checkAcceptance({
    citizen: facts.citizen,
    presentedName: request.name,
    blacklisted: facts.blacklisted,
    appearanceChanged: request.appearanceChanged,
    station: { stationCode: facts.station.code, regionCode: facts.station.regionCode },
    rolloutPolicy: facts.rolloutRules.map((rule) => ({ ...rule, until: rule.until ?? undefined })),
    // The station accepted it on that day, under that day's rollout.
    on: chinaDateOf(acceptedAt.getTime()),
    applicationInProgress: inProgress ? { applicationId: inProgress.id } : undefined,
  });
  if (!verdict.ok) return refuse(problems.refused(verdict.code, verdict.message));
  const citizen = facts.citizen!;
  const parsedNumber = parseIdNumber(citizen.idNumber);
  const birthDate = parsedNumber.ok ? parsedNumber.value.birthDate : '1900-01-01';
  const check = checkImportedApplication(
    {
      stage: request.stage,
      acceptedAt,
      birthDate,
      printed: request.printed,
      trackingNumber: request.trackingNumber,
      readyForPickupAt: request.readyForPickupAt ? new Date(request.readyForPickupAt) : undefined,
      extension: request.extension,
      temporaryCard: request.temporaryCard ? { issuedAt: request.temporaryCard.issuedAt ? new Date(request.temporaryCard.issuedAt) : undefined } : undefined,
    },
    { now, deadlineDays: config.DEADLINE_DAYS },
  );
  if (!check.ok) {
    const { ok: _ok, code, message, ...refusalFacts } = check;
    return refuse(problems.refused(code, message, refusalFacts));
  }
  const { temporal } = deps;
  if (!temporal) throw new Error('the workflow engine is not configured');

  const iso = (date: Date) => date.toISOString();
  const history: StageEntry[] = [{ stage: 'ACCEPTED', at: iso(acceptedAt) }];
  const movedOver = `imported from the old system (${request.externalReference})`;
  if (request.stage !== 'ACCEPTED') {
    // The old system's stage changes are not carried over; the stage is entered when it moved over (a card ready when it was ready).
    const stageAt = request.readyForPickupAt ?? iso(now);
    history.push({ stage: request.stage as ApplicationStage, at: stageAt, note: movedOver });
  }
  const input: ApplicationInput = {
    applicationId: randomUUID(),
    idNumber: citizen.idNumber,
    kind: request.kind,
    reason: request.reason,
    acceptingStationCode: facts.station.code,
    homeRegionCode: citizen.homeRegionCode,
    fingerprintCaptured: request.fingerprintCaptured,
    appearanceChanged: request.appearanceChanged,
    temporaryCardRequested: request.temporaryCard !== undefined,
    ...(request.contactPhone ? { contactPhone: request.contactPhone } : {}),
    acceptedBy: importer.id,
    settings: applicationSettings(config),
    resume: {
      stage: request.stage,
      acceptedAt: iso(acceptedAt),
      deadlineAt: iso(check.deadlineAt),
      ...(request.extension ? { extension: request.extension } : {}),
      overdue: check.overdue,
      ...(request.printed ? { printed: request.printed } : {}),
      printFailures: 0,
      ...(request.trackingNumber ? { trackingNumber: request.trackingNumber } : {}),
      ...(request.readyForPickupAt ? { readyForPickupAt: iso(new Date(request.readyForPickupAt)) } : {}),
      ...(check.temporaryCard
        ? { temporaryCard: { dueAt: iso(check.temporaryCard.dueAt), ...(check.temporaryCard.issuedAt ? { issuedAt: iso(check.temporaryCard.issuedAt) } : {}), overdue: check.temporaryCard.overdue } }
        : {}),
      history,
      previousRunId: 'import',
      restart: 0,
      imported: { externalReference: request.externalReference },
    },
  };

  const workflowId = applicationWorkflowId(citizen.idNumber);
  try {
    const startWorkflowOperation = applicationStart(citizen.idNumber, input, config.TEMPORAL_TASK_QUEUE_PREFIX);
    await waitForWorkflow(temporal.workflow.executeUpdateWithStart(updates.accepted, { startWorkflowOperation }), config.WORKFLOW_WAIT_MS, () => new Error('the imported application was not recorded in time'));
  } catch (error) {
    const duplicate = error instanceof WorkflowExecutionAlreadyStartedError || (error instanceof WorkflowUpdateFailedError && error.cause instanceof ApplicationFailure && error.cause.type === DUPLICATE_APPLICATION);
    if (!duplicate) throw error;
    // The same line posted twice at once: the other post's run may still be recording it; wait for its answer (whatever it is), then look.
    await waitForWorkflow(
      temporal.workflow.getHandle(workflowId).executeUpdate(updates.accepted).then(
        () => undefined,
        () => undefined,
      ),
      config.WORKFLOW_WAIT_MS,
      () => new Error('the other import of this person was not recorded in time'),
    );
    const winner = await findByImportReference(db, request.externalReference);
    if (winner) return { line, status: 'already_imported', applicationId: winner.id, receiptNumber: winner.receiptNumber };
    return refuse(problems.conflict('duplicate_application', 'An application for this person is already in progress.'));
  }
  const recorded = await findApplication(db, input.applicationId);
  return { line, status: 'imported', applicationId: input.applicationId, receiptNumber: recorded!.receiptNumber };
}

/** An outcome line of the import, as the API document declares it. */
export const APPLICATION_IMPORT_OUTCOME = {
  oneOf: [
    { type: 'object', required: ['line', 'status', 'applicationId', 'receiptNumber'], properties: { line: { type: 'integer' }, status: { enum: ['imported', 'already_imported'] }, applicationId: { type: 'string', format: 'uuid' }, receiptNumber: { type: 'string', pattern: '^\\d{6}-\\d{7}$' } } },
    {
      type: 'object',
      required: ['line', 'status', 'code', 'message'],
      description:
        'Refused: unknown_citizen, name_mismatch, refused_blacklisted, refused_no_fingerprints, station_not_allowed, duplicate_application, unknown_station (with field), accepted_at_out_of_range, stage_facts_invalid, valid_from_out_of_range, valid_until_mismatch (with earliest, latest, expectedValidUntil), extension_invalid, validation_failed (with errors), invalid_id_number, malformed_json, line_too_long. The import\'s own checks name the rule in reason',
      properties: {
        line: { type: 'integer' },
        status: { const: 'refused' },
        code: { type: 'string', pattern: '^[a-z_]+$' },
        message: { type: 'string', description: IN_LANGUAGE },
        reason: {
          description: 'accepted_at_out_of_range, stage_facts_invalid, extension_invalid and the printed card\'s refusals: which rule',
          enum: [
            'accepted_in_future',
            'accepted_too_long_ago',
            'printed_unexpected',
            'printed_missing',
            'tracking_number_missing',
            'tracking_number_unexpected',
            'ready_for_pickup_at_missing',
            'ready_for_pickup_at_unexpected',
            'ready_for_pickup_at_out_of_range',
            'temporary_card_issued_out_of_range',
            'valid_from_out_of_range',
            'valid_until_mismatch',
            'extension_already_granted',
            'extension_too_long',
            'extension_invalid_days',
            'extension_reason_required',
          ],
        },
        stage: { type: 'string', description: 'the line\'s stage, for stage_facts_invalid' },
      },
    },
    summaryLine(['lines', 'imported', 'alreadyImported', 'refused']),
  ],
};
