import type { User } from '../../db/users';
import type { ApplicationRow, Scope } from '../../db/queries/applications';
import { problems } from '../problems';

/** `440000` covers `44…`, `440300` covers `4403…`: a region code as the prefix of what it contains. */
export const regionPrefix = (code: string) => code.replace(/(00)+$/, '');

/** Which applications a user may see. */
export function scopeOf(user: User, stationRegionOf?: string): Scope {
  switch (user.role) {
    case 'station':
      return { acceptingStationCode: user.stationCode! };
    case 'reviewer':
      return { homeRegionPrefix: regionPrefix(user.regionCode!) };
    case 'production':
      return { homeRegionPrefix: regionPrefix(user.provinceCode!) };
    case 'manager':
      return user.regionCode ? { regionPrefix: regionPrefix(user.regionCode) } : {};
    default:
      void stationRegionOf;
      throw problems.forbiddenRole(['station', 'reviewer', 'production', 'manager']);
  }
}

/** @throws Problem 403 when the application lies outside the user's jurisdiction. */
export function ensureInJurisdiction(user: User, application: ApplicationRow, acceptingStationRegion: string): void {
  const within = (code: string, ancestor: string) => code.startsWith(regionPrefix(ancestor));
  const allowed =
    (user.role === 'station' && application.acceptingStationCode === user.stationCode) ||
    (user.role === 'reviewer' && within(application.homeRegionCode, user.regionCode!)) ||
    (user.role === 'production' && within(application.homeRegionCode, user.provinceCode!)) ||
    (user.role === 'manager' && (!user.regionCode || within(application.homeRegionCode, user.regionCode) || within(acceptingStationRegion, user.regionCode)));
  if (!allowed) throw problems.forbiddenJurisdiction('This application lies outside your jurisdiction.');
}
