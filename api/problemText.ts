import type { Request } from 'express';
import type { Problem, StillInProgress } from './problems';

/**
 * Problem titles and details in the caller's language (`Accept-Language`: zh-CN by default, en on
 * request). Codes never change: clients branch on `code`, people read `title` and `detail`. The
 * English text is the problem's own; here are the Chinese ones. A detail not translated here
 * (rare, specific refusals) keeps its English text under the Chinese title.
 */
export type Language = 'zh-CN' | 'en';

/** Titles per status, for every problem whose code has no title of its own below. */
const TITLE_BY_STATUS: Record<number, string> = {
  400: '请求无效',
  401: '需要身份认证',
  403: '无权操作',
  404: '未找到',
  405: '不支持该请求方法',
  409: '与当前状态冲突',
  413: '请求过大',
  415: '不支持的内容类型',
  422: '不予受理',
  429: '请求过于频繁',
  500: '内部错误',
  503: '服务暂不可用',
};

interface Text {
  title?: string;
  /** The English title the problem carries, for the API document. */
  en?: string;
  /** The Chinese detail, built from the problem (its English detail and extra members) where it varies. */
  detail?: (problem: Problem) => string;
}

const TEXTS: Record<string, Text> = {
  validation_failed: { detail: (p) => `请求中以下字段无效：${fieldsOf(p)}。` },
  invalid_id_number: { title: '公民身份号码无效', en: 'Invalid citizen number', detail: () => '公民身份号码应为 18 位，且校验码正确。' },
  malformed_json: { detail: () => '请求体不是有效的 JSON。' },
  bad_request: { detail: () => '无法读取该请求。' },
  invalid_cursor: { detail: () => '分页游标不是本接口给出的游标。' },
  invalid_idempotency_key: { detail: () => 'Idempotency-Key 应为 1 至 200 个字符。' },
  unauthenticated: { detail: () => '请在请求头中携带有效令牌：Authorization: Bearer <token>。' },
  forbidden_role: { title: '当前角色无权操作', en: 'Not allowed for this role', detail: () => '当前角色无权进行此操作。' },
  forbidden_jurisdiction: { title: '超出管辖范围', en: 'Outside your jurisdiction', detail: () => '该事项不在您的管辖范围内。' },
  not_found: { detail: () => '所请求的对象不存在。' },
  card_not_found: { detail: () => '未找到该公民身份号码和有效期起始日对应的证件。' },
  method_not_allowed: { detail: (p) => `此路径不支持该请求方法，请使用：${((p.extra.allow as string[] | undefined) ?? []).join(', ')}。` },
  payload_too_large: { detail: () => '请求体过大。' },
  unsupported_media_type: { detail: () => '请求体的内容类型不受支持。' },
  rate_limited: { detail: (p) => `请稍后再试（${p.extra.retryAfterSeconds} 秒后）。` },
  service_unavailable: { detail: () => '数据库或流程引擎暂时无法访问，请稍后重试；如为变更请求，请先查询当前状态。' },
  workflow_pending: { title: '处理中', en: 'Still in progress', detail: () => '同一人的另一请求仍在处理中，本请求未写入任何内容，请稍后重试。' },
  internal_error: { detail: () => '系统内部出错，已记录。' },
  duplicate_application: { title: '已有办理中的申请', en: 'Conflict with the current state', detail: (p) => (p.extra.inProgress ? `此人已有办理中的申请：${standing(p)}。` : '此人已有办理中的申请。') },
  wrong_stage: { title: '当前环节不能办理此操作', en: 'Conflict with the current state' },
  actor_not_allowed: { title: '当前账号无权办理此环节', en: 'Not allowed for this account', detail: () => '该账号已停用、不存在，或其角色与管辖范围不能办理此申请的这一环节；未作任何更改。' },
  refused_blacklisted: { title: '不予受理：列入黑名单', en: 'Refused', detail: () => '此人已列入不诚信人员黑名单，须回户籍地办理。' },
  refused_no_fingerprints: { title: '不予受理：无法核验身份', en: 'Refused', detail: () => '本人相貌变化较大，且登记的证件未采集指纹，无法在此确认身份，须回户籍地办理。' },
  name_mismatch: { title: '姓名与登记信息不符', en: 'Refused', detail: () => '姓名与人口信息系统登记的不符。' },
  idempotency_key_reused: { title: 'Idempotency-Key 重复使用', en: 'Refused', detail: () => '本受理点已用此 Idempotency-Key 办理过另一申请；新请求请使用新的键。' },
  not_stuck: { detail: () => '该申请已不在滞留清单上。' },
  valid_from_out_of_range: { title: '签发日期不在允许范围内', en: 'Refused', detail: (p) => `有效期起始日（签发日期）应在受理之日 ${p.extra.earliest} 至今天 ${p.extra.latest}（北京时间）之间。` },
  valid_until_mismatch: { title: '有效期限与法定期限不符', en: 'Refused', detail: (p) => `按持证人在签发日期的年龄，有效期限应${p.extra.expectedValidUntil === null ? '为长期（validUntil 为 null）' : `至 ${p.extra.expectedValidUntil}`}。` },
  valid_from_not_after_existing_card: { title: '签发日期须晚于已有证件', en: 'Refused', detail: () => '此人已持有自该日或更晚起有效的证件，新证的签发日期应在其之后。' },
  // Acceptance's refusals (domain/eligibility.ts), at the counter and in the go-live import.
  unknown_citizen: { detail: () => '人口信息系统中查无此人。' },
  station_not_allowed: { detail: () => '本受理点尚不能受理该户籍地居民的申请。' },
  // Loss reports (挂失), at the counter and in the bulk import.
  fingerprint_check_required: { detail: () => '该证件登记了指纹：请现场比对指纹，并提交 fingerprintMatched。' },
  fingerprint_mismatch: { detail: () => '指纹与持证人不符，不予挂失。' },
  already_reported_lost: { title: '证件已挂失', en: 'Conflict with the current state', detail: () => '该证件已挂失，尚未解除。' },
  card_not_active: { title: '证件已失效', en: 'Conflict with the current state', detail: (p) => `该证件已失效（${cardStatusZh(p.extra.cardStatus)}），无需挂失。` },
  reported_before_valid_from: { title: '挂失日期早于证件签发日期', en: 'Refused', detail: (p) => `该证件自 ${p.extra.cardValidFrom} 起有效，挂失日期不能早于其签发日期。` },
  // The bulk imports' limits.
  import_too_large: { detail: (p) => `一次导入最多 ${p.extra.maxBytes} 字节：请拆分文件，其余部分另行提交。` },
  import_too_many_lines: { detail: (p) => `一次导入最多 ${p.extra.maxLines} 行：请拆分文件，其余部分另行提交。` },
};

/**
 * The Chinese text of a refused line of a bulk import where it differs from the same code's
 * problem as an answer of its own (a line, not the request; a field of the line), and of the
 * refusals only an import makes. Each takes the refusal as a problem: its English detail is the
 * line's English text.
 */
const LINE_TEXTS: Record<string, (problem: Problem) => string> = {
  line_too_long: (p) => `每行最多 ${p.extra.maxLineBytes} 字节。`,
  malformed_json: () => '该行不是有效的 JSON。',
  validation_failed: (p) => `该行以下字段无效：${fieldsOf(p)}。`,
  unknown_station: (p) => `${p.extra.field}：无此受理点${p.extra.field === 'reportingStationCode' ? '（或不属于该受理机关）' : ''}。`,
  unknown_region: (p) => `${p.extra.field}：无此行政区划。`,
  forbidden_jurisdiction: () => '只能导入本辖区内机关受理的挂失。',
  accepted_at_out_of_range: (p) =>
    p.extra.reason === 'accepted_in_future' ? 'acceptedAt（受理时间）不能晚于现在。' : `acceptedAt（受理时间）最多可早于今天 ${p.extra.lookbackDays} 天，已超期的案件除外。`,
  stage_facts_invalid: (p) => stageFactsZh(p.extra.reason as string, p.extra.stage as string),
  extension_invalid: (p) => `extension（延期）无效：${EXTENSION_ZH[p.extra.reason as string] ?? p.extra.reason}。`,
  valid_from_out_of_range: (p) => `printed：${TEXTS.valid_from_out_of_range.detail!(p)}`,
  valid_until_mismatch: (p) => `printed：${TEXTS.valid_until_mismatch.detail!(p)}`,
  internal_error: () => '导入在服务端中断：上面已答复的行均已记录，请重新提交该文件以继续（已导入的行将答复 already_imported）。',
};

const STAGE_ZH: Record<string, string> = { ACCEPTED: '已受理', HOME_REVIEW: '户籍地审核', PRINTING: '制证', SHIPPING: '寄送', READY_FOR_PICKUP: '待领取' };

function stageFactsZh(reason: string, stage: string): string {
  const at = `处于${STAGE_ZH[stage] ?? stage}（${stage}）环节的申请`;
  switch (reason) {
    case 'printed_unexpected':
      return `${at}尚未制证：不应有 printed。`;
    case 'printed_missing':
      return `${at}须写明已制证件的有效期限（printed.validFrom、printed.validUntil）。`;
    case 'tracking_number_missing':
      return `${at}须写明寄送单号（trackingNumber）。`;
    case 'tracking_number_unexpected':
      return `${at}尚未寄出：不应有 trackingNumber。`;
    case 'ready_for_pickup_at_missing':
      return `${at}须写明可领取时间（readyForPickupAt）。`;
    case 'ready_for_pickup_at_unexpected':
      return `${at}尚不能领取：不应有 readyForPickupAt。`;
    case 'ready_for_pickup_at_out_of_range':
      return 'readyForPickupAt（可领取时间）应在受理时间与现在之间。';
    case 'temporary_card_issued_out_of_range':
      return 'temporaryCard.issuedAt（临时身份证签发时间）应在受理时间与现在之间。';
    default:
      return `${at}所附事实与其环节不符。`;
  }
}

const EXTENSION_ZH: Record<string, string> = {
  extension_invalid_days: '延期天数应为 1 至 30 的整数',
  extension_too_long: '延期最多 30 天',
  extension_reason_required: '须写明延期理由',
  extension_already_granted: '只能延期一次',
};

const CARD_STATUS_ZH: Record<string, string> = { ACTIVE: '有效', REPORTED_LOST: '已挂失', SUPERSEDED: '已换领新证', EXPIRED: '已过期', DESTROYED: '已销毁' };
const cardStatusZh = (status: unknown) => (typeof status === 'string' ? (CARD_STATUS_ZH[status] ?? status) : '');

const fieldsOf = (problem: Problem) => ((problem.extra.errors as Array<{ field: string }> | undefined) ?? []).map((error) => error.field).join('、');

function standing(problem: Problem): string {
  const { acceptingStation, stage, deadlineAt } = problem.extra.inProgress as { acceptingStation: { name: string }; stage: string; deadlineAt: string };
  return `受理点 ${acceptingStation.name}，环节 ${stage}，办理时限 ${deadlineAt}`;
}

/** zh-CN unless the caller prefers English. */
export function languageOf(req: Request): Language {
  return req.acceptsLanguages('zh-CN', 'zh', 'en') === 'en' ? 'en' : 'zh-CN';
}

/** The problem's JSON in `language`. */
export function localized(problem: Problem, language: Language): Record<string, unknown> {
  const json = problem.toJSON();
  if (language === 'en') return json;
  const text = TEXTS[problem.code];
  return { ...json, title: text?.title ?? TITLE_BY_STATUS[problem.status] ?? json.title, detail: text?.detail?.(problem) ?? json.detail };
}

/** What a 202 for a step still in progress says, in `language`. */
export function stillInProgressIn(answer: StillInProgress, language: Language): string {
  if (language === 'en') return answer.message;
  return `工作流已接收该请求，${Math.round(answer.waitedMs / 1000)} 秒内尚未办完，将自行继续办理。请先查看该申请的结果，再决定是否重新提交。`;
}

/**
 * A refused line of a bulk import in `language`: its text (English: the problem's own detail) and
 * the problem's members beyond the five (the refusal's facts: `reason`, `errors`, `field`…).
 */
export function lineRefusalIn(problem: Problem, language: Language): { code: string; text: string; extra: Record<string, unknown> } {
  const text = language === 'en' ? problem.message : (LINE_TEXTS[problem.code]?.(problem) ?? TEXTS[problem.code]?.detail?.(problem) ?? problem.message);
  return { code: problem.code, text, extra: problem.extra };
}

/** Both labels of each code with a title of its own, for the API document. */
export const codeLabels = (): Record<string, { 'zh-CN': string; en: string }> =>
  Object.fromEntries(Object.entries(TEXTS).filter(([, text]) => text.title && text.en).map(([code, text]) => [code, { 'zh-CN': text.title!, en: text.en! }]));

/** The Chinese title of each status, for the API document. */
export const statusTitles = (): Record<number, string> => ({ ...TITLE_BY_STATUS });
