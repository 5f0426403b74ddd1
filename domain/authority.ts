/**
 * Who may act on an application: the one home of the rule the API applies to a request and the
 * workflow's write activities apply again to the update they carry out (an update reaching the
 * engine by another way is held to the same rule).
 */
import { isWithinRegion } from './regions';

/** An official's account as far as jurisdiction goes (a station user's region is its station's). */
export interface Official {
  role: string;
  stationCode: string | null;
  regionCode: string | null;
  provinceCode: string | null;
}

/** What of an application jurisdiction looks at. */
export interface CaseJurisdiction {
  homeRegionCode: string;
  acceptingStationCode: string;
  /** The accepting station's region: a manager there sees the case too. Unknown: only the home region counts. */
  acceptingStationRegionCode?: string;
  /** The parcel's tracking number once dispatched. */
  trackingNumber?: string | null;
}

/** Every step an official takes on an application, each an update of its workflow. */
export type OfficialStep = 'review' | 'extend' | 'temporaryCardIssued' | 'printed' | 'printFailed' | 'dispatched' | 'arrived' | 'pickedUp' | 'withdraw';

/**
 * The role that takes each step: the home region's reviewer decides, extends and issues the
 * temporary card; the home province's production centre prints and dispatches; the station hands over.
 */
export const roleForStep: Readonly<Record<OfficialStep, 'reviewer' | 'production' | 'station'>> = {
  review: 'reviewer',
  extend: 'reviewer',
  temporaryCardIssued: 'reviewer',
  printed: 'production',
  printFailed: 'production',
  dispatched: 'production',
  arrived: 'station',
  pickedUp: 'station',
  withdraw: 'station',
};

/**
 * Whether the application lies within the official's jurisdiction: a station's own applications, a
 * reviewer's home region, a production centre's home province, a manager's region (home or accepting
 * station's; a national manager sees all). Other roles see none.
 */
export function isInJurisdiction(official: Official, application: CaseJurisdiction): boolean {
  switch (official.role) {
    case 'station':
      return official.stationCode !== null && application.acceptingStationCode === official.stationCode;
    case 'reviewer':
      return official.regionCode !== null && isWithinRegion(application.homeRegionCode, official.regionCode);
    case 'production':
      return official.provinceCode !== null && isWithinRegion(application.homeRegionCode, official.provinceCode);
    case 'manager':
      return (
        !official.regionCode ||
        isWithinRegion(application.homeRegionCode, official.regionCode) ||
        (application.acceptingStationRegionCode !== undefined && isWithinRegion(application.acceptingStationRegionCode, official.regionCode))
      );
    default:
      return false;
  }
}

/**
 * Whether a station may report the card arrived: the accepting station, or another holding the
 * parcel, proven by the tracking number on it (a misrouted card, flagged and re-sent).
 */
export function mayReportArrival(official: Official, application: CaseJurisdiction, trackingNumber: string | undefined): boolean {
  if (official.role !== 'station' || official.stationCode === null) return false;
  if (application.acceptingStationCode === official.stationCode) return true;
  return trackingNumber !== undefined && !!application.trackingNumber && application.trackingNumber === trackingNumber;
}

/**
 * Whether the official may take `step` on the application: the step's role, within jurisdiction.
 * An arrival names the station it happened at, which must be the official's own.
 */
export function mayTakeStep(official: Official, step: OfficialStep, application: CaseJurisdiction, arrival?: { stationCode: string; trackingNumber?: string }): boolean {
  if (official.role !== roleForStep[step]) return false;
  if (step === 'arrived') return arrival !== undefined && arrival.stationCode === official.stationCode && mayReportArrival(official, application, arrival.trackingNumber);
  return isInJurisdiction(official, application);
}
