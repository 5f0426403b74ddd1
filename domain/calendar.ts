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
