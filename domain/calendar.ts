/**
 * Calendar dates (`YYYY-MM-DD` strings) without `Date`: birth dates and card validity are days on
 * the calendar, not instants, and a string compares correctly as text. Pure arithmetic, so it
 * behaves the same in the API, the seed and the Temporal workflow sandbox.
 */

/** A calendar date written `YYYY-MM-DD`. */
export type CalendarDate = string;

const DATE_SHAPE = /^(\d{4})-(\d{2})-(\d{2})$/;

export const isLeapYear = (year: number): boolean => (year % 4 === 0 && year % 100 !== 0) || year % 400 === 0;

export function daysInMonth(year: number, month: number): number {
  if (month === 2) return isLeapYear(year) ? 29 : 28;
  return [4, 6, 9, 11].includes(month) ? 30 : 31;
}

/** True for a real date on the Gregorian calendar written `YYYY-MM-DD` (years 0001–9999). */
export function isCalendarDate(value: unknown): value is CalendarDate {
  if (typeof value !== 'string') return false;
  const match = DATE_SHAPE.exec(value);
  if (!match) return false;
  const [year, month, day] = [Number(match[1]), Number(match[2]), Number(match[3])];
  return year >= 1 && month >= 1 && month <= 12 && day >= 1 && day <= daysInMonth(year, month);
}

/** @throws RangeError when `value` is not a real `YYYY-MM-DD` date; `what` names it in the message. */
export function assertCalendarDate(value: unknown, what: string): asserts value is CalendarDate {
  if (!isCalendarDate(value)) throw new RangeError(`${what} must be a real date YYYY-MM-DD, got ${JSON.stringify(value)}`);
}

/**
 * The same month and day `years` later. 29 February in a year without one becomes 1 March, the
 * day the period would otherwise have reached (the reading that never shortens a period).
 */
export function addYears(date: CalendarDate, years: number): CalendarDate {
  const year = Number(date.slice(0, 4)) + years;
  const monthDay = date.slice(5);
  const y = String(year).padStart(4, '0');
  return monthDay === '02-29' && !isLeapYear(year) ? `${y}-03-01` : `${y}-${monthDay}`;
}

/**
 * Whole years of age on `on` (周岁): the age goes up on the birthday itself; someone born on
 * 29 February becomes a year older on 1 March in years without one.
 */
export function ageOn(birthDate: CalendarDate, on: CalendarDate): number {
  const years = Number(on.slice(0, 4)) - Number(birthDate.slice(0, 4));
  return addYears(birthDate, years) <= on ? years : years - 1;
}

/** China's clocks (Asia/Shanghai) run 8 hours ahead of UTC all year: no daylight saving since 1991. */
export const CHINA_UTC_OFFSET_MS = 8 * 3_600_000;

/**
 * The date on China's calendar (Asia/Shanghai) at the instant `epochMs`: the business day of
 * acceptance, printing and validity everywhere, wherever the server's clock or zone is.
 * `2026-12-01T16:30Z` is already `2026-12-02` in China. Civil-from-days arithmetic, no `Date`.
 */
export function chinaDateOf(epochMs: number): CalendarDate {
  const days = Math.floor((epochMs + CHINA_UTC_OFFSET_MS) / 86_400_000) + 719_468;
  const era = Math.floor(days / 146_097);
  const dayOfEra = days - era * 146_097;
  const yearOfEra = Math.floor((dayOfEra - Math.floor(dayOfEra / 1460) + Math.floor(dayOfEra / 36_524) - Math.floor(dayOfEra / 146_096)) / 365);
  const dayOfYear = dayOfEra - (365 * yearOfEra + Math.floor(yearOfEra / 4) - Math.floor(yearOfEra / 100));
  const shiftedMonth = Math.floor((5 * dayOfYear + 2) / 153);
  const day = dayOfYear - Math.floor((153 * shiftedMonth + 2) / 5) + 1;
  const month = shiftedMonth < 10 ? shiftedMonth + 3 : shiftedMonth - 9;
  const year = yearOfEra + era * 400 + (month <= 2 ? 1 : 0);
  return `${String(year).padStart(4, '0')}-${String(month).padStart(2, '0')}-${String(day).padStart(2, '0')}`;
}
