import { addYears, CARD_STATUSES, checkLossReport, chinaDateOf, DAY_MS, type CardStatus } from '../../domain';

/** Dates relative to the test's own today (China's). */
const today = chinaDateOf(Date.now());
const dayOffset = (days: number) => chinaDateOf(Date.now() + days * DAY_MS);
const card = (status: CardStatus, validFrom = addYears(today, -3)) => ({ status, validFrom });

describe('checkLossReport', () => {
  test('when the report is dated on the card’s first valid day, then it is taken; a day before, refused as reported_before_valid_from with the card’s validFrom', () => {
    const validFrom = dayOffset(-10);
    expect(checkLossReport(card('ACTIVE', validFrom), validFrom)).toEqual({ ok: true });
    expect(checkLossReport(card('ACTIVE', validFrom), dayOffset(-11))).toEqual({ ok: false, code: 'reported_before_valid_from', message: expect.stringContaining(validFrom), cardValidFrom: validFrom });
  });

  test('when the card is ACTIVE, then it is taken; REPORTED_LOST is already_reported_lost; SUPERSEDED, EXPIRED and DESTROYED are card_not_active with the status', () => {
    const verdicts = Object.fromEntries(CARD_STATUSES.map((status) => [status, checkLossReport(card(status), today)]));
    expect(verdicts).toEqual({
      ACTIVE: { ok: true },
      REPORTED_LOST: { ok: false, code: 'already_reported_lost', message: expect.any(String) },
      SUPERSEDED: { ok: false, code: 'card_not_active', message: expect.stringContaining('SUPERSEDED'), cardStatus: 'SUPERSEDED' },
      EXPIRED: { ok: false, code: 'card_not_active', message: expect.stringContaining('EXPIRED'), cardStatus: 'EXPIRED' },
      DESTROYED: { ok: false, code: 'card_not_active', message: expect.stringContaining('DESTROYED'), cardStatus: 'DESTROYED' },
    });
  });

  test('when a superseded card’s report is dated before its validFrom, then the date is what is refused: the line is wrong whatever the card became', () => {
    const validFrom = dayOffset(-5);
    expect(checkLossReport(card('SUPERSEDED', validFrom), dayOffset(-6))).toMatchObject({ code: 'reported_before_valid_from' });
    expect(checkLossReport(card('SUPERSEDED', validFrom), validFrom)).toMatchObject({ code: 'card_not_active' });
  });
});
