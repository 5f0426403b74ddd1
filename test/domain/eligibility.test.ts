import fc from 'fast-check';
import { REFUSAL_CODES, checkAcceptance, refusalMessages, stationMayAccept, type AcceptanceRequest, type RolloutRule } from '../../domain';

/** The rollout as it happened: pilot pairs from 2016-09, within provinces from 2016-12, nationwide from 2017-07-01. */
const ROLLOUT: RolloutRule[] = [
  { stationRegionPrefix: '12', homeRegionPrefix: '41', from: '2016-09-01' }, // Tianjin accepts Henan
  { stationRegionPrefix: '41', homeRegionPrefix: '12', from: '2016-09-01' },
  { stationRegionPrefix: '44', homeRegionPrefix: '44', from: '2016-12-01' },
  { stationRegionPrefix: '', homeRegionPrefix: '', from: '2017-07-01' },
];

const SHENZHEN_NANSHAN = { stationCode: 'S44030501', regionCode: '440305' };
const ZHENGZHOU_JINSHUI = '410105';

const request = (overrides: Partial<AcceptanceRequest> = {}): AcceptanceRequest => ({
  citizen: { idNumber: '410105199002281232', name: '王小明', homeRegionCode: ZHENGZHOU_JINSHUI, hasFingerprints: true },
  presentedName: '王小明',
  blacklisted: false,
  appearanceChanged: false,
  station: SHENZHEN_NANSHAN,
  rolloutPolicy: ROLLOUT,
  on: '2024-06-01',
  ...overrides,
});

describe('checkAcceptance', () => {
  test('when everything is in order, then the application may be accepted', () => {
    expect(checkAcceptance(request())).toEqual({ ok: true });
  });

  test('when the citizen is not in the registry, then unknown_citizen', () => {
    expect(checkAcceptance(request({ citizen: undefined }))).toEqual({ ok: false, code: 'unknown_citizen', message: refusalMessages.unknown_citizen });
  });

  test('when the presented name is not the registry’s, then name_mismatch', () => {
    expect(checkAcceptance(request({ presentedName: '王晓明' }))).toMatchObject({ ok: false, code: 'name_mismatch' });
  });

  test('when the person is blacklisted, then refused_blacklisted', () => {
    expect(checkAcceptance(request({ blacklisted: true }))).toMatchObject({ ok: false, code: 'refused_blacklisted' });
  });

  test('when the appearance changed greatly and no fingerprints are on record, then refused_no_fingerprints', () => {
    const noPrints = request({ appearanceChanged: true, citizen: { ...request().citizen!, hasFingerprints: false } });
    expect(checkAcceptance(noPrints)).toMatchObject({ ok: false, code: 'refused_no_fingerprints' });
  });

  test('when the fingerprints flag is given as hasRegisteredFingerprints, then it is read the same way', () => {
    const citizen = { idNumber: '410105199002281232', name: '王小明', homeRegionCode: ZHENGZHOU_JINSHUI };
    expect(checkAcceptance(request({ appearanceChanged: true, citizen: { ...citizen, hasRegisteredFingerprints: false } }))).toMatchObject({ code: 'refused_no_fingerprints' });
    expect(checkAcceptance(request({ appearanceChanged: true, citizen: { ...citizen, hasRegisteredFingerprints: true } }))).toEqual({ ok: true });
  });

  test('when the appearance changed but fingerprints are on record, then it may be accepted', () => {
    expect(checkAcceptance(request({ appearanceChanged: true }))).toEqual({ ok: true });
  });

  test('when no fingerprints are on record but the appearance is unchanged, then it may be accepted', () => {
    expect(checkAcceptance(request({ citizen: { ...request().citizen!, hasFingerprints: false } }))).toEqual({ ok: true });
  });

  test('when the rollout has not reached this station for that home region, then station_not_allowed', () => {
    expect(checkAcceptance(request({ on: '2017-06-30' }))).toMatchObject({ ok: false, code: 'station_not_allowed' });
  });

  test('when an application is already in progress, then duplicate_application carrying its id', () => {
    expect(checkAcceptance(request({ applicationInProgress: { applicationId: 'app-1' } }))).toEqual({
      ok: false,
      code: 'duplicate_application',
      message: refusalMessages.duplicate_application,
      applicationId: 'app-1',
    });
  });

  test('when the person registered in the station’s own county applies, then it may be accepted even before any rollout', () => {
    const local = request({ citizen: { ...request().citizen!, homeRegionCode: '440305' }, rolloutPolicy: [], on: '2010-01-01' });
    expect(checkAcceptance(local)).toEqual({ ok: true });
  });

  test('when the card was lost and the person has no local residence permit, then nothing here refuses it', () => {
    // There is no residence-permit input at all: local preconditions must not block a replacement.
    expect(checkAcceptance(request())).toEqual({ ok: true });
  });

  describe('order of checks', () => {
    const ORDER = ['unknown_citizen', 'name_mismatch', 'refused_blacklisted', 'refused_no_fingerprints', 'station_not_allowed', 'duplicate_application'] as const;

    /** A request failing exactly the checks flagged. */
    const failing = (flags: Record<(typeof ORDER)[number], boolean>): AcceptanceRequest =>
      request({
        citizen: flags.unknown_citizen ? undefined : { idNumber: '410105199002281232', name: '王小明', homeRegionCode: ZHENGZHOU_JINSHUI, hasFingerprints: !flags.refused_no_fingerprints },
        presentedName: flags.name_mismatch ? '李四' : '王小明',
        blacklisted: flags.refused_blacklisted,
        appearanceChanged: flags.refused_no_fingerprints,
        on: flags.station_not_allowed ? '2016-01-01' : '2024-06-01',
        applicationInProgress: flags.duplicate_application ? { applicationId: 'app-9' } : undefined,
      });

    test('when every check fails, then the refusals come one by one in the documented order as each is fixed', () => {
      const flags = Object.fromEntries(ORDER.map((code) => [code, true])) as Record<(typeof ORDER)[number], boolean>;
      for (const code of ORDER) {
        expect(checkAcceptance(failing(flags))).toMatchObject({ ok: false, code });
        flags[code] = false;
      }
      expect(checkAcceptance(failing(flags))).toEqual({ ok: true });
    });

    test('when any combination of checks fails, then the refusal is the first failing one in the documented order', () => {
      fc.assert(
        fc.property(fc.tuple(...ORDER.map(() => fc.boolean())), (bits) => {
          const flags = Object.fromEntries(ORDER.map((code, i) => [code, bits[i]])) as Record<(typeof ORDER)[number], boolean>;
          const verdict = checkAcceptance(failing(flags));
          const first = ORDER.find((code) => flags[code]);
          if (first === undefined) expect(verdict).toEqual({ ok: true });
          else expect(verdict).toEqual({ ok: false, code: first, message: refusalMessages[first], ...(first === 'duplicate_application' ? { applicationId: 'app-9' } : {}) });
        }),
      );
    });
  });
});

describe('stationMayAccept', () => {
  test.each([
    ['a Tianjin station, a Henan resident, during the pilot', { regionCode: '120104' }, '410105', '2016-10-01', true],
    ['a Tianjin station, a Henan resident, before the pilot', { regionCode: '120104' }, '410105', '2016-08-31', false],
    ['a Tianjin station, a Henan resident, on the first pilot day', { regionCode: '120104' }, '410105', '2016-09-01', true],
    ['a Tianjin station, a Hubei resident, during the pilot', { regionCode: '120104' }, '420106', '2016-10-01', false],
    ['a Shenzhen station, a Guangzhou resident, within the province', { regionCode: '440305' }, '440106', '2016-12-01', true],
    ['a Shenzhen station, a Guangzhou resident, before that', { regionCode: '440305' }, '440106', '2016-11-30', false],
    ['a Shenzhen station, a Henan resident, the day before nationwide', { regionCode: '440305' }, '410105', '2017-06-30', false],
    ['a Shenzhen station, a Henan resident, nationwide', { regionCode: '440305' }, '410105', '2017-07-01', true],
    ['a station, its own county, with no rules at all', { regionCode: '440305' }, '440305', '2000-01-01', true],
  ])('when %s, then allowed is %s', (_, station, home, on, allowed) => {
    expect(stationMayAccept(station, home, ROLLOUT, on)).toBe(allowed);
  });

  test('when a rule has an end date, then it applies through that day and not after', () => {
    const rules: RolloutRule[] = [{ stationRegionPrefix: '33', homeRegionPrefix: '36', from: '2016-09-01', until: '2017-06-30' }];
    expect(stationMayAccept({ regionCode: '330106' }, '360102', rules, '2017-06-30')).toBe(true);
    expect(stationMayAccept({ regionCode: '330106' }, '360102', rules, '2017-07-01')).toBe(false);
    expect(stationMayAccept({ regionCode: '330106' }, '360102', [{ ...rules[0], until: null }], '2030-01-01')).toBe(true);
  });

  test('when there are no rules, then only the station’s own region is accepted', () => {
    expect(stationMayAccept({ regionCode: '440305' }, '440306', [], '2030-01-01')).toBe(false);
    expect(stationMayAccept({ regionCode: '440300' }, '440306', [], '2030-01-01')).toBe(true);
  });

  test('when the nationwide rule is in force, then every station accepts every home region', () => {
    fc.assert(
      fc.property(fc.stringMatching(/^\d{6}$/), fc.stringMatching(/^\d{6}$/), (station, home) => {
        expect(stationMayAccept({ regionCode: station }, home, ROLLOUT, '2020-01-01')).toBe(true);
      }),
    );
  });
});

describe('refusalMessages', () => {
  test('when listed, then every refusal code has a message', () => {
    for (const code of REFUSAL_CODES) expect(refusalMessages[code]).toMatch(/\S/);
    expect(Object.keys(refusalMessages).sort()).toEqual([...REFUSAL_CODES].sort());
  });
});
