/**
 * The console's words for issue 15's duty-officer alarm and resident loop (arrival, the
 * alarm's sources, the live reports badge, the monthly SLA screen). A block of its own so
 * parallel work on words.ts merges cleanly; words.ts spreads it into both tables.
 */
export const ALARM_EN = {
  arrive: 'On site',
  arriveTitle: 'On site (到场)',
  arriveHint: 'Optional: who is there, what they found',
  arrivedBy: 'On site {when} ({who})',
  arrivalNone: 'no arrival recorded',
  ackOverdueSince: 'Acknowledgement overdue · was due by {at}',
  arrivalOverdueSince: 'Arrival overdue · was due by {at}',
  sourceResident: 'Reported by a resident',
  sourceDetector: 'Detected',
  residentSaid: 'Resident ({receipt}): {text}',
  newReport: 'New resident report: {category} — {elevator}',
  navSla: 'SLA',
  slaTitle: 'Monthly SLA per estate',
  slaMonth: 'Month',
  slaHint:
    'Response: acknowledged within 3 min of the alarm. Arrival: “on site” stamped within 30 min (false alarms and alarms the detector cleared before anyone answered are not counted). Resident reports by where they stand now (a report linked to an alarm follows it). Reopen rate: reports the resident reopened, of those the resident answered.',
  reopenedTimes: 'reopened ×{n}',
  ratedStars: 'rated {n}/5',
  residentFixed: 'resident: fixed',
  residentNotFixed: 'resident: not fixed',
} as const;

export const ALARM_ZH: Record<keyof typeof ALARM_EN, string> = {
  arrive: '到场',
  arriveTitle: '到场',
  arriveHint: '可选：谁在现场、看到什么',
  arrivedBy: '{when} 到场（{who}）',
  arrivalNone: '未记录到场',
  ackOverdueSince: '确认超时 · 应于 {at} 前确认',
  arrivalOverdueSince: '到场超时 · 应于 {at} 前到场',
  sourceResident: '住户报告',
  sourceDetector: '监测发现',
  residentSaid: '住户（{receipt}）：{text}',
  newReport: '新的住户报告：{category} — {elevator}',
  navSla: '服务时效',
  slaTitle: '各小区月度服务时效',
  slaMonth: '月份',
  slaHint:
    '响应：警报后 3 分钟内确认。到场：30 分钟内登记“到场”（误报，以及无人确认前已自动恢复的警报不计入）。住户报告按当前状态统计（关联警报的报告随警报处理）。重开率：住户反馈中表示未解决的比例。',
  reopenedTimes: '重新打开 {n} 次',
  ratedStars: '评分 {n}/5',
  residentFixed: '住户确认已解决',
  residentNotFixed: '住户反馈未解决',
};
