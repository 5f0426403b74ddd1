import { addYears, ageOn, assertCalendarDate, type CalendarDate } from './calendar';
import { namesMatch } from './names';

/**
 * Physical cards (居民身份证) and what a card-using unit may learn of one: valid, or invalid with a
 * reason. A card is named by the citizen number and its `validFrom`; dates are `YYYY-MM-DD` and
 * `validUntil` is the last day the card is valid (inclusive), `null` for long-term (长期).
 */
export type CardStatus = 'ACTIVE' | 'REPORTED_LOST' | 'SUPERSEDED' | 'EXPIRED' | 'DESTROYED';
export const CARD_STATUSES: readonly CardStatus[] = ['ACTIVE', 'REPORTED_LOST', 'SUPERSEDED', 'EXPIRED', 'DESTROYED'];
export const isCardStatus = (value: unknown): value is CardStatus => CARD_STATUSES.includes(value as CardStatus);

export type InvalidReason = 'REPORTED_LOST' | 'SUPERSEDED' | 'EXPIRED' | 'NOT_ISSUED' | 'NAME_MISMATCH';
export const INVALID_REASONS: readonly InvalidReason[] = ['REPORTED_LOST', 'SUPERSEDED', 'EXPIRED', 'NOT_ISSUED', 'NAME_MISMATCH'];
export type Verification = { result: 'VALID' } | { result: 'INVALID'; reason: InvalidReason };

export interface CardFacts {
  status: CardStatus;
  validFrom: CalendarDate;
  /** Last valid day; null: long-term (长期). */
  validUntil: CalendarDate | null;
  holderName: string;
}

/**
 * Validity period in years by age at issue (Resident Identity Card Law art. 5): under 16 five
 * years, 16–25 ten, 26–45 twenty, 46 and over long-term (`null`). Age in whole years (周岁) on
 * the issue date, counted up on the birthday itself.
 * @throws RangeError for a date that is not a real `YYYY-MM-DD`, or an issue date before birth.
 */
export function validityPeriodYears(birthDate: CalendarDate, issueDate: CalendarDate): 5 | 10 | 20 | null {
  assertCalendarDate(birthDate, 'birthDate');
  assertCalendarDate(issueDate, 'issueDate');
  if (issueDate < birthDate) throw new RangeError('issueDate is before birthDate');
  const age = ageOn(birthDate, issueDate);
  if (age < 16) return 5;
  if (age <= 25) return 10;
  if (age <= 45) return 20;
  return null;
}

/**
 * The `validUntil` of a card valid from `validFrom`: the same day N years later (as printed on the
 * card, `2016.03.01-2026.03.01`), 29 February rolling to 1 March; `null` for long-term.
 * @throws RangeError as `validityPeriodYears`.
 */
export function validUntilFor(birthDate: CalendarDate, validFrom: CalendarDate): CalendarDate | null {
  const years = validityPeriodYears(birthDate, validFrom);
  return years === null ? null : addYears(validFrom, years);
}

/** Why printed dates are refused: the issue date outside acceptance…today, or an end the law does not give. */
export type PrintedValidityRefusal = 'valid_from_out_of_range' | 'valid_until_mismatch';

export type PrintedValidity =
  | { ok: true; validFrom: CalendarDate; validUntil: CalendarDate | null }
  | { ok: false; code: PrintedValidityRefusal; message: string; earliest: CalendarDate; latest: CalendarDate; expectedValidUntil?: CalendarDate | null };

/**
 * The dates printed on a new card (Resident Identity Card Law art. 5). `validFrom`, the issue date,
 * lies between the day the application was accepted and `today` (both China's dates): a card is not
 * dated before its application, nor after the day it is made. `validUntil` follows the holder's age on
 * `validFrom` (`validUntilFor`: 5, 10, 20 years or long-term, `null`). Either may be omitted: the
 * issue date is then today, and the end is derived; given, each must agree.
 */
export function printedCardValidity(request: {
  birthDate: CalendarDate;
  acceptedOn: CalendarDate;
  today: CalendarDate;
  validFrom?: CalendarDate;
  validUntil?: CalendarDate | null;
}): PrintedValidity {
  const { birthDate, acceptedOn: earliest, today: latest } = request;
  const validFrom = request.validFrom ?? latest;
  if (validFrom < earliest || validFrom > latest) {
    return { ok: false, code: 'valid_from_out_of_range', message: `validFrom must lie between the acceptance day ${earliest} and today ${latest} (China's dates)`, earliest, latest };
  }
  const validUntil = validUntilFor(birthDate, validFrom);
  if (request.validUntil !== undefined && request.validUntil !== validUntil) {
    const period = validUntil === null ? 'long-term (validUntil null)' : `until ${validUntil}`;
    return { ok: false, code: 'valid_until_mismatch', message: `a card valid from ${validFrom} for someone born ${birthDate} is valid ${period}`, earliest, latest, expectedValidUntil: validUntil };
  }
  return { ok: true, validFrom, validUntil };
}

/**
 * What a unit learns when it checks a card (人证一致性核查) on day `on`. The first that applies:
 * 1. no such card → NOT_ISSUED;
 * 2. the presented name is not the holder's → NAME_MISMATCH. Checked before anything about the
 *    card's state, so that someone who does not know whose card it is learns nothing more about it
 *    (units may learn only what they need; API.md: "nothing else about the person");
 * 3. the card was destroyed → what it was when destroyed, never NOT_ISSUED (it was issued): a found
 *    card is destroyed only when replaced by a newer one or expired (`foundCardDisposition`), so
 *    EXPIRED once `on` is past `validUntil`, otherwise SUPERSEDED;
 * 4. `on` is before `validFrom` → NOT_ISSUED;
 * 5. its status is REPORTED_LOST, SUPERSEDED or EXPIRED → that status;
 * 6. `on` is after `validUntil` → EXPIRED, even if the stored status still says ACTIVE (statuses
 *    are updated by batch; the dates are the truth);
 * otherwise VALID.
 */
export function verifyCard(request: { card?: CardFacts | null; presentedName: string; on: CalendarDate }): Verification {
  const { card, on } = request;
  const invalid = (reason: InvalidReason): Verification => ({ result: 'INVALID', reason });
  if (!card) return invalid('NOT_ISSUED');
  if (!namesMatch(request.presentedName, card.holderName)) return invalid('NAME_MISMATCH');
  if (card.status === 'DESTROYED') return invalid(card.validUntil !== null && on > card.validUntil ? 'EXPIRED' : 'SUPERSEDED');
  if (on < card.validFrom) return invalid('NOT_ISSUED');
  if (card.status !== 'ACTIVE') return invalid(card.status);
  if (card.validUntil !== null && on > card.validUntil) return invalid('EXPIRED');
  return { result: 'VALID' };
}

export type FoundCardDisposition = 'HOLD_FOR_OWNER' | 'DESTROY';
export const FOUND_CARD_DISPOSITIONS: readonly FoundCardDisposition[] = ['HOLD_FOR_OWNER', 'DESTROY'];

/**
 * What a station does with a handed-in card (丢失招领). Hold it for the owner only if it is the
 * owner's current card (its `validFrom` is that of the newest card on record), its status is ACTIVE
 * or REPORTED_LOST, and it has not expired on `on`; otherwise — replaced by a newer card, expired,
 * destroyed, or the owner has no card on record (`currentCardValidFrom` null) — destroy it, and
 * register the destruction. Comparing `validFrom` catches a replaced card whose status was not yet
 * updated to SUPERSEDED.
 */
export function foundCardDisposition(
  card: { validFrom: CalendarDate; status: CardStatus; validUntil: CalendarDate | null },
  currentCardValidFrom: CalendarDate | null | undefined,
  on: CalendarDate,
): FoundCardDisposition {
  const current = currentCardValidFrom != null && card.validFrom === currentCardValidFrom;
  const holdable = card.status === 'ACTIVE' || card.status === 'REPORTED_LOST';
  const unexpired = card.validUntil === null || on <= card.validUntil;
  return current && holdable && unexpired ? 'HOLD_FOR_OWNER' : 'DESTROY';
}
