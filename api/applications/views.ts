import { z } from 'zod';
import { APPLICATION_KINDS, APPLICATION_STAGES, DAY_MS, daysRemaining, isTerminal, type ApplicationStage } from '../../domain';
import { calendarDate, instant, place, receiptNumber } from '../answers';
import type { Db } from '../../db/knex';
import type { ApplicationRow } from '../../db/queries/applications';
import { findCaseEvents, findCaseFacts, findStageHistoryWithActors, findStationNames, type CaseEvent, type CaseFacts, type StageEntry } from '../../db/queries/caseFile';
import type { User } from '../../db/users';
import { idNumberFor, maskPhone, seesFullIdNumber } from './disclosure';
import { pageSchema } from '../paging';

/** What a case file shows beyond the application's row: read with {@link caseFilesFor} or {@link fullCaseFileFor}. */
export interface CaseFile {
  viewer: User;
  facts?: CaseFacts;
  /** Only on the full case file (one application). */
  history?: StageEntry[];
  events?: CaseEvent[];
  stationNames?: Map<string, { code: string; name: string }>;
}

/** Whole days since `from`, a started day not counting: accepted 36 hours ago is 1 day old. */
export const daysSince = (from: Date, now: Date): number => Math.max(0, Math.floor((now.getTime() - from.getTime()) / DAY_MS));

const stage = z.enum(APPLICATION_STAGES);
const days = z.int();

/**
 * The shape of {@link applicationView}'s answer, for the OpenAPI document. Members marked optional
 * come with the case facts (every view the API gives has them) or only on the full case file.
 */
export const applicationViewSchema = z.object({
  applicationId: z.uuid(),
  receiptNumber: receiptNumber.optional(),
  kind: z.enum(APPLICATION_KINDS),
  stage,
  acceptingStationCode: z.string(),
  homeRegionCode: z.string(),
  acceptedAt: instant,
  ageDays: days.min(0),
  deadlineAt: instant,
  extensionDays: days.nullable(),
  daysRemaining: days.nullable().meta({ description: 'whole days to the deadline, negative once overdue; null once ready for pickup or closed' }),
  overdue: z.boolean(),
  readyForPickupAt: instant.nullable(),
  daysWaitingForPickup: days.nullable(),
  closedAt: instant.nullable(),
  person: z
    .object({
      name: z.string(),
      idNumber: z.string().meta({ description: 'in full to the accepting station and the home region\'s reviewers, masked (110101********0011) to others' }),
      idNumberMasked: z.boolean(),
      contactPhone: z.string().nullable().meta({ description: 'masked, 138****5678' }),
    })
    .optional(),
  reason: z.string().optional(),
  fingerprintCaptured: z.boolean().optional(),
  appearanceChanged: z.boolean().optional(),
  acceptingStation: z.object({ code: z.string(), name: z.string(), address: z.string().nullable(), regionCode: z.string(), regionName: z.string() }).optional(),
  homeRegion: place.optional(),
  productionCentre: place.nullable().optional(),
  extension: z.object({ days, reason: z.string().nullable() }).nullable().optional(),
  temporaryCard: z.object({ state: z.enum(['DUE', 'OVERDUE', 'ISSUED']), dueAt: instant.nullable(), issuedAt: instant.nullable(), overdue: z.boolean() }).nullable(),
  printFailures: days.min(0),
  newCard: z.object({ validFrom: calendarDate, validUntil: calendarDate.nullable().meta({ description: 'null: long-term' }) }).nullable(),
  printFailureReasons: z.array(z.object({ at: instant, attempt: z.int().nullable(), reason: z.string().nullable() })).optional(),
  misrouted: z.boolean(),
  misroutes: z.array(z.object({ at: instant, arrivedAt: z.object({ code: z.string(), name: z.string().nullable() }) })).optional(),
  trackingNumber: z.string().nullable(),
  refusalReason: z.string().nullable(),
  withdrawalReason: z.string().nullable(),
  history: z.array(z.object({ stage, at: instant, note: z.string().optional(), actedBy: z.object({ name: z.string(), role: z.string() }).nullable() })).optional(),
});
/** A page of case files (`ApplicationPage` in the API document). */
export const applicationPageSchema = pageSchema(applicationViewSchema);
export type ApplicationView = z.output<typeof applicationViewSchema>;

/**
 * An application as the API shows it to one viewer: stage, deadline, days remaining, overdue; the
 * person (citizen number in full or masked, by {@link seesFullIdNumber}), the facts of the request, the
 * places by name; on the full case file also the stage history with who acted, print failures with
 * their reasons and misrouted arrivals.
 */
export function applicationView(row: ApplicationRow, caseFile: CaseFile, now = new Date()): ApplicationView {
  const open = !isTerminal(row.stage);
  const { viewer, facts, history, events, stationNames } = caseFile;
  const printFailureEvents = events?.filter((event) => event.action === 'card.print_failed');
  const misrouteEvents = events?.filter((event) => event.action === 'card.misrouted');
  return {
    applicationId: row.id,
    ...(facts ? { receiptNumber: facts.receiptNumber } : {}),
    kind: row.kind,
    stage: row.stage,
    acceptingStationCode: row.acceptingStationCode,
    homeRegionCode: row.homeRegionCode,
    acceptedAt: row.acceptedAt.toISOString(),
    ageDays: daysSince(row.acceptedAt, now),
    deadlineAt: row.deadlineAt.toISOString(),
    extensionDays: row.extensionDays,
    daysRemaining: open && !row.readyForPickupAt ? daysRemaining(row.deadlineAt, now) : null,
    overdue: row.overdue,
    readyForPickupAt: row.readyForPickupAt?.toISOString() ?? null,
    daysWaitingForPickup: row.stage === 'READY_FOR_PICKUP' && row.readyForPickupAt ? daysSince(row.readyForPickupAt, now) : null,
    closedAt: row.closedAt?.toISOString() ?? null,
    ...(facts
      ? {
          person: {
            name: facts.citizenName,
            idNumber: idNumberFor(viewer, row),
            idNumberMasked: !seesFullIdNumber(viewer, row),
            contactPhone: facts.contactPhone === null ? null : maskPhone(facts.contactPhone),
          },
          reason: facts.reason,
          fingerprintCaptured: facts.fingerprintCaptured,
          appearanceChanged: facts.appearanceChanged,
          acceptingStation: facts.acceptingStation,
          homeRegion: facts.homeRegion,
          productionCentre: facts.productionCentre,
          extension: row.extensionDays === null ? null : { days: row.extensionDays, reason: facts.extensionReason },
        }
      : {}),
    temporaryCard: row.temporaryCardRequested
      ? {
          state: row.temporaryCardIssuedAt ? 'ISSUED' : row.temporaryCardOverdue ? 'OVERDUE' : 'DUE',
          dueAt: row.temporaryCardDueAt?.toISOString() ?? null,
          issuedAt: row.temporaryCardIssuedAt?.toISOString() ?? null,
          overdue: row.temporaryCardOverdue,
        }
      : null,
    printFailures: row.printFailures,
    newCard: row.newCardValidFrom ? { validFrom: row.newCardValidFrom, validUntil: row.newCardValidUntil ?? null } : null,
    ...(printFailureEvents
      ? { printFailureReasons: printFailureEvents.map((event) => ({ at: event.at.toISOString(), attempt: (event.details.attempt as number | undefined) ?? null, reason: (event.details.note as string | undefined) ?? null })) }
      : {}),
    misrouted: row.misrouted,
    ...(misrouteEvents
      ? {
          misroutes: misrouteEvents.map((event) => {
            const code = String(event.details.arrivedAt);
            return { at: event.at.toISOString(), arrivedAt: { code, name: stationNames?.get(code)?.name ?? null } };
          }),
        }
      : {}),
    trackingNumber: row.trackingNumber,
    refusalReason: row.refusalReason,
    withdrawalReason: row.withdrawalReason,
    ...(history
      ? {
          history: history.map((entry) => ({
            stage: entry.stage as ApplicationStage,
            at: entry.at.toISOString(),
            ...(entry.note ? { note: entry.note } : {}),
            actedBy: actedBy(entry),
          })),
        }
      : {}),
  };
}

function actedBy(entry: StageEntry): { name: string; role: string } | null {
  if (entry.actor === 'system') return { name: 'system', role: 'system' };
  if (entry.actorName === null || entry.actorRole === null) return null;
  return { name: entry.actorName, role: entry.actorRole };
}

/** The case files of a page of applications, for one viewer. */
export async function caseFilesFor(db: Db, viewer: User, rows: ApplicationRow[], now = new Date()) {
  const facts = await findCaseFacts(db, rows.map((row) => row.id));
  return rows.map((row) => applicationView(row, { viewer, facts: facts.get(row.id) }, now));
}

/** One application's full case file, for one viewer. */
export async function fullCaseFileFor(db: Db, viewer: User, row: ApplicationRow, now = new Date()) {
  const [facts, history, events] = await Promise.all([findCaseFacts(db, [row.id]), findStageHistoryWithActors(db, row.id), findCaseEvents(db, row.id)]);
  const misrouteStations = events.filter((event) => event.action === 'card.misrouted').map((event) => String(event.details.arrivedAt));
  const stationNames = await findStationNames(db, misrouteStations);
  return applicationView(row, { viewer, facts: facts.get(row.id), history, events, stationNames }, now);
}
