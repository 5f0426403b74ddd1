/** The schedule spec compiler on its own: cron and calendar strings, time zones with and without DST, jitter. */
import { canonicalizeSpec, CompiledSpec } from '../../temporal-server/schedules/spec';

const at = (text: string) => Date.parse(text);
const iso = (ms: number) => new Date(ms).toISOString();

function firings(spec: object, from: string, count: number): string[] {
  const compiled = new CompiledSpec(canonicalizeSpec(spec), 'default-test');
  const out: string[] = [];
  for (let next = compiled.next(at(from)); next && out.length < count; next = compiled.next(next.actual)) out.push(iso(next.actual));
  return out;
}

test('cron strings compile to structured calendars as the real server writes them, with CRON_TZ carried to the time zone', () => {
  const spec = canonicalizeSpec({ cronString: ['CRON_TZ=Asia/Shanghai 0 */6 1,15 jan-mar mon-fri # quarter report'] });
  expect(spec.timezoneName).toBe('Asia/Shanghai');
  expect(spec.structuredCalendar).toEqual([
    {
      second: [{ start: 0, end: 0, step: 1 }],
      minute: [{ start: 0, end: 0, step: 1 }],
      hour: [{ start: 0, end: 23, step: 6 }],
      dayOfMonth: [
        { start: 1, end: 1, step: 1 },
        { start: 15, end: 15, step: 1 },
      ],
      month: [{ start: 1, end: 3, step: 1 }],
      year: [],
      dayOfWeek: [{ start: 1, end: 5, step: 1 }],
      comment: 'quarter report',
    },
  ]);
  expect(canonicalizeSpec({ cronString: ['@every 90m/15m'] }).interval).toEqual([{ interval: { seconds: 5400, nanos: 0 }, phase: { seconds: 900, nanos: 0 } }]);
  expect(canonicalizeSpec({ cronString: ['0 12 * * 7'] }).structuredCalendar[0].dayOfWeek).toEqual([{ start: 0, end: 0, step: 1 }]);
});

test('bad specs are INVALID_ARGUMENT with the reason the SDK turns into a TypeError', () => {
  expect(() => canonicalizeSpec({ cronString: ['0 25 * * *'] })).toThrow(/^Invalid schedule spec: Hour is not in range \[0-23\]/);
  expect(() => canonicalizeSpec({ cronString: ['* * *'] })).toThrow(/5-7 fields/);
  expect(() => canonicalizeSpec({ timezoneName: 'Mars/Olympus' })).toThrow(/unknown time zone/);
  expect(() => canonicalizeSpec({ interval: [{ interval: { seconds: 60 }, phase: { seconds: 60 } }] })).toThrow(/phase cannot be greater/);
});

test('Asia/Shanghai calendars fire at local wall time (UTC+8), across month ends', () => {
  expect(firings({ calendar: [{ hour: '9', minute: '30', dayOfMonth: '31' }], timezoneName: 'Asia/Shanghai' }, '2025-01-01T00:00:00Z', 3)).toEqual([
    '2025-01-31T01:30:00.000Z',
    '2025-03-31T01:30:00.000Z',
    '2025-05-31T01:30:00.000Z',
  ]);
  // Midnight in Shanghai is 16:00 UTC the day before.
  expect(firings({ cronString: ['0 0 1 * *'], timezoneName: 'Asia/Shanghai' }, '2025-02-10T00:00:00Z', 2)).toEqual(['2025-02-28T16:00:00.000Z', '2025-03-31T16:00:00.000Z']);
});

test('a DST zone: the skipped hour never fires, the repeated hour fires at both instants', () => {
  // New York springs forward 2025-03-09 02:00 -> 03:00 and falls back 2025-11-02 02:00 -> 01:00.
  expect(firings({ calendar: [{ hour: '2', minute: '30' }], timezoneName: 'America/New_York' }, '2025-03-08T00:00:00Z', 2)).toEqual([
    '2025-03-08T07:30:00.000Z',
    '2025-03-10T06:30:00.000Z',
  ]);
  expect(firings({ calendar: [{ hour: '1', minute: '30' }], timezoneName: 'America/New_York' }, '2025-11-01T12:00:00Z', 3)).toEqual([
    '2025-11-02T05:30:00.000Z',
    '2025-11-02T06:30:00.000Z',
    '2025-11-03T06:30:00.000Z',
  ]);
});

test('intervals with a phase, exclusions, bounds; jitter stays within the jitter and before the next firing, and is the same every time', () => {
  expect(firings({ interval: [{ interval: { seconds: 3600 }, phase: { seconds: 600 } }], excludeCalendar: [{ hour: '2', minute: '10' }] }, '2025-06-01T00:30:00Z', 3)).toEqual([
    '2025-06-01T01:10:00.000Z',
    '2025-06-01T03:10:00.000Z',
    '2025-06-01T04:10:00.000Z',
  ]);
  expect(firings({ interval: [{ interval: { seconds: 86400 } }], startTime: { seconds: at('2025-06-03T00:00:00Z') / 1000 }, endTime: { seconds: at('2025-06-04T00:00:00Z') / 1000 } }, '2025-06-01T00:00:00Z', 5)).toEqual([
    '2025-06-03T00:00:00.000Z',
    '2025-06-04T00:00:00.000Z',
  ]);
  const INTERVAL_MS = 60_000;
  const spec = canonicalizeSpec({ interval: [{ interval: { seconds: INTERVAL_MS / 1000 } }], jitter: { seconds: 3600 } });
  const first = new CompiledSpec(spec, 'default-a').next(at('2025-06-01T00:00:00Z'))!;
  expect(first.nominal).toBe(at('2025-06-01T00:01:00Z'));
  expect(first.actual - first.nominal).toBeGreaterThanOrEqual(0);
  expect(first.actual - first.nominal).toBeLessThan(INTERVAL_MS); // jitter stays within one interval
  expect(new CompiledSpec(spec, 'default-a').next(at('2025-06-01T00:00:00Z'))).toEqual(first);
});
