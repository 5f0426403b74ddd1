import { isInJurisdiction, isWithinRegion, regionPrefix } from '../../domain';
import type { Db } from '../../db/knex';
import type { CallerAs, Role, User } from '../../db/users';
import type { ApplicationRow, Scope } from '../../db/queries/applications';
import { stationRegionCode } from '../../db/queries/stations';
import { problems } from '../problems';

/** The roles that see applications. */
export const VIEWERS = ['station', 'reviewer', 'production', 'manager'] as const satisfies readonly Role[];
export type Viewer = CallerAs<(typeof VIEWERS)[number]>;

/** Which applications a user may see. */
export function scopeOf(user: Viewer): Scope {
  switch (user.role) {
    case 'station':
      return { acceptingStationCode: user.stationCode };
    case 'reviewer':
      return { homeRegionPrefix: regionPrefix(user.regionCode) };
    case 'production':
      return { homeRegionPrefix: regionPrefix(user.provinceCode) };
    case 'manager':
      return user.regionCode ? { regionPrefix: regionPrefix(user.regionCode) } : {};
  }
}

/** @throws Problem 403 when the application lies outside the user's jurisdiction (the rule: `domain/authority.ts`). */
export function ensureInJurisdiction(user: User, application: ApplicationRow, acceptingStationRegion: string): void {
  if (!isInJurisdiction(user, { ...application, acceptingStationRegionCode: acceptingStationRegion })) throw problems.forbiddenJurisdiction('This application lies outside your jurisdiction.');
}

/**
 * A manager's scope, narrowed to `regionCode` when one is asked for.
 * @throws Problem 403 when that region lies outside the manager's own.
 */
export function managerScope(user: CallerAs<'manager'>, regionCode: string | undefined): Scope {
  const scope = scopeOf(user);
  if (regionCode) {
    if (user.regionCode && !isWithinRegion(regionCode, user.regionCode)) throw problems.forbiddenJurisdiction('That region lies outside your jurisdiction.');
    scope.regionPrefix = regionPrefix(regionCode);
  }
  return scope;
}

/**
 * The station a manager asks about, when it stands in their region.
 * @throws Problem 404 for an unknown station, 403 for one outside the manager's region.
 */
export async function stationInJurisdiction(db: Db, user: CallerAs<'manager' | 'admin'>, stationCode: string): Promise<string> {
  const regionCode = await stationRegionCode(db, stationCode);
  if (!regionCode) throw problems.notFound(`Station ${stationCode}`);
  if (user.regionCode && !isWithinRegion(regionCode, user.regionCode)) throw problems.forbiddenJurisdiction('That station lies outside your jurisdiction.');
  return stationCode;
}
