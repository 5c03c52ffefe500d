/**
 * The health score (issue 16, item 3): 0–100 per lift, each point lost explained in plain
 * Chinese and English, from each judged signal's recent level against the lift's own
 * baseline (baseline.ts); and the maintenance recommendation: the next visit's latest date,
 * never beyond the regulator's bound, the component to look at, and an early visit when a
 * component degrades. Pure: levels and visit history in, report out.
 */

import { COMPONENT_LABEL, type Component } from '../../protocol/health.ts';
import type { Level } from './baseline.ts';
import type { JudgedSignal } from './signals.ts';

export { COMPONENT_LABEL, type Component };

export interface SignalRule {
  component: Component;
  /** `up`: only a rise is a loss; `both`: any departure. */
  direction: 'up' | 'both';
  /** A change smaller than max(relFloor × baseline, absFloor, 3σ) is ordinary variation. */
  relFloor: number;
  absFloor: number;
  /** Most points this signal can cost. */
  cap: number;
  /** A condition signal can ask for an early visit; a usage-sensitive one only costs points. */
  condition: boolean;
  text(recent: number, baseline: number): { zh: string; en: string };
}

const pct = (recent: number, baseline: number) =>
  baseline !== 0 ? Math.round((Math.abs(recent - baseline) / Math.abs(baseline)) * 100) : 100;
const r1 = (n: number) => Math.round(n * 10) / 10;
const r2 = (n: number) => Math.round(n * 100) / 100;

export const SIGNAL_RULES: Record<JudgedSignal, SignalRule> = {
  door_close_ms: {
    component: 'door_operator',
    direction: 'up',
    relFloor: 0.1,
    absFloor: 150,
    cap: 40,
    condition: true,
    text: (r, b) => ({
      zh: `关门时间比本梯常态慢 ${pct(r, b)}%（${Math.round(r)} 毫秒，常态 ${Math.round(b)} 毫秒）`,
      en: `Doors close ${pct(r, b)}% slower than this lift's usual (${Math.round(r)} ms, usually ${Math.round(b)} ms)`,
    }),
  },
  door_dwell_s: {
    component: 'door_operator',
    direction: 'up',
    relFloor: 0.3,
    absFloor: 1,
    cap: 10,
    condition: false,
    text: (r, b) => ({
      zh: `开门停留时间比本梯常态长 ${pct(r, b)}%（${r1(r)} 秒，常态 ${r1(b)} 秒）`,
      en: `Doors stay open ${pct(r, b)}% longer than usual (${r1(r)} s, usually ${r1(b)} s)`,
    }),
  },
  reopens_per_close: {
    component: 'door_operator',
    direction: 'up',
    relFloor: 0.5,
    absFloor: 0.05,
    cap: 10,
    condition: false,
    text: (r, b) => ({
      zh: `关门后重开比例 ${Math.round(r * 100)}%，本梯常态 ${Math.round(b * 100)}%`,
      en: `${Math.round(r * 100)}% of closings reopen, usually ${Math.round(b * 100)}%`,
    }),
  },
  relevels_per_100_stops: {
    component: 'levelling',
    direction: 'up',
    relFloor: 0.5,
    absFloor: 3,
    cap: 25,
    condition: true,
    text: (r, b) => ({
      zh: `每百次停站再平层 ${r1(r)} 次，本梯常态 ${r1(b)} 次`,
      en: `${r1(r)} re-levelling moves per 100 stops, usually ${r1(b)}`,
    }),
  },
  outside_zone_per_1000_stops: {
    component: 'levelling',
    direction: 'up',
    relFloor: 0.5,
    absFloor: 3,
    cap: 30,
    condition: true,
    text: (r, b) => ({
      zh: `每千次停站有 ${r1(r)} 次停在门区外，本梯常态 ${r1(b)} 次`,
      en: `${r1(r)} stops per 1,000 end outside the door zone, usually ${r1(b)}`,
    }),
  },
  stop_error_mm: {
    component: 'levelling',
    direction: 'up',
    relFloor: 0.5,
    absFloor: 5,
    cap: 30,
    condition: true,
    text: (r, b) => ({
      zh: `平层误差 ${r1(r)} 毫米，本梯常态 ${r1(b)} 毫米`,
      en: `Stops ${r1(r)} mm off the landing on average, usually ${r1(b)} mm`,
    }),
  },
  stop_distance_mm: {
    component: 'brake',
    direction: 'up',
    relFloor: 0.15,
    absFloor: 5,
    cap: 40,
    condition: true,
    text: (r, b) => ({
      zh: `制动距离比本梯常态长 ${pct(r, b)}%（${Math.round(r)} 毫米，常态 ${Math.round(b)} 毫米）`,
      en: `Braking distance ${pct(r, b)}% longer than usual (${Math.round(r)} mm, usually ${Math.round(b)} mm)`,
    }),
  },
  minor_faults_per_1000_trips: {
    component: 'door_operator',
    direction: 'up',
    relFloor: 0.5,
    absFloor: 5,
    cap: 30,
    condition: true,
    text: (r, b) => ({
      zh: `每千次运行自恢复小故障（门故障、报警按钮）${r1(r)} 次，本梯常态 ${r1(b)} 次`,
      en: `${r1(r)} self-clearing minor faults (door faults, alarm presses) per 1,000 trips, usually ${r1(b)}`,
    }),
  },
  top_speed_ratio: {
    component: 'drive',
    direction: 'both',
    relFloor: 0,
    absFloor: 0.05,
    cap: 30,
    condition: true,
    text: (r, b) => ({
      zh: `最高速度为额定速度的 ${Math.round(r * 100)}%，本梯常态 ${Math.round(b * 100)}%`,
      en: `Top speed ${Math.round(r * 100)}% of rated, usually ${Math.round(b * 100)}%`,
    }),
  },
  vibration_mg: {
    component: 'drive',
    direction: 'up',
    relFloor: 0.25,
    absFloor: 5,
    cap: 25,
    condition: true,
    text: (r, b) => ({
      zh: `运行振动比本梯常态大 ${pct(r, b)}%（${r1(r)} mg，常态 ${r1(b)} mg）`,
      en: `Vibration while running ${pct(r, b)}% above usual (${r1(r)} mg, usually ${r1(b)} mg)`,
    }),
  },
};

/** A change of this many spreads (σ from the MAD) is beyond day-to-day variation. */
export const Z_LIMIT = 3;
/** Run counter increments per floor-changing run seen: outside this band the counter is suspect. */
export const RUN_COUNTER_BAND = [0.8, 1.25] as const;
const RUN_COUNTER_POINTS = 10;

export interface HealthReason {
  signal: JudgedSignal | 'run_counter_ratio';
  component: Component;
  zh: string;
  en: string;
  pointsLost: number;
  /** Change over the practical floor (≥ 1 when the reason exists). */
  severity: number;
  condition: boolean;
}

/**
 * How far the recent level may depart from the baseline before it costs points: the band a
 * console draws around the baseline is median ± this (only the upper edge for `up` signals).
 */
export function judgementFloor(signal: JudgedSignal, level: Level): number {
  const rule = SIGNAL_RULES[signal];
  return Math.max(rule.relFloor * Math.abs(level.median), rule.absFloor, Z_LIMIT * level.sigma);
}

/** Points lost by one signal's level, or null when it is within its ordinary variation. */
export function judgeLevel(signal: JudgedSignal, level: Level): HealthReason | null {
  const rule = SIGNAL_RULES[signal];
  const dev = rule.direction === 'up' ? level.recent - level.median : Math.abs(level.recent - level.median);
  const floor = judgementFloor(signal, level);
  if (!(dev >= floor) || floor <= 0) return null;
  const severity = dev / floor;
  const text = rule.text(level.recent, level.median);
  return {
    signal,
    component: rule.component,
    zh: text.zh,
    en: text.en,
    pointsLost: Math.min(rule.cap, Math.round((rule.cap * severity) / 4)),
    severity: r2(severity),
    condition: rule.condition,
  };
}

/** The run counter against the runs seen on the newest day (data quality, not wear). */
export function judgeRunCounter(ratio: number): HealthReason | null {
  if (!Number.isFinite(ratio) || (ratio >= RUN_COUNTER_BAND[0] && ratio <= RUN_COUNTER_BAND[1])) return null;
  return {
    signal: 'run_counter_ratio',
    component: 'controller',
    zh: `运行计数器增加与实际运行次数不符（比值 ${r2(ratio)}）`,
    en: `Run counter moved ${r2(ratio)}× the runs seen`,
    pointsLost: RUN_COUNTER_POINTS,
    severity: 1,
    condition: false,
  };
}

export function scoreOf(reasons: readonly HealthReason[]): number {
  let lost = 0;
  for (const r of reasons) lost += r.pointsLost;
  return Math.max(0, 100 - lost);
}

export const RECOMMENDATION_DEFAULTS = {
  /** TSG T5002: half-monthly maintenance at most every 15 days; the regulator's bound when the fleet sets none. */
  maxVisitIntervalDays: 15,
  /** The routine interval for lifts that have not earned a stretch. */
  standardIntervalDays: 15,
  /** Verified visits (none fake since) before the interval may stretch to the bound. */
  minVerifiedVisits: 2,
  /** Score at or above which a lift is healthy. */
  healthyScore: 85,
  /** An early visit within this many days; within 1 day below `urgentScore`. */
  earlyVisitDays: 3,
  urgentScore: 60,
} as const;
export type RecommendationLimits = { readonly [K in keyof typeof RECOMMENDATION_DEFAULTS]: number };

/** Per-lift limits from the fleet file's thresholds map: `maxVisitIntervalDays`, else `overdueDays`, else 15. */
/** The limits of a lift whose fleet entry sets none (shared: compare by identity). */
export const DEFAULT_LIMITS: RecommendationLimits = Object.freeze({ ...RECOMMENDATION_DEFAULTS });

export function recommendationLimits(
  thresholds: Readonly<Record<string, number>> = {},
): RecommendationLimits {
  // Most lifts set none of these: one shared object, not one per lift.
  if (
    thresholds.maxVisitIntervalDays === undefined &&
    thresholds.overdueDays === undefined &&
    !Object.keys(RECOMMENDATION_DEFAULTS).some((k) => k in thresholds)
  )
    return DEFAULT_LIMITS;
  const bound = thresholds.maxVisitIntervalDays ?? thresholds.overdueDays;
  const limits: Record<string, number> = { ...RECOMMENDATION_DEFAULTS };
  for (const key of Object.keys(RECOMMENDATION_DEFAULTS))
    if (Number.isFinite(thresholds[key]) && (thresholds[key] ?? 0) > 0) limits[key] = thresholds[key]!;
  if (bound !== undefined && Number.isFinite(bound) && bound > 0) limits.maxVisitIntervalDays = bound;
  return Object.freeze(limits) as RecommendationLimits;
}

/** The maintenance history the recommendation may rely on: only verified visits count, never fake ones. */
export interface VisitHistory {
  /** Device day of the newest verified routine visit, or -1. */
  lastVerifiedDay: number;
  /** Verified routine visits since the last fake one. */
  verifiedCount: number;
  /** First day the lift was seen (the interval runs from here before any verified visit). */
  firstDay: number;
}

export interface Recommendation {
  /** Device day (local) by which the next visit must happen. */
  latestVisitDay: number;
  /** An early visit: a component degrades. */
  early: boolean;
  /** The component to look at first, or null when nothing degrades. */
  component: Component | null;
  /** The interval was stretched past the standard one (verified history, healthy score). */
  stretched: boolean;
  /** The routine interval applied from the last verified visit (days), bound included. */
  intervalDays: number;
  reasons: { zh: string; en: string }[];
}

/**
 * The next visit: the routine interval from the last verified visit (stretched to the bound
 * only for a lift with a verified history and a healthy score; never beyond the bound), or
 * sooner when a condition signal degrades. `score` is null while there is not enough data.
 */
export function recommend(
  today: number,
  score: number | null,
  reasons: readonly HealthReason[],
  history: VisitHistory,
  limits: RecommendationLimits,
): Recommendation {
  const bound = limits.maxVisitIntervalDays;
  const healthy = score !== null && score >= limits.healthyScore;
  const stretch =
    healthy && history.verifiedCount >= limits.minVerifiedVisits && history.lastVerifiedDay >= 0;
  const interval = Math.min(bound, stretch ? bound : limits.standardIntervalDays);
  const from = history.lastVerifiedDay >= 0 ? history.lastVerifiedDay : Math.max(history.firstDay, 0);
  let latest = from + interval;
  const out: { zh: string; en: string }[] = [];
  if (history.lastVerifiedDay < 0)
    out.push({
      zh: `尚无经核实的维保记录：按 ${interval} 天周期`,
      en: `No verified visit yet: the ${interval}-day interval`,
    });
  else
    out.push({
      zh: `距上次核实维保 ${interval} 天${stretch && interval > limits.standardIntervalDays ? '（状态良好，已延长，不超过监管上限）' : ''}`,
      en: `${interval} days after the last verified visit${stretch && interval > limits.standardIntervalDays ? ' (healthy history: stretched, within the regulator’s bound)' : ''}`,
    });
  let worst: HealthReason | null = null;
  for (const r of reasons) if (r.condition && (worst === null || r.pointsLost > worst.pointsLost)) worst = r;
  if (worst !== null) {
    const label = COMPONENT_LABEL[worst.component];
    const days = score !== null && score < limits.urgentScore ? 1 : limits.earlyVisitDays;
    latest = Math.min(latest, today + days);
    out.push({
      zh: `提前维保：检查${label.zh}。${worst.zh}`,
      en: `Early visit: look at the ${label.en}. ${worst.en}`,
    });
  }
  return {
    latestVisitDay: latest,
    early: worst !== null,
    component: worst?.component ?? null,
    stretched: stretch && interval > limits.standardIntervalDays,
    intervalDays: interval,
    reasons: out,
  };
}

/** Scored days at each end of a trend window: the median of each end is its level. */
export const TREND_END_DAYS = 3;

/**
 * The score's change over a window, in points per 30 days: the level of its newest scored
 * days less the level of its oldest (medians of up to TREND_END_DAYS each), spread over the
 * days between them, but never over fewer than 30: a window whose scores span 30 days or
 * less reports the change it saw, not a rate extrapolated from it. Scores are 0–100, so the
 * answer is within ±100. (A least-squares slope × 30 over the newest scored days turned the
 * demo's brake wearing from 100 to 0 within 15 days into "-277.7 分/30天".)
 * `days` are the scores' day positions, ascending; null below `minPoints` scores.
 */
export function trendPer30Days(
  days: readonly number[],
  scores: readonly number[],
  minPoints: number,
): number | null {
  const n = scores.length;
  if (n < minPoints || n === 0) return null;
  const k = Math.max(1, Math.min(TREND_END_DAYS, Math.floor(n / 2)));
  const change = median(scores.slice(n - k)) - median(scores.slice(0, k));
  const span = days[n - 1]! - days[0]!;
  return r1((change * 30) / Math.max(30, span));
}

function median(values: number[]): number {
  const sorted = values.sort((a, b) => a - b);
  const mid = sorted.length >> 1;
  return sorted.length % 2 === 1 ? sorted[mid]! : (sorted[mid - 1]! + sorted[mid]!) / 2;
}
