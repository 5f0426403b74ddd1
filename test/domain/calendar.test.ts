import fc from 'fast-check';
import { addYears, ageOn, assertCalendarDate, daysInMonth, isCalendarDate, isLeapYear } from '../../domain';
import { calendarDate } from './arbitraries';

/** The same facts from the platform's calendar, to check the hand-written arithmetic against. */
const viaDate = (value: string) => {
  const parsed = new Date(`${value}T00:00:00Z`);
  return !Number.isNaN(parsed.getTime()) && parsed.toISOString().slice(0, 10) === value;
};

describe('isCalendarDate', () => {
  test.each([
    ['2024-02-29', true],
    ['2023-02-29', false],
    ['1900-02-29', false],
    ['2000-02-29', true],
    ['2024-04-31', false],
    ['2024-12-31', true],
    ['2024-13-01', false],
    ['2024-00-10', false],
    ['2024-01-00', false],
    ['0000-01-01', false],
    ['2024-1-01', false],
    ['20240101', false],
    ['2024-01-01T00:00:00Z', false],
    ['', false],
  ])('when given %j, then it is a real date: %s', (value, real) => {
    expect(isCalendarDate(value)).toBe(real);
  });

  test('when given any YYYY-MM-DD shaped text, then it agrees with the platform calendar', () => {
    const shaped = fc
      .tuple(fc.integer({ min: 1000, max: 9999 }), fc.integer({ min: 0, max: 13 }), fc.integer({ min: 0, max: 32 }))
      .map(([y, m, d]) => `${y}-${String(m).padStart(2, '0')}-${String(d).padStart(2, '0')}`);
    fc.assert(fc.property(shaped, (value) => expect(isCalendarDate(value)).toBe(viaDate(value))));
  });

  test('when given something other than a string, then it is not a date', () => {
    expect(isCalendarDate(undefined)).toBe(false);
    expect(isCalendarDate(new Date())).toBe(false);
  });

  test('when asserting a bad date, then RangeError names the value', () => {
    expect(() => assertCalendarDate('2023-02-29', 'validFrom')).toThrow(/validFrom.*2023-02-29/);
    expect(() => assertCalendarDate('2024-02-29', 'validFrom')).not.toThrow();
  });
});

describe('isLeapYear and daysInMonth', () => {
  test('when the year is divisible by 4 but not 100, or by 400, then it is a leap year with a 29-day February', () => {
    expect([1900, 2000, 2023, 2024, 2100].map(isLeapYear)).toEqual([false, true, false, true, false]);
    expect(daysInMonth(2024, 2)).toBe(29);
    expect(daysInMonth(2023, 2)).toBe(28);
    expect([1, 3, 4, 5, 6, 7, 8, 9, 10, 11, 12].map((m) => daysInMonth(2023, m))).toEqual([31, 31, 30, 31, 30, 31, 31, 30, 31, 30, 31]);
  });
});

describe('addYears', () => {
  test('when adding years to 29 February and the target year has none, then it lands on 1 March', () => {
    expect(addYears('2024-02-29', 1)).toBe('2025-03-01');
    expect(addYears('2024-02-29', 4)).toBe('2028-02-29');
    expect(addYears('2016-03-01', 10)).toBe('2026-03-01');
  });

  test('when adding any years to any date, then the result is a real date, later, with the year moved by that much', () => {
    fc.assert(
      fc.property(calendarDate(1900, 2100), fc.integer({ min: 1, max: 100 }), (date, years) => {
        const later = addYears(date, years);
        expect(isCalendarDate(later)).toBe(true);
        expect(later > date).toBe(true);
        expect(Number(later.slice(0, 4)) - Number(date.slice(0, 4))).toBe(years);
      }),
    );
  });
});

describe('ageOn', () => {
  test('when the birthday is reached, then the age goes up that day', () => {
    expect(ageOn('1990-06-15', '2006-06-14')).toBe(15);
    expect(ageOn('1990-06-15', '2006-06-15')).toBe(16);
    expect(ageOn('1990-06-15', '1990-06-15')).toBe(0);
  });

  test('when born on 29 February, then the age goes up on 1 March in years without one', () => {
    expect(ageOn('2008-02-29', '2024-02-28')).toBe(15);
    expect(ageOn('2008-02-29', '2024-02-29')).toBe(16);
    expect(ageOn('2008-02-29', '2023-02-28')).toBe(14);
    expect(ageOn('2008-02-29', '2023-03-01')).toBe(15);
  });

  test('when the day moves forward, then the age never goes down and rises by at most one a day', () => {
    const nextDay = (date: string) => new Date(Date.parse(`${date}T00:00:00Z`) + 86_400_000).toISOString().slice(0, 10);
    // A birth on or before the day asked about: two dates from one range, the earlier the birth.
    // Those born on 29 February have their own rule (the test above): addYears lands them on 28 February.
    const birthAndDay = fc
      .tuple(calendarDate(1900, 2099), calendarDate(1900, 2099))
      .map(([a, b]) => (a <= b ? [a, b] : [b, a]))
      .filter(([birth]) => !birth.endsWith('-02-29'));
    fc.assert(
      fc.property(birthAndDay, ([birth, on]) => {
        const age = ageOn(birth, on);
        expect(age).toBeGreaterThanOrEqual(0);
        expect(addYears(birth, age) <= on).toBe(true);
        expect(addYears(birth, age + 1) > on).toBe(true);
        expect([age, age + 1]).toContain(ageOn(birth, nextDay(on)));
      }),
    );
  });
});
