/**
 * Who is told, and when, about an alert nobody takes (issue 15): the escalation steps as a
 * pure function of the alert, the estate's plan and the clock. The first on duty is told at
 * once ('duty:1'); each acknowledge window that passes while the alert is still open tells
 * the next on the duty roster ('duty:2' after one window, 'duty:3' after two, …); when nobody
 * is on site within the arrival window, every manager is told ('manager:1', …). Nothing
 * here sends: the lifecycle records each step once in the store, and the API sends it.
 */
import type { AlertTable, OnCallChannel, OnCallTier } from '../store/schema.ts';

export interface EscalationWindows {
  ackWithinMs: number;
  arriveWithinMs: number;
}

/** The estate's windows and roster, as the escalation check reads them. */
export interface EscalationPlan extends EscalationWindows {
  roster: ReadonlyArray<{
    id: string;
    tier: OnCallTier;
    position: number;
    username: string;
    channel: OnCallChannel;
  }>;
}

export interface DueStep {
  /** 'duty:N' or 'manager:N': with the alert id, the key that makes it happen once. */
  step: string;
  onCallId: string | null;
  username: string | null;
}

/**
 * When someone was on site: the arrival stamp (到场, `arrived_at`, migration 0011) a duty
 * officer or technician set. The one place the escalation reads it from: once stamped, no
 * manager is told that nobody arrived.
 */
export function onSiteAt(row: AlertTable): number | null {
  return row.arrived_at ?? null;
}

/** The steps due for `row` at `now` (already-taken ones included: the store drops repeats). */
export function dueSteps(row: AlertTable, plan: EscalationPlan, age: number): DueStep[] {
  if (row.state === 'resolved') return [];
  const steps: DueStep[] = [];
  const duty = plan.roster.filter((e) => e.tier === 'duty');
  if (row.state === 'open') {
    // Told at opening, then one more per window passed: 1 + floor(age / window), within the roster.
    const reached = plan.ackWithinMs > 0 ? 1 + Math.floor(age / plan.ackWithinMs) : duty.length;
    for (let n = 1; n <= Math.min(reached, duty.length); n++) {
      const e = duty[n - 1]!;
      steps.push({ step: `duty:${n}`, onCallId: e.id, username: e.username });
    }
  }
  if (age >= plan.arriveWithinMs && onSiteAt(row) === null) {
    const managers = plan.roster.filter((e) => e.tier === 'manager');
    managers.forEach((e, i) => {
      steps.push({ step: `manager:${i + 1}`, onCallId: e.id, username: e.username });
    });
  }
  return steps;
}
