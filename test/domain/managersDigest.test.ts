import { DAY_MS, chinaDateOf } from '../../domain';
import { DIGEST_MAX_ITEMS, digestDedupeKey, managersDigest, type DueCase } from '../../domain/managersDigest';

/** The digest's shape at a fixed instant: 2026-03-01 23:30 in China is 15:30 UTC. */
const now = new Date('2026-03-01T15:30:00.000Z');
const dueCase = (id: string, deadlineAt: Date): DueCase => ({
  applicationId: id,
  receiptNumber: `260101-${id.padStart(7, '0')}`,
  stage: 'HOME_REVIEW',
  acceptingStationCode: 'S33020301',
  acceptingStationName: '海曙区户政窗口',
  deadlineAt,
});

describe('managersDigest', () => {
  test('when cases are overdue and due, then it counts each side, lists them soonest deadline first with days late or left, dated by China', () => {
    const digest = managersDigest([dueCase('2', new Date(now.getTime() + 3 * DAY_MS)), dueCase('1', new Date(now.getTime() - 2 * DAY_MS)), dueCase('3', new Date(now.getTime() + 1))], now);
    expect(digest.date).toBe('2026-03-01');
    expect({ overdue: digest.overdue, dueSoon: digest.dueSoon, more: digest.more }).toEqual({ overdue: 1, dueSoon: 2, more: 0 });
    expect(digest.items.map((item) => [item.applicationId, item.overdue, item.daysRemaining])).toEqual([
      ['1', true, -2],
      ['3', false, 1],
      ['2', false, 3],
    ]);
  });

  test('when the deadline is exactly now, then the case is not yet overdue (0 days left); 1 ms later it is, by a day', () => {
    expect(managersDigest([dueCase('1', now)], now).items[0]).toMatchObject({ overdue: false, daysRemaining: 0 });
    expect(managersDigest([dueCase('1', new Date(now.getTime() - 1))], now).items[0]).toMatchObject({ overdue: true, daysRemaining: -1 });
  });

  test('when more cases are due than a digest lists, then the most urgent are listed and the counts stay complete', () => {
    const cases = Array.from({ length: DIGEST_MAX_ITEMS + 2 }, (_, n) => dueCase(String(n), new Date(now.getTime() + (n - 5) * 3_600_000)));
    const digest = managersDigest(cases, now);
    expect({ overdue: digest.overdue, dueSoon: digest.dueSoon, listed: digest.items.length, more: digest.more }).toEqual({ overdue: 5, dueSoon: DIGEST_MAX_ITEMS - 3, listed: DIGEST_MAX_ITEMS, more: 2 });
    expect(digest.items[0].applicationId).toBe('0');
  });

  test('when nothing is due, then the digest says so with zero counts', () => {
    expect(managersDigest([], now)).toEqual({ date: chinaDateOf(now.getTime()), overdue: 0, dueSoon: 0, items: [], more: 0 });
  });

  test('when keyed, then a region and a China date make one key, another date another', () => {
    expect(digestDedupeKey('330203', '2026-03-01')).toBe('managers-digest:330203:2026-03-01');
    expect(digestDedupeKey('330203', '2026-03-02')).not.toBe(digestDedupeKey('330203', '2026-03-01'));
  });
});
