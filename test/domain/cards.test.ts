import fc from 'fast-check';
import { CARD_STATUSES, foundCardDisposition, isCardStatus, validityPeriodYears, validUntilFor, verifyCard, type CardFacts, type CardStatus } from '../../domain';
import { calendarDate } from './arbitraries';

const card = (overrides: Partial<CardFacts> = {}): CardFacts => ({
  status: 'ACTIVE',
  validFrom: '2016-03-01',
  validUntil: '2036-03-01',
  holderName: '王小明',
  ...overrides,
});

describe('validityPeriodYears', () => {
  test.each([
    ['2010-05-10', '2020-01-01', 5],
    ['2004-05-10', '2020-05-09', 5], // 15 the day before the 16th birthday
    ['2004-05-10', '2020-05-10', 10], // 16 on the birthday
    ['1994-05-10', '2020-05-09', 10], // still 25
    ['1994-05-10', '2020-05-10', 20], // 26
    ['1974-05-10', '2020-05-09', 20], // still 45
    ['1974-05-10', '2020-05-10', null], // 46: long-term
    ['1940-01-01', '2020-01-01', null],
    ['2020-01-01', '2020-01-01', 5], // issued at birth
  ])('when born %s and issued %s, then the card is valid %s years', (birth, issue, years) => {
    expect(validityPeriodYears(birth, issue)).toBe(years);
  });

  test('when a date is not real or the card is issued before birth, then it throws RangeError', () => {
    expect(() => validityPeriodYears('1990-02-30', '2020-01-01')).toThrow(RangeError);
    expect(() => validityPeriodYears('1990-01-01', '2020/01/01')).toThrow(RangeError);
    expect(() => validityPeriodYears('2021-01-01', '2020-01-01')).toThrow(RangeError);
  });
});

describe('validUntilFor', () => {
  test('when issued at 30, then the card runs 20 years to the same day', () => {
    expect(validUntilFor('1986-07-01', '2016-03-01')).toBe('2036-03-01');
  });

  test('when issued at 46 or older, then the card is long-term', () => {
    expect(validUntilFor('1960-07-01', '2016-03-01')).toBeNull();
  });

  test('when issued on 29 February and the end year has none, then the card runs to 1 March', () => {
    expect(validUntilFor('2010-01-01', '2016-02-29')).toBe('2021-03-01');
    expect(validUntilFor('1990-01-01', '2016-02-29')).toBe('2036-02-29');
  });

  test('when issued at any age, then the end is the start plus the period, or null from 46 on', () => {
    fc.assert(
      fc.property(calendarDate(1900, 2030), fc.integer({ min: 0, max: 36500 }), (birth, daysLater) => {
        const issued = new Date(Date.parse(`${birth}T00:00:00Z`) + daysLater * 86_400_000).toISOString().slice(0, 10);
        const years = validityPeriodYears(birth, issued);
        const until = validUntilFor(birth, issued);
        if (years === null) {
          expect(until).toBeNull();
        } else {
          expect([5, 10, 20]).toContain(years);
          expect(until! > issued).toBe(true);
          expect(Number(until!.slice(0, 4)) - Number(issued.slice(0, 4))).toBe(years);
        }
      }),
    );
  });
});

describe('verifyCard', () => {
  test('when the card is active, current, in its period and the name matches, then it is valid', () => {
    expect(verifyCard({ card: card(), presentedName: '王小明', on: '2024-06-01' })).toEqual({ result: 'VALID' });
  });

  test('when the card is checked on its first and on its last day, then it is valid both days', () => {
    expect(verifyCard({ card: card(), presentedName: '王小明', on: '2016-03-01' }).result).toBe('VALID');
    expect(verifyCard({ card: card(), presentedName: '王小明', on: '2036-03-01' }).result).toBe('VALID');
  });

  test('when the card is long-term, then it never expires', () => {
    expect(verifyCard({ card: card({ validUntil: null }), presentedName: '王小明', on: '2099-12-31' }).result).toBe('VALID');
  });

  test.each<[string, Partial<CardFacts> | undefined, string, string, string]>([
    ['the card is unknown', undefined, '王小明', '2024-06-01', 'NOT_ISSUED'],
    ['the card was destroyed within its period (a found card replaced by a newer one)', { status: 'DESTROYED' }, '王小明', '2024-06-01', 'SUPERSEDED'],
    ['the card was destroyed on its last day', { status: 'DESTROYED' }, '王小明', '2036-03-01', 'SUPERSEDED'],
    ['the card was destroyed and is past its last day', { status: 'DESTROYED' }, '王小明', '2036-03-02', 'EXPIRED'],
    ['the day is before the card was issued', {}, '王小明', '2016-02-29', 'NOT_ISSUED'],
    ['the card was reported lost', { status: 'REPORTED_LOST' }, '王小明', '2024-06-01', 'REPORTED_LOST'],
    ['the card was replaced by a newer one', { status: 'SUPERSEDED' }, '王小明', '2024-06-01', 'SUPERSEDED'],
    ['the card is marked expired', { status: 'EXPIRED' }, '王小明', '2024-06-01', 'EXPIRED'],
    ['the card is past its last day though still marked active', {}, '王小明', '2036-03-02', 'EXPIRED'],
    ['the presented name differs', {}, '王晓明', '2024-06-01', 'NAME_MISMATCH'],
    ['the presented name is empty', {}, '', '2024-06-01', 'NAME_MISMATCH'],
  ])('when %s, then it is invalid', (_, overrides, name, on, reason) => {
    expect(verifyCard({ card: overrides === undefined ? undefined : card(overrides), presentedName: name, on })).toEqual({ result: 'INVALID', reason });
  });

  test('when the name is typed with spaces or another middle dot, then it still matches', () => {
    const uyghur = card({ holderName: '阿依古丽·买买提' });
    expect(verifyCard({ card: uyghur, presentedName: '阿依古丽・买买提', on: '2024-06-01' }).result).toBe('VALID');
    expect(verifyCard({ card: card(), presentedName: ' 王 小明 ', on: '2024-06-01' }).result).toBe('VALID');
  });

  describe('order of reasons', () => {
    test('when the name is wrong, then nothing about the card state is told, whatever it is', () => {
      for (const status of CARD_STATUSES) {
        expect(verifyCard({ card: card({ status }), presentedName: '李四', on: '2099-01-01' })).toEqual({ result: 'INVALID', reason: 'NAME_MISMATCH' });
      }
    });

    test('when destroyed, then it reads as what it was (superseded or expired), never not issued', () => {
      expect(verifyCard({ card: card({ status: 'DESTROYED' }), presentedName: '王小明', on: '2040-01-01' })).toEqual({ result: 'INVALID', reason: 'EXPIRED' });
      expect(verifyCard({ card: card({ status: 'DESTROYED', validUntil: null }), presentedName: '王小明', on: '2040-01-01' })).toEqual({ result: 'INVALID', reason: 'SUPERSEDED' });
    });

    test('when reported lost or replaced and also past its last day, then the status is the reason', () => {
      expect(verifyCard({ card: card({ status: 'REPORTED_LOST' }), presentedName: '王小明', on: '2040-01-01' })).toEqual({ result: 'INVALID', reason: 'REPORTED_LOST' });
      expect(verifyCard({ card: card({ status: 'SUPERSEDED' }), presentedName: '王小明', on: '2040-01-01' })).toEqual({ result: 'INVALID', reason: 'SUPERSEDED' });
    });

    test('when reported lost and checked before its first day, then it is not issued', () => {
      expect(verifyCard({ card: card({ status: 'REPORTED_LOST' }), presentedName: '王小明', on: '2015-01-01' })).toEqual({ result: 'INVALID', reason: 'NOT_ISSUED' });
    });
  });

  test('when any card is checked, then it is valid exactly when active, named right and within its period', () => {
    const facts = fc.record({
      status: fc.constantFrom(...CARD_STATUSES),
      validFrom: calendarDate(2000, 2030),
      validUntil: fc.option(calendarDate(2005, 2060), { nil: null }),
      holderName: fc.constantFrom('王小明', '张三', '阿依古丽·买买提'),
    });
    fc.assert(
      fc.property(fc.option(facts, { nil: undefined }), fc.constantFrom('王小明', '张三', '阿依古丽·买买提', ''), calendarDate(1995, 2065), (c, name, on) => {
        const verdict = verifyCard({ card: c, presentedName: name, on });
        const valid = c !== undefined && c.status === 'ACTIVE' && name === c.holderName && c.validFrom <= on && (c.validUntil === null || on <= c.validUntil);
        expect(verdict.result === 'VALID').toBe(valid);
        if (c === undefined) expect(verdict).toEqual({ result: 'INVALID', reason: 'NOT_ISSUED' });
        // A destroyed card was issued: a unit learns what it was, never that it does not exist.
        if (c?.status === 'DESTROYED' && name === c.holderName) expect(verdict).toEqual({ result: 'INVALID', reason: c.validUntil !== null && on > c.validUntil ? 'EXPIRED' : 'SUPERSEDED' });
      }),
    );
  });
});

describe('foundCardDisposition', () => {
  const found = (status: CardStatus, validFrom = '2016-03-01', validUntil: string | null = '2036-03-01') => ({ status, validFrom, validUntil });

  test('when it is the owner’s current active card, then it is held for the owner', () => {
    expect(foundCardDisposition(found('ACTIVE'), '2016-03-01', '2024-06-01')).toBe('HOLD_FOR_OWNER');
  });

  test('when it is the owner’s current card, reported lost, then it is held for the owner', () => {
    expect(foundCardDisposition(found('REPORTED_LOST'), '2016-03-01', '2024-06-01')).toBe('HOLD_FOR_OWNER');
  });

  test('when it is long-term and current, then it is held whatever the day', () => {
    expect(foundCardDisposition(found('ACTIVE', '2016-03-01', null), '2016-03-01', '2090-01-01')).toBe('HOLD_FOR_OWNER');
  });

  test.each<[string, ReturnType<typeof found>, string | null, string]>([
    ['it was replaced by a newer card', found('SUPERSEDED'), '2024-01-10', '2024-06-01'],
    ['a newer card exists though its status was not yet updated', found('REPORTED_LOST'), '2024-01-10', '2024-06-01'],
    ['it is past its last day', found('ACTIVE'), '2016-03-01', '2036-03-02'],
    ['it is marked expired', found('EXPIRED'), '2016-03-01', '2024-06-01'],
    ['it was already destroyed', found('DESTROYED'), '2016-03-01', '2024-06-01'],
    ['the owner has no card on record', found('ACTIVE'), null, '2024-06-01'],
  ])('when %s, then it is destroyed', (_, c, current, on) => {
    expect(foundCardDisposition(c, current, on)).toBe('DESTROY');
  });

  test('when any found card is held, then it is the current card, active or reported lost, and unexpired', () => {
    fc.assert(
      fc.property(
        fc.constantFrom(...CARD_STATUSES),
        calendarDate(2000, 2030),
        fc.option(calendarDate(2005, 2060), { nil: null }),
        fc.option(calendarDate(2000, 2030), { nil: null }),
        calendarDate(2000, 2065),
        (status, validFrom, validUntil, current, on) => {
          const held = foundCardDisposition({ status, validFrom, validUntil }, validFrom, on) === 'HOLD_FOR_OWNER';
          expect(held).toBe((status === 'ACTIVE' || status === 'REPORTED_LOST') && (validUntil === null || on <= validUntil));
          if (current !== validFrom) expect(foundCardDisposition({ status, validFrom, validUntil }, current, on)).toBe('DESTROY');
        },
      ),
    );
  });
});

describe('isCardStatus', () => {
  test('when given one of the five statuses, then it is a status, and otherwise not', () => {
    for (const status of CARD_STATUSES) expect(isCardStatus(status)).toBe(true);
    for (const other of ['active', 'LOST', '', undefined, 1]) expect(isCardStatus(other)).toBe(false);
  });
});
