import type { Caller, User } from '../db/users';

/**
 * The account as its role's caller. @throws Error when the row lacks a code its role requires, which
 * the `users_jurisdiction` constraint (and the station's foreign key) rules out.
 */
export function callerOf(user: User): Caller {
  switch (user.role) {
    case 'station':
      if (user.stationCode !== null && user.regionCode !== null) return { ...user, role: user.role, stationCode: user.stationCode, regionCode: user.regionCode };
      break;
    case 'reviewer':
    case 'loss_report_importer':
    case 'police_post':
      if (user.regionCode !== null) return { ...user, role: user.role, regionCode: user.regionCode };
      break;
    case 'production':
      if (user.provinceCode !== null) return { ...user, role: user.role, provinceCode: user.provinceCode };
      break;
    case 'unit':
      if (user.unitId !== null) return { ...user, role: user.role, unitId: user.unitId };
      break;
    case 'manager':
    case 'admin':
    case 'platform':
      return { ...user, role: user.role };
  }
  throw new Error(`account ${user.id} (${user.role}) lacks the jurisdiction its role requires`);
}
