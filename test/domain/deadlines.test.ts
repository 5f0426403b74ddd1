import fc from 'fast-check';
import {
  DAY_MS,
  MAX_EXTENSION_DAYS,
  MAX_REMINDERS,
  checkExtension,
  daysRemaining,
  deadlineAt,
  isOverdue,
  reviewReminderTimes,
  temporaryCardDueAt,
  warningAt,
} from '../../domain';
import { instant } from './arbitraries';

const accepted = new Date('2026-03-01T09:30:00.000Z');

describe('deadlineAt', () => {
  test('when nothing is extended, then the deadline is 60 days of 24 hours after acceptance', () => {
    expect(deadlineAt(accepted).toISOString()).toBe('2026-04-30T09:30:00.000Z');
  });

  test('when extended by 30 days, then the deadline is 90 days after acceptance', () => {
    expect(deadlineAt(accepted, { extensionDays: 30 }).toISOString()).toBe('2026-05-30T09:30:00.000Z');
  });

  test('when the deadline is configured shorter, then it is used', () => {
    expect(deadlineAt(accepted, { deadlineDays: 1 }).getTime() - accepted.getTime()).toBe(DAY_MS);
  });

  test('when the extension is more than 30 days or negative, or the date invalid, then it throws RangeError', () => {
    expect(() => deadlineAt(accepted, { extensionDays: 31 })).toThrow(RangeError);
    expect(() => deadlineAt(accepted, { extensionDays: -1 })).toThrow(RangeError);
    expect(() => deadlineAt(accepted, { deadlineDays: Number.NaN })).toThrow(RangeError);
    expect(() => deadlineAt(new Date('not a date'))).toThrow(RangeError);
  });

  test('when extended by any allowed number of days, then the deadline is between 60 and 90 days after acceptance', () => {
    fc.assert(
      fc.property(instant, fc.integer({ min: 0, max: MAX_EXTENSION_DAYS }), (at, days) => {
        const elapsed = deadlineAt(at, { extensionDays: days }).getTime() - at.getTime();
        expect(elapsed).toBeGreaterThanOrEqual(60 * DAY_MS);
        expect(elapsed).toBeLessThanOrEqual(90 * DAY_MS);
        expect(elapsed).toBe((60 + days) * DAY_MS);
      }),
    );
  });

  test('when an extension passes checkExtension, then deadlineAt accepts it and the deadline is at most 90 days away', () => {
    fc.assert(
      fc.property(instant, fc.integer({ min: -5, max: 60 }), (at, days) => {
        if (!checkExtension({ alreadyExtended: false, days, reason: 'remote area' }).ok) return;
        expect(deadlineAt(at, { extensionDays: days }).getTime() - at.getTime()).toBeLessThanOrEqual(90 * DAY_MS);
      }),
    );
  });
});

describe('warningAt', () => {
  test('when warning 10 days ahead, then the warning is 10 days before the deadline', () => {
    expect(warningAt(new Date('2026-04-30T09:30:00Z'), 10).toISOString()).toBe('2026-04-20T09:30:00.000Z');
  });
});

describe('checkExtension', () => {
  test.each([
    [{ alreadyExtended: false, days: 30, reason: '交通不便' }, { ok: true }],
    [{ alreadyExtended: false, days: 1, reason: 'remote county' }, { ok: true }],
    [{ alreadyExtended: true, days: 10, reason: 'again' }, { ok: false, code: 'extension_already_granted' }],
    [{ alreadyExtended: true, days: 99, reason: '' }, { ok: false, code: 'extension_already_granted' }],
    [{ alreadyExtended: false, days: 31, reason: 'too far' }, { ok: false, code: 'extension_too_long' }],
    [{ alreadyExtended: false, days: 0, reason: 'none' }, { ok: false, code: 'extension_invalid_days' }],
    [{ alreadyExtended: false, days: -3, reason: 'none' }, { ok: false, code: 'extension_invalid_days' }],
    [{ alreadyExtended: false, days: 2.5, reason: 'half' }, { ok: false, code: 'extension_invalid_days' }],
    [{ alreadyExtended: false, days: Number.NaN, reason: 'nan' }, { ok: false, code: 'extension_invalid_days' }],
    [{ alreadyExtended: false, days: 10, reason: '' }, { ok: false, code: 'extension_reason_required' }],
    [{ alreadyExtended: false, days: 10, reason: '   ' }, { ok: false, code: 'extension_reason_required' }],
    [{ alreadyExtended: false, days: 31, reason: '' }, { ok: false, code: 'extension_too_long' }],
  ])('when asked %j, then the answer is %j', (request, answer) => {
    expect(checkExtension(request)).toEqual(answer);
  });

  test('when any extension is granted, then it was the first, of 1 to 30 whole days, with a reason', () => {
    fc.assert(
      fc.property(fc.boolean(), fc.oneof(fc.integer({ min: -100, max: 100 }), fc.double()), fc.string(), (alreadyExtended, days, reason) => {
        if (checkExtension({ alreadyExtended, days, reason }).ok) {
          expect(alreadyExtended).toBe(false);
          expect(Number.isInteger(days) && days >= 1 && days <= 30).toBe(true);
          expect(reason.trim()).not.toBe('');
        }
      }),
    );
  });
});

describe('temporaryCardDueAt', () => {
  test('when a temporary card is requested, then it is due 3 days after acceptance', () => {
    expect(temporaryCardDueAt(accepted).toISOString()).toBe('2026-03-04T09:30:00.000Z');
  });
});

describe('isOverdue', () => {
  const deadline = new Date('2026-04-30T09:30:00Z');

  test('when not ready and now is past the deadline, then it is overdue', () => {
    expect(isOverdue({ deadline, now: new Date('2026-04-30T09:30:00.001Z') })).toBe(true);
  });

  test('when not ready and now is exactly the deadline, then it is not yet overdue', () => {
    expect(isOverdue({ deadline, now: deadline })).toBe(false);
  });

  test('when it became ready before the deadline, then it is never overdue, even long after', () => {
    expect(isOverdue({ deadline, readyForPickupAt: new Date('2026-04-01T00:00:00Z'), now: new Date('2027-01-01T00:00:00Z') })).toBe(false);
  });

  test('when it became ready after the deadline, then it stays overdue', () => {
    expect(isOverdue({ deadline, readyForPickupAt: new Date('2026-05-02T00:00:00Z'), now: new Date('2026-05-03T00:00:00Z') })).toBe(true);
  });

  test('when not ready, then it is overdue exactly when fewer than zero days remain', () => {
    fc.assert(
      fc.property(instant, instant, (d, now) => {
        expect(isOverdue({ deadline: d, now })).toBe(daysRemaining(d, now) < 0);
      }),
    );
  });
});

describe('daysRemaining', () => {
  const deadline = new Date('2026-04-30T09:30:00Z');
  test.each([
    ['2026-03-01T09:30:00Z', 60],
    ['2026-04-29T09:30:00Z', 1],
    ['2026-04-30T09:29:59.999Z', 1],
    ['2026-04-30T09:30:00Z', 0],
    ['2026-04-30T09:30:00.001Z', -1],
    ['2026-05-01T09:30:00Z', -1],
    ['2026-05-01T09:30:00.001Z', -2],
  ])('when now is %s, then %i days remain', (now, days) => {
    expect(daysRemaining(deadline, new Date(now))).toBe(days);
  });

  test('when time passes, then the days remaining never go up, and change by at most one per day', () => {
    fc.assert(
      fc.property(instant, instant, fc.integer({ min: 0, max: 10 * DAY_MS }), (d, now, later) => {
        const before = daysRemaining(d, now);
        const after = daysRemaining(d, new Date(now.getTime() + later));
        expect(after).toBeLessThanOrEqual(before);
        expect(before - after).toBeLessThanOrEqual(Math.ceil(later / DAY_MS) + 1);
        expect(Number.isInteger(before)).toBe(true);
        expect(Object.is(before, -0)).toBe(false);
      }),
    );
  });
});

describe('reviewReminderTimes', () => {
  test('when reminding every 7 days until a deadline 60 days away, then there are 8 reminders, 7 days apart', () => {
    const times = reviewReminderTimes(accepted, 7, deadlineAt(accepted));
    expect(times).toHaveLength(8);
    expect(times[0].getTime() - accepted.getTime()).toBe(7 * DAY_MS);
    expect(times[7].getTime() - accepted.getTime()).toBe(56 * DAY_MS);
  });

  test('when a reminder would fall exactly on the deadline, then it is left out', () => {
    expect(reviewReminderTimes(accepted, 10, deadlineAt(accepted))).toHaveLength(5);
  });

  test('when the interval is not positive, then there are no reminders', () => {
    expect(reviewReminderTimes(accepted, 0, deadlineAt(accepted))).toEqual([]);
    expect(reviewReminderTimes(accepted, -1, deadlineAt(accepted))).toEqual([]);
    expect(reviewReminderTimes(accepted, Number.NaN, deadlineAt(accepted))).toEqual([]);
  });

  test('when the interval is tiny, then the list stops at the cap', () => {
    expect(reviewReminderTimes(accepted, 1e-9, deadlineAt(accepted))).toHaveLength(MAX_REMINDERS);
  });
});

describe('the boundaries mutation testing found unchecked', () => {
  const at = new Date('2026-04-30T09:30:00Z');

  test('when the deadline is 0 days (a pilot setting), then it is the acceptance instant itself, not an error', () => {
    expect(deadlineAt(at, { deadlineDays: 0 }).getTime()).toBe(at.getTime());
  });

  test('when days or reason arrive with the wrong type, then the extension is refused for that field', () => {
    expect(checkExtension({ alreadyExtended: false, days: '5' as unknown as number, reason: 'remote' })).toEqual({ ok: false, code: 'extension_invalid_days' });
    expect(checkExtension({ alreadyExtended: false, days: 5, reason: undefined as unknown as string })).toEqual({ ok: false, code: 'extension_reason_required' });
  });

  test('when an argument is not a valid date or number, then the error names that argument', () => {
    const invalid = new Date(Number.NaN);
    expect(() => deadlineAt(invalid)).toThrow('acceptedAt must be a valid Date');
    expect(() => deadlineAt(at, { deadlineDays: -1 })).toThrow('deadlineDays must be a non-negative number');
    expect(() => deadlineAt(at, { extensionDays: 31 })).toThrow('extensionDays must be between 0 and 30');
    expect(() => warningAt(invalid, 10)).toThrow('deadline must be a valid Date');
    expect(() => temporaryCardDueAt(invalid)).toThrow('acceptedAt must be a valid Date');
    expect(() => isOverdue({ deadline: at, now: invalid })).toThrow('readyForPickupAt/now must be a valid Date');
    expect(() => isOverdue({ deadline: invalid, now: at })).toThrow('deadline must be a valid Date');
    expect(() => daysRemaining(invalid, at)).toThrow('deadline must be a valid Date');
    expect(() => daysRemaining(at, invalid)).toThrow('now must be a valid Date');
    expect(() => reviewReminderTimes(invalid, 7, at)).toThrow('since must be a valid Date');
    expect(() => reviewReminderTimes(at, 7, invalid)).toThrow('until must be a valid Date');
  });
});
