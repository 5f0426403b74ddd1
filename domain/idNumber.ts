import { isKnownProvince } from './regions';

/**
 * The citizen identity number (公民身份号码, GB 11643): 6-digit region code where it was first issued,
 * 8-digit birth date, 3-digit sequence (odd for men, even for women), and a check character.
 */
export interface IdNumber {
  idNumber: string;
  regionCode: string;
  birthDate: string;
  sequence: number;
  sex: 'male' | 'female';
  checkCharacter: string;
}

export type IdNumberParse = { ok: true; value: IdNumber } | { ok: false; code: 'invalid_id_number'; reason: string };

const WEIGHTS = [7, 9, 10, 5, 8, 4, 2, 1, 6, 3, 7, 9, 10, 5, 8, 4, 2];
const CHECK_CHARACTERS = '10X98765432';

/** ISO 7064 MOD 11-2 check character of the first 17 digits; `X` stands for 10. */
export function checkCharacter(first17: string): string {
  if (!/^\d{17}$/.test(first17)) throw new RangeError('checkCharacter needs exactly 17 digits');
  let sum = 0;
  for (let i = 0; i < 17; i++) sum += Number(first17[i]) * WEIGHTS[i];
  return CHECK_CHARACTERS[sum % 11];
}

/** A real calendar date `YYYY-MM-DD`? */
export function isCalendarDate(date: string): boolean {
  if (!/^\d{4}-\d{2}-\d{2}$/.test(date)) return false;
  const parsed = new Date(`${date}T00:00:00Z`);
  return !Number.isNaN(parsed.getTime()) && parsed.toISOString().slice(0, 10) === date;
}

/**
 * Parses and checks a citizen number (lowercase `x` accepted). With `today` (`YYYY-MM-DD`),
 * a birth date after it is refused too.
 */
export function parseIdNumber(input: string, today?: string): IdNumberParse {
  const fail = (reason: string): IdNumberParse => ({ ok: false, code: 'invalid_id_number', reason });
  if (typeof input !== 'string') return fail('not a string');
  const idNumber = input.trim().toUpperCase();
  if (idNumber.length !== 18) return fail('must be 18 characters');
  if (!/^\d{17}[\dX]$/.test(idNumber)) return fail('must be 17 digits and a digit or X');
  if (!isKnownProvince(idNumber.slice(0, 2))) return fail('unknown province code');
  const birthDate = `${idNumber.slice(6, 10)}-${idNumber.slice(10, 12)}-${idNumber.slice(12, 14)}`;
  if (!isCalendarDate(birthDate) || birthDate < '1850-01-01') return fail('impossible birth date');
  if (today && birthDate > today) return fail('birth date in the future');
  const expected = checkCharacter(idNumber.slice(0, 17));
  if (idNumber[17] !== expected) return fail('wrong check character');
  const sequence = Number(idNumber.slice(14, 17));
  return {
    ok: true,
    value: { idNumber, regionCode: idNumber.slice(0, 6), birthDate, sequence, sex: sequence % 2 === 1 ? 'male' : 'female', checkCharacter: expected },
  };
}

export const isValidIdNumber = (input: string, today?: string) => parseIdNumber(input, today).ok;

/** Builds a valid number from its parts (seed data, tests). @throws RangeError for parts out of range. */
export function makeIdNumber(parts: { regionCode: string; birthDate: string; sequence: number }): string {
  if (!/^\d{6}$/.test(parts.regionCode)) throw new RangeError('regionCode must be 6 digits');
  if (!isCalendarDate(parts.birthDate)) throw new RangeError('birthDate must be a real YYYY-MM-DD date');
  if (!Number.isInteger(parts.sequence) || parts.sequence < 0 || parts.sequence > 999) throw new RangeError('sequence must be 0..999');
  const first17 = parts.regionCode + parts.birthDate.replaceAll('-', '') + String(parts.sequence).padStart(3, '0');
  return first17 + checkCharacter(first17);
}

/** For logs and error details: the first 4 and last 4 characters, the rest masked. Never throws. */
export function maskIdNumber(input: unknown): string {
  const text = typeof input === 'string' ? input : String(input ?? '');
  if (text.length <= 8) return '*'.repeat(text.length);
  return text.slice(0, 4) + '*'.repeat(text.length - 8) + text.slice(-4);
}

/** For logs: the first character of a name, the rest masked. Never throws. */
export function maskName(input: unknown): string {
  const chars = Array.from(typeof input === 'string' ? input : String(input ?? ''));
  return chars.length === 0 ? '' : chars[0] + '*'.repeat(Math.max(chars.length - 1, 1));
}
