/**
 * The health stage of the ingest: feeds every accepted message to the health table (O(1)),
 * and at each lift's device-day rollover writes one `health_daily` point to InfluxDB through
 * the ingest's writer. Out-of-range condition values are dead-lettered alone (stage
 * `health`), with the reason; the message itself was already accepted and is written.
 * Judged visits come from the detector (only verified ones count; fake ones wipe the stretch).
 */
import { BAND_SUFFIX, HEALTH_MEASUREMENT, type HealthDetail } from '../../protocol/health.ts';
import type { DeviceMessage, VisitFinding } from '../../protocol/index.ts';
import { quoteString } from '../points.ts';
import { dayStartMs, JUDGED, type OutOfRange } from './signals.ts';
import { type HealthDay, type HealthLift, type HealthReport, HealthTable } from './table.ts';

export { HEALTH_MEASUREMENT };

export interface HealthStageDeps {
  writeLine(line: string): void;
  deadLetter(letter: {
    receivedAt: number;
    topic: string;
    stage: string;
    reason: string;
    payload: string;
  }): void;
  /** Each closed day, after it is written (tests, a future push to the API). */
  onDay?(day: HealthDay): void;
}

export interface HealthStage {
  onMessage(message: DeviceMessage, tags: string): void;
  onVisit(finding: VisitFinding): void;
  report(elevatorId: string): HealthReport | null;
  updateLifts(lifts: readonly HealthLift[]): void;
  readonly table: HealthTable;
  readonly counts: { days: number; rejected: number };
}

export function createHealthStage(lifts: readonly HealthLift[], deps: HealthStageDeps): HealthStage {
  const table = new HealthTable(lifts);
  const counts = { days: 0, rejected: 0 };
  // Reused: most messages reject nothing, and this list stays empty.
  const rejected: OutOfRange[] = [];
  return {
    table,
    counts,
    onMessage(message, tags) {
      const i = table.indexOf(message.elevatorId);
      if (i < 0) return;
      const day = table.feed(i, message, rejected);
      if (rejected.length > 0) {
        for (const r of rejected) {
          counts.rejected += 1;
          deps.deadLetter({
            receivedAt: message.receivedAt,
            topic: `elevators/${message.elevatorId}/${message.channel}`,
            stage: 'health',
            reason: `${r.field}: ${r.reason}; value ignored, baseline untouched`,
            payload: JSON.stringify(message.payload),
          });
        }
        rejected.length = 0;
      }
      if (day !== null && day.day >= 0) {
        counts.days += 1;
        deps.writeLine(healthDailyLine(day, tags));
        deps.onDay?.(day);
      }
    },
    onVisit(finding) {
      const i = table.indexOf(finding.elevatorId);
      if (i < 0 || finding.visit.status === 'open') return;
      table.onVisit(i, finding.visit.checkOutAt ?? finding.at, finding.visit.verdict, finding.visit.kind);
    },
    report(elevatorId) {
      const i = table.indexOf(elevatorId);
      return i < 0 ? null : table.report(i);
    },
    updateLifts(list) {
      for (const lift of list) table.add(lift);
    },
  };
}

/**
 * One point per lift and device day, at the local midnight that starts the day. Field types
 * are fixed (floats never carry `i`; counts and the score do), and a value the day did not
 * have is left out, never written as NaN.
 */
export function healthDailyLine(day: HealthDay, tags: string): string {
  const v = day.values;
  const r = day.report;
  let line = `${HEALTH_MEASUREMENT}${tags} trips=${Math.round(v.trips)}i,run_hours=${float(v.run_hours)},door_cycles=${Math.round(v.door_cycles)}i`;
  if (Number.isFinite(v.run_counter_ratio)) line += `,run_counter_ratio=${float(v.run_counter_ratio)}`;
  for (let k = 0; k < JUDGED.length; k++) {
    const x = v.judged[k]!;
    if (Number.isFinite(x)) line += `,${JUDGED[k]}=${float(x)}`;
  }
  line += `,status=${quoteString(r.status)},early=${r.recommendation.early ? 'T' : 'F'}`;
  line += `,latest_visit=${quoteString(r.recommendation.latestVisitDate)},due_in_days=${r.recommendation.latestVisitDay - day.day}i`;
  if (r.score !== null) line += `,score=${r.score}i`;
  if (r.recommendation.component) line += `,component=${quoteString(r.recommendation.component)}`;
  if (r.reasons.length > 0) line += `,reasons=${quoteString(r.reasons.map((x) => x.en).join('; '))}`;
  line += `,interval_days=${r.recommendation.intervalDays}i`;
  if (r.trend.d30 !== null) line += `,trend_30d=${float(r.trend.d30)}`;
  if (r.trend.d90 !== null) line += `,trend_90d=${float(r.trend.d90)}`;
  // The baseline band of each judged signal as of this day: median and judgement floor.
  for (const signal of JUDGED) {
    const band = r.bands[signal];
    if (band)
      line += `,${signal}${BAND_SUFFIX.median}=${float(band.median)},${signal}${BAND_SUFFIX.floor}=${float(band.floor)}`;
  }
  // What a reader shows in both languages (reasons, advice), as JSON: the API reads it back.
  line += `,detail=${quoteString(JSON.stringify(healthDetail(r)))}`;
  return `${line} ${dayStartMs(day.day)}`;
}

function healthDetail(r: HealthReport): HealthDetail {
  return {
    reasons: r.reasons.map((x) => ({
      signal: x.signal,
      component: x.component,
      points: x.pointsLost,
      zh: x.zh,
      en: x.en,
    })),
    advice: r.recommendation.reasons,
    stretched: r.recommendation.stretched,
  };
}

function float(x: number): string {
  const rounded = Math.round(x * 10_000) / 10_000;
  return `${rounded}`;
}
