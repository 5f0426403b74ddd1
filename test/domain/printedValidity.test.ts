import { addYears, chinaDateOf, printedCardValidity } from '../../domain';

describe('chinaDateOf', () => {
  test('when it is 16:30 UTC, then it is already the next day in China; one millisecond before 16:00 UTC it is still the same day', () => {
    expect(chinaDateOf(Date.parse('2026-12-01T16:30:00Z'))).toBe('2026-12-02');
    expect(chinaDateOf(Date.parse('2026-12-01T16:00:00Z'))).toBe('2026-12-02');
    expect(chinaDateOf(Date.parse('2026-12-01T15:59:59.999Z'))).toBe('2026-12-01');
    expect(chinaDateOf(Date.parse('2028-02-28T16:00:00Z'))).toBe('2028-02-29');
    expect(chinaDateOf(Date.parse('2026-12-31T16:00:00Z'))).toBe('2027-01-01');
    expect(chinaDateOf(Date.parse('1969-12-31T16:00:00Z'))).toBe('1970-01-01');
  });

  test('when compared with the UTC+8 date over three centuries, then they agree every time', () => {
    for (let ms = Date.UTC(1900, 0, 1); ms < Date.UTC(2200, 0, 1); ms += 3_600_000 * 37 + 12_345) {
      const expected = new Date(ms + 8 * 3_600_000).toISOString().slice(0, 10);
      if (chinaDateOf(ms) !== expected) throw new Error(`${new Date(ms).toISOString()}: ${chinaDateOf(ms)}, not ${expected}`);
    }
  });
});

describe('printedCardValidity', () => {
  // Relative to an acceptance day and a "today" a few days later; births put the holder just either side of each age bound.
  const acceptedOn = '2026-12-01';
  const today = '2026-12-05';
  const bornYearsBefore = (years: number, daysLater = 0) => {
    const date = new Date(`${addYears(today, -years)}T00:00:00Z`);
    date.setUTCDate(date.getUTCDate() + daysLater);
    return date.toISOString().slice(0, 10);
  };

  test.each([
    ['15, a day before turning 16', bornYearsBefore(16, 1), 5],
    ['16 that day', bornYearsBefore(16), 10],
    ['25, a day before turning 26', bornYearsBefore(26, 1), 10],
    ['26 that day', bornYearsBefore(26), 20],
    ['45, a day before turning 46', bornYearsBefore(46, 1), 20],
  ])('when the holder is %s, then the card printed today is valid %i years, and those dates are accepted as sent', (_age, birthDate, years) => {
    expect(printedCardValidity({ birthDate, acceptedOn, today })).toEqual({ ok: true, validFrom: today, validUntil: addYears(today, years) });
    expect(printedCardValidity({ birthDate, acceptedOn, today, validFrom: today, validUntil: addYears(today, years) }).ok).toBe(true);
  });

  test('when the holder is 46 on the issue date, then the card is long-term (validUntil null); a dated end is refused', () => {
    const birthDate = bornYearsBefore(46);
    expect(printedCardValidity({ birthDate, acceptedOn, today })).toEqual({ ok: true, validFrom: today, validUntil: null });
    expect(printedCardValidity({ birthDate, acceptedOn, today, validUntil: addYears(today, 20) })).toMatchObject({ ok: false, code: 'valid_until_mismatch', expectedValidUntil: null });
  });

  test('when the age is counted on validFrom, not today: 25 on the acceptance day and 26 by today, then each issue date gets its own length', () => {
    const birthDate = bornYearsBefore(26, -2); // turned 26 two days before today, after the acceptance day
    expect(printedCardValidity({ birthDate, acceptedOn, today, validFrom: acceptedOn })).toEqual({ ok: true, validFrom: acceptedOn, validUntil: addYears(acceptedOn, 10) });
    expect(printedCardValidity({ birthDate, acceptedOn, today, validFrom: today })).toEqual({ ok: true, validFrom: today, validUntil: addYears(today, 20) });
  });

  test('when validFrom is the acceptance day or today, then it is accepted; a day before acceptance or after today is refused with the range', () => {
    const birthDate = bornYearsBefore(30);
    expect(printedCardValidity({ birthDate, acceptedOn, today, validFrom: acceptedOn }).ok).toBe(true);
    expect(printedCardValidity({ birthDate, acceptedOn, today, validFrom: today }).ok).toBe(true);
    expect(printedCardValidity({ birthDate, acceptedOn, today, validFrom: '2026-11-30' })).toMatchObject({ ok: false, code: 'valid_from_out_of_range', earliest: acceptedOn, latest: today });
    expect(printedCardValidity({ birthDate, acceptedOn, today, validFrom: '2026-12-06' })).toMatchObject({ ok: false, code: 'valid_from_out_of_range' });
  });

  test('when a card valid 2000–2005 is sent for an application accepted now, then it is refused (the case file’s bug: the citizen was left with no valid card)', () => {
    expect(printedCardValidity({ birthDate: '1990-05-01', acceptedOn, today, validFrom: '2000-01-01', validUntil: '2005-01-01' })).toMatchObject({ ok: false, code: 'valid_from_out_of_range' });
  });

  test('when validUntil is a day off the law’s, then valid_until_mismatch names the right one', () => {
    const birthDate = bornYearsBefore(30);
    const right = addYears(today, 20);
    expect(printedCardValidity({ birthDate, acceptedOn, today, validFrom: today, validUntil: '2046-12-04' })).toMatchObject({ ok: false, code: 'valid_until_mismatch', expectedValidUntil: right });
  });
});
