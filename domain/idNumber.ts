import { assertCalendarDate, isCalendarDate, type CalendarDate } from './calendar';
import { isKnownProvince } from './regions';

/**
 * The citizen identity number (公民身份号码, GB 11643-1999): 6-digit region code where the number
 * was first issued, 8-digit birth date, 3-digit sequence (odd for men, even for women), and a check
 * character. It stays the same across a person's cards; the region in it is where it was first
 * issued, not the home region (户籍 can move).
 */
export interface IdNumber {
  /** Normalised: 18 characters, upper-case `X`. */
  idNumber: string;
  regionCode: string;
  birthDate: CalendarDate;
  sequence: number;
  sex: 'male' | 'female';
  checkCharacter: string;
}

/** Why a number was refused, checked in this order. */
export type IdNumberProblem =
  | 'must be 18 characters'
  | 'must be 17 digits followed by a digit or X'
  | 'unknown province code'
  | 'impossible birth date'
  | 'birth date before 1900'
  | 'birth date in the future'
  | 'wrong check character';

export type IdNumberParse = { ok: true; value: IdNumber } | { ok: false; code: 'invalid_id_number'; reason: IdNumberProblem };

/** Nobody born before this holds a card today; earlier dates are typing mistakes. */
export const EARLIEST_BIRTH_DATE = '1900-01-01';

/** Weights 2^(17-i) mod 11 of ISO 7064 MOD 11-2, for positions 1–17. */
const WEIGHTS = [7, 9, 10, 5, 8, 4, 2, 1, 6, 3, 7, 9, 10, 5, 8, 4, 2];
/** Indexed by the weighted sum mod 11: the value that makes the whole number ≡ 1 (mod 11). */
const CHECK_CHARACTERS = '10X98765432';

/**
 * ISO 7064 MOD 11-2 check character of the first 17 digits; `X` stands for 10.
 * @throws RangeError unless given exactly 17 ASCII digits.
 */
export function checkCharacter(first17: string): string {
  if (typeof first17 !== 'string' || !/^\d{17}$/.test(first17)) throw new RangeError('checkCharacter needs exactly 17 digits');
  let sum = 0;
  for (let i = 0; i < 17; i++) sum += (first17.charCodeAt(i) - 48) * WEIGHTS[i];
  return CHECK_CHARACTERS[sum % 11];
}

/**
 * Parses and checks a citizen number. A lower-case `x` is accepted and returned upper-case;
 * nothing else is tidied (no trimming: callers that accept sloppy input clean it first, so what is
 * validated is what gets stored). With `today` (`YYYY-MM-DD`) a birth date after it is refused too.
 * Never throws for bad input.
 * @throws RangeError when `today` is given but is not a real date (a programming error).
 */
export function parseIdNumber(input: string, today?: CalendarDate): IdNumberParse {
  if (today !== undefined) assertCalendarDate(today, 'today');
  const fail = (reason: IdNumberProblem): IdNumberParse => ({ ok: false, code: 'invalid_id_number', reason });
  if (typeof input !== 'string' || input.length !== 18) return fail('must be 18 characters');
  const idNumber = input.toUpperCase();
  if (!/^\d{17}[\dX]$/.test(idNumber)) return fail('must be 17 digits followed by a digit or X');
  if (!isKnownProvince(idNumber.slice(0, 2))) return fail('unknown province code');
  const birthDate = `${idNumber.slice(6, 10)}-${idNumber.slice(10, 12)}-${idNumber.slice(12, 14)}`;
  if (!isCalendarDate(birthDate)) return fail('impossible birth date');
  if (birthDate < EARLIEST_BIRTH_DATE) return fail('birth date before 1900');
  if (today !== undefined && birthDate > today) return fail('birth date in the future');
  const expected = checkCharacter(idNumber.slice(0, 17));
  if (idNumber[17] !== expected) return fail('wrong check character');
  const sequence = Number(idNumber.slice(14, 17));
  return {
    ok: true,
    value: { idNumber, regionCode: idNumber.slice(0, 6), birthDate, sequence, sex: sequence % 2 === 1 ? 'male' : 'female', checkCharacter: expected },
  };
}

/** `parseIdNumber(input, today).ok`. */
export const isValidIdNumber = (input: string, today?: CalendarDate): boolean => parseIdNumber(input, today).ok;

/**
 * Builds a valid number from its parts, appending the check character (seed data, tests). Whatever
 * it returns, `parseIdNumber` accepts and splits back into the same parts.
 * @throws RangeError for a region code that is not 6 digits of a known province, a birth date that
 * is not a real date from 1900 on, or a sequence outside 0–999.
 */
export function makeIdNumber(parts: { regionCode: string; birthDate: CalendarDate; sequence: number }): string {
  if (!/^\d{6}$/.test(parts.regionCode) || !isKnownProvince(parts.regionCode.slice(0, 2))) {
    throw new RangeError(`regionCode must be 6 digits of a known province, got ${JSON.stringify(parts.regionCode)}`);
  }
  assertCalendarDate(parts.birthDate, 'birthDate');
  if (parts.birthDate < EARLIEST_BIRTH_DATE) throw new RangeError(`birthDate must be ${EARLIEST_BIRTH_DATE} or later`);
  if (!Number.isInteger(parts.sequence) || parts.sequence < 0 || parts.sequence > 999) throw new RangeError('sequence must be a whole number 0–999');
  const first17 = parts.regionCode + parts.birthDate.replace(/-/g, '') + String(parts.sequence).padStart(3, '0');
  return first17 + checkCharacter(first17);
}

const textOf = (input: unknown): string => {
  if (typeof input === 'string') return input;
  if (input === null || input === undefined) return '';
  try {
    return String(input);
  } catch {
    return '';
  }
};

/**
 * For logs and error details: `1101**********002X` — the first 4 and last 4 characters of an
 * 18-character number, the rest masked one `*` per character. Works on anything, valid or not,
 * and never throws. Shorter text keeps at most a quarter of its length at each end, so a short or
 * truncated value is never shown almost whole; at most 8 characters are ever kept.
 */
export function maskIdNumber(input: unknown): string {
  const chars = Array.from(textOf(input));
  const keep = Math.min(4, Math.floor(chars.length / 4));
  if (keep === 0) return '*'.repeat(chars.length);
  return chars.slice(0, keep).join('') + '*'.repeat(chars.length - 2 * keep) + chars.slice(-keep).join('');
}

/**
 * For logs: the first character of a name, the rest masked (`张三丰` → `张**`). A one-character
 * name is masked whole, since keeping its first character would show all of it. Never throws.
 */
export function maskName(input: unknown): string {
  const chars = Array.from(textOf(input));
  if (chars.length <= 1) return '*'.repeat(chars.length);
  return chars[0] + '*'.repeat(chars.length - 1);
}
