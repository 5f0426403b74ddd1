import { isInJurisdiction } from '../../domain';
import type { User } from '../../db/users';

/**
 * What each role is shown of the person (个人信息最小化). The citizen number in full only to those who
 * check it against the person or the registry themselves: the accepting station (at the counter, at
 * pickup) and the reviewers of the home region (the sign-off). Everyone else — production centres,
 * managers, another station — sees it masked. A contact phone is shown masked to all: the system
 * itself sends the notices.
 */
export function seesFullIdNumber(user: User, application: { acceptingStationCode: string; homeRegionCode: string }): boolean {
  return (user.role === 'station' || user.role === 'reviewer') && isInJurisdiction(user, application);
}

/** `110101199001010011` → `110101********0011`: the issuing region and the last four, enough to tell two people apart. */
export const maskIdNumber = (idNumber: string): string => `${idNumber.slice(0, 6)}${'*'.repeat(Math.max(0, idNumber.length - 10))}${idNumber.slice(-4)}`;

/** `13812345678` → `138****5678`: the first three and last four digits; separators kept, every other digit starred. */
export function maskPhone(phone: string): string {
  const digits = [...phone].filter((char) => /\d/.test(char)).length;
  let seen = 0;
  return [...phone]
    .map((char) => {
      if (!/\d/.test(char)) return char;
      seen += 1;
      return seen <= 3 || seen > digits - 4 ? char : '*';
    })
    .join('');
}

export const idNumberFor = (user: User, application: { idNumber: string; acceptingStationCode: string; homeRegionCode: string }): string =>
  seesFullIdNumber(user, application) ? application.idNumber : maskIdNumber(application.idNumber);
