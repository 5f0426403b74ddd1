import fc from 'fast-check';
import { daysInMonth, regions } from '../../domain';

const pad = (n: number, width = 2) => String(n).padStart(width, '0');

/** A real calendar date `YYYY-MM-DD` between the given years. */
export const calendarDate = (minYear = 1900, maxYear = 2099) =>
  fc
    .tuple(fc.integer({ min: minYear, max: maxYear }), fc.integer({ min: 1, max: 12 }), fc.integer({ min: 1, max: 31 }))
    .map(([year, month, day]) => `${pad(year, 4)}-${pad(month)}-${pad(Math.min(day, daysInMonth(year, month)))}`);

/** 6-digit codes from the region list, provinces included. */
export const knownRegionCode = fc.constantFrom(...regions.map((region) => region.code));

/** Any 6 digits that start with a known province: the number only checks the province part. */
export const regionCodeInKnownProvince = fc
  .tuple(fc.constantFrom(...regions.filter((r) => r.level === 'province').map((r) => r.code.slice(0, 2))), fc.integer({ min: 0, max: 9999 }))
  .map(([province, rest]) => province + pad(rest, 4));

export const sequence = fc.integer({ min: 0, max: 999 });

/** An instant between 2000 and 2100, whole milliseconds. */
export const instant = fc.integer({ min: Date.UTC(2000, 0, 1), max: Date.UTC(2100, 0, 1) }).map((ms) => new Date(ms));
