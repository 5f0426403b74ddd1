import type { Db } from '../knex';
import { TERMINAL_STAGES } from '../../domain';
import { applyScope, type Scope } from './applications';

/** China's weeks (Monday to Sunday, Asia/Shanghai): a manager's week, whatever zone the database runs in. */
const CHINA = 'Asia/Shanghai';

export interface WeekOnTime {
  /** The week's Monday, China's date. */
  weekStart: string;
  /** Applications that became ready for pickup that week. */
  finished: number;
  /** Of those, ready by their deadline. */
  onTime: number;
}

/**
 * The on-time rule of `applicationStats` week by week: of the applications in scope that became ready
 * for pickup in each of the last `weeks` weeks up to `now` (the current week included, so far), how
 * many were ready by their deadline. Every week is listed, empty ones with zeros, oldest first.
 */
export async function onTimeByWeek(db: Db, scope: Scope, options: { now: Date; weeks: number }): Promise<WeekOnTime[]> {
  const thisWeek = db.raw(`date_trunc('week', ?::timestamptz at time zone '${CHINA}')`, [options.now.toISOString()]);
  const finished = applyScope(db('applications'), scope)
    .whereNotNull('applications.readyForPickupAt')
    .where('applications.readyForPickupAt', '<=', options.now)
    .whereRaw(`applications.ready_for_pickup_at >= (? - (? - 1) * interval '1 week') at time zone '${CHINA}'`, [thisWeek, options.weeks])
    .select(
      db.raw(`date_trunc('week', applications.ready_for_pickup_at at time zone '${CHINA}') as week_start`),
      db.raw('applications.ready_for_pickup_at <= applications.deadline_at as on_time'),
    );
  const rows: Array<{ weekStart: string; finished: number; onTime: number }> = await db
    .with('finished', finished)
    .from(db.raw(`generate_series(? - (? - 1) * interval '1 week', ?, interval '1 week') as weeks(week_start)`, [thisWeek, options.weeks, thisWeek]))
    .leftJoin('finished', 'finished.weekStart', 'weeks.weekStart')
    .groupBy('weeks.weekStart')
    .orderBy('weeks.weekStart')
    .select(
      db.raw(`to_char(weeks.week_start, 'YYYY-MM-DD') as week_start`),
      db.raw('count(finished.week_start)::int as finished'),
      db.raw('count(*) filter (where finished.on_time)::int as on_time'),
    );
  return rows;
}

/**
 * Days left to the deadline of every open application in scope not yet ready for pickup, counted as
 * `daysRemaining` (domain/deadlines.ts) counts them — any part of a day is a day; 1 ms late is −1 —
 * and tallied per day: `[{ days, count }]`, most overdue first.
 */
export async function daysRemainingTally(db: Db, scope: Scope, now: Date): Promise<Array<{ days: number; count: number }>> {
  const at = now.toISOString();
  const days = db.raw(
    `case when applications.deadline_at >= ?::timestamptz
       then ceil(extract(epoch from applications.deadline_at - ?::timestamptz) / 86400)
       else -ceil(extract(epoch from ?::timestamptz - applications.deadline_at) / 86400) end::int`,
    [at, at, at],
  );
  const rows: Array<{ days: number; count: number }> = await applyScope(db('applications'), scope)
    .whereNotIn('applications.stage', [...TERMINAL_STAGES, 'READY_FOR_PICKUP'])
    .groupByRaw('1')
    .orderByRaw('1')
    .select(db.raw('? as days', [days]), db.raw('count(*)::int as count'));
  return rows;
}
