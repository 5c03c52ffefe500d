/**
 * The SLA clocks' limits and the monthly SLA report's columns in Chinese and English: one
 * catalogue for the console's clocks and table and the API's CSV (no schema library here,
 * so the console's bundle can import it).
 */

/** Response: acknowledged within 3 minutes of the alarm (the rate the 96333 centres publish). */
export const RESPONSE_SLA_MS = 3 * 60_000;
/** Arrival: someone on site ("到场") within 30 minutes (TSG T5002 art. 5). */
export const ARRIVAL_SLA_MS = 30 * 60_000;

/** A figure of one estate's month (protocol/sla.ts EstateSla). */
export type SlaColumn =
  | 'estate_name'
  | 'alerts'
  | 'from_residents'
  | 'response_within'
  | 'response_rate'
  | 'median_response_ms'
  | 'arrival_within'
  | 'arrival_rate'
  | 'median_arrival_ms'
  | 'median_resolve_ms'
  | 'false_alarms'
  | 'reports'
  | 'reports_resolved'
  | 'reports_rejected'
  | 'reports_open'
  | 'feedback'
  | 'reopened'
  | 'reopen_rate'
  | 'ratings'
  | 'average_rating';

/** The column groups of the console's table, its header's first row. */
export type SlaGroup = 'alerts' | 'response' | 'arrival' | 'clearance' | 'reports';
export const SLA_GROUPS: Record<SlaGroup, { zh: string; en: string }> = {
  alerts: { zh: '紧急警报', en: 'Critical alerts' },
  response: { zh: '3分钟响应', en: '3-min response' },
  arrival: { zh: '30分钟到场', en: '30-min arrival' },
  clearance: { zh: '处置', en: 'Clearance' },
  reports: { zh: '住户报告', en: 'Resident reports' },
};

/**
 * The report's columns in order, with their words: `zh`/`en` stand alone (the CSV's header,
 * the phone's label beside each figure); `head` is the word under its group in the console's
 * two-row header (e.g. 3分钟响应 › 达标率), short so 20 columns fit a 1440 px screen.
 */
export const SLA_COLUMNS: readonly {
  key: SlaColumn;
  zh: string;
  en: string;
  group?: SlaGroup;
  head?: { zh: string; en: string };
}[] = [
  { key: 'estate_name', zh: '小区', en: 'Estate' },
  {
    key: 'alerts',
    zh: '紧急警报',
    en: 'Critical alerts',
    group: 'alerts',
    head: { zh: '总数', en: 'Total' },
  },
  {
    key: 'from_residents',
    zh: '其中住户报告',
    en: 'Of which from residents',
    group: 'alerts',
    head: { zh: '住户报告', en: 'From residents' },
  },
  {
    key: 'response_within',
    zh: '3分钟内响应',
    en: 'Responded within 3 min',
    group: 'response',
    head: { zh: '达标', en: 'Met' },
  },
  {
    key: 'response_rate',
    zh: '3分钟响应率',
    en: '3-min response rate',
    group: 'response',
    head: { zh: '达标率', en: 'Rate' },
  },
  {
    key: 'median_response_ms',
    zh: '响应时间中位数',
    en: 'Median response',
    group: 'response',
    head: { zh: '中位数', en: 'Median' },
  },
  {
    key: 'arrival_within',
    zh: '30分钟内到场',
    en: 'On site within 30 min',
    group: 'arrival',
    head: { zh: '达标', en: 'Met' },
  },
  {
    key: 'arrival_rate',
    zh: '30分钟到场率',
    en: '30-min arrival rate',
    group: 'arrival',
    head: { zh: '达标率', en: 'Rate' },
  },
  {
    key: 'median_arrival_ms',
    zh: '到场时间中位数',
    en: 'Median arrival',
    group: 'arrival',
    head: { zh: '中位数', en: 'Median' },
  },
  {
    key: 'median_resolve_ms',
    zh: '处置时间中位数',
    en: 'Median clearance',
    group: 'clearance',
    head: { zh: '中位数', en: 'Median' },
  },
  {
    key: 'false_alarms',
    zh: '误报',
    en: 'False alarms',
    group: 'clearance',
    head: { zh: '误报', en: 'False' },
  },
  {
    key: 'reports',
    zh: '住户报告',
    en: 'Resident reports',
    group: 'reports',
    head: { zh: '件数', en: 'Filed' },
  },
  {
    key: 'reports_resolved',
    zh: '其中已解决',
    en: 'Resolved',
    group: 'reports',
    head: { zh: '已解决', en: 'Resolved' },
  },
  {
    key: 'reports_rejected',
    zh: '其中已驳回',
    en: 'Rejected',
    group: 'reports',
    head: { zh: '已驳回', en: 'Rejected' },
  },
  {
    key: 'reports_open',
    zh: '其中未办结',
    en: 'Still open',
    group: 'reports',
    head: { zh: '未办结', en: 'Open' },
  },
  {
    key: 'feedback',
    zh: '住户反馈',
    en: 'Residents’ replies',
    group: 'reports',
    head: { zh: '反馈', en: 'Replies' },
  },
  { key: 'reopened', zh: '重新打开', en: 'Reopened', group: 'reports', head: { zh: '重开', en: 'Reopened' } },
  {
    key: 'reopen_rate',
    zh: '重开率',
    en: 'Reopen rate',
    group: 'reports',
    head: { zh: '重开率', en: 'Reopen rate' },
  },
  { key: 'ratings', zh: '评价数', en: 'Ratings', group: 'reports', head: { zh: '评价数', en: 'Ratings' } },
  {
    key: 'average_rating',
    zh: '平均评分',
    en: 'Average rating',
    group: 'reports',
    head: { zh: '平均分', en: 'Average' },
  },
];

export const SLA_WORDS = {
  zh: { month: '月份', counted: '应计', minutes: '分钟', none: '—' },
  en: { month: 'Month', counted: 'counted', minutes: 'min', none: '—' },
} as const;
