/**
 * Lift health as the API answers it (api/routes/console/health.ts), and the health screens'
 * words, read from the one catalogue (protocol/words.ts HEALTH_WORDS) the API and the ingest
 * also use. Reasons and advice come from the API in Chinese and English.
 */
import { HEALTH_WORDS } from '../../protocol/words.ts';
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

export type HealthKey = keyof typeof HEALTH_WORDS;

export function hw(key: HealthKey, vars: Record<string, string | number> = {}): string {
  return HEALTH_WORDS[key][lang()].replace(/\{(\w+)\}/g, (_, name: string) => String(vars[name] ?? ''));
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
