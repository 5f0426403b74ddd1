/**
 * Physical cards and what a card-using unit may learn of one: valid, or invalid with a reason.
 * Calendar dates are `YYYY-MM-DD` strings, compared as text.
 */
export type CardStatus = 'ACTIVE' | 'REPORTED_LOST' | 'SUPERSEDED' | 'EXPIRED' | 'DESTROYED';
export const CARD_STATUSES: readonly CardStatus[] = ['ACTIVE', 'REPORTED_LOST', 'SUPERSEDED', 'EXPIRED', 'DESTROYED'];

export type InvalidReason = 'REPORTED_LOST' | 'SUPERSEDED' | 'EXPIRED' | 'NOT_ISSUED' | 'NAME_MISMATCH';
export type Verification = { result: 'VALID' } | { result: 'INVALID'; reason: InvalidReason };

export interface CardFacts {
  status: CardStatus;
  validFrom: string;
  /** null: long-term (长期). */
  validUntil: string | null;
  holderName: string;
}

const addYears = (date: string, years: number) => `${String(Number(date.slice(0, 4)) + years).padStart(4, '0')}${date.slice(4)}`;

/** Whole years of age on `on`. */
export function ageOn(birthDate: string, on: string): number {
  const years = Number(on.slice(0, 4)) - Number(birthDate.slice(0, 4));
  return on.slice(5) >= birthDate.slice(5) ? years : years - 1;
}

/**
 * Validity period by age at issue (Resident Identity Card Law art. 5): under 16 five years,
 * 16–25 ten, 26–45 twenty, 46 and over long-term (`null`).
 */
export function validityPeriodYears(birthDate: string, issueDate: string): number | null {
  const age = ageOn(birthDate, issueDate);
  if (age < 16) return 5;
  if (age <= 25) return 10;
  if (age <= 45) return 20;
  return null;
}

/** The last day a card issued on `validFrom` is valid; null for long-term. 29 Feb rolls to 1 Mar. */
export function validUntilFor(birthDate: string, validFrom: string): string | null {
  const years = validityPeriodYears(birthDate, validFrom);
  if (years === null) return null;
  const until = addYears(validFrom, years);
  return until.endsWith('-02-29') && !isLeap(Number(until.slice(0, 4))) ? `${until.slice(0, 4)}-03-01` : until;
}

const isLeap = (year: number) => (year % 4 === 0 && year % 100 !== 0) || year % 400 === 0;

/**
 * What a unit learns when it presents a card (人证一致性核查). Reasons, in order: the card is unknown,
 * destroyed or not yet valid → NOT_ISSUED; its status (REPORTED_LOST, SUPERSEDED, EXPIRED); past its
 * validity → EXPIRED even if the stored status still says ACTIVE; then the name → NAME_MISMATCH.
 */
export function verifyCard(request: { card?: CardFacts; presentedName: string; on: string }): Verification {
  const { card, on } = request;
  if (!card || card.status === 'DESTROYED' || on < card.validFrom) return { result: 'INVALID', reason: 'NOT_ISSUED' };
  if (card.status !== 'ACTIVE') return { result: 'INVALID', reason: card.status };
  if (card.validUntil !== null && on > card.validUntil) return { result: 'INVALID', reason: 'EXPIRED' };
  if (normaliseName(request.presentedName) !== normaliseName(card.holderName)) return { result: 'INVALID', reason: 'NAME_MISMATCH' };
  return { result: 'VALID' };
}

const normaliseName = (name: string) => name.normalize('NFC').replace(/\s+/g, '').trim();

/**
 * What a station does with a handed-in card (丢失招领): hold it for the owner if it is still the
 * owner's current card (active or reported lost) and unexpired; destroy it if replaced or expired.
 */
export function foundCardDisposition(card: { status: CardStatus; validUntil: string | null }, on: string): 'HOLD_FOR_OWNER' | 'DESTROY' {
  const current = card.status === 'ACTIVE' || card.status === 'REPORTED_LOST';
  const unexpired = card.validUntil === null || on <= card.validUntil;
  return current && unexpired ? 'HOLD_FOR_OWNER' : 'DESTROY';
}
