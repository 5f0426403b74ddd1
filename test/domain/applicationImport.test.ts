import { checkImportedApplication, DAY_MS, IMPORT_LOOKBACK_DAYS, validUntilFor, type ImportedFacts } from '../../domain';

/** Now is the test's own instant; every date is counted from it. */
const now = new Date();
const ago = (days: number, ms = 0) => new Date(now.getTime() - days * DAY_MS - ms);
const birthDate = '1980-05-17';
const dayOf = (instant: Date) => new Date(instant.getTime() + 8 * 3600_000).toISOString().slice(0, 10);
const printed = (on: Date) => ({ validFrom: dayOf(on), validUntil: validUntilFor(birthDate, dayOf(on)) });
const check = (facts: Partial<ImportedFacts>) => checkImportedApplication({ stage: 'HOME_REVIEW', acceptedAt: ago(10), birthDate, ...facts }, { now, deadlineDays: 60 });
const code = (facts: Partial<ImportedFacts>) => {
  const verdict = check(facts);
  return verdict.ok ? 'ok' : verdict.code;
};

describe('checkImportedApplication', () => {
  test('when a case moves over, then its deadline counts from its original acceptance', () => {
    expect(check({ acceptedAt: ago(10) })).toEqual({ ok: true, deadlineAt: new Date(ago(10).getTime() + 60 * DAY_MS), overdue: false });
    expect(check({ acceptedAt: ago(10), extension: { days: 30, reason: 'floods' } })).toMatchObject({ deadlineAt: new Date(ago(10).getTime() + 90 * DAY_MS) });
  });

  test('when the deadline passed 1 ms ago, then it is overdue; exactly at it, not yet', () => {
    expect(check({ acceptedAt: ago(60, 1) })).toMatchObject({ ok: true, overdue: true });
    expect(check({ acceptedAt: ago(60) })).toMatchObject({ ok: true, overdue: false });
  });

  test('when accepted in the future, then refused; now itself is taken', () => {
    expect(code({ acceptedAt: new Date(now.getTime() + 1) })).toBe('accepted_at_out_of_range');
    expect(code({ acceptedAt: now, stage: 'ACCEPTED' })).toBe('ok');
  });

  test('when accepted more than 90 days back, then only an overdue case is taken', () => {
    const ready = { stage: 'READY_FOR_PICKUP' as const, trackingNumber: 'SF1' };
    expect(code({ ...ready, acceptedAt: ago(IMPORT_LOOKBACK_DAYS), printed: printed(ago(IMPORT_LOOKBACK_DAYS - 1)), readyForPickupAt: ago(IMPORT_LOOKBACK_DAYS - 1) })).toBe('ok');
    expect(code({ ...ready, acceptedAt: ago(IMPORT_LOOKBACK_DAYS, 1), printed: printed(ago(IMPORT_LOOKBACK_DAYS - 1)), readyForPickupAt: ago(IMPORT_LOOKBACK_DAYS - 1) })).toBe('accepted_at_out_of_range');
    expect(check({ acceptedAt: ago(200) })).toMatchObject({ ok: true, overdue: true });
  });

  test.each<[string, Partial<ImportedFacts>, string]>([
    ['a card printed before review', { stage: 'HOME_REVIEW', printed: printed(ago(1)) }, 'stage_facts_invalid'],
    ['shipping without a printed card', { stage: 'SHIPPING', trackingNumber: 'SF1' }, 'stage_facts_invalid'],
    ['shipping without a tracking number', { stage: 'SHIPPING', printed: printed(ago(1)) }, 'stage_facts_invalid'],
    ['printing with a tracking number', { stage: 'PRINTING', trackingNumber: 'SF1' }, 'stage_facts_invalid'],
    ['ready without readyForPickupAt', { stage: 'READY_FOR_PICKUP', printed: printed(ago(1)), trackingNumber: 'SF1' }, 'stage_facts_invalid'],
    ['ready before acceptance', { stage: 'READY_FOR_PICKUP', printed: printed(ago(1)), trackingNumber: 'SF1', readyForPickupAt: ago(11) }, 'stage_facts_invalid'],
    ['a card dated before acceptance', { stage: 'PRINTING', printed: printed(ago(12)) }, 'valid_from_out_of_range'],
    ['a card valid for a period the law does not give', { stage: 'PRINTING', printed: { validFrom: dayOf(ago(1)), validUntil: '2099-01-01' } }, 'valid_until_mismatch'],
    ['an extension of 31 days', { extension: { days: 31, reason: 'x' } }, 'extension_invalid'],
    ['a temporary card issued in the future', { temporaryCard: { issuedAt: new Date(now.getTime() + 1) } }, 'stage_facts_invalid'],
  ])('when %s, then refused', (_, facts, expected) => {
    expect(code(facts)).toBe(expected);
  });

  test.each<[string, Partial<ImportedFacts>, string, Record<string, unknown>]>([
    ['accepted in the future', { acceptedAt: new Date(now.getTime() + 1) }, 'accepted_in_future', {}],
    ['ready on time, accepted too long ago', { stage: 'READY_FOR_PICKUP', acceptedAt: ago(IMPORT_LOOKBACK_DAYS, 1), printed: printed(ago(IMPORT_LOOKBACK_DAYS - 1)), trackingNumber: 'SF1', readyForPickupAt: ago(IMPORT_LOOKBACK_DAYS - 1) }, 'accepted_too_long_ago', { lookbackDays: IMPORT_LOOKBACK_DAYS }],
    ['a card printed before review', { stage: 'HOME_REVIEW', printed: printed(ago(1)) }, 'printed_unexpected', { stage: 'HOME_REVIEW' }],
    ['shipping without a printed card', { stage: 'SHIPPING', trackingNumber: 'SF1' }, 'printed_missing', { stage: 'SHIPPING' }],
    ['shipping without a tracking number', { stage: 'SHIPPING', printed: printed(ago(1)) }, 'tracking_number_missing', { stage: 'SHIPPING' }],
    ['printing with a tracking number', { stage: 'PRINTING', trackingNumber: 'SF1' }, 'tracking_number_unexpected', { stage: 'PRINTING' }],
    ['ready without readyForPickupAt', { stage: 'READY_FOR_PICKUP', printed: printed(ago(1)), trackingNumber: 'SF1' }, 'ready_for_pickup_at_missing', { stage: 'READY_FOR_PICKUP' }],
    ['shipping with readyForPickupAt', { stage: 'SHIPPING', printed: printed(ago(1)), trackingNumber: 'SF1', readyForPickupAt: ago(1) }, 'ready_for_pickup_at_unexpected', { stage: 'SHIPPING' }],
    ['ready before acceptance', { stage: 'READY_FOR_PICKUP', printed: printed(ago(1)), trackingNumber: 'SF1', readyForPickupAt: ago(11) }, 'ready_for_pickup_at_out_of_range', { stage: 'READY_FOR_PICKUP' }],
    ['a card dated before acceptance', { stage: 'PRINTING', printed: printed(ago(12)) }, 'valid_from_out_of_range', { earliest: dayOf(ago(10)), latest: dayOf(now) }],
    ['a card valid for a period the law does not give', { stage: 'PRINTING', printed: { validFrom: dayOf(ago(1)), validUntil: '2099-01-01' } }, 'valid_until_mismatch', { expectedValidUntil: validUntilFor(birthDate, dayOf(ago(1))) }],
    ['an extension of 31 days', { extension: { days: 31, reason: 'x' } }, 'extension_too_long', {}],
    ['a temporary card issued in the future', { temporaryCard: { issuedAt: new Date(now.getTime() + 1) } }, 'temporary_card_issued_out_of_range', {}],
  ])('when %s, then the refusal names its rule (%s) and the facts its message needs', (_, facts, reason, more) => {
    expect(check(facts)).toMatchObject({ ok: false, reason, message: expect.any(String), ...more });
  });

  test.each<[string, Partial<ImportedFacts>]>([
    ['printing, printed or not', { stage: 'PRINTING', printed: printed(ago(1)) }],
    ['printing, not yet printed', { stage: 'PRINTING' }],
    ['shipping', { stage: 'SHIPPING', printed: printed(ago(1)), trackingNumber: 'SF1' }],
    ['ready', { stage: 'READY_FOR_PICKUP', printed: printed(ago(1)), trackingNumber: 'SF1', readyForPickupAt: ago(0, 1) }],
  ])('when %s with its facts, then taken', (_, facts) => {
    expect(code(facts)).toBe('ok');
  });

  test('when a temporary card was requested, then it is due 3 days after acceptance, overdue only if issued after that', () => {
    expect(check({ acceptedAt: ago(10), temporaryCard: {} })).toMatchObject({ temporaryCard: { dueAt: ago(7), overdue: false } });
    expect(check({ acceptedAt: ago(10), temporaryCard: { issuedAt: ago(7, -1) } })).toMatchObject({ temporaryCard: { overdue: true } });
    expect(check({ acceptedAt: ago(10), temporaryCard: { issuedAt: ago(7) } })).toMatchObject({ temporaryCard: { overdue: false } });
  });
});
