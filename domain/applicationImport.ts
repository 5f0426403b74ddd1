/**
 * Go-live import of applications in flight in a station's old system (上线迁移): what an imported
 * line's stage implies, and when it may be taken. Pure: the caller passes "now" and the person's
 * birth date; acceptance's own rules (registry, name, blacklist, station) are `checkAcceptance`'s.
 */
import type { ApplicationStage } from './applicationStages';
import { chinaDateOf } from './calendar';
import { printedCardValidity, type PrintedValidityRefusal } from './cards';
import { checkExtension, DAY_MS, deadlineAt, isOverdue, MAX_EXTENSION_DAYS, temporaryCardDueAt, type ExtensionRefusalCode } from './deadlines';

/** The stages an application can be in when it moves over: every open stage. */
export const IMPORTABLE_STAGES = ['ACCEPTED', 'HOME_REVIEW', 'PRINTING', 'SHIPPING', 'READY_FOR_PICKUP'] as const satisfies readonly ApplicationStage[];
export type ImportableStage = (typeof IMPORTABLE_STAGES)[number];

/**
 * How far back an acceptance may lie: the legal deadline and its longest extension. An older case
 * still open is overdue whatever its stage, and is imported all the same (managers must see it); a
 * case ready on time that long ago is refused (`accepted_at_out_of_range`): it is the old system's
 * to close, not a case in flight.
 */
export const IMPORT_LOOKBACK_DAYS = 60 + MAX_EXTENSION_DAYS;

export interface ImportedFacts {
  stage: ImportableStage;
  acceptedAt: Date;
  /** The holder's birth date (`YYYY-MM-DD`), for the printed card's validity. */
  birthDate: string;
  printed?: { validFrom: string; validUntil: string | null };
  trackingNumber?: string;
  readyForPickupAt?: Date;
  extension?: { days: number; reason: string };
  temporaryCard?: { issuedAt?: Date };
}

export type ImportRefusalCode =
  | 'accepted_at_out_of_range'
  | 'stage_facts_invalid'
  | 'valid_from_out_of_range'
  | 'valid_until_mismatch'
  | 'extension_invalid';

/**
 * Which rule refused a line, more precisely than its `code` (stable too): for a message in the
 * reader's language, and for a program that fixes lines.
 */
export type ImportRefusalReason =
  | 'accepted_in_future'
  | 'accepted_too_long_ago'
  | 'printed_unexpected'
  | 'printed_missing'
  | 'tracking_number_missing'
  | 'tracking_number_unexpected'
  | 'ready_for_pickup_at_missing'
  | 'ready_for_pickup_at_unexpected'
  | 'ready_for_pickup_at_out_of_range'
  | 'temporary_card_issued_out_of_range'
  | PrintedValidityRefusal
  | ExtensionRefusalCode;

/** A refused line: its code, the precise rule, an English message, and the facts a message in another language needs. */
export interface ImportRefusal {
  ok: false;
  code: ImportRefusalCode;
  reason: ImportRefusalReason;
  message: string;
  /** The line's stage, for the stage-facts refusals. */
  stage?: ImportableStage;
  /** The longest look-back, for `accepted_too_long_ago`. */
  lookbackDays?: number;
  /** The printed card's bounds (`valid_from_out_of_range`, `valid_until_mismatch`), as `printedCardValidity` gives them. */
  earliest?: string;
  latest?: string;
  expectedValidUntil?: string | null;
}

export type ImportCheck = { ok: true; deadlineAt: Date; overdue: boolean; temporaryCard?: { dueAt: Date; issuedAt?: Date; overdue: boolean } } | ImportRefusal;

const needs: Record<ImportableStage, { printed: 'no' | 'may' | 'must'; trackingNumber: boolean; readyForPickupAt: boolean }> = {
  ACCEPTED: { printed: 'no', trackingNumber: false, readyForPickupAt: false },
  HOME_REVIEW: { printed: 'no', trackingNumber: false, readyForPickupAt: false },
  // Printed but not yet dispatched, or still to print.
  PRINTING: { printed: 'may', trackingNumber: false, readyForPickupAt: false },
  SHIPPING: { printed: 'must', trackingNumber: true, readyForPickupAt: false },
  READY_FOR_PICKUP: { printed: 'must', trackingNumber: true, readyForPickupAt: true },
};

/**
 * Checks one imported application against its stage and the clock, in this order: the acceptance
 * time (not in the future; within `IMPORT_LOOKBACK_DAYS` unless already overdue), the facts the
 * stage implies and no others (a printed card from PRINTING on — the law's validity between the
 * acceptance day and today, China's dates —, a tracking number from SHIPPING, `readyForPickupAt`
 * at READY_FOR_PICKUP, between acceptance and now), the extension (as a reviewer would grant it),
 * the temporary card (issued between acceptance and now). Returns the deadline counted from the
 * original acceptance, whether the case is overdue already, and the temporary card's due time.
 */
export function checkImportedApplication(facts: ImportedFacts, options: { now: Date; deadlineDays: number }): ImportCheck {
  const refuse = (code: ImportRefusalCode, reason: ImportRefusalReason, message: string, more: Partial<ImportRefusal> = {}): ImportRefusal => ({ ok: false, code, reason, message, ...more });
  const { now } = options;
  const { stage } = facts;
  const stageFacts = (reason: ImportRefusalReason, message: string) => refuse('stage_facts_invalid', reason, message, { stage });
  const accepted = facts.acceptedAt.getTime();
  if (accepted > now.getTime()) return refuse('accepted_at_out_of_range', 'accepted_in_future', 'acceptedAt must not be in the future');

  const need = needs[stage];
  if (need.printed === 'no' && facts.printed) return stageFacts('printed_unexpected', `an application at ${stage} has no printed card`);
  if (need.printed === 'must' && !facts.printed) return stageFacts('printed_missing', `an application at ${stage} needs its printed card (printed.validFrom, printed.validUntil)`);
  if (need.trackingNumber !== (facts.trackingNumber !== undefined)) {
    return need.trackingNumber
      ? stageFacts('tracking_number_missing', `an application at ${stage} needs the parcel's trackingNumber`)
      : stageFacts('tracking_number_unexpected', `an application at ${stage} has not been dispatched: no trackingNumber`);
  }
  if (need.readyForPickupAt !== (facts.readyForPickupAt !== undefined)) {
    return need.readyForPickupAt
      ? stageFacts('ready_for_pickup_at_missing', 'an application at READY_FOR_PICKUP needs readyForPickupAt')
      : stageFacts('ready_for_pickup_at_unexpected', `an application at ${stage} is not ready for pickup: no readyForPickupAt`);
  }
  const ready = facts.readyForPickupAt?.getTime();
  if (ready !== undefined && (ready < accepted || ready > now.getTime())) return stageFacts('ready_for_pickup_at_out_of_range', 'readyForPickupAt must lie between acceptedAt and now');
  if (facts.printed) {
    const validity = printedCardValidity({ birthDate: facts.birthDate, acceptedOn: chinaDateOf(accepted), today: chinaDateOf(now.getTime()), ...facts.printed });
    if (!validity.ok) {
      const { earliest, latest, expectedValidUntil } = validity;
      return refuse(validity.code, validity.code, `printed: ${validity.message}`, { earliest, latest, ...(expectedValidUntil !== undefined ? { expectedValidUntil } : {}) });
    }
  }
  if (facts.extension) {
    const extension = checkExtension({ alreadyExtended: false, ...facts.extension });
    if (!extension.ok) return refuse('extension_invalid', extension.code, `extension: ${extension.code}`);
  }
  const issued = facts.temporaryCard?.issuedAt?.getTime();
  if (issued !== undefined && (issued < accepted || issued > now.getTime())) return stageFacts('temporary_card_issued_out_of_range', 'temporaryCard.issuedAt must lie between acceptedAt and now');

  const deadline = deadlineAt(facts.acceptedAt, { deadlineDays: options.deadlineDays, extensionDays: facts.extension?.days ?? 0 });
  const overdue = isOverdue({ deadline, readyForPickupAt: facts.readyForPickupAt ?? null, now });
  if (!overdue && now.getTime() - accepted > IMPORT_LOOKBACK_DAYS * DAY_MS) {
    return refuse('accepted_at_out_of_range', 'accepted_too_long_ago', `acceptedAt may lie at most ${IMPORT_LOOKBACK_DAYS} days back, unless the case is already overdue`, { lookbackDays: IMPORT_LOOKBACK_DAYS });
  }
  const temporaryCard = facts.temporaryCard
    ? (() => {
        const dueAt = temporaryCardDueAt(facts.acceptedAt);
        return { dueAt, ...(facts.temporaryCard.issuedAt ? { issuedAt: facts.temporaryCard.issuedAt } : {}), overdue: issued !== undefined && issued > dueAt.getTime() };
      })()
    : undefined;
  return { ok: true, deadlineAt: deadline, overdue, ...(temporaryCard ? { temporaryCard } : {}) };
}
