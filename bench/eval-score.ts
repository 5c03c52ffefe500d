/**
 * Scoring for `npm run eval`: what the detector raised in a scenario against the scenario's
 * ground truth. Pure: alerts and visit verdicts in, per-code counts out.
 *
 * - A required finding is a true positive when an alert of its code on its elevator opened
 *   inside its window [earliest, latest]; else a false negative. Delay = opened − onset
 *   (device time).
 * - An alert that matches no required finding is a false positive, unless an `optional`
 *   finding (an honest co-finding of the same physical event) covers it.
 * - Visit verdicts score per verdict: the judged verdict in the acceptable set is a true
 *   positive for it; otherwise a false positive for the judged one and a false negative for
 *   the expected one (the first listed).
 */
import { FAULT_CODES } from '../protocol/index.ts';
import { trappedThreshold } from '../simulators/faults.ts';
import { absoluteFindings, type Scenario, startMs } from '../simulators/scenario.ts';

export interface RaisedAlert {
  elevator: string;
  code: string;
  openedAt: number;
}

export type Verdict = 'verified' | 'suspect' | 'fake';

export interface JudgedVisit {
  id: string;
  elevator: string;
  verdict: Verdict | null;
}

export interface CodeCounts {
  tp: number;
  fp: number;
  fn: number;
  /** Detection delays of the true positives, seconds. */
  delays: number[];
}

/** One line of explanation per miss or false alarm, for the report. */
export interface Mismatch {
  scenario: string;
  kind: 'missed' | 'false_alarm' | 'late_trapped';
  code: string;
  elevator: string;
  /** Seconds from the scenario start. */
  at_s: number;
  note?: string;
}

export interface ScenarioScore {
  scenario: string;
  clean: boolean;
  perCode: Map<string, CodeCounts>;
  /** Every alert opened in a clean scenario. */
  cleanAlerts: number;
  /** Trapped-passenger delays against their threshold (threshold + 2 s is the target). */
  trapped: { elevator: string; delayS: number; thresholdS: number }[];
  mismatches: Mismatch[];
}

export const VERDICT_KEY = (verdict: Verdict): string => `verdict_${verdict}`;

export function emptyCounts(): CodeCounts {
  return { tp: 0, fp: 0, fn: 0, delays: [] };
}

export function scoreScenario(
  scenario: Scenario,
  alerts: readonly RaisedAlert[],
  visits: readonly JudgedVisit[],
): ScenarioScore {
  const t0 = startMs(scenario);
  const seconds = (ms: number) => Math.round((ms - t0) / 100) / 10;
  const perCode = new Map<string, CodeCounts>();
  const counts = (code: string) => {
    const c = perCode.get(code) ?? emptyCounts();
    perCode.set(code, c);
    return c;
  };
  const mismatches: Mismatch[] = [];
  const trapped: ScenarioScore['trapped'] = [];
  const truth = absoluteFindings(scenario).sort((a, b) => a.onsetMs - b.onsetMs);
  const pending = [...alerts].sort((a, b) => a.openedAt - b.openedAt);
  const used = new Set<RaisedAlert>();

  for (const f of truth.filter((x) => !x.optional)) {
    const hit = pending.find(
      (a) =>
        !used.has(a) &&
        a.elevator === f.elevator &&
        a.code === f.code &&
        a.openedAt >= f.earliestMs &&
        a.openedAt <= f.latestMs,
    );
    const c = counts(f.code);
    if (!hit) {
      c.fn += 1;
      mismatches.push({
        scenario: scenario.name,
        kind: 'missed',
        code: f.code,
        elevator: f.elevator,
        at_s: f.onset_s,
      });
      continue;
    }
    used.add(hit);
    c.tp += 1;
    const delayS = (hit.openedAt - f.onsetMs) / 1000;
    c.delays.push(delayS);
    if (f.code === 'passenger_trapped') {
      const thresholdS = trappedThresholdFor(scenario, f.elevator, f.onset_s);
      trapped.push({ elevator: f.elevator, delayS, thresholdS });
      if (delayS > thresholdS + 2)
        mismatches.push({
          scenario: scenario.name,
          kind: 'late_trapped',
          code: f.code,
          elevator: f.elevator,
          at_s: f.onset_s,
          note: `delay ${delayS.toFixed(1)} s > ${thresholdS} + 2 s`,
        });
    }
  }

  const optional = truth.filter((x) => x.optional);
  for (const a of pending) {
    if (used.has(a)) continue;
    const honest = optional.some(
      (f) =>
        f.elevator === a.elevator && f.code === a.code && a.openedAt >= f.onsetMs && a.openedAt <= f.latestMs,
    );
    if (honest) continue;
    counts(a.code).fp += 1;
    const near = truth.find((f) => f.elevator === a.elevator && f.code === a.code);
    mismatches.push({
      scenario: scenario.name,
      kind: 'false_alarm',
      code: a.code,
      elevator: a.elevator,
      at_s: seconds(a.openedAt),
      ...(near ? { note: `expected in ${near.earliest_s}–${near.latest_s} s` } : {}),
    });
  }

  const judged = new Map(visits.map((v) => [v.id, v]));
  for (const expected of scenario.ground_truth.visits) {
    const acceptable = Array.isArray(expected.verdict) ? expected.verdict : [expected.verdict];
    const got = judged.get(expected.visit_id)?.verdict ?? null;
    judged.delete(expected.visit_id);
    if (got !== null && acceptable.includes(got)) {
      counts(VERDICT_KEY(got)).tp += 1;
      continue;
    }
    if (got !== null) counts(VERDICT_KEY(got)).fp += 1;
    counts(VERDICT_KEY(acceptable[0]!)).fn += 1;
    mismatches.push({
      scenario: scenario.name,
      kind: 'missed',
      code: VERDICT_KEY(acceptable[0]!),
      elevator: expected.elevator,
      at_s: expected.check_in_s,
      note: `visit ${expected.visit_id} judged ${got ?? 'nothing'}`,
    });
  }
  for (const extra of judged.values()) {
    if (extra.verdict === null) continue;
    counts(VERDICT_KEY(extra.verdict)).fp += 1;
    mismatches.push({
      scenario: scenario.name,
      kind: 'false_alarm',
      code: VERDICT_KEY(extra.verdict),
      elevator: extra.elevator,
      at_s: 0,
      note: `visit ${extra.id} is not in the ground truth`,
    });
  }

  return {
    scenario: scenario.name,
    clean: scenario.ground_truth.clean,
    perCode,
    cleanAlerts: scenario.ground_truth.clean ? alerts.length : 0,
    trapped,
    mismatches,
  };
}

function trappedThresholdFor(scenario: Scenario, elevator: string, onsetS: number): number {
  const injection = scenario.injections
    .filter(
      (i) => 'fault' in i && i.fault === 'passenger_trapped' && i.elevator === elevator && i.at_s <= onsetS,
    )
    .at(-1);
  return injection && 'fault' in injection ? trappedThreshold(injection) : 60;
}

export interface CodeSummary {
  tp: number;
  fp: number;
  fn: number;
  precision: number | null;
  recall: number | null;
  median_delay_s: number | null;
  max_delay_s: number | null;
}

export interface SuiteSummary {
  precision: number | null;
  recall: number | null;
  false_alerts_clean: number;
  per_code: Record<string, CodeSummary>;
  trapped_max_over_threshold_s: number | null;
}

/** Sums scenario scores into the suite's per-code table and its micro-averaged totals. */
export function summarise(scores: readonly ScenarioScore[]): SuiteSummary {
  const merged = new Map<string, CodeCounts>();
  for (const s of scores)
    for (const [code, c] of s.perCode) {
      const m = merged.get(code) ?? emptyCounts();
      m.tp += c.tp;
      m.fp += c.fp;
      m.fn += c.fn;
      m.delays.push(...c.delays);
      merged.set(code, m);
    }
  const order = [...Object.keys(FAULT_CODES)];
  const codes = [...merged.keys()].sort((a, b) => rank(order, a) - rank(order, b) || a.localeCompare(b));
  const per_code: Record<string, CodeSummary> = {};
  let tp = 0;
  let fp = 0;
  let fn = 0;
  for (const code of codes) {
    const c = merged.get(code)!;
    tp += c.tp;
    fp += c.fp;
    fn += c.fn;
    const sorted = [...c.delays].sort((a, b) => a - b);
    per_code[code] = {
      tp: c.tp,
      fp: c.fp,
      fn: c.fn,
      precision: ratio(c.tp, c.tp + c.fp),
      recall: ratio(c.tp, c.tp + c.fn),
      median_delay_s: sorted.length ? round1(median(sorted)) : null,
      max_delay_s: sorted.length ? round1(sorted.at(-1)!) : null,
    };
  }
  const over = scores.flatMap((s) => s.trapped.map((t) => t.delayS - t.thresholdS));
  return {
    precision: ratio(tp, tp + fp),
    recall: ratio(tp, tp + fn),
    false_alerts_clean: scores.reduce((n, s) => n + s.cleanAlerts, 0),
    per_code,
    trapped_max_over_threshold_s: over.length ? round1(Math.max(...over)) : null,
  };
}

const rank = (order: string[], code: string) => {
  const i = order.indexOf(code);
  return i < 0 ? order.length + (code.startsWith('verdict_') ? 1 : 0) : i;
};
const ratio = (a: number, b: number): number | null => (b === 0 ? null : Math.round((a / b) * 1000) / 1000);
const round1 = (x: number) => Math.round(x * 10) / 10;
function median(sorted: number[]): number {
  const mid = Math.floor(sorted.length / 2);
  return sorted.length % 2 ? sorted[mid]! : (sorted[mid - 1]! + sorted[mid]!) / 2;
}

/** The per-code table as fixed-width text. */
export function formatTable(summary: SuiteSummary): string {
  const header = ['code', 'TP', 'FP', 'FN', 'precision', 'recall', 'median delay s', 'max delay s'];
  const fmt = (x: number | null) => (x === null ? '–' : String(x));
  const rows = Object.entries(summary.per_code).map(([code, c]) => [
    code,
    String(c.tp),
    String(c.fp),
    String(c.fn),
    fmt(c.precision),
    fmt(c.recall),
    fmt(c.median_delay_s),
    fmt(c.max_delay_s),
  ]);
  const widths = header.map((h, i) => Math.max(h.length, ...rows.map((r) => r[i]!.length)));
  const line = (cells: string[]) =>
    `| ${cells.map((cell, i) => (i === 0 ? cell.padEnd(widths[i]!) : cell.padStart(widths[i]!))).join(' | ')} |`;
  const rule = `|${widths.map((w, i) => (i === 0 ? '-'.repeat(w + 2) : `${'-'.repeat(w + 1)}:`)).join('|')}|`;
  return [line(header), rule, ...rows.map(line)].join('\n');
}
