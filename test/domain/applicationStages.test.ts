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
  test('when every step is tried from every stage, then exactly the stages its allowedFrom entry lists allow it', () => {
    for (const step of STEPS) {
      for (const stage of APPLICATION_STAGES) expect([step, stage, canTake(step, stage)]).toEqual([step, stage, allowedFrom[step].includes(stage)]);
    }
  });

  test('when a step is allowed from a stage, then that stage is in progress, and every step is allowed from some stage', () => {
    for (const step of STEPS) {
      expect([step, allowedFrom[step].length > 0]).toEqual([step, true]);
      for (const stage of allowedFrom[step]) expect([step, stage, isInProgress(stage)]).toEqual([step, stage, true]);
    }
  });

  test('when just accepted, then only withdrawal may be taken: the workflow, not a step, sends it home for review', () => {
    expect(STEPS.filter((step) => canTake(step, 'ACCEPTED'))).toEqual(['withdraw']);
  });

  test('when the application is finished, then no step may be taken', () => {
    for (const stage of APPLICATION_STAGES.filter(isTerminal)) for (const step of STEPS) expect(canTake(step, stage)).toBe(false);
  });

  test('when printing has started, then it can no longer be withdrawn, and before that it can', () => {
    for (const stage of ['PRINTING', 'SHIPPING', 'READY_FOR_PICKUP'] as const) expect(canTake('withdraw', stage)).toBe(false);
    for (const stage of ['ACCEPTED', 'HOME_REVIEW'] as const) expect(canTake('withdraw', stage)).toBe(true);
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

  test('when following the journey step by step, with a failed print reprinted, then every step is allowed where the previous one left it', () => {
    let stage: ApplicationStage = 'HOME_REVIEW';
    for (const [step, decision] of [['review', 'approve'], ['printFailed'], ['printed'], ['dispatched'], ['arrived'], ['pickedUp']] as Array<[Step, 'approve'?]>) {
      expect(canTake(step, stage)).toBe(true);
      stage = stageAfter(step, decision);
    }
    expect(stage).toBe('COMPLETED');
  });
});

describe('isApplicationStage', () => {
  test('when given one of the stages, then it is a stage, and otherwise not', () => {
    for (const stage of APPLICATION_STAGES) expect(isApplicationStage(stage)).toBe(true);
    for (const other of ['accepted', 'PRINTED', '', null]) expect(isApplicationStage(other)).toBe(false);
  });
});
