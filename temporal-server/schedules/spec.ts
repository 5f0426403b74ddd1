/**
 * A schedule's spec: canonical form and next firing time, as Temporal's `service/worker/scheduler`
 * (spec.go, calendar.go) computes them. Calendar strings and cron strings are compiled into
 * structured calendars (and `@every` cron strings into intervals) when the schedule is created or
 * updated, so describe shows only structured calendars and intervals, as the real server does.
 * Time zones use the runtime's IANA database through `Intl` (`Asia/Shanghai`, DST zones alike).
 * Granularity is one second. Jitter is deterministic: a hash of the schedule id and the nominal
 * time picks the delay within `[0, min(jitter, gap to the following firing))`.
 */
import { createHash } from 'node:crypto';
import { invalidArgument } from '../errors';
import { duration, toMs, type Pb } from '../proto';

const MIN_YEAR = 2000;
const MAX_YEAR = 2100;
const SECOND = 1000;
const DAY = 86_400_000;

type Mode = 'int' | 'year' | 'month' | 'dow';
const MONTHS = ['january', 'february', 'march', 'april', 'may', 'june', 'july', 'august', 'september', 'october', 'november', 'december'];
const DAYS = ['sunday', 'monday', 'tuesday', 'wednesday', 'thursday', 'friday', 'saturday'];

export interface Range {
  start: number;
  end?: number;
  step?: number;
}

function parseValue(text: string, min: number, max: number, mode: Mode): number {
  const lower = text.toLowerCase();
  if (mode === 'month' && text.length >= 3) {
    const index = MONTHS.findIndex((name) => name.startsWith(lower));
    if (index >= 0) return check(index + 1, min, max);
  } else if (mode === 'dow' && text.length >= 2) {
    const index = DAYS.findIndex((name) => name.startsWith(lower));
    if (index >= 0) return check(index, min, max);
  }
  if (!/^\d+$/.test(text)) throw new Error(`"${text}" is not a number`);
  return check(Number(text), min, max);
}

function check(value: number, min: number, max: number): number {
  if (value < min || value > max) throw new Error('out of range');
  return value;
}

/** One field of a calendar string ("1,5-10/2", "*", "mon-fri") as ranges, as calendar.go's makeRange. */
function makeRange(input: string | undefined, field: string, def: string, min: number, max: number, mode: Mode): Range[] {
  const text = (input ?? '').trim() || def;
  if (text === '*' && mode === 'year') return [];
  const ranges: Range[] = [];
  for (let part of text.split(',')) {
    let step = 1;
    let hasStep = false;
    const slashes = part.split('/').length - 1;
    if (slashes > 1) throw new Error(`${field} has too many slashes`);
    if (slashes === 1) {
      const [head, stepText] = part.split('/');
      if (!/^\d+$/.test(stepText) || Number(stepText) < 1) throw new Error(`${field} has invalid Step`);
      part = head;
      step = Number(stepText);
      hasStep = true;
    }
    let start = min;
    let end = max;
    if (part !== '*') {
      if (part.includes('-')) {
        const pieces = part.split('-');
        if (pieces.length !== 2) throw new Error(`${field} has too many dashes`);
        try {
          start = parseValue(pieces[0], min, max, mode);
        } catch {
          throw new Error(`${field} Start is not in range [${min}-${max}]`);
        }
        try {
          end = parseValue(pieces[1], start, max, mode);
        } catch {
          throw new Error(`${field} End is before Start or not in range [${min}-${max}]`);
        }
      } else {
        try {
          start = parseValue(part, min, max, mode);
        } catch {
          throw new Error(`${field} is not in range [${min}-${max}]`);
        }
        if (!hasStep) end = start;
      }
    }
    if (mode === 'dow' && end === 7) {
      // 7 is Sunday too: fold it onto 0.
      if ((7 - start) % step === 0 && (step > 1 || start > 1)) {
        ranges.push({ start: 0 });
        if (start === 7) continue;
      }
      end = 6;
    }
    const range: Range = { start };
    if (end !== start) range.end = end;
    if (step !== 1) range.step = step;
    ranges.push(range);
  }
  return ranges;
}

function calendarToStructured(calendar: Pb): Pb {
  return {
    second: makeRange(calendar.second, 'Second', '0', 0, 59, 'int'),
    minute: makeRange(calendar.minute, 'Minute', '0', 0, 59, 'int'),
    hour: makeRange(calendar.hour, 'Hour', '0', 0, 23, 'int'),
    dayOfMonth: makeRange(calendar.dayOfMonth, 'DayOfMonth', '*', 1, 31, 'int'),
    month: makeRange(calendar.month, 'Month', '*', 1, 12, 'month'),
    year: makeRange(calendar.year, 'Year', '*', MIN_YEAR, MAX_YEAR, 'year'),
    dayOfWeek: makeRange(calendar.dayOfWeek, 'DayOfWeek', '*', 0, 7, 'dow'),
    comment: calendar.comment ?? '',
  };
}

const PREDEFINED: Record<string, string> = {
  '@yearly': '0 0 1 1 *',
  '@annually': '0 0 1 1 *',
  '@monthly': '0 0 1 * *',
  '@weekly': '0 0 * * 0',
  '@daily': '0 0 * * *',
  '@midnight': '0 0 * * *',
  '@hourly': '0 * * * *',
};

/** Go-style durations as `@every` takes them: "1h30m", "90s", "2d" (Temporal's parser accepts days). */
function parseGoDuration(text: string): number {
  const units: Record<string, number> = { ms: 1, s: SECOND, m: 60 * SECOND, h: 3_600_000, d: DAY };
  let total = 0;
  let rest = text.trim();
  if (!rest) throw new Error(`invalid duration "${text}"`);
  while (rest) {
    const match = /^(\d+(?:\.\d+)?)(ms|s|m|h|d)/.exec(rest);
    if (!match) throw new Error(`invalid duration "${text}"`);
    total += Number(match[1]) * units[match[2]];
    rest = rest.slice(match[0].length);
  }
  return total;
}

/** A cron string (5, 6 or 7 fields, `@daily`…, `@every 1h/5m`, optional `CRON_TZ=…`, `# comment`). */
function parseCron(input: string): { calendar?: Pb; interval?: Pb; timezone: string } {
  let text = input.trim();
  let timezone = '';
  if (text.startsWith('TZ=') || text.startsWith('CRON_TZ=')) {
    const space = text.indexOf(' ');
    if (space < 0) throw new Error('CronString has time zone but missing fields');
    timezone = text.slice(text.indexOf('=') + 1, space);
    text = text.slice(space + 1);
  }
  const hash = text.indexOf('#');
  const comment = hash >= 0 ? text.slice(hash + 1).trim() : '';
  if (hash >= 0) text = text.slice(0, hash);
  text = text.trim();
  if (text.startsWith('@every')) {
    const [every, phase] = text.slice('@every'.length).trim().split('/');
    if (!every) throw new Error('CronString does not have interval after @every');
    return { interval: { interval: duration(parseGoDuration(every)), phase: phase ? duration(parseGoDuration(phase)) : undefined }, timezone };
  }
  text = PREDEFINED[text] ?? text;
  const tokens = text.split(/\s+/).filter(Boolean);
  let fields: string[];
  if (tokens.length === 5) fields = ['0', ...tokens, ''];
  else if (tokens.length === 6) fields = ['0', ...tokens];
  else if (tokens.length === 7) fields = tokens;
  else throw new Error('CronString does not have 5-7 fields');
  const [second, minute, hour, dayOfMonth, month, dayOfWeek, year] = fields;
  return { calendar: calendarToStructured({ second, minute, hour, dayOfMonth, month, dayOfWeek, year, comment }), timezone };
}

function checkRanges(ranges: Range[] | undefined, field: string, min: number, max: number, errors: string[]): void {
  for (const range of ranges ?? []) {
    const start = range.start ?? 0;
    const end = range.end ?? 0;
    if (start < min || start > max) errors.push(`${field} Start is not in range [${min}-${max}]`);
    if (end !== 0 && (end < start || end > max)) errors.push(`${field} End is before Start or not in range [${min}-${max}]`);
    if ((range.step ?? 0) < 0) errors.push(`${field} has invalid Step`);
  }
}

function validateStructured(calendar: Pb): void {
  const errors: string[] = [];
  checkRanges(calendar.second, 'Second', 0, 59, errors);
  checkRanges(calendar.minute, 'Minute', 0, 59, errors);
  checkRanges(calendar.hour, 'Hour', 0, 23, errors);
  checkRanges(calendar.dayOfMonth, 'DayOfMonth', 1, 31, errors);
  checkRanges(calendar.month, 'Month', 1, 12, errors);
  checkRanges(calendar.year, 'Year', MIN_YEAR, MAX_YEAR, errors);
  checkRanges(calendar.dayOfWeek, 'DayOfWeek', 0, 6, errors);
  if ((calendar.comment ?? '').length > 200) errors.push('comment is too long');
  if (errors.length) throw new Error(`invalid calendar spec: ${errors.join(', ')}`);
}

/** Ranges with end < start mean start alone, step 0 means 1: what describe shows (spec.go's CleanSpec). */
function cleanRanges(calendar: Pb): Pb {
  const clean = (ranges: Range[] | undefined) => (ranges ?? []).map((range) => ({ start: range.start ?? 0, end: Math.max(range.end ?? 0, range.start ?? 0), step: range.step || 1 }));
  return {
    second: clean(calendar.second),
    minute: clean(calendar.minute),
    hour: clean(calendar.hour),
    dayOfMonth: clean(calendar.dayOfMonth),
    month: clean(calendar.month),
    year: clean(calendar.year),
    dayOfWeek: clean(calendar.dayOfWeek),
    comment: calendar.comment ?? '',
  };
}

/**
 * The spec as stored and described: calendars and cron strings compiled to structured calendars,
 * the cron strings' time zone carried to `timezoneName`, everything validated.
 * @throws ServiceError INVALID_ARGUMENT naming what is wrong.
 */
export function canonicalizeSpec(input: Pb | undefined): Pb {
  const spec: Pb = input ?? {};
  try {
    const structured: Pb[] = [...(spec.structuredCalendar ?? [])];
    const excluded: Pb[] = [...(spec.excludeStructuredCalendar ?? [])];
    const intervals: Pb[] = [...(spec.interval ?? [])];
    for (const calendar of spec.calendar ?? []) structured.push(calendarToStructured(calendar));
    for (const calendar of spec.excludeCalendar ?? []) excluded.push(calendarToStructured(calendar));
    let cronTimezone: string | undefined;
    for (const cron of spec.cronString ?? []) {
      const parsed = parseCron(cron);
      if (cronTimezone !== undefined && parsed.timezone !== cronTimezone) throw new Error('conflicting timezone names');
      cronTimezone = parsed.timezone;
      if (parsed.calendar) structured.push(parsed.calendar);
      if (parsed.interval) intervals.push(parsed.interval);
    }
    let timezoneName: string = spec.timezoneName ?? '';
    if (cronTimezone) {
      if (timezoneName && timezoneName !== cronTimezone) throw new Error('conflicting timezone names');
      timezoneName = cronTimezone;
    }
    if (spec.timezoneData?.length) throw new Error('timezone_data is not supported by this server: give timezone_name');
    if (timezoneName) zoneFormatter(timezoneName);
    structured.forEach(validateStructured);
    excluded.forEach(validateStructured);
    for (const interval of intervals) {
      const every = toMs(interval.interval);
      const phase = toMs(interval.phase);
      if (every < SECOND) throw new Error('interval is too small');
      if (phase < 0) throw new Error('phase is negative');
      if (phase >= every) throw new Error('phase cannot be greater than Interval');
    }
    return {
      structuredCalendar: structured.map(cleanRanges),
      interval: intervals.map((interval) => ({ interval: interval.interval, phase: interval.phase ?? duration(0) })),
      excludeStructuredCalendar: excluded.map(cleanRanges),
      startTime: spec.startTime,
      endTime: spec.endTime,
      jitter: spec.jitter,
      timezoneName,
      calendar: [],
      cronString: [],
      excludeCalendar: [],
    };
  } catch (error) {
    if (error instanceof Error && error.name === 'ServiceError') throw error;
    throw invalidArgument(`Invalid schedule spec: ${(error as Error).message}`);
  }
}

// ---------------------------------------------------------------- time zones

interface Wall {
  y: number;
  mo: number;
  d: number;
  h: number;
  mi: number;
  s: number;
}

const formatters = new Map<string, Intl.DateTimeFormat>();

/** @throws Error for a time zone the runtime does not know. */
function zoneFormatter(zone: string): Intl.DateTimeFormat {
  let formatter = formatters.get(zone);
  if (!formatter) {
    try {
      formatter = new Intl.DateTimeFormat('en-US', { timeZone: zone, hourCycle: 'h23', year: 'numeric', month: 'numeric', day: 'numeric', hour: 'numeric', minute: 'numeric', second: 'numeric' });
    } catch {
      throw new Error(`unknown time zone "${zone}"`);
    }
    formatters.set(zone, formatter);
  }
  return formatter;
}

/** Offset of `zone` from UTC at instant `ms`, in ms (Asia/Shanghai: +8 h). */
function offsetAt(zone: string, ms: number): number {
  if (!zone || zone === 'UTC') return 0;
  const instant = Math.floor(ms / SECOND) * SECOND;
  const parts: Record<string, number> = {};
  for (const part of zoneFormatter(zone).formatToParts(new Date(instant))) if (part.type !== 'literal') parts[part.type] = Number(part.value);
  return Date.UTC(parts.year, parts.month - 1, parts.day, parts.hour % 24, parts.minute, parts.second) - instant;
}

const wallOf = (localMs: number): Wall => {
  const date = new Date(localMs);
  return { y: date.getUTCFullYear(), mo: date.getUTCMonth() + 1, d: date.getUTCDate(), h: date.getUTCHours(), mi: date.getUTCMinutes(), s: date.getUTCSeconds() };
};
const wallMs = (w: Wall) => Date.UTC(w.y, w.mo - 1, w.d, w.h, w.mi, w.s);
const daysInMonth = (y: number, mo: number) => new Date(Date.UTC(y, mo, 0)).getUTCDate();

// ---------------------------------------------------------------- matching

type Matcher = (value: number) => boolean;

function matcher(ranges: Range[] | undefined, emptyMatchesAll: boolean): Matcher {
  const values = new Set<number>();
  for (const range of ranges ?? []) {
    const step = range.step || 1;
    const end = Math.max(range.end ?? 0, range.start ?? 0);
    for (let value = range.start ?? 0; value <= end; value += step) values.add(value);
  }
  if (values.size === 0 && emptyMatchesAll) return () => true;
  return (value) => values.has(value);
}

class CompiledCalendar {
  private readonly year: Matcher;
  private readonly month: Matcher;
  private readonly dayOfMonth: Matcher;
  private readonly dayOfWeek: Matcher;
  private readonly hour: Matcher;
  private readonly minute: Matcher;
  private readonly second: Matcher;

  constructor(calendar: Pb, private readonly zone: string) {
    this.year = matcher(calendar.year, true);
    this.month = matcher(calendar.month, false);
    this.dayOfMonth = matcher(calendar.dayOfMonth, false);
    this.dayOfWeek = matcher(calendar.dayOfWeek, false);
    this.hour = matcher(calendar.hour, false);
    this.minute = matcher(calendar.minute, false);
    this.second = matcher(calendar.second, false);
  }

  private matchesWall(w: Wall): boolean {
    const weekday = new Date(Date.UTC(w.y, w.mo - 1, w.d)).getUTCDay();
    return this.year(w.y) && this.month(w.mo) && this.dayOfMonth(w.d) && this.dayOfWeek(weekday) && this.hour(w.h) && this.minute(w.mi) && this.second(w.s);
  }

  matches(ms: number): boolean {
    return this.matchesWall(wallOf(ms + offsetAt(this.zone, ms)));
  }

  /** The first wall time at or after `from` that the calendar matches (field by field, as calendar.go). */
  private nextWall(from: Wall): Wall | undefined {
    let { y, mo, d, h, mi, s } = from;
    for (;;) {
      if (s >= 60) [mi, s] = [mi + 1, 0];
      if (mi >= 60) [h, mi] = [h + 1, 0];
      if (h >= 24) [d, h] = [d + 1, 0];
      if (d > daysInMonth(y, mo)) [mo, d] = [mo + 1, 1];
      if (mo > 12) [y, mo] = [y + 1, 1];
      if (y > MAX_YEAR) return undefined;
      if (!this.year(y)) {
        [y, mo, d, h, mi, s] = [y + 1, 1, 1, 0, 0, 0];
        continue;
      }
      if (!this.month(mo)) {
        [mo, d, h, mi, s] = [mo + 1, 1, 0, 0, 0];
        continue;
      }
      if (!this.dayOfMonth(d) || !this.dayOfWeek(new Date(Date.UTC(y, mo - 1, d)).getUTCDay())) {
        [d, h, mi, s] = [d + 1, 0, 0, 0];
        continue;
      }
      if (!this.hour(h)) {
        [h, mi, s] = [h + 1, 0, 0];
        continue;
      }
      if (!this.minute(mi)) {
        [mi, s] = [mi + 1, 0];
        continue;
      }
      if (!this.second(s)) {
        s += 1;
        continue;
      }
      return { y, mo, d, h, mi, s };
    }
  }

  /**
   * The first instant after `after` whose wall time in the zone matches. Wall times skipped by a
   * DST change never fire; wall times repeated by one fire at both instants, as the real server does.
   */
  next(after: number): number | undefined {
    const first = Math.floor(after / SECOND) * SECOND + SECOND;
    const offsets = (at: number) => [offsetAt(this.zone, at - DAY), offsetAt(this.zone, at), offsetAt(this.zone, at + DAY)];
    let wall: Wall | undefined = wallOf(first + Math.min(...offsets(first)));
    let best: number | undefined;
    while ((wall = wall && this.nextWall(wall))) {
      const local = wallMs(wall);
      const near = offsets(local);
      if (best !== undefined && local - Math.max(...near) > best) break;
      for (const offset of new Set(near)) {
        const instant = local - offset;
        if (instant >= first && offsetAt(this.zone, instant) === offset && (best === undefined || instant < best)) best = instant;
      }
      wall = wallOf(local + SECOND);
    }
    return best;
  }
}

/** A spec ready to answer "when next?"; `seed` (namespace and schedule id) drives the jitter. */
export class CompiledSpec {
  private readonly calendars: CompiledCalendar[];
  private readonly excludes: CompiledCalendar[];
  private readonly intervals: Array<{ every: number; phase: number }>;
  private readonly startTime: number | undefined;
  private readonly endTime: number | undefined;
  private readonly jitterMs: number;

  constructor(spec: Pb, private readonly seed: string) {
    const zone: string = spec.timezoneName ?? '';
    this.calendars = (spec.structuredCalendar ?? []).map((calendar: Pb) => new CompiledCalendar(calendar, zone));
    this.excludes = (spec.excludeStructuredCalendar ?? []).map((calendar: Pb) => new CompiledCalendar(calendar, zone));
    this.intervals = (spec.interval ?? []).map((interval: Pb) => ({ every: Math.max(Math.floor(toMs(interval.interval) / SECOND), 1), phase: Math.max(Math.floor(toMs(interval.phase) / SECOND), 0) }));
    this.startTime = spec.startTime ? toMs(spec.startTime) : undefined;
    this.endTime = spec.endTime ? toMs(spec.endTime) : undefined;
    this.jitterMs = toMs(spec.jitter);
  }

  private rawNext(after: number): number | undefined {
    let best: number | undefined;
    for (const calendar of this.calendars) {
      const next = calendar.next(after);
      if (next !== undefined && (best === undefined || next < best)) best = next;
    }
    const seconds = Math.floor(after / SECOND);
    for (const { every, phase } of this.intervals) {
      const next = (Math.floor((seconds - phase) / every) + 1) * every * SECOND + phase * SECOND;
      if (best === undefined || next < best) best = next;
    }
    return best;
  }

  /** The next firing after `after`: its nominal time and its time with jitter, or undefined when there is none. */
  next(after: number): { nominal: number; actual: number } | undefined {
    let from = this.startTime !== undefined ? Math.max(after, this.startTime - SECOND) : after;
    for (let iterations = 0; iterations < 100_000; iterations++) {
      const nominal = this.rawNext(from);
      if (nominal === undefined || (this.endTime !== undefined && nominal > this.endTime) || new Date(nominal).getUTCFullYear() > MAX_YEAR) return undefined;
      from = nominal;
      if (this.excludes.some((calendar) => calendar.matches(nominal))) continue;
      let maxJitter = this.jitterMs;
      const following = this.rawNext(nominal);
      if (following !== undefined) maxJitter = Math.min(maxJitter, following - nominal);
      return { nominal, actual: nominal + this.jitter(nominal, maxJitter) };
    }
    return undefined;
  }

  private jitter(nominal: number, maxJitter: number): number {
    if (maxJitter <= 0) return 0;
    const hash = createHash('sha256').update(`${nominal}/${this.seed}`).digest().readUInt32BE(0);
    return Math.floor((hash / 2 ** 32) * maxJitter);
  }
}
