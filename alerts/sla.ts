/**
 * The monthly SLA figures per estate, computed from the month's critical alerts and
 * resident reports (read by store/repositories/sla.ts). Pure: rows and the clock in,
 * figures out. The rules, as the 96333 centres count them:
 * - response: acknowledged within 3 minutes of opening; alerts the detector cleared before
 *   anyone acknowledged needed no answer and are not counted;
 * - arrival: "到场" stamped within 30 minutes; counted over answered alerts that were not a
 *   false alarm, once met or overdue (one still inside its 30 minutes is not judged yet);
 * - reopen rate: reports the resident reopened over reports the resident answered;
 * - reports by where they stand now (resolved, rejected, still open): their effective status
 *   (protocol/alert-steps.ts), so a "有人被困" report whose alarm was resolved counts as
 *   resolved although its own stored status was never moved, as the reports list shows it.
 */
import { effectiveReportStatus } from '../protocol/alert-steps.ts';
import { ARRIVAL_SLA_MS, type EstateSla, RESPONSE_SLA_MS } from '../protocol/sla.ts';
import type { SlaAlertRow, SlaReportRow } from '../store/repositories/sla.ts';

const BEIJING_OFFSET_MS = 8 * 3_600_000;

/** 'YYYY-MM' → [start, start of next month) in epoch ms, Beijing time (no daylight saving). */
export function monthRange(month: string): { from: number; to: number } {
  const [y, m] = month.split('-').map(Number) as [number, number];
  return { from: Date.UTC(y, m - 1, 1) - BEIJING_OFFSET_MS, to: Date.UTC(y, m, 1) - BEIJING_OFFSET_MS };
}

/** The Beijing month an instant falls in, 'YYYY-MM'. */
export function monthOf(ms: number): string {
  return new Date(ms + BEIJING_OFFSET_MS).toISOString().slice(0, 7);
}

export function median(values: number[]): number | null {
  if (values.length === 0) return null;
  const sorted = [...values].sort((a, b) => a - b);
  const mid = sorted.length >> 1;
  return sorted.length % 2 ? sorted[mid]! : Math.round((sorted[mid - 1]! + sorted[mid]!) / 2);
}

const rate = (part: number, whole: number) => (whole === 0 ? null : part / whole);

export function estateSla(
  estate: { id: string; name: string },
  alerts: readonly SlaAlertRow[],
  reports: readonly SlaReportRow[],
  now: number,
): EstateSla {
  const responses: number[] = [];
  const arrivals: number[] = [];
  const resolutions: number[] = [];
  let responseCounted = 0;
  let responseWithin = 0;
  let arrivalCounted = 0;
  let arrivalWithin = 0;
  let falseAlarms = 0;
  let fromResidents = 0;
  for (const a of alerts) {
    if (a.sources.includes('resident')) fromResidents++;
    if (a.resolution === 'false_alarm') falseAlarms++;
    if (a.resolved_at !== null) resolutions.push(a.resolved_at - a.opened_at);
    const clearedUnanswered = a.resolution === 'auto_cleared' && a.acknowledged_at === null;
    if (clearedUnanswered) continue;
    responseCounted++;
    if (a.acknowledged_at !== null) {
      responses.push(a.acknowledged_at - a.opened_at);
      if (a.acknowledged_at - a.opened_at <= RESPONSE_SLA_MS) responseWithin++;
    }
    if (a.resolution === 'false_alarm') continue;
    if (a.arrived_at !== null) {
      arrivalCounted++;
      arrivals.push(a.arrived_at - a.opened_at);
      if (a.arrived_at - a.opened_at <= ARRIVAL_SLA_MS) arrivalWithin++;
    } else if (now - a.opened_at > ARRIVAL_SLA_MS || a.resolved_at !== null) {
      // Overdue, or resolved with nobody stamped on site: a missed arrival.
      arrivalCounted++;
    }
  }
  const statuses = reports.map((r) => effectiveReportStatus(r, r.alert));
  const answered = reports.filter((r) => r.feedback !== null || r.reopen_count > 0);
  const reopened = reports.filter((r) => r.reopen_count > 0).length;
  const ratings = reports.filter((r) => r.rating !== null).map((r) => r.rating!);
  return {
    estate_id: estate.id,
    estate_name: estate.name,
    alerts: alerts.length,
    from_residents: fromResidents,
    response_counted: responseCounted,
    response_within: responseWithin,
    response_rate: rate(responseWithin, responseCounted),
    median_response_ms: median(responses),
    arrival_counted: arrivalCounted,
    arrival_within: arrivalWithin,
    arrival_rate: rate(arrivalWithin, arrivalCounted),
    median_arrival_ms: median(arrivals),
    median_resolve_ms: median(resolutions),
    false_alarms: falseAlarms,
    reports: reports.length,
    reports_resolved: statuses.filter((s) => s === 'resolved').length,
    reports_rejected: statuses.filter((s) => s === 'rejected').length,
    reports_open: statuses.filter((s) => s === 'received' || s === 'in_progress').length,
    feedback: answered.length,
    reopened,
    reopen_rate: rate(reopened, answered.length),
    ratings: ratings.length,
    average_rating: ratings.length
      ? Math.round((ratings.reduce((s, r) => s + r, 0) / ratings.length) * 100) / 100
      : null,
  };
}
