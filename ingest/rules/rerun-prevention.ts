/**
 * GB/T 24476 code 08 (防止电梯再运行故障): after a safety trip (chain or lock circuit opened
 * while running, the chain opened at a stop in normal service, a limit switch operated) the car stays stopped and out of service although
 * its safety chain is closed again: restart is being blocked. Also a car held out of
 * service, not in inspection, with no technician checked in, for longer than outOfServiceS
 * (the DOMAIN [I] rule; 0 disables it). Clears when the car runs again in normal service.
 */
import { extend, heldMs, isRunning, isStopped, NO_STREAK, type Streak } from './debounce.ts';
import { snapshot } from './hold.ts';
import { clear, NO_FINDINGS, type Rule, raise } from './types.ts';

export interface RerunState {
  trippedAt: number | null;
  blocked: Streak;
  outOfService: Streak;
  raised: boolean;
  lastBlocked: boolean;
}

/** Shared: states are never mutated, and a car in normal service returns here on every sample. */
const INITIAL_RERUN: RerunState = Object.freeze({
  trippedAt: null,
  blocked: NO_STREAK,
  outOfService: NO_STREAK,
  raised: false,
  lastBlocked: false,
});

export const rerunPrevention: Rule<RerunState> = {
  id: 'rerun_prevention',
  codes: ['rerun_prevention'],
  initial: () => INITIAL_RERUN,
  evaluate(state, input, context) {
    if (input.channel !== 'telemetry') return { state, findings: NO_FINDINGS };
    const t = input.payload;
    const { limits } = context;
    const running = t.moving || isRunning(t, limits);
    // A safety device tripping at a stop blocks a restart too (a chain opening in normal
    // service, mains on, nobody checked in: not a stop-switch test, not a power cut).
    const stoppedTrip = !t.safety_circuit && t.mode === 'normal' && t.power === 'mains' && !context.visitOpen;
    const trip =
      t.mode !== 'inspection' &&
      ((running && (!t.safety_circuit || (!t.door_lock && t.door_closed))) ||
        stoppedTrip ||
        t.up_limit ||
        t.down_limit);
    if (!trip && running && t.mode === 'normal') {
      const findings = state.raised ? [clear('rerun_prevention', t.ts, { case: 'running_again' })] : [];
      return { state: INITIAL_RERUN, findings };
    }
    const trippedAt = trip ? (state.trippedAt ?? t.ts) : state.trippedAt;
    const blockedNow =
      trippedAt !== null && isStopped(t, limits) && t.safety_circuit && t.mode === 'out_of_service';
    const blocked = extend(state.blocked, blockedNow, t.ts);
    const parked = t.mode === 'out_of_service' && !context.visitOpen && limits.outOfServiceS > 0;
    const outOfService = extend(state.outOfService, parked, t.ts);
    const unchanged =
      trippedAt === state.trippedAt &&
      blocked === state.blocked &&
      outOfService === state.outOfService &&
      blockedNow === state.lastBlocked;
    const next: RerunState = unchanged
      ? state
      : { trippedAt, blocked, outOfService, raised: state.raised, lastBlocked: blockedNow };
    if (state.raised) return { state: next, findings: NO_FINDINGS };
    const afterTrip = heldMs(blocked, t.ts) >= limits.rerunBlockedS * 1000;
    const longParked = parked && heldMs(outOfService, t.ts) >= limits.outOfServiceS * 1000;
    if (!afterTrip && !longParked) return { state: next, findings: NO_FINDINGS };
    const evidence = {
      ...snapshot(t),
      case: afterTrip ? 'blocked_after_trip' : 'out_of_service_without_visit',
      blockedS: Math.round(heldMs(afterTrip ? blocked : outOfService, t.ts) / 1000),
    };
    return { state: { ...next, raised: true }, findings: [raise('rerun_prevention', t.ts, evidence)] };
  },
};
