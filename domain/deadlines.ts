/**
 * The 60-day legal deadline (Resident Identity Card Law art. 12) and its one extension of at most
 * 30 days for areas with poor transport. Days are 24-hour periods: durable timers count elapsed time.
 */
export const DAY_MS = 24 * 60 * 60 * 1000;
export const LEGAL_DEADLINE_DAYS = 60;
export const MAX_EXTENSION_DAYS = 30;
export const TEMPORARY_CARD_DAYS = 3;

export function deadlineAt(acceptedAt: Date, options: { deadlineDays?: number; extensionDays?: number } = {}): Date {
  return new Date(acceptedAt.getTime() + ((options.deadlineDays ?? LEGAL_DEADLINE_DAYS) + (options.extensionDays ?? 0)) * DAY_MS);
}

export const warningAt = (deadline: Date, warningLeadDays: number) => new Date(deadline.getTime() - warningLeadDays * DAY_MS);

export type ExtensionCheck =
  | { ok: true }
  | { ok: false; code: 'extension_already_granted' | 'extension_too_long' | 'extension_invalid_days' | 'extension_reason_required' };

/** One extension only, of 1 to 30 whole days, with a reason. */
export function checkExtension(request: { alreadyExtended: boolean; days: number; reason: string }): ExtensionCheck {
  if (request.alreadyExtended) return { ok: false, code: 'extension_already_granted' };
  if (!Number.isInteger(request.days) || request.days < 1) return { ok: false, code: 'extension_invalid_days' };
  if (request.days > MAX_EXTENSION_DAYS) return { ok: false, code: 'extension_too_long' };
  if (!request.reason?.trim()) return { ok: false, code: 'extension_reason_required' };
  return { ok: true };
}

/** The home county issues a requested temporary card within 3 days of acceptance. */
export const temporaryCardDueAt = (acceptedAt: Date) => new Date(acceptedAt.getTime() + TEMPORARY_CARD_DAYS * DAY_MS);

/** Overdue: not ready for pickup by the deadline. */
export function isOverdue(request: { deadline: Date; readyForPickupAt?: Date; now: Date }): boolean {
  const readyBy = request.readyForPickupAt ?? request.now;
  return readyBy.getTime() > request.deadline.getTime();
}

/** Whole days left until the deadline (rounded up); negative once overdue. */
export function daysRemaining(deadline: Date, now: Date): number {
  const ms = deadline.getTime() - now.getTime();
  return ms >= 0 ? Math.ceil(ms / DAY_MS) : -Math.ceil(-ms / DAY_MS);
}
