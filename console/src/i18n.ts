import { createContext, useContext } from 'react';

export type Lang = 'zh' | 'en';

/** Every label and message of the console, in Chinese first and English. */
const messages = {
  appTitle: ['居民身份证异地办理', 'Resident ID cards across regions'],
  login: ['登录', 'Log in'],
  logout: ['退出', 'Log out'],
  username: ['用户名', 'Username'],
  password: ['密码', 'Password'],
  required: ['必填', 'Required'],
  switchLang: ['English', '中文'],
  role_station: ['受理点', 'Station'],
  role_reviewer: ['户籍地审核', 'Home-region review'],
  role_production: ['制证中心', 'Production centre'],
  role_manager: ['管理', 'Manager'],
  role_admin: ['系统管理员', 'Administrator'],
  role_police_post: ['公安检查站', 'Police post'],
  stage_ACCEPTED: ['已受理', 'Accepted'],
  stage_HOME_REVIEW: ['户籍地审核中', 'Home review'],
  stage_PRINTING: ['制证中', 'Printing'],
  stage_SHIPPING: ['寄送中', 'Shipping'],
  stage_READY_FOR_PICKUP: ['待领取', 'Ready for pickup'],
  stage_COMPLETED: ['已领取', 'Completed'],
  stage_REFUSED: ['不予受理', 'Refused'],
  stage_WITHDRAWN: ['已撤回', 'Withdrawn'],
  stage_CLOSED: ['已关闭', 'Closed'],
  applicant: ['申请人', 'Applicant'],
  receiptNumber: ['受理回执号', 'Receipt number'],
  stage: ['环节', 'Stage'],
  acceptedAt: ['受理时间', 'Accepted'],
  deadline: ['办理时限', 'Deadline'],
  daysLeft: ['剩余天数', 'Days left'],
  daysLeftValue: ['剩 {n} 天', '{n} days left'],
  overdue: ['已超期', 'Overdue'],
  open: ['查看', 'Open'],
  refresh: ['刷新', 'Refresh'],
  none: ['暂无', 'None'],
  more: ['更多', 'More'],
  station_inProgress: ['办理中', 'In progress'],
  station_arrivals: ['待到证', 'Expected arrivals'],
  station_pickups: ['待领取', 'Pickups waiting'],
  station_accept: ['受理申请', 'Accept an application'],
  reviewer_waiting: ['待审核申请', 'Applications waiting for review'],
  production_toPrint: ['待制证', 'Cards to print'],
  production_shipping: ['已寄出', 'Dispatched'],
  manager_overdue: ['超期申请', 'Overdue applications'],
  manager_due: ['超期及临期', 'Overdue and due soon'],
  temporaryCardsDue: ['临时身份证待办', 'Temporary cards due'],
  manager_stages: ['各环节数量', 'Applications per stage'],
  manager_onTime: ['按时办结率', 'On-time rate'],
  manager_onTimeWeekly: ['近12周按时办结率', 'On-time rate, last 12 weeks'],
  manager_daysLeft: ['办理中申请距时限天数', 'Open cases by days to deadline'],
  manager_daysRange: ['{from}–{to}天', '{from}–{to} days'],
  manager_daysOver: ['{n}天以上', 'over {n} days'],
  manager_openCount: ['共 {n} 件', '{n} open'],
  manager_byStation: ['各受理点', 'By station'],
  manager_open: ['办理中', 'Open'],
  manager_stationCases: ['未到证的办理中申请（超期在前）', 'Open cases not yet ready (overdue first)'],
  admin_home: ['系统管理', 'Administration'],
  status_title: ['办理进度查询', 'Where is my application?'],
  status_ask: ['查询', 'Ask'],
  status_link: ['申请人查询办理进度', 'Applicants: ask where your application stands'],
  status_ACCEPTED: ['已受理，等待转交户籍地', 'Accepted, on its way to your home region'],
  status_HOME_REVIEW: ['户籍地公安机关正在审核', 'Your home region is reviewing it'],
  status_PRINTING: ['审核通过，正在制证', 'Approved; your card is being made'],
  status_SHIPPING: ['新证已寄出，正在送往领证地点', 'Your card is on its way to the pickup station'],
  status_READY_FOR_PICKUP: ['新证已到，请带上原证前来领取', 'Your card is ready: come and collect it, bringing your old card'],
  status_COMPLETED: ['已领取', 'Collected'],
  status_REFUSED: ['未通过审核，请联系受理点', 'Not approved; please contact the station'],
  status_WITHDRAWN: ['申请已撤回', 'The application was withdrawn'],
  status_CLOSED: ['申请已关闭，请联系受理点', 'The application was closed; please contact the station'],
  loss_title: ['挂失申报', 'Loss report'],
  loss_circumstance: ['情形', 'Circumstance'],
  loss_lost: ['遗失', 'Lost'],
  loss_stolen: ['被盗', 'Stolen'],
  loss_fingerprint: ['指纹比对一致', 'Fingerprints matched'],
  loss_done: ['已挂失：该证件即时失效', 'Reported lost: the card is invalid from now on'],
  found_title: ['拾获证件登记', 'Found card'],
  found_hold: ['已登记：该证件为本人现用证件，请妥善保管待本人领回', 'Registered: the owner\'s current card; hold it for the owner'],
  found_destroy: ['已登记：该证件已换领新证，请按规定销毁', 'Registered: the card was replaced; destroy it as prescribed'],
  cardValidFrom: ['证件有效期起始日', 'Card valid from'],
  cert_title: ['开具临时身份证明', 'Issue a temporary identity certificate'],
  cert_photo: ['人像比对一致', 'Photo matched'],
  cert_issue: ['开具', 'Issue'],
  cert_number: ['证明编号', 'Certificate number'],
  cert_validUntil: ['有效期至', 'Valid until'],
  admin_users: ['用户管理', 'Users'],
  admin_newUser: ['新建用户', 'New user'],
  admin_role: ['角色', 'Role'],
  admin_place: ['管辖', 'Jurisdiction'],
  admin_state: ['状态', 'State'],
  admin_active: ['正常', 'Active'],
  admin_disabled: ['已停用', 'Disabled'],
  admin_locked: ['已锁定', 'Locked'],
  admin_enable: ['启用', 'Enable'],
  admin_disable: ['停用', 'Disable'],
  admin_reset: ['重置密码', 'Reset password'],
  admin_stationCode: ['受理点代码', 'Station code'],
  admin_regionCode: ['行政区划代码', 'Region code'],
  admin_provinceCode: ['省级代码', 'Province code'],
  admin_passwordRule: ['密码至少12位', 'At least 12 characters'],
  admin_stuckSince: ['异常起始', 'Stuck since'],
  admin_stuck: ['异常申请', 'Stuck applications'],
  idNumber: ['公民身份号码', 'Citizen number'],
  name: ['姓名', 'Name'],
  kind: ['申请类型', 'Kind'],
  kind_renewal: ['换领', 'Renewal'],
  kind_replacement: ['补领', 'Replacement'],
  reason: ['原因', 'Reason'],
  fingerprintCaptured: ['已采集指纹', 'Fingerprints captured'],
  appearanceChanged: ['相貌变化较大', 'Appearance changed greatly'],
  appearanceRefusal: ['相貌变化较大且原证无指纹信息的，须回户籍地办理', 'A great change of appearance with no fingerprints on record must be handled at home'],
  temporaryCardRequested: ['申领临时身份证', 'Temporary card requested'],
  contactPhone: ['联系电话', 'Contact phone'],
  submit: ['提交', 'Submit'],
  cancel: ['取消', 'Cancel'],
  invalidIdNumber: ['公民身份号码不正确（请核对校验码）', 'Not a valid citizen number (check character)'],
  idNumberLength: ['应为18位', 'Must be 18 characters'],
  accepted: ['已受理', 'Accepted'],
  printReceipt: ['打印回执', 'Print receipt'],
  receiptTitle: ['居民身份证异地受理回执', 'Cross-region application receipt'],
  receiptNote: ['请凭本回执和公民身份号码查询办理进度，到受理点领取新证时交回原证。', 'Quote this receipt and the citizen number to ask about progress; hand back the old card when collecting the new one.'],
  pickupStation: ['领证地点', 'Pickup station'],
  homeRegion: ['户籍地', 'Home region'],
  person: ['申请人信息', 'The person'],
  timeline: ['办理进度', 'Timeline'],
  actions: ['可办理操作', 'Actions'],
  noActions: ['当前环节无需您办理', 'Nothing for you to do at this stage'],
  approve: ['审核通过', 'Approve'],
  refuse: ['不予通过', 'Refuse'],
  refuseReason: ['不予通过的原因', 'Reason for refusal'],
  printed: ['已制证', 'Printed'],
  validFrom: ['有效期起', 'Valid from'],
  validUntil: ['有效期至（长期留空）', 'Valid until (empty: long-term)'],
  dispatched: ['已寄出', 'Dispatched'],
  trackingNumber: ['运单号', 'Tracking number'],
  arrived: ['证件已到', 'Arrived'],
  pickedUp: ['已领取', 'Picked up'],
  oldCardReturned: ['已交回原证', 'Old card returned'],
  done: ['已办理', 'Done'],
  back: ['返回', 'Back'],
  notFound: ['未找到，或不在您的管辖范围内', 'Not found, or outside your jurisdiction'],
  error: ['出错了', 'Something went wrong'],
  by: ['经办', 'by'],
  printedAwaitingDispatch: ['已制证待寄出', 'Printed, awaiting dispatch'],
  extend: ['批准延期', 'Grant extension'],
  extension: ['延期', 'Extension'],
  extensionDays: ['延长天数', 'Days to extend'],
  extensionDaysRule: ['请填写1至30天', 'Enter 1 to 30 days'],
  extensionReason: ['延期原因', 'Reason for extension'],
  extensionValue: ['已延长 {n} 天', 'Extended by {n} days'],
  temporaryCard: ['临时身份证', 'Temporary card'],
  temporaryCardIssue: ['已签发临时身份证', 'Temporary card issued'],
  temporaryCardIssuedAt: ['已于 {at} 签发', 'Issued {at}'],
  temporaryCardDue: ['待签发，时限 {at}', 'To issue by {at}'],
  temporaryCardOverdue: ['签发已超时（时限 {at}）', 'Issue overdue (due {at})'],
  temporaryCardReturned: ['已交回临时身份证', 'Temporary card returned'],
  printFailed: ['制证失败', 'Print failed'],
  printFailedReason: ['制证失败原因', 'Why printing failed'],
  reprints: ['重新制证', 'Reprints'],
  reprintAttempt: ['第 {n} 次失败', 'Failure {n}'],
  reprintCount: ['重制 {n} 次', 'Reprinted {n}×'],
  production_reprints: ['重新制证', 'Reprints'],
  withdraw: ['撤回申请', 'Withdraw application'],
  withdrawReason: ['撤回原因', 'Reason for withdrawal'],
} as const;

export type MessageKey = keyof typeof messages;

/**
 * Every problem code the API can answer with, explained in both languages (test/console/problemTexts
 * checks that none is missing). The API's own detail is shown only for a code this table lacks.
 */
const problemMessages: Record<string, [string, string]> = {
  // Logging in and being allowed
  invalid_credentials: ['用户名或密码错误', 'The username or the password is wrong'],
  account_locked: ['登录失败次数过多，账号已暂时锁定，请稍后再试或联系管理员', 'Too many failed logins: the account is locked for a while; try later or ask an administrator'],
  rate_limited: ['请求过于频繁，请稍后再试', 'Too many requests; try again shortly'],
  unauthenticated: ['请先登录', 'Please log in'],
  csrf_failed: ['请求未通过安全校验，请刷新页面', 'The request failed a security check; reload the page'],
  forbidden_role: ['您的角色无权办理', 'Your role may not do this'],
  forbidden_jurisdiction: ['不在您的管辖范围内', 'Outside your jurisdiction'],
  not_found: ['未找到，或不在您的管辖范围内', 'Not found, or outside your jurisdiction'],
  // Requests the API could not read
  validation_failed: ['填写内容有误', 'Some fields are not valid'],
  invalid_id_number: ['公民身份号码不正确', 'Not a valid citizen number'],
  malformed_json: ['请求内容无法解析，请刷新页面后重试', 'The request could not be read; reload the page and try again'],
  bad_request: ['请求无法读取，请刷新页面后重试', 'The request could not be read; reload the page and try again'],
  invalid_cursor: ['翻页位置已失效，请刷新列表', 'The page position is no longer valid; refresh the list'],
  invalid_idempotency_key: ['请求标识无效，请刷新页面后重试', 'The request key is not valid; reload the page and try again'],
  method_not_allowed: ['不支持该操作', 'This operation is not supported here'],
  payload_too_large: ['提交的内容过大', 'What was sent is too large'],
  unsupported_media_type: ['提交的内容格式不受支持', 'The format of what was sent is not supported'],
  import_too_large: ['导入文件过大', 'The import file is too large'],
  import_too_many_lines: ['导入文件行数过多', 'The import file has too many lines'],
  // Acceptance
  unknown_citizen: ['人口信息库中没有此人', 'No such person in the population registry'],
  name_mismatch: ['姓名与人口信息库登记不符', 'The name does not match the population registry'],
  refused_blacklisted: ['该人员在失信名单内，须回户籍地办理', 'The person is on the blacklist and must apply at home'],
  refused_no_fingerprints: ['相貌变化较大且原证无指纹，须回户籍地办理', 'Appearance changed and no fingerprints on record: must apply at home'],
  station_not_allowed: ['本受理点尚未开通该户籍地的异地受理', 'This station may not yet accept applications from that home region'],
  duplicate_application: ['该人员已有办理中的申请', 'This person already has an application in progress'],
  idempotency_key_reused: ['该请求标识已用于另一申请，请刷新页面后重新提交', 'This request key was used for another application; reload the page and submit again'],
  workflow_pending: ['同一人的另一请求仍在处理中，本次未做任何更改，请稍后再试', 'Another request for this person is still being processed; nothing was changed. Try again shortly'],
  resumption_outdated: ['该申请已有新进展，请刷新后查看', 'The application has moved on; refresh to see it'],
  // Steps of an application
  wrong_stage: ['当前环节不能办理此操作', 'Not possible at this stage'],
  actor_not_allowed: ['您无权对该申请办理此操作', 'You may not take this step on this application'],
  reason_required: ['请填写原因', 'A reason is required'],
  extension_already_granted: ['该申请已延期过一次，不能再次延期', 'This application was already extended once; it cannot be extended again'],
  extension_too_long: ['延期不得超过30天', 'An extension may not exceed 30 days'],
  extension_invalid_days: ['延期天数应为1至30的整数', 'The extension must be 1 to 30 whole days'],
  extension_reason_required: ['延期须填写原因', 'An extension needs a reason'],
  no_temporary_card: ['申请人未申领临时身份证', 'No temporary card was requested'],
  temporary_card_not_returned: ['申请人须交回临时身份证后方可领取新证', 'The temporary card must be handed back before the new card is collected'],
  old_card_not_returned: ['换领须交回原证', 'A renewal must hand back the old card'],
  not_printed: ['证件尚未制作完成，不能寄出', 'The card has not been printed; it cannot be dispatched'],
  invalid_card_period: ['有效期截止日应晚于起始日', 'The end of validity must be after its start'],
  valid_from_not_after_existing_card: ['新证有效期起始日须晚于此人已有证件的起始日', 'The new card must be valid from a day after every card the person holds'],
  not_stuck: ['该申请已不在异常清单上', 'The application is no longer on the stuck list'],
  workflow_running: ['该申请的流程已恢复运行，不再属于异常', 'The application’s workflow is running again; it is no longer stuck'],
  // Cards: loss reports, found cards, temporary certificates
  card_not_found: ['没有该证件的记录', 'No such card on record'],
  fingerprint_mismatch: ['指纹比对不一致，不予挂失', 'The fingerprints do not match: the report is refused'],
  fingerprint_check_required: ['该证件含指纹信息，请当场比对指纹', 'The card carries fingerprints: compare them on the spot'],
  already_reported_lost: ['该证件已挂失', 'The card is already reported lost'],
  card_not_active: ['该证件已失效，无需挂失', 'The card is no longer valid; there is nothing to report'],
  already_withdrawn: ['该挂失已撤销', 'The loss report was already withdrawn'],
  card_superseded: ['已补领新证，原证保持失效', 'A replacement card has been issued: the lost card stays invalid'],
  replacement_in_progress: ['该证件的补领申请正在办理，请先撤回该申请', 'A replacement for this card is in progress: withdraw that application first'],
  already_handed_in: ['该证件已由受理点保管', 'This card is already held at a station'],
  must_be_destroyed: ['该证件已不是本人现用证件，应予销毁', 'The card is no longer the owner’s current card: it must be destroyed'],
  card_is_current: ['该证件仍是本人现用证件，请妥善保管待本人领回', 'The card is still the owner’s current card: hold it for the owner'],
  identity_not_confirmed: ['请先通过指纹或人像比对确认身份', 'Confirm the person by fingerprint or photo first'],
  // Blacklist and impersonation reports
  already_blacklisted: ['该人员已因此类事由列入失信名单', 'The person is already on the blacklist in this category'],
  already_removed: ['该名单记录已移除', 'The entry was already removed'],
  wrong_state: ['该举报已处理', 'The report was already decided'],
  // Accounts
  username_taken: ['用户名已被使用', 'This username is taken'],
  unknown_place: ['受理点或行政区划代码不存在', 'Unknown station, region or province'],
  // The service
  service_unavailable: ['服务暂时不可用，请稍后再试', 'Service unavailable; try again shortly'],
  internal_error: ['系统内部出错，已记录，请稍后再试', 'Something went wrong on our side; it has been logged. Try again shortly'],
};

/** The problem codes the console explains, each with its Chinese and English text. */
export const problemTexts = (): Readonly<Record<string, readonly [string, string]>> => problemMessages;

export function translate(lang: Lang, key: MessageKey, vars: Record<string, string | number> = {}): string {
  const text: string = messages[key][lang === 'zh' ? 0 : 1];
  return text.replace(/\{(\w+)\}/g, (_, name: string) => String(vars[name] ?? ''));
}

export function problemText(lang: Lang, code: string | undefined, fallback: string): string {
  const known = code ? problemMessages[code] : undefined;
  return known ? known[lang === 'zh' ? 0 : 1] : fallback;
}

export const LangContext = createContext<{ lang: Lang; setLang: (lang: Lang) => void }>({ lang: 'zh', setLang: () => undefined });

/** `t('key')` in the current language. */
export function useT() {
  const { lang } = useContext(LangContext);
  return Object.assign((key: MessageKey, vars?: Record<string, string | number>) => translate(lang, key, vars), { lang });
}

/** Dates in China's format and time zone. */
export function formatDateTime(iso: string | null | undefined, lang: Lang): string {
  if (!iso) return '—';
  return new Intl.DateTimeFormat(lang === 'zh' ? 'zh-CN' : 'en-GB', { timeZone: 'Asia/Shanghai', year: 'numeric', month: '2-digit', day: '2-digit', hour: '2-digit', minute: '2-digit', hour12: false }).format(new Date(iso));
}

export function formatDate(iso: string | null | undefined, lang: Lang): string {
  if (!iso) return '—';
  return new Intl.DateTimeFormat(lang === 'zh' ? 'zh-CN' : 'en-GB', { timeZone: 'Asia/Shanghai', year: 'numeric', month: '2-digit', day: '2-digit' }).format(new Date(iso));
}
