/**
 * The one catalogue of words a person reads, shared by the server (the resident's QR page,
 * webhook texts) and the browser (the console): every code the API answers with (a
 * condition, a visit kind, a verdict, a service mode, a score criterion, an evidence field,
 * an error code) has its Chinese and English words here, so no code reaches a screen and
 * the two sides cannot word the same thing differently. Alert labels stay in catalogue.ts.
 * Pure data and small formatters: no Node or DOM imports, so the console can bundle it.
 */
import type { LedgerReason } from '../ledger/errors.ts';
import type { ErrorCode } from '../lib/errors.ts';

export type Lang = 'zh' | 'en';
type Table = Record<Lang, Record<string, string>>;

/** The word for a code in a table; undefined when the table does not know it. */
export function wordOf(table: Table, code: string | null | undefined, lang: Lang): string | undefined {
  return code && Object.hasOwn(table[lang], code) ? table[lang][code] : undefined;
}

export const CONDITION_WORDS = {
  zh: { normal: '正常运行', maintenance: '维保中', fault: '故障停梯', offline: '离线' },
  en: {
    normal: 'Running normally',
    maintenance: 'Under maintenance',
    fault: 'Stopped: fault',
    offline: 'Offline',
  },
} satisfies Table;

export const VERDICT_WORDS: Table = {
  zh: { verified: '已核实', suspect: '存疑', fake: '疑似虚假', pending: '待核实' },
  en: { verified: 'Verified', suspect: 'Doubtful', fake: 'Likely fake', pending: 'Not yet checked' },
};

/** A visit's own status (open, closed, timed out), shown while it has no verdict. */
export const VISIT_STATUS_WORDS: Table = {
  zh: { open: '进行中', closed: '已结束', timed_out: '未签出（超时）' },
  en: { open: 'In progress', closed: 'Closed', timed_out: 'No check-out (timed out)' },
};

export const VISIT_KIND_WORDS: Table = {
  zh: {
    half_monthly: '半月保养',
    quarterly: '季度保养',
    half_yearly: '半年保养',
    yearly: '年度保养',
    repair: '维修',
  },
  en: {
    half_monthly: 'Half-monthly service',
    quarterly: 'Quarterly service',
    half_yearly: 'Half-yearly service',
    yearly: 'Yearly service',
    repair: 'Repair',
  },
};

/** How a technician checked in (protocol/messages.ts check-in methods). */
export const CHECK_IN_METHOD_WORDS: Table = {
  zh: { nfc: 'NFC 刷卡', qr: '扫码', app: '手机应用' },
  en: { nfc: 'NFC tag', qr: 'QR scan', app: 'Phone app' },
};

/** GB/T 24476 service modes as the car reports them. */
export const SERVICE_MODE_WORDS: Table = {
  zh: {
    normal: '正常',
    inspection: '检修',
    out_of_service: '停止服务',
    fire_return: '消防返回',
    firefighter: '消防员运行',
    emergency_power: '应急电源',
    earthquake: '地震运行',
    unknown: '未知',
  },
  en: {
    normal: 'Normal',
    inspection: 'Inspection',
    out_of_service: 'Out of service',
    fire_return: 'Fire return',
    firefighter: 'Firefighter operation',
    emergency_power: 'Emergency power',
    earthquake: 'Earthquake operation',
    unknown: 'Unknown',
  },
};

export const POWER_WORDS: Table = {
  zh: { mains: '市电', battery: '电池', off: '断电' },
  en: { mains: 'Mains', battery: 'Battery', off: 'Off' },
};

/** What a resident's report has become, in the firm's words (the console). */
export const REPORT_STATUS_WORDS: Table = {
  zh: { received: '待处理', in_progress: '已派单', resolved: '已处理', rejected: '已驳回' },
  en: { received: 'Received', in_progress: 'Dispatched', resolved: 'Resolved', rejected: 'Rejected' },
};

/** The visit judge's criteria (ingest/visits/judge.ts), each worth some of the 100 points. */
export const SCORE_CRITERION_WORDS: Table = {
  zh: {
    out_of_service: '停止载客（检修或停用）时长',
    duration: '维保时长',
    shaft_coverage: '检修运行走过的井道',
    stop_switch_tests: '底坑与轿顶急停开关测试',
    door_checks: '各层站开关门检查',
    no_passenger_service: '维保期间未载客',
    items_reported: '签出时填报的 TSG T5002 项目',
  },
  en: {
    out_of_service: 'Time out of passenger service',
    duration: 'Length of the visit',
    shaft_coverage: 'Shaft travelled in inspection',
    stop_switch_tests: 'Pit and car-top stop switch tests',
    door_checks: 'Doors checked at the landings',
    no_passenger_service: 'No passengers carried during the visit',
    items_reported: 'TSG T5002 items reported at check-out',
  },
};

/** The same, in the resident's words (the QR receipt page). */
export const RESIDENT_REPORT_STATUS_WORDS: Table = {
  zh: { received: '已受理', in_progress: '处理中', resolved: '已处理', rejected: '未采纳' },
  en: { received: 'Received', in_progress: 'Being handled', resolved: 'Handled', rejected: 'Not accepted' },
};

export const ALERT_STATE_WORDS: Table = {
  zh: { open: '待处理', acknowledged: '已确认', resolved: '已解决' },
  en: { open: 'Open', acknowledged: 'Acknowledged', resolved: 'Resolved' },
};

/**
 * A resident report's linked alert, as the console's reports list shows it (protocol/alerts.ts
 * ALERT_STEPS): how far the duty officer got with the alarm the report raised or joined.
 */
export const LINKED_ALERT_STEP_WORDS: Table = {
  zh: { open: '告警待处理', acknowledged: '已确认', arrived: '已到场', resolved: '已解决' },
  en: { open: 'Alarm open', acknowledged: 'Acknowledged', arrived: 'On site', resolved: 'Resolved' },
};

export const SEVERITY_WORDS: Table = {
  zh: { critical: '紧急', major: '重要', minor: '一般', info: '提示' },
  en: { critical: 'Critical', major: 'Major', minor: 'Minor', info: 'Info' },
};

/** A measured fact a detection rule kept as evidence: its words, and its unit where it has one. */
interface EvidenceField {
  zh: string;
  en: string;
  unit?: { zh: string; en: string };
  /** A table for a field whose value is itself a code (a mode, a power source). */
  values?: Table;
}
const S = { zh: '秒', en: 's' };
const M = { zh: '米', en: 'm' };
const MPS = { zh: '米/秒', en: 'm/s' };
const MIN = { zh: '分钟', en: 'min' };
const DAYS = { zh: '天', en: 'days' };

/** Keys the ingest's rules and the visit tracker write into an alert's evidence. */
export const EVIDENCE_FIELDS: Record<string, EvidenceField> = {
  trappedS: { zh: '困人时长', en: 'Trapped for', unit: S },
  stoppedS: { zh: '停梯时长', en: 'Stopped for', unit: S },
  stopped_s: { zh: '停梯时长', en: 'Stopped for', unit: S },
  openS: { zh: '开门时长', en: 'Door open for', unit: S },
  blockedS: { zh: '受阻时长', en: 'Blocked for', unit: S },
  lostS: { zh: '位置丢失时长', en: 'Position lost for', unit: S },
  waitedS: { zh: '等待时长', en: 'Waited', unit: S },
  silentS: { zh: '无数据时长', en: 'Silent for', unit: S },
  thresholdS: { zh: '判定阈值', en: 'Threshold', unit: S },
  runS: { zh: '连续运转', en: 'Running for', unit: S },
  limitS: { zh: '限值', en: 'Limit', unit: S },
  floor: { zh: '楼层', en: 'Floor' },
  fromFloor: { zh: '起始楼层', en: 'From floor' },
  position_m: { zh: '轿厢位置', en: 'Car position', unit: M },
  fromPosition_m: { zh: '起始位置', en: 'From position', unit: M },
  displacement_m: { zh: '移动距离', en: 'Moved', unit: M },
  beyond_m: { zh: '超出行程', en: 'Beyond the travel', unit: M },
  speed_mps: { zh: '速度', en: 'Speed', unit: MPS },
  rated_mps: { zh: '额定速度', en: 'Rated speed', unit: MPS },
  ratio: { zh: '超速比例', en: 'Ratio to rated' },
  mode: { zh: '运行模式', en: 'Mode', values: SERVICE_MODE_WORDS },
  power: { zh: '供电', en: 'Power', values: POWER_WORDS },
  door_closed: { zh: '门已关闭', en: 'Door closed' },
  door_zone: { zh: '在开锁区域', en: 'In the door zone' },
  occupied: { zh: '轿厢有人', en: 'Car occupied' },
  safety_circuit: { zh: '安全回路闭合', en: 'Safety circuit closed' },
  door_lock: { zh: '门锁闭合', en: 'Door lock closed' },
  limit_switch: { zh: '限位开关动作', en: 'Limit switch operated' },
  score: { zh: '证据分', en: 'Evidence score' },
  kind: { zh: '维保类别', en: 'Visit kind', values: VISIT_KIND_WORDS },
  minutes: { zh: '检修时长', en: 'In inspection for', unit: MIN },
  graceMin: { zh: '宽限', en: 'Grace', unit: MIN },
  daysSince: { zh: '距上次核实的保养', en: 'Since the last verified visit', unit: DAYS },
  limitDays: { zh: '规定间隔', en: 'Required interval', unit: DAYS },
};

function fieldValue(field: EvidenceField, value: unknown, lang: Lang): string | undefined {
  if (typeof value === 'boolean') return value ? (lang === 'zh' ? '是' : 'yes') : lang === 'zh' ? '否' : 'no';
  if (typeof value === 'number' && Number.isFinite(value)) {
    const n = Math.round(value * 100) / 100;
    return field.unit ? `${n} ${field.unit[lang]}` : String(n);
  }
  if (typeof value === 'string' && field.values) return wordOf(field.values, value, lang);
  return undefined;
}

/**
 * An alert's evidence as "label: value" lines in the reader's language. Keys not in the
 * catalogue (and values that are codes it cannot word) are left out rather than shown raw;
 * the API still answers the whole evidence for tools.
 */
export function alertEvidenceInWords(evidence: unknown, lang: Lang): string[] {
  if (!evidence || typeof evidence !== 'object' || Array.isArray(evidence)) return [];
  const out: string[] = [];
  for (const [key, value] of Object.entries(evidence as Record<string, unknown>)) {
    const field = EVIDENCE_FIELDS[key];
    if (!field) continue;
    const text = fieldValue(field, value, lang);
    if (text !== undefined) out.push(`${field[lang]}${lang === 'zh' ? '：' : ': '}${text}`);
  }
  return out;
}

function pick(e: Record<string, unknown>, ...keys: string[]): number | undefined {
  for (const key of keys) {
    const v = e[key];
    if (typeof v === 'number' && Number.isFinite(v)) return v;
    if (typeof v === 'boolean') return v ? 1 : 0;
    if (Array.isArray(v)) return v.length;
  }
  return undefined;
}

/**
 * A hard cap on a visit's verdict (ingest/visits/judge.ts: `cap_fake`, `cap_suspect`) is
 * said as a sentence, never as a criterion with points (it has none). The judge writes the
 * sentence with its figures, in English (`reason`) and Chinese (`zh`); a record older than
 * the Chinese sentence gets the cap's kind.
 */
export const VISIT_CAP_WORDS: Table = {
  zh: { cap_fake: '设备数据显示不出记录所称的维保', cap_suspect: '维保记录不完整或时长过短' },
  en: {
    cap_fake: 'The device data does not show the maintenance the record claims',
    cap_suspect: 'The record is incomplete or the visit too short',
  },
};

export function isVisitCap(r: { criterion?: string | undefined }): boolean {
  return r.criterion?.startsWith('cap_') === true;
}

export function visitCapInWords(
  r: { criterion?: string | undefined; reason?: string | undefined; zh?: string | undefined },
  lang: Lang,
): string {
  const said = lang === 'zh' ? r.zh : r.reason;
  return said ?? wordOf(VISIT_CAP_WORDS, r.criterion, lang) ?? VISIT_CAP_WORDS[lang]['cap_suspect']!;
}

/**
 * A visit's measured evidence in plain words ("52 min in inspection mode, whole shaft
 * travelled, pit and car-top stop switches tested"). Keys are protocol/findings.ts
 * VisitEvidence (camelCase); the snake_case of older rows is accepted too.
 */
export function visitEvidenceInWords(evidence: Record<string, unknown> | null, lang: Lang): string[] {
  if (!evidence) return [];
  const zh = lang === 'zh';
  const out: string[] = [];
  const inspection = pick(evidence, 'inspectionMin', 'inspection_minutes', 'minutes_in_inspection');
  if (inspection !== undefined) {
    const m = Math.round(inspection);
    out.push(zh ? `检修模式 ${m} 分钟` : `${m} min in inspection mode`);
  }
  let coverage = pick(evidence, 'shaftCoverage', 'shaft_coverage', 'coverage');
  if (coverage !== undefined) {
    if (coverage > 1) coverage /= 100;
    if (coverage >= 0.95) out.push(zh ? '走完整个井道' : 'whole shaft travelled');
    else
      out.push(
        zh
          ? `走过 ${Math.round(coverage * 100)}% 井道`
          : `${Math.round(coverage * 100)}% of the shaft travelled`,
      );
  }
  const pit = pick(evidence, 'stopSwitchPit', 'pit_stop_tests', 'stop_switch_pit') ?? 0;
  const carTop = pick(evidence, 'stopSwitchCarTop', 'car_top_stop_tests', 'stop_switch_car_top') ?? 0;
  if (pit > 0 && carTop > 0)
    out.push(zh ? '测试了底坑和轿顶急停开关' : 'pit and car-top stop switches tested');
  else if (pit > 0) out.push(zh ? '测试了底坑急停开关' : 'pit stop switch tested');
  else if (carTop > 0) out.push(zh ? '测试了轿顶急停开关' : 'car-top stop switch tested');
  else if ('stopSwitchPit' in evidence || 'pit_stop_tests' in evidence)
    out.push(zh ? '未见急停开关测试' : 'no stop-switch test seen');
  const landings = pick(evidence, 'doorCycleFloors', 'door_cycle_landings', 'door_cycles');
  if (landings !== undefined && landings > 0)
    out.push(zh ? `${landings} 个层站开关门检查` : `doors checked at ${landings} landings`);
  const trips = pick(evidence, 'passengerTrips', 'normal_trips', 'passenger_trips');
  if (trips !== undefined && trips > 0)
    out.push(zh ? `期间仍有 ${trips} 次载客运行` : `${trips} passenger trips during the visit`);
  return out;
}

/**
 * What each API error code means to the person who met it. The API answers
 * { code, message } with an English message for operators and tools; screens show these
 * words for the code instead. NETWORK and HTTP are the browser's own (no answer, or an
 * answer without a code).
 */
export const ERROR_WORDS: Record<ErrorCode | 'NETWORK' | 'HTTP', { zh: string; en: string }> = {
  CONFIG_INVALID: {
    zh: '服务器配置有误，请联系管理员',
    en: 'The server is misconfigured; contact the administrator',
  },
  PORT_IN_USE: {
    zh: '服务器端口被占用，请联系管理员',
    en: 'The server port is in use; contact the administrator',
  },
  FLEET_INVALID: { zh: '电梯台账文件格式有误', en: 'The fleet file does not match its schema' },
  FLEET_REFERENCE: {
    zh: '电梯台账引用了不存在的编号',
    en: 'The fleet file refers to an id it does not define',
  },
  FLEET_FILE_UNSET: {
    zh: '本服务未配置电梯台账文件，无法重新载入',
    en: 'This process has no fleet file to reload',
  },
  LOG_LAYOUT_CHANGED: {
    zh: '消息日志的分区设置与现存数据不一致，请联系系统管理员',
    en: 'The message log is laid out differently from the data it holds; contact the operator',
  },
  LOG_UNREACHABLE: {
    zh: '消息日志服务暂时无法连接，请稍后重试',
    en: 'The message log (NATS) does not answer; try again later',
  },
  REDIS_UNREACHABLE: {
    zh: '共享缓存服务暂时无法连接，请稍后重试',
    en: 'Redis (shared by the API nodes) does not answer; try again later',
  },
  DETECTION_UNCOMMITTED: {
    zh: '告警暂未能写入数据库，相关消息保留在日志中，稍后自动重试',
    en: 'Alert findings could not be stored yet; their messages stay in the log and are retried',
  },
  LEASE_LOST: {
    zh: '本接入进程已不再负责该分区，由其他进程接管',
    en: 'This ingest worker no longer owns the partition; another worker took it over',
  },
  INFLUX_UNREACHABLE: {
    zh: '历史数据库暂时无法连接，请稍后重试',
    en: 'The history database does not answer; try again later',
  },
  INFLUX_REJECTED: { zh: '历史数据库拒绝写入', en: 'The history database refused the data' },
  MQTT_UNREACHABLE: { zh: '设备消息服务暂时无法连接', en: 'The device message broker does not answer' },
  DATABASE_UNREACHABLE: {
    zh: '数据库暂时无法连接，请稍后重试',
    en: 'The database does not answer; try again later',
  },
  DATABASE_REFUSED: {
    zh: '数据库拒绝连接，请联系管理员',
    en: 'The database refused the connection; contact the administrator',
  },
  DATABASE_AHEAD: {
    zh: '数据库版本比程序新，请联系管理员',
    en: 'The database is newer than this program; contact the administrator',
  },
  STICKER_FONT_MISSING: {
    zh: '服务器缺少打印二维码所需的中文字体，请联系管理员安装 fonts-noto-cjk',
    en: 'The server lacks the Chinese font for sticker PDFs; ask the administrator to install fonts-noto-cjk',
  },
  NOT_FOUND: { zh: '未找到，可能已被删除或无权查看', en: 'Not found, or not yours to see' },
  BAD_REQUEST: {
    zh: '填写的内容有误，请检查后重试',
    en: 'Something entered is invalid; check and try again',
  },
  UNAUTHENTICATED: { zh: '请先登录', en: 'Log in first' },
  FORBIDDEN: { zh: '您的角色无权进行此操作', en: 'Your role does not allow this' },
  CROSS_SITE_REFUSED: {
    zh: '操作被拒绝：请从本系统页面提交',
    en: "Refused: make changes from Lift Watch's own pages",
  },
  LOGIN_FAILED: { zh: '用户名或密码错误', en: 'Wrong username or password' },
  RATE_LIMITED: { zh: '操作太频繁，请稍后再试', en: 'Too many requests; wait a moment and try again' },
  PAYLOAD_TOO_LARGE: { zh: '内容或文件太大', en: 'The content or file is too large' },
  UNSUPPORTED_MEDIA_TYPE: { zh: '不支持的提交格式', en: 'This format is not accepted' },
  DESTINATION_NOT_ALLOWED: {
    zh: '推送地址不被允许：只能是公网地址（内网、本机地址需管理员放行）',
    en: 'Webhooks may only point at public addresses unless the operator allow-lists the host',
  },
  CONFLICT: {
    zh: '当前状态不允许此操作（可能已被他人处理），请刷新后再试',
    en: 'Not possible in the current state (someone may have acted already); refresh and try again',
  },
  REPORT_FOLLOWS_ALERT: {
    zh: '此报告随关联告警处理：请在告警上确认、到场或解决，报告随之更新',
    en: 'This report follows its linked alert: acknowledge, mark on site or resolve the alert instead',
  },
  INTERNAL_ERROR: {
    zh: '服务器出错，已记录，请稍后重试',
    en: 'Something went wrong on our side; it has been logged',
  },
  NOT_READY: { zh: '服务暂未就绪，请稍后重试', en: 'A service is not ready yet; try again later' },
  NETWORK: { zh: '服务器无响应，请检查网络', en: 'The server does not answer; check the network' },
  HTTP: { zh: '服务器返回了错误', en: 'The server answered with an error' },
};

/** The ledger's finer reasons (ledger/errors.ts), which the API answers beside the code; the type makes it complete. */
export const ERROR_REASON_WORDS: Record<Lang, Record<LedgerReason, string>> = {
  zh: {
    INVALID_AMOUNT: '金额无效：请填写大于零、最多两位小数的金额',
    INVALID_INPUT: '填写的内容有误，请检查后重试',
    UNBALANCED: '记账借贷不平衡',
    NOT_AUTHORIZED: '您的角色无权进行此操作',
    SELF_APPROVAL: '不能审批自己提交的支出，请由另一位经理审批',
    NOT_FOUND: '未找到，可能已被删除或无权查看',
    IDEMPOTENCY_MISMATCH: '同一请求编号已用于不同的内容',
    INSUFFICIENT_FUNDS: '基金余额不足，无法支付（余额不能为负）',
    ALREADY_REVERSED: '该笔已冲正',
    INVALID_STATE: '当前状态不允许此操作，请刷新后再试',
    DUPLICATE: '重复提交，已有相同记录',
    EMERGENCY_ALERT_CLOSED: '引用的告警不符合紧急程序（须为本小区仍未关闭或确认为真实故障的紧急告警）',
  },
  en: {
    INVALID_AMOUNT: 'Invalid amount: a positive amount with at most 2 decimals',
    INVALID_INPUT: 'Something entered is invalid; check and try again',
    UNBALANCED: 'The posting does not balance',
    NOT_AUTHORIZED: 'Your role does not allow this',
    SELF_APPROVAL: 'You cannot approve your own proposal; another manager must',
    NOT_FOUND: 'Not found, or not yours to see',
    IDEMPOTENCY_MISMATCH: 'This request key was already used for different content',
    INSUFFICIENT_FUNDS: 'The fund cannot pay this: the balance cannot go negative',
    ALREADY_REVERSED: 'Already reversed',
    INVALID_STATE: 'Not possible in the current state; refresh and try again',
    DUPLICATE: 'Already recorded',
    EMERGENCY_ALERT_CLOSED: 'The cited alert does not allow the emergency path',
  },
};

/**
 * The words for an error in the reader's language: its finer reason when the catalogue has
 * one, else its code; an unknown code reads as a generic failure.
 */
export function errorWords(code: string, lang: Lang, reason?: string): string {
  const byReason = wordOf(ERROR_REASON_WORDS, reason, lang);
  if (byReason !== undefined) return byReason;
  const entry = Object.hasOwn(ERROR_WORDS, code)
    ? ERROR_WORDS[code as keyof typeof ERROR_WORDS]
    : ERROR_WORDS.HTTP;
  return entry[lang];
}

/** On-call roster tiers and channels (store/schema.ts OnCallTier, OnCallChannel). */
export const ON_CALL_TIER_WORDS = {
  zh: { duty: '值班', manager: '主管' },
  en: { duty: 'On duty', manager: 'Manager' },
} satisfies Table;

export const ON_CALL_CHANNEL_WORDS = {
  zh: { webhook: '小区通知渠道', wecom: '企业微信机器人', dingtalk: '钉钉机器人' },
  en: { webhook: "Estate's webhook", wecom: 'WeCom robot', dingtalk: 'DingTalk robot' },
} satisfies Table;

/** Where an escalation step's sending stands (alert_escalation_steps.status). */
export const ESCALATION_STATUS_WORDS = {
  zh: { pending: '待发送', sending: '发送中', sent: '已送达', failed: '发送失败', skipped: '已处理，未发送' },
  en: {
    pending: 'Waiting',
    sending: 'Sending',
    sent: 'Delivered',
    failed: 'Failed',
    skipped: 'Not needed any more',
  },
} satisfies Table;

/** The webhook formats (estate_webhooks.format). */
export const WEBHOOK_FORMAT_WORDS = {
  zh: { generic: '通用 JSON', wecom: '企业微信机器人', dingtalk: '钉钉机器人' },
  en: { generic: 'Generic JSON', wecom: 'WeCom robot', dingtalk: 'DingTalk robot' },
} satisfies Table;

/** A webhook delivery's state (webhook_deliveries.status). */
export const DELIVERY_STATUS_WORDS = {
  zh: { pending: '发送中', delivered: '已送达', failed: '失败' },
  en: { pending: 'Sending', delivered: 'Delivered', failed: 'Failed' },
} satisfies Table;

/** Events a webhook subscribes to. */
export const WEBHOOK_EVENT_WORDS = {
  zh: {
    'alert.transition': '告警状态变化',
    'visit.verdict': '维保判定',
    'alert.escalation': '告警升级',
    ping: '测试消息',
  },
  en: {
    'alert.transition': 'Alert changes',
    'visit.verdict': 'Visit verdicts',
    'alert.escalation': 'Alert escalation',
    ping: 'Test message',
  },
} satisfies Table;

/**
 * An escalation step in words: 'duty:1' is the first on duty told at opening, 'duty:N' the
 * next one after N-1 acknowledge windows, 'manager:N' a manager told when nobody is on site.
 */
export function escalationStepWords(step: string, lang: Lang): string {
  const [kind, n] = step.split(':');
  if (kind === 'duty' && n === '1') return lang === 'zh' ? '通知值班第 1 位' : 'First on duty told';
  if (kind === 'duty')
    return lang === 'zh' ? `无人确认，通知值班第 ${n} 位` : `Not acknowledged: on-duty #${n} told`;
  if (kind === 'manager')
    return lang === 'zh' ? `无人到场，通知主管第 ${n} 位` : `Nobody on site: manager #${n} told`;
  return lang === 'zh' ? '升级通知' : 'Escalation';
}

/**
 * Every audit action code (audit_log.action) in words. `AuditAction` is the list of its keys
 * and the audit writer takes only an `AuditAction`, so an action without words does not compile.
 */
export const AUDIT_ACTION_WORDS = {
  'alert.acknowledge': { zh: '确认告警', en: 'Acknowledged an alert' },
  'alert.resolve': { zh: '解除告警', en: 'Resolved an alert' },
  'alert.escalate': { zh: '告警升级通知', en: 'Escalation step' },
  'alert.arrive': { zh: '到场', en: 'On site' },
  'field_visit.check_in': { zh: '维保签到', en: 'Checked in for maintenance' },
  'field_visit.items': { zh: '勾选维保项目', en: 'Ticked maintenance items' },
  'field_visit.photo': { zh: '上传维保照片', en: 'Uploaded a maintenance photo' },
  'field_visit.check_out': { zh: '维保签退', en: 'Checked out of maintenance' },
  'auth.login': { zh: '登录', en: 'Signed in' },
  'auth.logout': { zh: '退出登录', en: 'Signed out' },
  'token.create': { zh: '创建接口令牌', en: 'Created an API token' },
  'token.revoke': { zh: '吊销接口令牌', en: 'Revoked an API token' },
  'user.create': { zh: '新增账号', en: 'Added an account' },
  'user.update': { zh: '修改账号', en: 'Changed an account' },
  'user.delete': { zh: '删除账号', en: 'Removed an account' },
  'fleet.reload': { zh: '重新载入电梯台账', en: 'Reloaded the fleet file' },
  'report.create': { zh: '住户报修', en: 'Resident report' },
  'report.status': { zh: '处理住户报修', en: 'Handled a resident report' },
  'report.confirm': { zh: '住户确认已修复', en: 'Resident confirmed the fix' },
  'report.reopen': { zh: '住户反馈未修复（重新打开）', en: 'Resident reopened the report' },
  'webhook.create': { zh: '新增通知渠道', en: 'Added a webhook' },
  'webhook.update': { zh: '修改通知渠道', en: 'Changed a webhook' },
  'webhook.delete': { zh: '删除通知渠道', en: 'Removed a webhook' },
  'webhook.test': { zh: '测试通知渠道', en: 'Tested a webhook' },
  'on_call.add': { zh: '加入值班表', en: 'Added to the on-call roster' },
  'on_call.remove': { zh: '移出值班表', en: 'Removed from the on-call roster' },
  'escalation_policy.set': { zh: '修改升级时限', en: 'Changed the escalation windows' },
  'fund.open': { zh: '开设维修基金账户', en: 'Opened a fund' },
  'fund.income': { zh: '登记基金收入', en: 'Recorded fund income' },
  'fund.contribution': { zh: '登记业主缴存', en: 'Recorded a contribution' },
  'fund.contribution_rule': { zh: '设定缴存规则', en: 'Set the contribution rule' },
  'fund.propose': { zh: '提出支出申请', en: 'Proposed an expenditure' },
  'fund.amend': { zh: '修改支出申请', en: 'Amended an expenditure' },
  'fund.attach': { zh: '上传附件', en: 'Attached a document' },
  'fund.approve': { zh: '批准支出', en: 'Approved an expenditure' },
  'fund.refuse': { zh: '驳回支出', en: 'Refused an expenditure' },
  'fund.vote': { zh: '登记业主表决', en: "Recorded the owners' vote" },
  'fund.pay': { zh: '登记付款', en: 'Recorded a payment' },
  'fund.reverse': { zh: '冲正', en: 'Reversed an entry' },
} as const satisfies Record<string, { zh: string; en: string }>;

export type AuditAction = keyof typeof AUDIT_ACTION_WORDS;

/** What an audit row was about (audit_log.target_type). */
export const AUDIT_TARGET_WORDS = {
  zh: {
    alert: '告警',
    user: '账号',
    api_token: '接口令牌',
    session: '登录',
    fleet: '台账',
    resident_report: '住户报修',
    webhook: '通知渠道',
    on_call: '值班表',
    estate: '小区',
    fund: '基金',
    expenditure: '支出',
    attachment: '附件',
    contribution: '缴存',
    transaction: '记账',
    field_visit: '维保现场记录',
  },
  en: {
    alert: 'Alert',
    user: 'Account',
    api_token: 'API token',
    session: 'Sign-in',
    fleet: 'Fleet',
    resident_report: 'Resident report',
    webhook: 'Webhook',
    on_call: 'On-call roster',
    estate: 'Estate',
    fund: 'Fund',
    expenditure: 'Expenditure',
    attachment: 'Attachment',
    contribution: 'Contribution',
    transaction: 'Transaction',
    field_visit: 'Field visit',
  },
} satisfies Table;

/** Why an alert escalated (alerts.escalation_reason), as the console's badge says it. */
export const ESCALATION_REASON_WORDS = {
  zh: { not_acknowledged_in_time: '已升级：超时未确认', not_resolved_in_time: '已升级：超时未到场' },
  en: {
    not_acknowledged_in_time: 'Escalated: not acknowledged in time',
    not_resolved_in_time: 'Escalated: nobody on site in time',
  },
} satisfies Table;

/**
 * Condition-based maintenance (issue 16): the console's health screens, the API's summary
 * and the ingest's report say the same things with these words.
 */
export const HEALTH_WORDS = {
  title: { zh: '按需维保：需要关注的电梯', en: 'Condition-based maintenance: lifts needing attention' },
  intro: {
    zh: '按每台电梯自身的常态评分；提前维保与逾期的排在最前。',
    en: 'Each lift judged against its own usual behaviour; early and overdue visits first.',
  },
  lift: { zh: '电梯', en: 'Lift' },
  score: { zh: '健康分', en: 'Score' },
  nextVisit: { zh: '最迟维保日期', en: 'Next visit by' },
  why: { zh: '原因', en: 'Why' },
  trend: { zh: '30天趋势', en: '30-day trend' },
  early: { zh: '提前维保', en: 'Early visit' },
  overdue: { zh: '已逾期 {n} 天', en: '{n} days overdue' },
  dueIn: { zh: '{n} 天后', en: 'in {n} days' },
  dueToday: { zh: '今天', en: 'today' },
  insufficient: { zh: '数据不足，暂不评分', en: 'not enough data yet' },
  noHealth: { zh: '暂无健康数据', en: 'No health figures yet' },
  healthy: { zh: '状态良好', en: 'Healthy' },
  stretched: {
    zh: '状态良好，周期已延长（不超过监管上限）',
    en: 'Healthy: interval stretched (within the bound)',
  },
  component: { zh: '检查部件', en: 'Look at' },
  advice: { zh: '维保建议', en: 'Recommendation' },
  reasons: { zh: '扣分原因', en: 'Points lost' },
  noReasons: { zh: '各项信号均在本梯常态范围内', en: 'Every signal within this lift’s usual range' },
  signals: { zh: '健康信号与本梯常态范围', en: 'Signals and this lift’s usual band' },
  scoreHistory: { zh: '健康分（每日）', en: 'Score (daily)' },
  band: { zh: '常态范围', en: 'Usual band' },
  value: { zh: '当日值', en: 'Day’s value' },
  usual: { zh: '常态', en: 'Usual' },
  lastVerified: { zh: '上次核实维保', en: 'Last verified visit' },
  none: { zh: '无', en: 'none' },
  elevatorPage: { zh: '电梯详情', en: 'Lift page' },
  back: { zh: '返回列表', en: 'Back to the list' },
  besideProposal: { zh: '该梯健康状况', en: 'This lift’s health' },
  perDays: { zh: '{n} 分/30天', en: '{n} pts / 30 days' },
  date: { zh: '日期', en: 'Date' },
} as const satisfies Record<string, { zh: string; en: string }>;

/**
 * The fund's codes as the committee's statement, its CSV and the console show them
 * (issue 15): what an expenditure pays for, where money came from, who decided what.
 */
/**
 * The ledger's default memo for a contribution with none given (ledger/transactions.ts),
 * stored in Chinese. Postings made before it was were stored with the English default
 * "Fee share 2026-03": `memoWords` shows those in Chinese too (the stored memo is part of
 * the hash chain, so it is never rewritten).
 */
export function defaultContributionMemo(period: string): string {
  return `${period} 业主分摊缴存`;
}

export function memoWords(p: { kind: string; memo: string; period: string | null }): string {
  return p.kind === 'contribution' && p.period !== null && p.memo === `Fee share ${p.period}`
    ? defaultContributionMemo(p.period)
    : p.memo;
}

export const FUND_WORDS = {
  expenseKind: {
    zh: {
      routine_maintenance: '日常维保',
      repair: '维修',
      parts: '配件',
      inspection: '检验检测',
      major_overhaul: '大修',
    },
    en: {
      routine_maintenance: 'Routine maintenance',
      repair: 'Repair',
      parts: 'Parts',
      inspection: 'Inspection',
      major_overhaul: 'Major overhaul',
    },
  },
  /** Income by kind: a contribution, or other income by its source. */
  incomeKind: {
    zh: {
      contribution: '业主分摊缴存',
      interest: '利息收入',
      subsidy: '政府补贴',
      insurance_payout: '保险赔付',
    },
    en: {
      contribution: 'Owners’ contributions',
      interest: 'Interest',
      subsidy: 'Subsidy',
      insurance_payout: 'Insurance payout',
    },
  },
  transactionKind: {
    zh: { contribution: '缴存', other_income: '其他收入', expenditure: '支出', reversal: '冲正' },
    en: {
      contribution: 'Contribution',
      other_income: 'Other income',
      expenditure: 'Expenditure',
      reversal: 'Reversal',
    },
  },
  account: {
    zh: {
      cash: '资金账户',
      'income:fee_share': '分摊缴存收入',
      'income:other': '其他收入',
      'expense:routine_maintenance': '支出：日常维保',
      'expense:repair': '支出：维修',
      'expense:parts': '支出：配件',
      'expense:inspection': '支出：检验检测',
      'expense:major_overhaul': '支出：大修',
    },
    en: {
      cash: 'Cash',
      'income:fee_share': 'Contribution income',
      'income:other': 'Other income',
      'expense:routine_maintenance': 'Expense: routine maintenance',
      'expense:repair': 'Expense: repair',
      'expense:parts': 'Expense: parts',
      'expense:inspection': 'Expense: inspection',
      'expense:major_overhaul': 'Expense: major overhaul',
    },
  },
  side: {
    zh: { firm: '物业服务企业', committee: '业主委员会' },
    en: { firm: 'Property firm', committee: 'Owners’ committee' },
  },
  decision: { zh: { approve: '同意', refuse: '拒绝' }, en: { approve: 'Approved', refuse: 'Refused' } },
  status: {
    zh: {
      proposed: '待审批',
      approved: '已批准待支付',
      refused: '已拒绝',
      paid: '已支付',
      reversed: '已冲正',
    },
    en: {
      proposed: 'Awaiting approval',
      approved: 'Approved',
      refused: 'Refused',
      paid: 'Paid',
      reversed: 'Reversed',
    },
  },
} satisfies Record<string, Table>;
