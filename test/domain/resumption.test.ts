import { checkResumption, DAY_MS as DAY, MAX_RESTARTS_PER_STAGE, recordedDeadlineDays, stuckReasons, type ApplicationStage } from '../../domain';

const acceptedAt = new Date('2026-11-30T02:00:00.000Z');
const recorded = (overrides: Partial<Parameters<typeof checkResumption>[0]> = {}) => ({
  stage: 'PRINTING' as ApplicationStage,
  acceptedAt,
  deadlineAt: new Date(acceptedAt.getTime() + 60 * DAY),
  cardPrinted: false,
  restartsAtStage: 0,
  ...overrides,
});

describe('checkResumption', () => {
  test.each<ApplicationStage>(['ACCEPTED', 'HOME_REVIEW', 'PRINTING'])('when an application at %s has no card yet, then it can be restarted', (stage) => {
    expect(checkResumption(recorded({ stage }))).toEqual({ ok: true });
  });

  test.each<ApplicationStage>(['SHIPPING', 'READY_FOR_PICKUP'])('when an application at %s has its printed card recorded, then it can be restarted; without one it is card_not_recorded', (stage) => {
    expect(checkResumption(recorded({ stage, cardPrinted: true }))).toEqual({ ok: true });
    expect(checkResumption(recorded({ stage, cardPrinted: false }))).toEqual({ ok: false, code: 'card_not_recorded', detail: stuckReasons.card_not_recorded });
  });

  test(`when it was restarted ${MAX_RESTARTS_PER_STAGE} times at its stage already, then it is restart_limit_reached, before anything else`, () => {
    expect(checkResumption(recorded({ restartsAtStage: MAX_RESTARTS_PER_STAGE - 1 }))).toEqual({ ok: true });
    expect(checkResumption(recorded({ stage: 'SHIPPING', restartsAtStage: MAX_RESTARTS_PER_STAGE, deadlineAt: acceptedAt }))).toEqual({
      ok: false,
      code: 'restart_limit_reached',
      detail: stuckReasons.restart_limit_reached,
    });
  });

  test('when the recorded deadline is not after acceptance, then it is inconsistent_deadline', () => {
    expect(checkResumption(recorded({ deadlineAt: acceptedAt }))).toEqual({ ok: false, code: 'inconsistent_deadline', detail: stuckReasons.inconsistent_deadline });
    expect(checkResumption(recorded({ deadlineAt: new Date(Number.NaN) }))).toMatchObject({ ok: false, code: 'inconsistent_deadline' });
  });

  test.each<ApplicationStage>(['COMPLETED', 'REFUSED', 'WITHDRAWN', 'CLOSED'])('when the application is %s, then asking is a RangeError', (stage) => {
    expect(() => checkResumption(recorded({ stage }))).toThrow(RangeError);
  });
});

describe('recordedDeadlineDays', () => {
  test('when the deadline was 60 days out, then it is 60; with an extension of 20 recorded in the deadline, still 60', () => {
    expect(recordedDeadlineDays({ acceptedAt, deadlineAt: new Date(acceptedAt.getTime() + 60 * DAY), extensionDays: null })).toBe(60);
    expect(recordedDeadlineDays({ acceptedAt, deadlineAt: new Date(acceptedAt.getTime() + 80 * DAY), extensionDays: 20 })).toBe(60);
  });
});
