/**
 * The health part of `npm run eval` (issue 16): replays the labelled degradation scenarios
 * (simulators/scenarios/health-plan.ts) through the pure health modules, straight from the
 * models (no MQTT: weeks of device time in seconds), and scores the recommendation:
 * - lead time: for each degrading lift, days between the first day the recommendation asked
 *   for an early visit (known the morning after the day it judged) and its first fault;
 * - every degrading lift flagged before its first fault;
 * - early visits asked of healthy lifts (an episode of consecutive early days is one visit),
 *   per lift and per simulated quarter (91.25 days judged).
 */
import { HealthTable } from '../ingest/health/table.ts';
import type { DeviceMessage } from '../protocol/index.ts';
import { firstFaultDay, type HealthPlan, simulateLift } from '../simulators/health-scenario.ts';

export interface HealthLiftResult {
  id: string;
  component: string | null;
  /** Day of the first fault (from the start), degrading lifts only. */
  faultDay: number | null;
  /** First day a visit was asked for early (the morning after the judged day), or null. */
  firstEarlyDay: number | null;
  leadDays: number | null;
  flaggedBeforeFault: boolean | null;
  /** Early-visit episodes: before the first fault for a degrading lift, over the run for a healthy one. */
  earlyVisits: number;
  judgedDays: number;
  /** The component the first early request named. */
  namedComponent: string | null;
  lastScore: number | null;
  lastReasons: string[];
}

export interface HealthEvalSummary {
  median_lead_days: number | null;
  flagged_before_fault_share: number | null;
  early_visits_per_healthy_lift_quarter: number | null;
  /** The worst healthy lift (the floor holds per lift). */
  early_visits_per_healthy_lift_quarter_max: number | null;
  lifts: HealthLiftResult[];
  wall_s: number;
}

const QUARTER_DAYS = 91.25;

export function evaluateHealthLift(plan: HealthPlan, index: number): HealthLiftResult {
  const lift = plan.lifts[index]!;
  const table = new HealthTable([{ id: lift.id, ...lift.spec }]);
  const startDay = Math.floor((Date.parse(plan.start) + 8 * 3_600_000) / 86_400_000);
  const run = simulateLift(plan, lift);
  let judgedDays = 0;
  let earlyVisits = 0;
  let wasEarly = false;
  let firstEarlyDay: number | null = null;
  let namedComponent: string | null = null;
  let last: ReturnType<HealthTable['closeDay']> | null = null;
  const days: { asked: number; early: boolean }[] = [];
  let step = run.next();
  while (!step.done) {
    const { messages, visits } = step.value;
    for (const v of visits) table.onVisit(0, v.atMs, v.verdict, 'half_monthly');
    for (const m of messages) {
      const message = { ...m, elevatorId: lift.id, receivedAt: m.payload.ts } as DeviceMessage;
      const closed = table.feed(0, message, null);
      if (!closed) continue;
      last = closed;
      const day = closed.day - startDay;
      if (closed.report.score !== null) judgedDays++;
      const early = closed.report.recommendation.early;
      // The day is judged at its end: the request is in hand the next morning.
      days.push({ asked: day + 1, early });
      if (early && firstEarlyDay === null) {
        firstEarlyDay = day + 1;
        namedComponent = closed.report.recommendation.component;
      }
    }
    step = run.next();
  }
  const faultDay = firstFaultDay(plan, lift, step.value);
  for (const d of days) {
    if (faultDay !== null && d.asked > faultDay) break;
    if (d.early && !wasEarly) earlyVisits++;
    wasEarly = d.early;
  }
  const flagged = faultDay === null ? null : firstEarlyDay !== null && firstEarlyDay <= faultDay;
  return {
    id: lift.id,
    component: lift.wear?.component ?? null,
    faultDay,
    firstEarlyDay,
    leadDays: flagged && faultDay !== null && firstEarlyDay !== null ? faultDay - firstEarlyDay : null,
    flaggedBeforeFault: lift.wear ? (faultDay === null ? false : flagged) : null,
    earlyVisits,
    judgedDays,
    namedComponent,
    lastScore: last?.report.score ?? null,
    lastReasons: last?.report.reasons.map((r) => `${r.en} (−${r.pointsLost})`) ?? [],
  };
}

export function runHealthEval(plan: HealthPlan, progress?: (line: string) => void): HealthEvalSummary {
  const t0 = performance.now();
  const lifts: HealthLiftResult[] = [];
  for (let i = 0; i < plan.lifts.length; i++) {
    const started = performance.now();
    const r = evaluateHealthLift(plan, i);
    lifts.push(r);
    progress?.(
      `health ${plan.name} ${r.id}: ${r.component ?? 'healthy'}, fault day ${r.faultDay ?? '–'}, first early request day ${r.firstEarlyDay ?? '–'} (${r.namedComponent ?? '–'}), ${r.earlyVisits} early visit(s), last score ${r.lastScore ?? '–'} (${((performance.now() - started) / 1000).toFixed(1)} s)`,
    );
  }
  const degrading = lifts.filter((l) => l.component !== null);
  const healthy = lifts.filter((l) => l.component === null);
  const leads = degrading.map((l) => l.leadDays ?? 0);
  const perQuarter = healthy.map((l) =>
    l.judgedDays > 0 ? (l.earlyVisits * QUARTER_DAYS) / l.judgedDays : 0,
  );
  return {
    median_lead_days: degrading.length > 0 ? median(leads) : null,
    flagged_before_fault_share:
      degrading.length > 0 ? degrading.filter((l) => l.flaggedBeforeFault).length / degrading.length : null,
    early_visits_per_healthy_lift_quarter:
      healthy.length > 0 ? round2(perQuarter.reduce((a, b) => a + b, 0) / healthy.length) : null,
    early_visits_per_healthy_lift_quarter_max: healthy.length > 0 ? round2(Math.max(...perQuarter)) : null,
    lifts,
    wall_s: round2((performance.now() - t0) / 1000),
  };
}

function median(values: number[]): number {
  const s = [...values].sort((a, b) => a - b);
  const mid = s.length >> 1;
  return s.length % 2 === 1 ? s[mid]! : (s[mid - 1]! + s[mid]!) / 2;
}

const round2 = (n: number) => Math.round(n * 100) / 100;
