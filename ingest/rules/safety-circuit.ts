/**
 * GB/T 24476 code 01 (运行时安全回路断路): the safety chain opens while the car runs.
 * One sample is enough: the chain trips the car to a stop, so the evidence is often a
 * single reading. Stop-switch tests in inspection (TSG T5002 items 12, 17, 31) are not
 * faults, and a chain that drops with the mains is a power loss, not code 01.
 */
import { extend, heldMs, isRunning, NO_STREAK, type Streak } from './debounce.ts';
import { snapshot } from './hold.ts';
import { NO_FINDINGS, type Rule, raise } from './types.ts';

export interface SafetyCircuitState {
  wasRunningAt: number | null;
  raised: boolean;
  healthy: Streak;
}

/** A trip seen on the first stopped sample still counts if the previous one was running this recently. */
const RUNNING_MEMORY_MS = 3000;

/** Not running lately, not raised: shared by every parked car instead of a state of its own. */
const AT_REST: SafetyCircuitState = Object.freeze({ wasRunningAt: null, raised: false, healthy: NO_STREAK });

export const safetyCircuitOpenRunning: Rule<SafetyCircuitState> = {
  id: 'safety_circuit_open_running',
  codes: ['safety_circuit_open_running'],
  initial: () => AT_REST,
  evaluate(state, input, context) {
    if (input.channel !== 'telemetry') return { state, findings: NO_FINDINGS };
    const t = input.payload;
    const running = t.moving || isRunning(t, context.limits);
    const recentlyRunning = state.wasRunningAt !== null && t.ts - state.wasRunningAt <= RUNNING_MEMORY_MS;
    // Samples come in device-time order (the detector drops late ones): once the last run is
    // older than RUNNING_MEMORY_MS it stays so, and is forgotten.
    const wasRunningAt = running ? t.ts : recentlyRunning ? state.wasRunningAt : null;
    const trip =
      !t.safety_circuit && (running || recentlyRunning) && t.mode !== 'inspection' && t.power === 'mains';
    if (trip && !state.raised) {
      return {
        state: { wasRunningAt: null, raised: true, healthy: NO_STREAK },
        findings: [raise('safety_circuit_open_running', t.ts, { ...snapshot(t), direction: t.direction })],
      };
    }
    // Read only while raised, and reset when raised: not kept up otherwise.
    const healthy = state.raised ? extend(state.healthy, t.safety_circuit, t.ts) : NO_STREAK;
    const rearm = state.raised && heldMs(healthy, t.ts) >= context.limits.healthyClearS * 1000;
    const raised = state.raised && !rearm;
    const unchanged =
      wasRunningAt === state.wasRunningAt && raised === state.raised && healthy === state.healthy;
    if (unchanged) return { state, findings: NO_FINDINGS };
    const atRest = wasRunningAt === null && !raised && healthy === NO_STREAK;
    return { state: atRest ? AT_REST : { wasRunningAt, raised, healthy }, findings: NO_FINDINGS };
  },
};
