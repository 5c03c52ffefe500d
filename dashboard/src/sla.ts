/**
 * SLA clocks of a critical alert, pure so tests can drive them: respond (acknowledge)
 * within 3 minutes, someone on site within 30 (TSG T5002 art. 5: rescue arrival within
 * 30 min); the same limits as the monthly SLA report (protocol/sla-words.ts). Arrival is
 * the "到场" stamp, else the first maintenance check-in at the car after the alert opened.
 */
import { ARRIVAL_SLA_MS, RESPONSE_SLA_MS } from '../../protocol/sla-words.ts';
import type { Alert } from './types.ts';

export const ACK_SLA_MS = RESPONSE_SLA_MS;
export { ARRIVAL_SLA_MS };

export interface SlaClock {
  deadline: number;
  /** When the duty was met, or null while it is still running. */
  metAt: number | null;
  /** Until the deadline while running (negative once overdue); time taken once met. */
  ms: number;
  status: 'running' | 'overdue' | 'met' | 'late';
}

export function clock(start: number, limitMs: number, metAt: number | null, now: number): SlaClock {
  const deadline = start + limitMs;
  if (metAt !== null) {
    return { deadline, metAt, ms: metAt - start, status: metAt <= deadline ? 'met' : 'late' };
  }
  const ms = deadline - now;
  return { deadline, metAt, ms, status: ms >= 0 ? 'running' : 'overdue' };
}

/**
 * How long past its deadline a clock still counts on screen. A clock overdue by minutes or
 * hours is a live incident and its counter says how late it runs; past a day a counter
 * ("超时 563天 16:20:13") says nothing a duty officer can act on, so the chip says the
 * state and when it was due instead (views/sla-chip.ts).
 */
export const OVERDUE_COUNTER_MAX_MS = 24 * 3_600_000;

/** Overdue for longer than the counter is worth showing. */
export function longOverdue(c: SlaClock): boolean {
  return c.status === 'overdue' && -c.ms > OVERDUE_COUNTER_MAX_MS;
}

/** Which alerts carry SLA clocks: the critical ones (a trapped passenger above all). */
export function hasSla(alert: Pick<Alert, 'severity'>): boolean {
  return alert.severity === 'critical';
}

export function ackClock(alert: Pick<Alert, 'opened_at' | 'acknowledged_at'>, now: number): SlaClock {
  return clock(alert.opened_at, ACK_SLA_MS, alert.acknowledged_at, now);
}

/** A resolved alert with no check-in recorded counts as attended at resolution. */
export function arrivalClock(
  alert: Pick<Alert, 'opened_at' | 'resolved_at'>,
  arrivedAt: number | null,
  now: number,
): SlaClock {
  return clock(alert.opened_at, ARRIVAL_SLA_MS, arrivedAt ?? alert.resolved_at, now);
}

/**
 * 272_000 → "04:32"; hours and days only when needed; no sign (the words say left or
 * overdue). `days` words the days in the console's language ("2天 01:00:00"); this
 * module stays free of the DOM so unit tests can run it.
 */
export function formatDuration(ms: number, days: (n: number) => string = (n) => `${n}d`): string {
  const total = Math.floor(Math.abs(ms) / 1000);
  const d = Math.floor(total / 86_400);
  const h = Math.floor((total % 86_400) / 3600);
  const m = Math.floor((total % 3600) / 60);
  const s = total % 60;
  const mm = String(m).padStart(2, '0');
  const ss = String(s).padStart(2, '0');
  if (d > 0) return `${days(d)} ${String(h).padStart(2, '0')}:${mm}:${ss}`;
  return h > 0 ? `${h}:${mm}:${ss}` : `${mm}:${ss}`;
}

/** An alert that must not be missed: critical and nobody has acknowledged it. */
export function isUnacknowledgedCritical(alert: Pick<Alert, 'severity' | 'state'>): boolean {
  return alert.severity === 'critical' && alert.state === 'open';
}
