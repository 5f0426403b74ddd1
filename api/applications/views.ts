import { daysRemaining, isTerminal } from '../../domain';
import type { ApplicationRow } from '../../db/queries/applications';

/** An application as the API shows it: stage, deadline, days remaining, overdue, and the stage history. */
export function applicationView(row: ApplicationRow, history?: Array<{ stage: string; at: Date; note: string | null }>, now = new Date()) {
  const open = !isTerminal(row.stage);
  return {
    applicationId: row.id,
    kind: row.kind,
    stage: row.stage,
    acceptingStationCode: row.acceptingStationCode,
    homeRegionCode: row.homeRegionCode,
    acceptedAt: row.acceptedAt.toISOString(),
    deadlineAt: row.deadlineAt.toISOString(),
    extensionDays: row.extensionDays,
    daysRemaining: open && !row.readyForPickupAt ? daysRemaining(row.deadlineAt, now) : null,
    overdue: row.overdue,
    readyForPickupAt: row.readyForPickupAt?.toISOString() ?? null,
    closedAt: row.closedAt?.toISOString() ?? null,
    temporaryCard: row.temporaryCardRequested
      ? { dueAt: row.temporaryCardDueAt?.toISOString() ?? null, issuedAt: row.temporaryCardIssuedAt?.toISOString() ?? null, overdue: row.temporaryCardOverdue }
      : null,
    printFailures: row.printFailures,
    misrouted: row.misrouted,
    trackingNumber: row.trackingNumber,
    refusalReason: row.refusalReason,
    withdrawalReason: row.withdrawalReason,
    ...(history ? { history: history.map((entry) => ({ stage: entry.stage, at: entry.at.toISOString(), ...(entry.note ? { note: entry.note } : {}) })) } : {}),
  };
}


