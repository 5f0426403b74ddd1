/**
 * Notification texts, in Chinese, one template per topic. A template sees only what its recipient
 * needs: the applicant gets the application number, dates and the pickup station, never a citizen
 * number or a name; staff get the application number and what to do.
 */
import { chinaDateOf } from '../domain';

/** What a template may use; all resolved at delivery from the outbox row and the read model. */
export interface NoticeContext {
  applicationId?: string;
  /** The receipt number (受理回执号) the applicant was given; the application id where none is on record. */
  receiptNumber?: string;
  deadlineAt?: string;
  stationName?: string;
  stationAddress?: string | null;
  /** Until when a card ready for pickup is expected to be collected. */
  pickupUntil?: string;
  refusalReason?: string | null;
  deliverTo?: string;
  occurrence?: string;
  /** The managers' daily digest, as the outbox row holds it (`deadline.daily_digest`). */
  digest?: DigestContext;
}

/** What a region's daily digest says: written by `activities/managersDigest.ts` into the outbox row's payload. */
export interface DigestContext {
  regionName: string;
  date: string;
  warningDays: number;
  overdue: number;
  dueSoon: number;
  items: Array<{ receiptNumber: string; stage: string; acceptingStationName: string; daysRemaining: number; overdue: boolean }>;
  more: number;
}

/** `2026-12-01T…Z` → `2026年12月1日`, on China's calendar. */
export function chineseDate(iso: string): string {
  const [year, month, day] = chinaDateOf(Date.parse(iso)).split('-').map(Number);
  return `${year}年${month}月${day}日`;
}

/** Stage names as the console shows them (`console/src/i18n.ts`). */
const STAGE_NAMES: Record<string, string> = {
  ACCEPTED: '已受理',
  HOME_REVIEW: '户籍地审核中',
  PRINTING: '制证中',
  SHIPPING: '寄送中',
};

/** `2026-12-01` → `2026年12月1日`. */
const calendarDate = (date: string) => {
  const [year, month, day] = date.split('-').map(Number);
  return `${year}年${month}月${day}日`;
};

/**
 * The daily digest: counts, then one line per listed case, most urgent first (days late or days
 * left), then how many more are on the due worklist. A region with nothing due hears so: silence
 * could not be told from a digest that never ran.
 */
function dailyDigest(c: NoticeContext): string {
  const d = c.digest;
  if (!d) return '';
  const head = `【每日督办】${calendarDate(d.date)} ${d.regionName}`;
  if (d.overdue + d.dueSoon === 0) return `${head}：今日无已超期或${d.warningDays}日内到期的申请。`;
  const lines = d.items.map(
    (item, index) =>
      `${index + 1}. 受理编号${item.receiptNumber}，${STAGE_NAMES[item.stage] ?? item.stage}，${item.acceptingStationName}，${item.overdue ? `已超期${-item.daysRemaining}天` : item.daysRemaining === 0 ? '今日到期' : `剩余${item.daysRemaining}天`}`,
  );
  const more = d.more > 0 ? [`另有${d.more}件未列出，请在到期督办工作清单中查看。`] : [];
  return [`${head}：已超期${d.overdue}件，${d.warningDays}日内到期${d.dueSoon}件，请督办。`, ...lines, ...more].join('\n');
}

const no = (c: NoticeContext) => c.receiptNumber ?? c.applicationId ?? '';
const date = (iso?: string) => (iso ? chineseDate(iso) : '');
const station = (c: NoticeContext) => `${c.stationName ?? '受理点'}${c.stationAddress ? `（${c.stationAddress}）` : ''}`;

export const templates: Record<string, (c: NoticeContext) => string> = {
  'application.accepted': (c) => `【居民身份证】您的异地申领已受理，受理编号${no(c)}，法定办结期限${date(c.deadlineAt)}。请凭受理回执查询进度。`,
  'application.refused': (c) => `【居民身份证】受理编号${no(c)}的申请未通过户籍地审核${c.refusalReason ? `，原因：${c.refusalReason}` : ''}。请携带户口簿到户籍地公安机关办理。`,
  'card.ready_for_pickup': (c) => `【居民身份证】受理编号${no(c)}的新证已到${station(c)}，请于${date(c.pickupUntil)}前携带受理回执和原证前往领取。`,
  'pickup.reminder': (c) => `【居民身份证】受理编号${no(c)}的新证仍在${station(c)}待领取，请尽快携带受理回执前往领取。`,
  'application.refused.station': (c) => `受理编号${no(c)}的申请被户籍地拒绝${c.refusalReason ? `：${c.refusalReason}` : ''}，请告知申请人。`,
  'card.misrouted': (c) => `受理编号${no(c)}的证件错投至其他受理点，请重新寄往${c.deliverTo ?? '原受理点'}。`,
  'deadline.warning': (c) => `受理编号${no(c)}的申请将于${date(c.deadlineAt)}到达法定办结期限，请督办。`,
  'deadline.overdue': (c) => `受理编号${no(c)}的申请已超过法定办结期限（${date(c.deadlineAt)}），请立即督办。`,
  'print.failures_exceeded': (c) => `受理编号${no(c)}的证件多次制证失败，已超过重制次数上限，请核查。`,
  'temporary_card.overdue': (c) => `受理编号${no(c)}的临时居民身份证未在受理后3日内签发，请督办。`,
  'review.reminder': (c) => `受理编号${no(c)}的申请仍在等待户籍地审核签发，请尽快处理。`,
  'deadline.daily_digest': dailyDigest,
  'print.job': (c) => `新的制证任务：受理编号${no(c)}，制成后寄往${c.deliverTo ?? '受理点'}。`,
};

/** The template for a topic as seen by a recipient role (a station hears of a refusal in its own words). */
export function templateFor(topic: string, recipientRole: string): ((c: NoticeContext) => string) | undefined {
  return templates[`${topic}.${recipientRole}`] ?? templates[topic];
}
