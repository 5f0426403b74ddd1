/**
 * The 60-day legal deadline (60天办理时限, Resident Identity Card Law art. 12) and its one extension
 * of at most 30 days for areas with poor transport, the 3 days for a temporary card, and reminders.
 *
 * Instants are `Date`s; the caller passes "now" — nothing here reads the clock, so workflows can use
 * it. A day is 24 hours of elapsed time (`DAY_MS`), not a calendar day: durable timers count
 * elapsed time, and the deadline is then the same instant whatever the time zone or daylight saving.
 */
export const DAY_MS = 24 * 60 * 60 * 1000;
export const LEGAL_DEADLINE_DAYS = 60;
export const MAX_EXTENSION_DAYS = 30;
export const TEMPORARY_CARD_DAYS = 3;

const timeOf = (instant: Date, what: string): number => {
  const ms = instant instanceof Date ? instant.getTime() : Number.NaN;
  if (Number.isNaN(ms)) throw new RangeError(`${what} must be a valid Date`);
  return ms;
};

/**
 * When the card must be ready for pickup: `deadlineDays` (60 by law; configurable so that tests and
 * pilots can shorten it) plus a granted extension after `acceptedAt`.
 * @throws RangeError for an invalid date, a negative or non-finite `deadlineDays`, or an
 * `extensionDays` outside 0–30 (the law's cap holds here too, not only in `checkExtension`).
 */
export function deadlineAt(acceptedAt: Date, options: { deadlineDays?: number; extensionDays?: number } = {}): Date {
  const start = timeOf(acceptedAt, 'acceptedAt');
  const deadlineDays = options.deadlineDays ?? LEGAL_DEADLINE_DAYS;
  const extensionDays = options.extensionDays ?? 0;
  if (!Number.isFinite(deadlineDays) || deadlineDays < 0) throw new RangeError('deadlineDays must be a non-negative number');
  if (!Number.isFinite(extensionDays) || extensionDays < 0 || extensionDays > MAX_EXTENSION_DAYS) {
    throw new RangeError(`extensionDays must be between 0 and ${MAX_EXTENSION_DAYS}`);
  }
  return new Date(start + (deadlineDays + extensionDays) * DAY_MS);
}

/** When managers are warned: `warningLeadDays` before the deadline. @throws RangeError for an invalid date. */
export const warningAt = (deadline: Date, warningLeadDays: number): Date => new Date(timeOf(deadline, 'deadline') - warningLeadDays * DAY_MS);

export type ExtensionRefusalCode = 'extension_already_granted' | 'extension_too_long' | 'extension_invalid_days' | 'extension_reason_required';
export type ExtensionCheck = { ok: true } | { ok: false; code: ExtensionRefusalCode };

/**
 * Whether the home region may extend the deadline: once only, by 1 to 30 whole days, with a reason.
 * Checked in that order, so asking twice is `extension_already_granted` whatever the days.
 */
export function checkExtension(request: { alreadyExtended: boolean; days: number; reason: string }): ExtensionCheck {
  if (request.alreadyExtended) return { ok: false, code: 'extension_already_granted' };
  if (typeof request.days !== 'number' || !Number.isInteger(request.days) || request.days < 1) return { ok: false, code: 'extension_invalid_days' };
  if (request.days > MAX_EXTENSION_DAYS) return { ok: false, code: 'extension_too_long' };
  if (typeof request.reason !== 'string' || request.reason.trim() === '') return { ok: false, code: 'extension_reason_required' };
  return { ok: true };
}

/** The home county must issue a requested temporary card (临时居民身份证) within 3 days of acceptance. */
export const temporaryCardDueAt = (acceptedAt: Date): Date => new Date(timeOf(acceptedAt, 'acceptedAt') + TEMPORARY_CARD_DAYS * DAY_MS);

/**
 * Overdue: the card was not ready for pickup by the deadline — it became ready after it, or is still
 * not ready at `now`, which is past it. Ready exactly at the deadline is on time.
 */
export function isOverdue(request: { deadline: Date; readyForPickupAt?: Date | null; now: Date }): boolean {
  const readyBy = request.readyForPickupAt ?? request.now;
  return timeOf(readyBy, 'readyForPickupAt/now') > timeOf(request.deadline, 'deadline');
}

/**
 * Whole days until the deadline, any part of a day counting as a day: 1 ms left is 1, exactly at the
 * deadline 0, 1 ms late −1 (negative once overdue).
 */
export function daysRemaining(deadline: Date, now: Date): number {
  const ms = timeOf(deadline, 'deadline') - timeOf(now, 'now');
  return ms >= 0 ? Math.ceil(ms / DAY_MS) : -Math.ceil(-ms / DAY_MS);
}

/** Cap on `reviewReminderTimes`, so that a tiny interval cannot produce an endless list. */
export const MAX_REMINDERS = 1000;

/**
 * When to remind the home region of an application still waiting for review: every `everyDays`
 * after `since`, strictly before `until` (usually the deadline), at most `MAX_REMINDERS` of them.
 * Empty when `everyDays` is not a positive number.
 * @throws RangeError for an invalid date.
 */
export function reviewReminderTimes(since: Date, everyDays: number, until: Date): Date[] {
  const start = timeOf(since, 'since');
  const end = timeOf(until, 'until');
  if (typeof everyDays !== 'number' || !Number.isFinite(everyDays) || everyDays <= 0) return [];
  const times: Date[] = [];
  for (let i = 1; i <= MAX_REMINDERS && start + i * everyDays * DAY_MS < end; i++) times.push(new Date(start + i * everyDays * DAY_MS));
  return times;
}
