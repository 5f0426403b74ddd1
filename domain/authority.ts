/**
 * Who may act on what, and where: the one home of each jurisdiction rule. The API applies them to a
 * request (turning the list rules into query scopes in `api/jurisdiction.ts`); the workflow's write
 * activities apply the application rules again to the update they carry out (an update reaching the
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
 * Whether a region lies within an overseer's: an admin's and a national manager's (no region of its
 * own) cover the country, a regional manager's the regions within it. An unknown region (`null`, a
 * number not in the registry) lies within no regional manager's. Other roles oversee nothing.
 */
export function overseesRegion(official: Official, regionCode: string | null): boolean {
  if (official.role === 'admin') return true;
  if (official.role !== 'manager') return false;
  return !official.regionCode || (regionCode !== null && isWithinRegion(regionCode, official.regionCode));
}

/**
 * Whether the application lies within the official's jurisdiction: a station's own applications, a
 * reviewer's home region, a production centre's home province, an overseer's region (the home
 * region or the accepting station's; {@link overseesRegion}). Other roles see none.
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
    case 'admin':
      return overseesRegion(official, application.homeRegionCode) || (application.acceptingStationRegionCode !== undefined && overseesRegion(official, application.acceptingStationRegionCode));
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

/**
 * Whether the official may act on a person's records (blacklist entries, impersonation reports about
 * their card): an overseer of the region the person is registered in (户籍; `null`: not in the
 * registry, which only national managers and admins reach).
 */
export const mayActOnPerson = (official: Official, homeRegionCode: string | null): boolean => overseesRegion(official, homeRegionCode);

/** What of a loss report jurisdiction looks at: the authority that took it and the station it was taken at. */
export interface LossReportJurisdiction {
  authorityRegionCode: string;
  /** Null for a report not taken at a station's counter (an import). */
  reportingStationCode: string | null;
}

/**
 * Whether the official may read a loss report: a station of the authority that took it, or the
 * station it was taken at; an overseer of the authority's region.
 */
export function maySeeLossReport(official: Official, report: LossReportJurisdiction): boolean {
  if (official.role === 'station') {
    return (official.regionCode !== null && official.regionCode === report.authorityRegionCode) || (official.stationCode !== null && official.stationCode === report.reportingStationCode);
  }
  return overseesRegion(official, report.authorityRegionCode);
}

/** Whether the official may withdraw a loss report (解除挂失): only in person, at a station of the authority that took it. */
export function mayWithdrawLossReport(official: Official, report: LossReportJurisdiction): boolean {
  return official.role === 'station' && official.regionCode !== null && official.regionCode === report.authorityRegionCode;
}

/** Whether a bulk importer may import a report taken by the authority of `authorityRegionCode`: one within its own region. */
export function mayImportLossReport(official: Official, authorityRegionCode: string): boolean {
  return official.role === 'loss_report_importer' && official.regionCode !== null && isWithinRegion(authorityRegionCode, official.regionCode);
}

/** Whether the official may close a found card (hand it back or destroy it): only the station holding it. */
export function mayCloseFoundCard(official: Official, foundCard: { handedInStationCode: string }): boolean {
  return official.role === 'station' && official.stationCode !== null && official.stationCode === foundCard.handedInStationCode;
}

/**
 * Whether a station may list its records (loss reports taken, found cards handed in) so narrowed: a
 * station reads its own only, so it names no region and no station but itself. (An overseer's
 * narrowing must lie within its region: {@link overseesRegion}.)
 */
export function stationMayNarrowTo(official: Official, narrowing: { regionCode?: string; stationCode?: string }): boolean {
  return official.role === 'station' && !narrowing.regionCode && (!narrowing.stationCode || narrowing.stationCode === official.stationCode);
}
