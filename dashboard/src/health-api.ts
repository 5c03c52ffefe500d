/**
 * Lift health as the API answers it (api/routes/console/health.ts), and the words the health
 * screens use in both languages (kept beside them rather than in words.ts: one screen's
 * vocabulary in one place). Reasons and advice come from the API in Chinese and English.
 */
import { api } from './api.ts';
import { lang } from './i18n.ts';

export interface Words {
  zh: string;
  en: string;
}

export interface HealthSummary {
  date: string;
  status: 'ok' | 'insufficient';
  message: Words | null;
  score: number | null;
  reasons: { signal: string; component: Words; points: number; text: Words }[];
  trend: { d30: number | null; d90: number | null };
  recommendation: {
    latest_visit_date: string;
    due_in_days: number;
    early: boolean;
    component: Words | null;
    advice: Words[];
    stretched: boolean;
    last_verified_visit_at: number | null;
  };
}

export interface RankedLift {
  elevator_id: string;
  name: string;
  building: string;
  estate_id: string;
  attention: number;
  health: HealthSummary | null;
}

export interface SignalSeries {
  signal: string;
  label: Words;
  unit: string;
  direction: 'up' | 'both';
  /** [t, value, median, floor] per day. */
  points: (number | null)[][];
}

export interface ElevatorHealth {
  elevator_id: string;
  name: string;
  estate_id: string;
  health: HealthSummary | null;
  scores: (number | null)[][];
  signals: SignalSeries[];
}

export const healthApi = {
  ranking: () => api.get<{ today: string; items: RankedLift[] }>('/health'),
  elevator: (id: string, days = 90) =>
    api.get<ElevatorHealth>(`/elevators/${encodeURIComponent(id)}/health`, { days }),
};

/** The reader's language of a pair. */
export const say = (w: Words | null | undefined): string => (w ? w[lang()] : '');

const WORDS = {
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
  insufficient: { zh: '数据不足，暂不评分', en: 'Not enough data yet' },
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
} as const satisfies Record<string, Words>;

export type HealthKey = keyof typeof WORDS;

export function hw(key: HealthKey, vars: Record<string, string | number> = {}): string {
  return WORDS[key][lang()].replace(/\{(\w+)\}/g, (_, name: string) => String(vars[name] ?? ''));
}

/** "in 3 days" / "2 days overdue" / "today". */
export function dueWords(days: number): string {
  if (days < 0) return hw('overdue', { n: -days });
  if (days === 0) return hw('dueToday');
  return hw('dueIn', { n: days });
}

/** The one-line state of a lift's health, as the ranking and the fund proposals show it. */
export function healthLine(h: HealthSummary | null): {
  text: string;
  kind: 'good' | 'warn' | 'bad' | 'none';
} {
  if (!h) return { text: hw('noHealth'), kind: 'none' };
  if (h.status !== 'ok') return { text: hw('insufficient'), kind: 'none' };
  const r = h.recommendation;
  if (r.early)
    return {
      text: `${hw('score')} ${h.score} · ${hw('early')}：${hw('component')} ${say(r.component)} · ${say(h.reasons[0]?.text)}`,
      kind: (h.score ?? 0) < 60 ? 'bad' : 'warn',
    };
  if (h.reasons.length > 0)
    return { text: `${hw('score')} ${h.score} · ${say(h.reasons[0]!.text)}`, kind: 'warn' };
  return { text: `${hw('score')} ${h.score} · ${hw('healthy')}`, kind: 'good' };
}
