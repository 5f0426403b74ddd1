import { APPLICATION_STAGES, STEPS, allowedFrom, canTake, isApplicationStage, isInProgress, isTerminal, stageAfter, type ApplicationStage, type Step } from '../../domain';

describe('isTerminal and isInProgress', () => {
  test.each<[ApplicationStage, boolean]>([
    ['ACCEPTED', false],
    ['HOME_REVIEW', false],
    ['PRINTING', false],
    ['SHIPPING', false],
    ['READY_FOR_PICKUP', false],
    ['COMPLETED', true],
    ['REFUSED', true],
    ['WITHDRAWN', true],
    ['CLOSED', true],
  ])('when the stage is %s, then terminal is %s and in progress the opposite', (stage, terminal) => {
    expect(isTerminal(stage)).toBe(terminal);
    expect(isInProgress(stage)).toBe(!terminal);
  });
});

describe('canTake', () => {
  const expected: Record<Step, ApplicationStage[]> = {
    review: ['HOME_REVIEW'],
    printed: ['PRINTING'],
    printFailed: ['PRINTING'],
    dispatched: ['PRINTING'],
    arrived: ['SHIPPING'],
    pickedUp: ['READY_FOR_PICKUP'],
    withdraw: ['ACCEPTED', 'HOME_REVIEW'],
  };

  test('when every step is tried from every stage, then exactly the listed stages allow it', () => {
    for (const step of STEPS) {
      for (const stage of APPLICATION_STAGES) expect([step, stage, canTake(step, stage)]).toEqual([step, stage, expected[step].includes(stage)]);
    }
    expect(allowedFrom).toEqual(expected);
  });

  test('when the application is finished, then no step may be taken', () => {
    for (const stage of APPLICATION_STAGES.filter(isTerminal)) for (const step of STEPS) expect(canTake(step, stage)).toBe(false);
  });

  test('when printing has started, then it can no longer be withdrawn', () => {
    for (const stage of ['PRINTING', 'SHIPPING', 'READY_FOR_PICKUP'] as const) expect(canTake('withdraw', stage)).toBe(false);
  });

  test('when given an unknown step, then it is not allowed rather than throwing', () => {
    expect(canTake('approve' as Step, 'HOME_REVIEW')).toBe(false);
  });
});

describe('stageAfter', () => {
  test('when each step is taken, then the application moves to the next stage of the journey', () => {
    expect(stageAfter('review', 'approve')).toBe('PRINTING');
    expect(stageAfter('review', 'refuse')).toBe('REFUSED');
    expect(stageAfter('printed')).toBe('PRINTING');
    expect(stageAfter('printFailed')).toBe('PRINTING');
    expect(stageAfter('dispatched')).toBe('SHIPPING');
    expect(stageAfter('arrived')).toBe('READY_FOR_PICKUP');
    expect(stageAfter('pickedUp')).toBe('COMPLETED');
    expect(stageAfter('withdraw')).toBe('WITHDRAWN');
    expect(() => stageAfter('review')).toThrow(RangeError);
  });

  test('when following the happy path step by step, then every step is allowed where the previous one left it', () => {
    let stage: ApplicationStage = 'HOME_REVIEW';
    for (const [step, decision] of [['review', 'approve'], ['printed'], ['dispatched'], ['arrived'], ['pickedUp']] as Array<[Step, 'approve'?]>) {
      expect(canTake(step, stage)).toBe(true);
      stage = stageAfter(step, decision);
    }
    expect(stage).toBe('COMPLETED');
  });
});

describe('isApplicationStage', () => {
  test('when given one of the eight stages, then it is a stage, and otherwise not', () => {
    for (const stage of APPLICATION_STAGES) expect(isApplicationStage(stage)).toBe(true);
    for (const other of ['accepted', 'PRINTED', '', null]) expect(isApplicationStage(other)).toBe(false);
  });
});
