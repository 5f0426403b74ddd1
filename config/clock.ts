import { chinaDateOf, type CalendarDate } from '../domain';

/**
 * The one source of "now" and "today" for business rules (acceptance's rollout date, the printed
 * card's validity): today is China's date (Asia/Shanghai), never the server's UTC date — between
 * 16:00 and 24:00 UTC they differ. Injected (`AppDependencies.clock`) so that tests can stand at
 * any instant; `systemClock` everywhere else.
 */
export interface Clock {
  now(): Date;
  /** China's date now, `YYYY-MM-DD`. */
  today(): CalendarDate;
}

export const systemClock: Clock = {
  now: () => new Date(),
  today: () => chinaDateOf(Date.now()),
};

/** A clock stopped at `instant` (an ISO string or a Date): for tests and reproducible runs. */
export function fixedClock(instant: string | Date): Clock {
  const at = new Date(instant);
  if (Number.isNaN(at.getTime())) throw new RangeError(`not an instant: ${String(instant)}`);
  return { now: () => new Date(at), today: () => chinaDateOf(at.getTime()) };
}
