/**
 * The resident page's words in Chinese (default) and English. Plain words for people
 * in a lift lobby, not the firm's vocabulary.
 */
export type { Lang } from '../../protocol/words.ts';

import type { Lang } from '../../protocol/words.ts';

/** `?lang=` wins, then the first of zh/en in Accept-Language, then Chinese. */
export function pickLang(query: string | undefined, acceptLanguage: string | undefined): Lang {
  if (query === 'en' || query === 'zh') return query;
  if (!acceptLanguage) return 'zh';
  const ranked = acceptLanguage
    .split(',')
    .map((part, index) => {
      const [tag = '', ...params] = part.trim().toLowerCase().split(';');
      const q = params.find((p) => p.trim().startsWith('q='));
      return { tag, q: q ? Number(q.trim().slice(2)) || 0 : 1, index };
    })
    .sort((a, b) => b.q - a.q || a.index - b.index);
  for (const { tag } of ranked) {
    if (tag.startsWith('zh')) return 'zh';
    if (tag.startsWith('en')) return 'en';
  }
  return 'zh';
}

// The codes' words live in the shared catalogue, which the console reads too.
export { CONDITION_WORDS, VERDICT_WORDS, VISIT_KIND_WORDS } from '../../protocol/words.ts';

export const REPORT_CATEGORIES = ['trapped', 'door', 'noise', 'stopped', 'lighting', 'other'] as const;
export type ReportCategory = (typeof REPORT_CATEGORIES)[number];

export { RESIDENT_REPORT_STATUS_WORDS as REPORT_STATUS_WORDS } from '../../protocol/words.ts';

const zh = {
  title: '电梯安全信息',
  lastHeard: '最后联络',
  never: '从未',
  justNow: '刚刚',
  minutesAgo: (n: number) => `${n} 分钟前`,
  hoursAgo: (n: number) => `${n} 小时前`,
  daysAgo: (n: number) => `${n} 天前`,
  maintenance: '维护保养',
  daysSince: (n: number) => `距上次核实的保养 ${n} 天`,
  noVerified: '暂无核实的保养记录',
  nextDue: '下次应在',
  overdue: '已超期',
  interval: '按规定每 15 天至少保养一次（TSG T5002）',
  inspectionDue: '检验有效期至',
  inspectionLapsed: '已过期',
  inspectionSoon: '即将到期',
  registration: '使用登记证编号',
  technician: '维保人员',
  visits: '最近保养',
  noVisits: '暂无保养记录',
  score: '证据分',
  incidents: '近 90 天故障与困人',
  noIncidents: '近 90 天无故障记录',
  responded: '响应',
  resolvedIn: '处置完毕',
  notYet: '尚未',
  rescueTarget: '困人救援时限 30 分钟',
  company: '维保单位',
  firm: '物业',
  staffEntry: '维保人员入口',
  emergency: '紧急电话',
  estatePhone: '小区值班',
  hotline: '电梯应急处置',
  report: '报告问题',
  category: '问题类型',
  chooseCategory: '请选择',
  youReported: '您报告的内容',
  categories: {
    trapped: '有人被困',
    door: '门异常',
    noise: '异响或抖动',
    stopped: '电梯停用',
    lighting: '照明或按钮',
    other: '其他',
  } as Record<ReportCategory, string>,
  description: '说明（请勿填写个人信息）',
  submit: '提交',
  trappedHint: '如有人被困，请先拨打紧急电话。',
  receipt: '受理编号',
  receiptHint: '请保存此页链接以查看进度。',
  reportStatus: '进度',
  reply: '物业回复',
  updated: '更新于',
  thanks: '感谢您的反馈。',
  back: '返回电梯信息',
  notFoundTitle: '未找到该电梯',
  notFoundText: '二维码可能已失效。如遇紧急情况请拨打 96333。',
  errorTitle: '暂时无法显示',
  tooMany: '提交太频繁，请稍后再试。',
  badInput: '内容有误，请检查后重试。',
  switchLang: 'English',
  live: '自动刷新',
  minutes: '分钟',
  lang: 'zh-CN',
};

type Words = typeof zh;

const en: Words = {
  title: 'Lift safety information',
  lastHeard: 'Last heard',
  never: 'never',
  justNow: 'just now',
  minutesAgo: (n) => `${n} min ago`,
  hoursAgo: (n) => `${n} h ago`,
  daysAgo: (n) => `${n} days ago`,
  maintenance: 'Maintenance',
  daysSince: (n) => `${n} days since the last verified service`,
  noVerified: 'No verified service on record',
  nextDue: 'Next due by',
  overdue: 'overdue',
  interval: 'The rules require a service at least every 15 days (TSG T5002)',
  inspectionDue: 'Inspection certificate valid until',
  inspectionLapsed: 'expired',
  inspectionSoon: 'due soon',
  registration: 'Use registration no.',
  technician: 'Technician',
  visits: 'Recent services',
  noVisits: 'No services on record',
  score: 'evidence score',
  incidents: 'Faults and trapped passengers, last 90 days',
  noIncidents: 'No faults in the last 90 days',
  responded: 'responded',
  resolvedIn: 'cleared',
  notYet: 'not yet',
  rescueTarget: 'Rescue of trapped passengers: within 30 min',
  company: 'Maintenance company',
  firm: 'Property firm',
  staffEntry: 'Maintenance staff',
  emergency: 'Emergency phones',
  estatePhone: 'Estate duty desk',
  hotline: 'Lift emergency hotline',
  report: 'Report a problem',
  category: 'What is wrong',
  chooseCategory: 'Choose one',
  youReported: 'What you reported',
  categories: {
    trapped: 'Someone is trapped',
    door: 'Door problem',
    noise: 'Noise or shaking',
    stopped: 'Lift not working',
    lighting: 'Lights or buttons',
    other: 'Other',
  },
  description: 'Details (no personal information, please)',
  submit: 'Send',
  trappedHint: 'If someone is trapped, call the emergency phone first.',
  receipt: 'Receipt number',
  receiptHint: 'Keep this page’s link to follow progress.',
  reportStatus: 'Progress',
  reply: 'Reply from the property firm',
  updated: 'updated',
  thanks: 'Thank you for your report.',
  back: 'Back to the lift',
  notFoundTitle: 'Lift not found',
  notFoundText: 'This QR code may be out of date. In an emergency call 96333.',
  errorTitle: 'Cannot show this now',
  tooMany: 'Too many reports; please try again later.',
  badInput: 'Something is missing or wrong; please check and try again.',
  switchLang: '中文',
  live: 'live',
  minutes: 'min',
  lang: 'en',
};

export const WORDS: Record<Lang, Words> = { zh, en };
export type { Words };
