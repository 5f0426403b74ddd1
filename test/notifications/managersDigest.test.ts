import { createManagersDigestActivities } from '../../activities/managersDigest';
import { CHINA_UTC_OFFSET_MS, DAY_MS, chinaDateOf } from '../../domain';
import { digestDedupeKey } from '../../domain/managersDigest';
import type { Db } from '../../db/knex';
import { MANAGERS_DIGEST_TOPIC } from '../../db/queries/managersDigest';
import type { OutboxRow } from '../../db/queries/notifications';
import { hashToken } from '../../db/users';
import { compose } from '../../notifications/dispatcher';
import { testDb } from '../support/database';
import { newCitizen, newToken, recordApplication, stationIn } from '../support/fixtures';

/**
 * The managers' daily digest's activity against the shared PostgreSQL: regions no other test file
 * uses — Haishu (海曙区, Ningbo) and Yuhu (雨湖区, Xiangtan) with cases, Jinghu (镜湖区, Wuhu) with
 * managers and nothing due, Chengkou (城口县, Chongqing) whose only manager is disabled. Other files'
 * regions get digests too (every region with managers does): only this file's rows are looked at.
 */
const HAISHU = { region: '330203', station: stationIn('330203') };
const YUHU = { region: '430302', station: stationIn('430302') };
const JINGHU = '340202';
const CHENGKOU = '500229';
const WARNING_DAYS = 10;

/** Noon today in China: the digest's instant, so that "later the same day" and "the next day" stay on China's calendar. */
const chinaNoon = (epochMs: number) => Math.floor((epochMs + CHINA_UTC_OFFSET_MS) / DAY_MS) * DAY_MS - CHINA_UTC_OFFSET_MS + 12 * 3_600_000;
const at = new Date(chinaNoon(Date.now()));
const today = chinaDateOf(at.getTime());
const tomorrow = chinaDateOf(at.getTime() + DAY_MS);
const after = (ms: number) => new Date(at.getTime() + ms);

let db: Db;
const cases: Record<string, { id: string; receiptNumber: string; idNumber: string; name: string }> = {};

/** An open case of the region's station for one of the region's residents, with its deadline (acceptance 60 days before). */
async function recordCase(key: string, place: { region: string; station: string }, deadlineAt: Date, stage = 'HOME_REVIEW'): Promise<void> {
  const citizen = await newCitizen(db, { homeRegionCode: place.region });
  const id = await recordApplication(db, {
    idNumber: citizen.idNumber,
    acceptingStationCode: place.station,
    homeRegionCode: place.region,
    stage,
    acceptedAt: new Date(deadlineAt.getTime() - 60 * DAY_MS),
    deadlineAt,
    overdue: deadlineAt < at,
    ...(stage === 'READY_FOR_PICKUP' ? { readyForPickupAt: new Date(deadlineAt.getTime() - DAY_MS) } : {}),
  });
  const { receiptNumber } = await db('applications').where('id', id).first('receiptNumber');
  cases[key] = { id, receiptNumber, idNumber: citizen.idNumber, name: citizen.name };
}

const digestRow = (region: string, date: string): Promise<OutboxRow | undefined> =>
  db('outbox').where('dedupeKey', digestDedupeKey(region, date)).first('id', 'createdAt', 'topic', 'recipientRole', 'recipientCode', 'payload', 'dedupeKey', 'attempts');

beforeAll(async () => {
  db = testDb();
  await newToken(db, 'manager', { regionCode: HAISHU.region });
  await newToken(db, 'manager', { regionCode: HAISHU.region });
  await newToken(db, 'manager', { regionCode: YUHU.region });
  await newToken(db, 'manager', { regionCode: JINGHU });
  const disabled = await newToken(db, 'manager', { regionCode: CHENGKOU });
  await db('users').where('tokenHash', hashToken(disabled)).update({ disabledAt: new Date() });

  await recordCase('overdue', HAISHU, after(-2 * DAY_MS), 'PRINTING');
  await recordCase('dueAtWindowEnd', HAISHU, after(WARNING_DAYS * DAY_MS));
  await recordCase('justOutside', HAISHU, after(WARNING_DAYS * DAY_MS + 1));
  await recordCase('dayOutside', HAISHU, after((WARNING_DAYS + 1) * DAY_MS), 'SHIPPING');
  await recordCase('completed', HAISHU, after(-DAY_MS), 'COMPLETED');
  await recordCase('readyForPickup', HAISHU, after(DAY_MS), 'READY_FOR_PICKUP');
  await recordCase('yuhuDue', YUHU, after(3 * DAY_MS), 'SHIPPING');
});

afterAll(() => db?.destroy());

describe("the managers' daily digest (activity writeManagersDigests)", () => {
  const writeManagersDigests = (input: { warningDays: number; at: string }) => createManagersDigestActivities({ db }).writeManagersDigests(input);

  test('when it runs, then each region with managers gets one digest of its overdue cases and those due within the window, and nothing of another region', async () => {
    const result = await writeManagersDigests({ warningDays: WARNING_DAYS, at: at.toISOString() });
    // The engine sees counts only.
    expect(Object.keys(result).sort()).toEqual(['date', 'dueSoon', 'overdue', 'regions', 'written']);
    expect(result.date).toBe(today);

    const haishu = await digestRow(HAISHU.region, today);
    expect(haishu).toMatchObject({ topic: MANAGERS_DIGEST_TOPIC, recipientRole: 'manager', recipientCode: HAISHU.region });
    expect(haishu!.payload).toEqual({
      regionCode: HAISHU.region,
      regionName: '海曙区',
      warningDays: WARNING_DAYS,
      date: today,
      overdue: 1,
      dueSoon: 1,
      more: 0,
      items: [
        { applicationId: cases.overdue.id, receiptNumber: cases.overdue.receiptNumber, stage: 'PRINTING', acceptingStationCode: HAISHU.station, acceptingStationName: '海曙区户政窗口', deadlineAt: after(-2 * DAY_MS).toISOString(), daysRemaining: -2, overdue: true },
        { applicationId: cases.dueAtWindowEnd.id, receiptNumber: cases.dueAtWindowEnd.receiptNumber, stage: 'HOME_REVIEW', acceptingStationCode: HAISHU.station, acceptingStationName: '海曙区户政窗口', deadlineAt: after(WARNING_DAYS * DAY_MS).toISOString(), daysRemaining: WARNING_DAYS, overdue: false },
      ],
    });
    const yuhu = await digestRow(YUHU.region, today);
    expect(yuhu!.payload).toMatchObject({ regionCode: YUHU.region, overdue: 0, dueSoon: 1, items: [expect.objectContaining({ applicationId: cases.yuhuDue.id, daysRemaining: 3, stage: 'SHIPPING' })] });
    expect((yuhu!.payload.items as unknown[]).length).toBe(1);

    // No person in the outbox either: no citizen number, no name.
    for (const row of [haishu!, yuhu!]) {
      const text = JSON.stringify(row.payload);
      for (const { idNumber, name } of Object.values(cases)) expect([idNumber, name].filter((value) => text.includes(value))).toEqual([]);
    }
  });

  test('when a region has managers and nothing due, then its digest says so; a region whose only manager is disabled gets none', async () => {
    await writeManagersDigests({ warningDays: WARNING_DAYS, at: at.toISOString() });
    const jinghu = await digestRow(JINGHU, today);
    expect(jinghu!.payload).toMatchObject({ regionCode: JINGHU, overdue: 0, dueSoon: 0, items: [], more: 0 });
    expect((await compose(db, jinghu!, 30))!.text).toBe(`【每日督办】${chineseDay(today)} 镜湖区：今日无已超期或${WARNING_DAYS}日内到期的申请。`);
    expect(await digestRow(CHENGKOU, today)).toBeUndefined();
  });

  test('when it runs again later the same China day, then it writes nothing twice; the next China day it writes again, as of then', async () => {
    await writeManagersDigests({ warningDays: WARNING_DAYS, at: at.toISOString() });
    const first = await digestRow(HAISHU.region, today);
    await writeManagersDigests({ warningDays: WARNING_DAYS, at: after(11 * 3_600_000 + 59 * 60_000).toISOString() }); // 23:59 in China
    expect(await db('outbox').where('dedupeKey', digestDedupeKey(HAISHU.region, today)).select('id', 'payload')).toEqual([{ id: first!.id, payload: first!.payload }]);

    const nextDay = await writeManagersDigests({ warningDays: WARNING_DAYS, at: after(DAY_MS).toISOString() });
    expect(nextDay.date).toBe(tomorrow);
    const next = await digestRow(HAISHU.region, tomorrow);
    expect(next!.id).not.toBe(first!.id);
    // A day on, the window reaches the cases that were one day and 1 ms outside it.
    expect(next!.payload).toMatchObject({ date: tomorrow, overdue: 1, dueSoon: 3 });
    expect((next!.payload.items as Array<{ applicationId: string; daysRemaining: number }>).map((item) => [item.applicationId, item.daysRemaining])).toEqual([
      [cases.overdue.id, -3],
      [cases.dueAtWindowEnd.id, WARNING_DAYS - 1],
      [cases.justOutside.id, WARNING_DAYS],
      [cases.dayOutside.id, WARNING_DAYS],
    ]);
  });

  test('when the dispatcher composes a digest, then it goes to the inbox of the region\'s managers in Chinese, one line per case', async () => {
    await writeManagersDigests({ warningDays: WARNING_DAYS, at: at.toISOString() });
    const message = await compose(db, (await digestRow(HAISHU.region, today))!, 30);
    expect(message!.recipient).toEqual({ kind: 'inbox', role: 'manager', stationCode: null, regionCode: HAISHU.region });
    expect(message!.text).toBe(
      [
        `【每日督办】${chineseDay(today)} 海曙区：已超期1件，${WARNING_DAYS}日内到期1件，请督办。`,
        `1. 受理编号${cases.overdue.receiptNumber}，制证中，海曙区户政窗口，已超期2天`,
        `2. 受理编号${cases.dueAtWindowEnd.receiptNumber}，户籍地审核中，海曙区户政窗口，剩余${WARNING_DAYS}天`,
      ].join('\n'),
    );
  });
});

/** `2026-12-01` → `2026年12月1日`. */
function chineseDay(date: string): string {
  const [year, month, day] = date.split('-').map(Number);
  return `${year}年${month}月${day}日`;
}
