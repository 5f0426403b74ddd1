/** Temporary identity certificates (临时身份证明): how long one is valid. */

import { CHINA_UTC_OFFSET_MS } from './calendar';

const HOUR_MS = 3_600_000;
const DAY_MS = 24 * HOUR_MS;

/**
 * When a certificate issued at `issuedAt` stops being valid: after `hours` when given, otherwise at
 * the end of the next day in China (Asia/Shanghai, no daylight saving) — long enough for a journey
 * or a night's stay, no longer.
 */
export function certificateValidUntil(issuedAt: Date, hours?: number): Date {
  if (hours !== undefined) return new Date(issuedAt.getTime() + hours * HOUR_MS);
  const chinaMidnight = Math.floor((issuedAt.getTime() + CHINA_UTC_OFFSET_MS) / DAY_MS) * DAY_MS - CHINA_UTC_OFFSET_MS;
  return new Date(chinaMidnight + 2 * DAY_MS);
}
