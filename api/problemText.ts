import type { Request } from 'express';
import type { Problem } from './problems';

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
  refused_blacklisted: { title: '不予受理：列入黑名单', en: 'Refused' },
  refused_no_fingerprints: { title: '不予受理：无法核验身份', en: 'Refused' },
  name_mismatch: { title: '姓名与登记信息不符', en: 'Refused' },
  idempotency_key_reused: { title: 'Idempotency-Key 重复使用', en: 'Refused', detail: () => '本受理点已用此 Idempotency-Key 办理过另一申请；新请求请使用新的键。' },
  not_stuck: { detail: () => '该申请已不在滞留清单上。' },
  valid_from_out_of_range: { title: '签发日期不在允许范围内', en: 'Refused', detail: (p) => `有效期起始日（签发日期）应在受理之日 ${p.extra.earliest} 至今天 ${p.extra.latest}（北京时间）之间。` },
  valid_until_mismatch: { title: '有效期限与法定期限不符', en: 'Refused', detail: (p) => `按持证人在签发日期的年龄，有效期限应${p.extra.expectedValidUntil === null ? '为长期（validUntil 为 null）' : `至 ${p.extra.expectedValidUntil}`}。` },
  valid_from_not_after_existing_card: { title: '签发日期须晚于已有证件', en: 'Refused', detail: () => '此人已持有自该日或更晚起有效的证件，新证的签发日期应在其之后。' },
};

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

/** Both labels of each code with a title of its own, for the API document. */
export const codeLabels = (): Record<string, { 'zh-CN': string; en: string }> =>
  Object.fromEntries(Object.entries(TEXTS).filter(([, text]) => text.title && text.en).map(([code, text]) => [code, { 'zh-CN': text.title!, en: text.en! }]));

/** The Chinese title of each status, for the API document. */
export const statusTitles = (): Record<number, string> => ({ ...TITLE_BY_STATUS });
