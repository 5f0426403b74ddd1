import { isInJurisdiction, overseesRegion, regionPrefix } from '../domain';
import type { Db } from '../db/knex';
import type { CallerAs, Role, User } from '../db/users';
import type { ApplicationRow, Scope } from '../db/queries/applications';
import { stationRegionCode } from '../db/queries/stations';
import { problems } from './problems';

/*
 * The jurisdiction rules (`domain/authority.ts`) as the API applies them: the 403s, and the query
 * scopes of the lists. A scope here maps a rule onto the rows' codes; it decides nothing the rule
 * does not.
 */

/** The roles that see applications. */
export const VIEWERS = ['station', 'reviewer', 'production', 'manager'] as const satisfies readonly Role[];
export type Viewer = CallerAs<(typeof VIEWERS)[number]>;

/** Which applications a user may see ({@link isInJurisdiction} over the rows). */
export function scopeOf(user: Viewer): Scope {
  switch (user.role) {
    case 'station':
      return { acceptingStationCode: user.stationCode };
    case 'reviewer':
      return { homeRegionPrefix: regionPrefix(user.regionCode) };
    case 'production':
      return { homeRegionPrefix: regionPrefix(user.provinceCode) };
    case 'manager':
      return overseerScope(user, undefined);
  }
}

/** @throws Problem 403 when the application lies outside the user's jurisdiction. */
export function ensureInJurisdiction(user: User, application: ApplicationRow, acceptingStationRegion: string): void {
  if (!isInJurisdiction(user, { ...application, acceptingStationRegionCode: acceptingStationRegion })) throw problems.forbiddenJurisdiction('This application lies outside your jurisdiction.');
}

/**
 * An overseer's scope (a manager's region; a national manager's or an admin's: all), narrowed to
 * `regionCode` when one is asked for.
 * @throws Problem 403 when that region lies outside the overseer's own.
 */
export function overseerScope(user: CallerAs<'manager' | 'admin'>, regionCode: string | undefined): Scope {
  if (regionCode && !overseesRegion(user, regionCode)) throw problems.forbiddenJurisdiction('That region lies outside your jurisdiction.');
  const within = regionCode ?? (user.role === 'manager' ? user.regionCode : null);
  return within ? { regionPrefix: regionPrefix(within) } : {};
}

/**
 * An overseer's scope of applications narrowed to the region or accepting station asked for.
 * @throws Problem 403 for a region or station outside the overseer's, 404 for an unknown station.
 */
export async function narrowedScope(db: Db, user: CallerAs<'manager' | 'admin'>, narrowing: { regionCode?: string; stationCode?: string }): Promise<Scope> {
  const scope = overseerScope(user, narrowing.regionCode);
  if (narrowing.stationCode) scope.acceptingStationCode = await stationInJurisdiction(db, user, narrowing.stationCode);
  return scope;
}

/**
 * The people an overseer acts on (blacklist entries, impersonation reports), as the prefix of their
 * home region: those registered in the region; undefined for all.
 */
export const peopleScope = (user: CallerAs<'manager' | 'admin'>): string | undefined => overseerScope(user, undefined).regionPrefix;

/**
 * The station an overseer asks about, when it stands in their region.
 * @throws Problem 404 for an unknown station, 403 for one outside the overseer's region.
 */
export async function stationInJurisdiction(db: Db, user: CallerAs<'manager' | 'admin'>, stationCode: string): Promise<string> {
  const regionCode = await stationRegionCode(db, stationCode);
  if (!regionCode) throw problems.notFound(`Station ${stationCode}`);
  if (!overseesRegion(user, regionCode)) throw problems.forbiddenJurisdiction('That station lies outside your jurisdiction.');
  return stationCode;
}
