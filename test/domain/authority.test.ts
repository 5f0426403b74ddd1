import {
  isInJurisdiction,
  mayActOnPerson,
  mayCloseFoundCard,
  mayImportLossReport,
  maySeeLossReport,
  mayWithdrawLossReport,
  overseesRegion,
  stationMayNarrowTo,
  type Official,
} from '../../domain';

const official = (role: string, codes: Partial<Omit<Official, 'role'>> = {}): Official => ({ role, stationCode: null, regionCode: null, provinceCode: null, ...codes });

const shenzhenManager = official('manager', { regionCode: '440300' });
const nationalManager = official('manager');
const admin = official('admin');
const nanshanStation = official('station', { stationCode: 'NS01', regionCode: '440305' });
const importer = official('loss_report_importer', { regionCode: '440300' });

describe('overseesRegion', () => {
  test('when a regional manager is asked about a region within theirs, then yes; outside it or unknown, then no', () => {
    expect(overseesRegion(shenzhenManager, '440305')).toBe(true);
    expect(overseesRegion(shenzhenManager, '440300')).toBe(true);
    expect(overseesRegion(shenzhenManager, '440100')).toBe(false);
    expect(overseesRegion(shenzhenManager, null)).toBe(false);
  });

  test('when a national manager or an admin is asked, then every region, known or not', () => {
    for (const overseer of [nationalManager, admin]) {
      expect(overseesRegion(overseer, '110101')).toBe(true);
      expect(overseesRegion(overseer, null)).toBe(true);
    }
  });

  test('when any other role is asked, then no region, even its own', () => {
    expect(overseesRegion(nanshanStation, '440305')).toBe(false);
    expect(overseesRegion(official('reviewer', { regionCode: '440300' }), '440305')).toBe(false);
  });
});

describe('isInJurisdiction for overseers', () => {
  const application = { homeRegionCode: '110101', acceptingStationCode: 'NS01', acceptingStationRegionCode: '440305' };

  test("when the accepting station lies in a manager's region, then the case is theirs though the home region is not", () => {
    expect(isInJurisdiction(shenzhenManager, application)).toBe(true);
    expect(isInJurisdiction(official('manager', { regionCode: '110000' }), application)).toBe(true);
  });

  test('when neither the home region nor the accepting station lies in it, then not; an admin sees every case', () => {
    expect(isInJurisdiction(official('manager', { regionCode: '440100' }), application)).toBe(false);
    expect(isInJurisdiction(official('manager', { regionCode: '440100' }), { homeRegionCode: '110101', acceptingStationCode: 'NS01' })).toBe(false);
    expect(isInJurisdiction(admin, application)).toBe(true);
  });
});

describe('mayActOnPerson', () => {
  test('when the person is registered in the manager’s region, then yes; elsewhere or not in the registry, then no', () => {
    expect(mayActOnPerson(shenzhenManager, '440305')).toBe(true);
    expect(mayActOnPerson(shenzhenManager, '110101')).toBe(false);
    expect(mayActOnPerson(shenzhenManager, null)).toBe(false);
  });

  test('when a national manager or an admin acts, then on anyone, registered or not', () => {
    expect(mayActOnPerson(nationalManager, null)).toBe(true);
    expect(mayActOnPerson(admin, '110101')).toBe(true);
  });
});

describe('maySeeLossReport', () => {
  const takenAtNanshan = { authorityRegionCode: '440305', reportingStationCode: 'NS01' };
  const imported = { authorityRegionCode: '440305', reportingStationCode: null };

  test('when a station of the authority or the station that took it reads, then yes', () => {
    expect(maySeeLossReport(official('station', { stationCode: 'NS02', regionCode: '440305' }), imported)).toBe(true);
    expect(maySeeLossReport(official('station', { stationCode: 'NS01', regionCode: '440100' }), takenAtNanshan)).toBe(true);
  });

  test('when a station of another authority that did not take it reads, then no', () => {
    expect(maySeeLossReport(official('station', { stationCode: 'GZ01', regionCode: '440100' }), takenAtNanshan)).toBe(false);
    expect(maySeeLossReport(official('station', { stationCode: 'GZ01', regionCode: '440100' }), imported)).toBe(false);
  });

  test("when an overseer reads, then within the authority's region only; other roles never", () => {
    expect(maySeeLossReport(shenzhenManager, takenAtNanshan)).toBe(true);
    expect(maySeeLossReport(official('manager', { regionCode: '440100' }), takenAtNanshan)).toBe(false);
    expect(maySeeLossReport(admin, takenAtNanshan)).toBe(true);
    expect(maySeeLossReport(official('reviewer', { regionCode: '440305' }), takenAtNanshan)).toBe(false);
  });
});

describe('mayWithdrawLossReport', () => {
  test('when a station of the authority that took it withdraws, then yes, whichever of its stations took it', () => {
    expect(mayWithdrawLossReport(official('station', { stationCode: 'NS02', regionCode: '440305' }), { authorityRegionCode: '440305', reportingStationCode: 'NS01' })).toBe(true);
  });

  test('when the station that took it belongs to another authority now, or a manager over it withdraws, then no', () => {
    expect(mayWithdrawLossReport(official('station', { stationCode: 'NS01', regionCode: '440300' }), { authorityRegionCode: '440305', reportingStationCode: 'NS01' })).toBe(false);
    expect(mayWithdrawLossReport(shenzhenManager, { authorityRegionCode: '440305', reportingStationCode: 'NS01' })).toBe(false);
  });
});

describe('mayImportLossReport', () => {
  test("when the authority lies within the importer's region, then yes; outside it, then no", () => {
    expect(mayImportLossReport(importer, '440305')).toBe(true);
    expect(mayImportLossReport(importer, '440300')).toBe(true);
    expect(mayImportLossReport(importer, '440100')).toBe(false);
  });

  test('when another role would import, then no, even within its region', () => {
    expect(mayImportLossReport(official('manager', { regionCode: '440300' }), '440305')).toBe(false);
  });
});

describe('mayCloseFoundCard', () => {
  test('when the station holding the card closes it, then yes; another station of the same region, then no', () => {
    expect(mayCloseFoundCard(nanshanStation, { handedInStationCode: 'NS01' })).toBe(true);
    expect(mayCloseFoundCard(official('station', { stationCode: 'NS02', regionCode: '440305' }), { handedInStationCode: 'NS01' })).toBe(false);
    expect(mayCloseFoundCard(admin, { handedInStationCode: 'NS01' })).toBe(false);
  });
});

describe('stationMayNarrowTo', () => {
  test('when a station lists without narrowing or names itself, then yes', () => {
    expect(stationMayNarrowTo(nanshanStation, {})).toBe(true);
    expect(stationMayNarrowTo(nanshanStation, { stationCode: 'NS01' })).toBe(true);
  });

  test('when a station names another station or any region, even its own, then no', () => {
    expect(stationMayNarrowTo(nanshanStation, { stationCode: 'NS02' })).toBe(false);
    expect(stationMayNarrowTo(nanshanStation, { regionCode: '440305' })).toBe(false);
    expect(stationMayNarrowTo(nanshanStation, { stationCode: 'NS01', regionCode: '440305' })).toBe(false);
  });
});
