/**
 * Limits of travel and speed: GB/T 24476 code 06 (motor runtime limiter: one run longer
 * than the limit), codes 09/10 (冲顶/蹲底: limit switch operated or the car beyond an end
 * landing) and retrofit 超速 (speed ≥ 1.15 × rated; the governor's tripping band starts there).
 * Inspection is excluded from 06 and 09/10: slow inspection runs are long, and limit-switch
 * tests belong to the yearly TSG T5002 items; so is a correction run with the floor lost (07).
 */
import type { AlertCode } from '../../protocol/index.ts';
import { confirmed, extend, heldMs, NO_STREAK, type Streak, stoodQuietly } from './debounce.ts';
import { snapshot } from './hold.ts';
import { motorRuntimeLimitMs } from './thresholds.ts';
import { clear, NO_FINDINGS, type Rule, type RuleContext, type RuleFinding, raise } from './types.ts';

export interface RuntimeState {
  run: Streak;
  stop: Streak;
  raised: boolean;
}

const NO_RUN: RuntimeState = Object.freeze({ run: NO_STREAK, stop: NO_STREAK, raised: false });

export const motorRuntimeLimiter: Rule<RuntimeState> = {
  id: 'motor_runtime_limiter',
  codes: ['motor_runtime_limiter'],
  initial: () => NO_RUN,
  evaluate(previous, input, context) {
    if (input.channel !== 'telemetry') return { state: previous, findings: NO_FINDINGS };
    const t = input.payload;
    // A stopped reading the device then went quiet on (idle cadence, see QUIET_MS) ended the
    // run: this sample starts the next one, and re-arms. Else two runs with a short stop
    // between them, sampled once, would add up to one run over the limit.
    const quietStop = stoodQuietly(previous.stop, t.ts);
    const state = quietStop ? NO_RUN : previous;
    // A correction run after the position was lost (floor reported invalid) creeps to a
    // terminal at reduced speed to re-learn it: long by design, and code 07 already stands.
    const correctionRun = t.floor < 1 || t.floor > context.elevator.floors;
    const running =
      (t.moving || t.speed_mps > context.limits.movingSpeedMps) && t.mode !== 'inspection' && !correctionRun;
    const stop = extend(state.stop, !running, t.ts);
    // Parked with no run to close: `stop` is read only during a run, which resets it.
    if (!running && state.run.since === null && !state.raised) return { state, findings: NO_FINDINGS };
    if (!running && (state.run.since === null || confirmed(stop, t.ts, context.limits))) {
      // The run is over. Its `stop` streak is not kept: parked, it could only end in NO_RUN (a
      // quiet stop) or be reset by the next run, so NO_RUN is the same state without ~100 B per car.
      return { state: NO_RUN, findings: NO_FINDINGS };
    }
    // A single stopped reading (levelling jitter) does not split one run in two.
    const run = running ? extend(state.run, true, t.ts) : state.run;
    const limitMs = motorRuntimeLimitMs(context.elevator, context.limits);
    const runMs = heldMs(run, t.ts);
    if (state.raised || runMs <= limitMs)
      return { state: { run, stop, raised: state.raised }, findings: NO_FINDINGS };
    const evidence = { ...snapshot(t), runS: Math.round(runMs / 1000), limitS: limitMs / 1000 };
    return { state: { run, stop, raised: true }, findings: [raise('motor_runtime_limiter', t.ts, evidence)] };
  },
};

export interface OvertravelState {
  beyond: Streak;
  raised: boolean;
  healthy: Streak;
}

function overtravel(code: AlertCode, end: 'top' | 'bottom'): Rule<OvertravelState> {
  return {
    id: code,
    codes: [code],
    initial: () => ({ beyond: NO_STREAK, raised: false, healthy: NO_STREAK }),
    evaluate(state, input, context) {
      if (input.channel !== 'telemetry') return { state, findings: NO_FINDINGS };
      const t = input.payload;
      const { elevator, limits } = context;
      const topM = (elevator.floors - 1) * elevator.floorHeightM;
      const switchOperated = end === 'top' ? t.up_limit : t.down_limit;
      const excessM = end === 'top' ? t.position_m - topM : -t.position_m;
      const beyondNow = t.mode !== 'inspection' && excessM > limits.overtravelMarginM;
      const beyond = extend(state.beyond, beyondNow, t.ts);
      // Read only while raised; at a raise this sample is unhealthy, so it starts empty anyway.
      const healthy = state.raised ? extend(state.healthy, !switchOperated && !beyondNow, t.ts) : NO_STREAK;
      // A limit switch is a contact, not an estimate: one reading is enough.
      const hit = t.mode !== 'inspection' && (switchOperated || confirmed(beyond, t.ts, limits));
      if (hit && !state.raised) {
        const evidence = { ...snapshot(t), limit_switch: switchOperated, beyond_m: Math.max(0, excessM) };
        return { state: { beyond, raised: true, healthy }, findings: [raise(code, t.ts, evidence)] };
      }
      const rearm = state.raised && heldMs(healthy, t.ts) >= limits.healthyClearS * 1000;
      const raised = state.raised && !rearm;
      const unchanged = beyond === state.beyond && raised === state.raised && healthy === state.healthy;
      return { state: unchanged ? state : { beyond, raised, healthy }, findings: NO_FINDINGS };
    },
  };
}

export const topOvertravel = overtravel('top_overtravel', 'top');
export const bottomOvertravel = overtravel('bottom_overtravel', 'bottom');

export interface OverspeedState {
  fast: Streak;
  normal: Streak;
  raised: boolean;
}

function ratio(speed: number, context: RuleContext): number {
  return speed / context.elevator.ratedSpeedMps;
}

/** Not fast, not raised: nearly every car, sharing this state instead of one of its own. */
const NORMAL_SPEED: OverspeedState = Object.freeze({ fast: NO_STREAK, normal: NO_STREAK, raised: false });

/**
 * `normal` is read only while raised. A raise needs a ratio at or above overspeedRatio or
 * overspeedInstantRatio, where `normal` restarts anyway when the clear ratio is below both (the
 * defaults): then it need not be kept up before a raise. A car whose thresholds put the clear
 * ratio above a raise ratio keeps counting it as before.
 */
function countsNormalWhileNotRaised(limits: RuleContext['limits']): boolean {
  return limits.overspeedClearRatio > Math.min(limits.overspeedRatio, limits.overspeedInstantRatio);
}

export const overspeed: Rule<OverspeedState> = {
  id: 'overspeed',
  codes: ['overspeed'],
  initial: () => NORMAL_SPEED,
  evaluate(state, input, context) {
    if (input.channel !== 'telemetry') return { state, findings: NO_FINDINGS };
    const t = input.payload;
    const { limits } = context;
    const r = ratio(t.speed_mps, context);
    const fast = extend(state.fast, r >= limits.overspeedRatio, t.ts);
    const normal =
      state.raised || countsNormalWhileNotRaised(limits)
        ? extend(state.normal, r < limits.overspeedClearRatio, t.ts)
        : NO_STREAK;
    const findings: RuleFinding[] = [];
    let raised = state.raised;
    if (!raised && (r >= limits.overspeedInstantRatio || confirmed(fast, t.ts, limits))) {
      raised = true;
      const evidence = {
        ...snapshot(t),
        rated_mps: context.elevator.ratedSpeedMps,
        ratio: Math.round(r * 100) / 100,
      };
      findings.push(raise('overspeed', t.ts, evidence));
    } else if (raised && confirmed(normal, t.ts, limits)) {
      raised = false;
      findings.push(clear('overspeed', t.ts, { speed_mps: t.speed_mps }));
    }
    const atRest = fast === NO_STREAK && normal === NO_STREAK && !raised;
    return { state: atRest ? NORMAL_SPEED : { fast, normal, raised }, findings };
  },
};
