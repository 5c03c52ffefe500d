/**
 * Labelled degradation over weeks (issue 16, item 5): lifts whose door operator, levelling
 * or brake wears (simulators/wear.ts) and healthy twins with ordinary variation: weekdays
 * and weekends, the National Day holiday, a moving-in week, day-to-day demand. Each lift is
 * a model run day by day at full fidelity with a measuring controller; the model marks the
 * first fault, which is the ground truth a health recommendation is scored against.
 * No network and no ingest here: `simulateLift` yields each device day's messages.
 */
import type { ElevatorSpec } from './car.ts';
import { ElevatorModel, REALISTIC_NOISE, type SimMessage } from './elevator-model.ts';
import { deriveSeed, mulberry32 } from './rng.ts';
import { WEAR_FAULT_CODES, type WearPlan, wearOn } from './wear.ts';

export const DAY_MS = 86_400_000;

export interface HealthLiftPlan {
  id: string;
  spec: Omit<ElevatorSpec, 'id'>;
  wear: WearPlan | null;
  /** A moving-in week (days MOVING_IN) on top of the ordinary calendar. */
  movingIn?: boolean;
  /** Maintenance visits as judged (the recommendation counts only verified ones). */
  visits: { day: number; verdict: 'verified' | 'fake' }[];
}

export interface HealthPlan {
  name: string;
  /** Local midnight of day 0 (a Monday). */
  start: string;
  days: number;
  seed: number;
  /** Demand multiplier for the whole plan (a short test run uses less traffic: fewer model steps). */
  trafficScale?: number;
  lifts: HealthLiftPlan[];
}

/** National Day golden week 2025 (Oct 1–8) as days from a 2025-09-01 start. */
export const HOLIDAY = [30, 37] as const;
export const MOVING_IN = [45, 51] as const;

export interface DayConditions {
  traffic: number;
  dwellExtraMs: number;
}

/** Demand of one day: weekday/weekend, holidays, a moving-in week, ±10 % from day to day. */
export function dayConditions(plan: HealthPlan, lift: HealthLiftPlan, day: number): DayConditions {
  const jitter = 0.9 + 0.2 * mulberry32(deriveSeed(plan.seed, `${lift.id}/${day}`)).next();
  const weekend = day % 7 >= 5;
  let traffic = (weekend ? 0.85 : 1) * jitter * (plan.trafficScale ?? 1);
  let dwellExtraMs = 0;
  if (day >= HOLIDAY[0] && day <= HOLIDAY[1]) traffic *= 0.5;
  if (lift.movingIn && day >= MOVING_IN[0] && day <= MOVING_IN[1]) {
    traffic *= 1.4;
    dwellExtraMs = 6000;
  }
  return { traffic, dwellExtraMs };
}

export interface LiftDay {
  day: number;
  messages: readonly SimMessage[];
  /** Visits judged this day. */
  visits: { verdict: 'verified' | 'fake'; atMs: number }[];
}

/** Runs one lift day by day; the model is returned at the end for its onsets. */
export function* simulateLift(
  plan: HealthPlan,
  lift: HealthLiftPlan,
): Generator<LiftDay, ElevatorModel, void> {
  const startMs = Date.parse(plan.start);
  const model = new ElevatorModel({
    spec: { id: lift.id, ...lift.spec },
    seed: deriveSeed(plan.seed, lift.id),
    startMs,
    noise: REALISTIC_NOISE,
  });
  model.measure = true;
  for (let day = 0; day < plan.days; day++) {
    const conditions = dayConditions(plan, lift, day);
    model.traffic = conditions.traffic;
    model.dwellExtraMs = conditions.dwellExtraMs;
    model.wear = wearOn(lift.wear, day);
    const messages: SimMessage[] = [];
    for (const out of model.step(DAY_MS)) if (out.channel !== 'link') messages.push(out);
    const visits = lift.visits
      .filter((v) => v.day === day)
      .map((v) => ({ verdict: v.verdict, atMs: startMs + day * DAY_MS + 11 * 3_600_000 }));
    yield { day, messages, visits };
  }
  return model;
}

/** Day (from the start) of the lift's first wear fault, from the model's onsets; null if none. */
export function firstFaultDay(plan: HealthPlan, lift: HealthLiftPlan, model: ElevatorModel): number | null {
  if (!lift.wear) return null;
  const codes = WEAR_FAULT_CODES[lift.wear.component];
  const onset = model.onsets.find((o) => codes.includes(o.code));
  return onset ? Math.floor((onset.ts - Date.parse(plan.start)) / DAY_MS) : null;
}

/** Verified half-monthly visits every 14 days from `first`; `fake` days are judged fake instead. */
export function visitsEvery14(first: number, days: number, fake: number[] = []): HealthLiftPlan['visits'] {
  const out: HealthLiftPlan['visits'] = [];
  for (let d = first; d < days; d += 14)
    out.push({ day: d, verdict: fake.includes(d) ? 'fake' : 'verified' });
  return out;
}
