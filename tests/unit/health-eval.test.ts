/**
 * The health part of the eval (issue 16) on the short plan, held to the floors: every
 * degrading lift flagged before its first fault, median lead time ≥ 7 days, at most one
 * early visit per healthy lift per simulated quarter. The same code as `npm run eval`'s
 * health part (bench/eval-health.ts), on 60 days at half the demand.
 */
import { beforeAll, describe, expect, it } from 'vitest';
import { type HealthEvalSummary, runHealthEval } from '../../bench/eval-health.ts';
import { HEALTH_PLAN_SHORT } from '../../simulators/scenarios/health-plan.ts';

describe('health eval: short plan', () => {
  let result: HealthEvalSummary;
  beforeAll(() => {
    result = runHealthEval(HEALTH_PLAN_SHORT);
  }, 240_000);

  it('every degrading lift is flagged before its first fault, naming the worn component', () => {
    const degrading = result.lifts.filter((l) => l.component !== null);
    expect(degrading.length).toBeGreaterThan(0);
    for (const l of degrading) {
      expect(l.faultDay, `${l.id} never faulted: the scenario is too short`).not.toBeNull();
      expect(l.flaggedBeforeFault, JSON.stringify(l)).toBe(true);
      expect(l.namedComponent, l.id).toBe(l.component);
    }
    expect(result.flagged_before_fault_share).toBe(1);
  });

  it('median lead time ≥ 7 days', () => {
    expect(result.median_lead_days).toBeGreaterThanOrEqual(7);
  });

  it('at most one early visit per healthy lift per simulated quarter', () => {
    const healthy = result.lifts.filter((l) => l.component === null);
    expect(healthy.length).toBeGreaterThan(0);
    expect(result.early_visits_per_healthy_lift_quarter_max, JSON.stringify(healthy)).toBeLessThanOrEqual(1);
  });
});
