/**
 * The managers' daily digest (每日督办提醒): what a region's managers read each morning about the
 * 60-day deadline — how many open cases are overdue, how many fall due within the warning window,
 * and the most urgent of them with days late or days left. The selection itself (open, not yet
 * ready for pickup, deadline within the window) is the managers' `due` worklist
 * (`db/queries/worklists.ts`, `dueWorklist`); this shapes what it found, at `now`.
 */
import type { ApplicationStage } from './applicationStages';
import { chinaDateOf, type CalendarDate } from './calendar';
import { daysRemaining, isOverdue } from './deadlines';

/** A case on the due worklist, as the digest names it: no person in it, only the application and where it stands. */
export interface DueCase {
  applicationId: string;
  receiptNumber: string;
  stage: ApplicationStage;
  acceptingStationCode: string;
  acceptingStationName: string;
  deadlineAt: Date;
}

export interface DigestItem {
  applicationId: string;
  receiptNumber: string;
  stage: ApplicationStage;
  acceptingStationCode: string;
  acceptingStationName: string;
  deadlineAt: string;
  /** Whole days to the deadline (`daysRemaining`): negative once overdue, by as many days as it is late. */
  daysRemaining: number;
  overdue: boolean;
}

export interface ManagersDigest {
  /** China's date the digest is for: one digest per region and date. */
  date: CalendarDate;
  overdue: number;
  dueSoon: number;
  /** The most urgent cases first (soonest deadline), at most `maxItems` of them. */
  items: DigestItem[];
  /** Cases counted but not listed (beyond `maxItems`): the manager finds them on the due worklist. */
  more: number;
}

/**
 * The most cases a digest lists one by one. A message of hundreds of lines helps nobody; the counts
 * stay complete and the rest is on `GET /v1/worklists/due`.
 */
export const DIGEST_MAX_ITEMS = 100;

/**
 * The digest of `cases` (the due worklist of one region) at `now`: overdue is what `isOverdue` says
 * of a case not yet ready, the rest is due within the window. Items keep the deadline order.
 */
export function managersDigest(cases: readonly DueCase[], now: Date, maxItems: number = DIGEST_MAX_ITEMS): ManagersDigest {
  const sorted = [...cases].sort((a, b) => a.deadlineAt.getTime() - b.deadlineAt.getTime() || (a.applicationId < b.applicationId ? -1 : 1));
  const items = sorted.map((row) => ({
    applicationId: row.applicationId,
    receiptNumber: row.receiptNumber,
    stage: row.stage,
    acceptingStationCode: row.acceptingStationCode,
    acceptingStationName: row.acceptingStationName,
    deadlineAt: row.deadlineAt.toISOString(),
    daysRemaining: daysRemaining(row.deadlineAt, now),
    overdue: isOverdue({ deadline: row.deadlineAt, now }),
  }));
  const overdue = items.filter((item) => item.overdue).length;
  const listed = items.slice(0, Math.max(0, maxItems));
  return { date: chinaDateOf(now.getTime()), overdue, dueSoon: items.length - overdue, items: listed, more: items.length - listed.length };
}

/** The outbox key of a region's digest on a China date: a re-run or a trigger the same day writes nothing twice. */
export const digestDedupeKey = (regionCode: string, date: CalendarDate): string => `managers-digest:${regionCode}:${date}`;
