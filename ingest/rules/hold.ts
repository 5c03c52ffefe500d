/**
 * The shape most state-like rules share: a condition on the latest telemetry that must
 * hold for T before it is raised, survives single-sample noise, and ends only when its
 * negation is confirmed. Ticks let T elapse between sparse samples.
 */
import type { AlertCode, Telemetry } from '../../protocol/index.ts';
import { confirmed, extend, heldMs, NO_STREAK, type Streak, stoodQuietly } from './debounce.ts';
import {
  clear,
  type Evidence,
  NO_FINDINGS,
  type RuleContext,
  type RuleFinding,
  type RuleInput,
  type RuleResult,
  raise,
} from './types.ts';

export interface HoldState {
  on: Streak;
  off: Streak;
  raised: boolean;
  /**
   * The newest sample of the episode, for the evidence; null outside an episode. Only read
   * while one runs, so it is dropped when it ends: kept, it would hold an old parsed message
   * per rule and car alive (~240 B each; bench/worker-memory.ts), where the newest sample is
   * shared with the pipeline's record and the other rules.
   */
  last: Telemetry | null;
}

/**
 * Also the state after every episode: `off` and `last` are read only while one runs (`on`
 * set) and the next one starts them afresh, so an ended episode keeps nothing per car.
 */
export const INITIAL_HOLD: HoldState = Object.freeze({
  on: NO_STREAK,
  off: NO_STREAK,
  raised: false,
  last: null,
});

export interface HoldSpec {
  code: AlertCode;
  holds(t: Telemetry, context: RuleContext): boolean;
  raiseAfterMs(context: RuleContext): number;
  /** Once raised, how long the condition must be gone before the alert clears. */
  clearAfterMs?(context: RuleContext): number;
  /** State-like conditions clear the alert; event-like ones only re-arm. */
  autoClear: boolean;
  evidence(t: Telemetry, heldMs: number, context: RuleContext): Evidence;
}

export function stepHold(
  state: HoldState,
  input: RuleInput,
  context: RuleContext,
  spec: HoldSpec,
): RuleResult<HoldState> {
  if (input.channel !== 'tick' && input.channel !== 'telemetry') return { state, findings: NO_FINDINGS };
  const ts = input.channel === 'tick' ? input.ts : input.payload.ts;
  // The opposite reading, sampled once, then device-time silence: the car stood on it (idle
  // cadence, see QUIET_MS), so the episode is over. Without this, a door-zone dropout on
  // each 30 s idle heartbeat, corrected a second later, would chain into one long episode.
  const ended = endQuietEpisode(state, ts, context, spec);
  if (ended) {
    if (input.channel === 'tick') return ended;
    const next = stepHold(ended.state, input, context, spec);
    return ended.findings.length === 0
      ? next
      : { state: next.state, findings: [...ended.findings, ...next.findings] };
  }
  if (input.channel === 'tick') return checkRaise(state, ts, context, spec);
  const t = input.payload;
  const holds = spec.holds(t, context);
  // Idle (no episode) and still not holding: `off` and `last` are only read once an episode
  // has begun, and its first sample resets both, so the state stays as it is.
  if (!holds && state.on.since === null) return { state, findings: NO_FINDINGS };
  if (holds) {
    const next = { on: extend(state.on, true, ts), off: NO_STREAK, raised: state.raised, last: t };
    return checkRaise(next, ts, context, spec);
  }
  const off = extend(state.off, true, ts);
  const clearAfter = state.raised ? (spec.clearAfterMs?.(context) ?? 0) : 0;
  if (!confirmed(off, ts, context.limits) || heldMs(off, ts) < clearAfter) {
    return { state: { on: state.on, off, raised: state.raised, last: t }, findings: NO_FINDINGS };
  }
  const findings: RuleFinding[] =
    state.raised && spec.autoClear
      ? [clear(spec.code, ts, { clearedAfterS: heldMs(state.on, ts) / 1000 })]
      : [];
  return { state: INITIAL_HOLD, findings };
}

function endQuietEpisode(
  state: HoldState,
  ts: number,
  context: RuleContext,
  spec: HoldSpec,
): RuleResult<HoldState> | null {
  if (state.on.since === null || state.off.samples !== 1 || !stoodQuietly(state.off, ts)) return null;
  const clearAfter = state.raised ? (spec.clearAfterMs?.(context) ?? 0) : 0;
  if (heldMs(state.off, ts) < clearAfter) return null;
  const findings: RuleFinding[] =
    state.raised && spec.autoClear
      ? [clear(spec.code, ts, { clearedAfterS: heldMs(state.on, ts) / 1000 })]
      : [];
  return { state: INITIAL_HOLD, findings };
}

function checkRaise(
  state: HoldState,
  ts: number,
  context: RuleContext,
  spec: HoldSpec,
): RuleResult<HoldState> {
  if (state.raised || state.on.since === null || state.off.samples > 0 || !state.last) {
    return { state, findings: NO_FINDINGS };
  }
  const held = heldMs(state.on, ts);
  if (held < spec.raiseAfterMs(context)) return { state, findings: NO_FINDINGS };
  return {
    state: { ...state, raised: true },
    findings: [raise(spec.code, ts, spec.evidence(state.last, held, context))],
  };
}

/** The readings most evidence objects start from. */
export function snapshot(t: Telemetry): Evidence {
  return {
    mode: t.mode,
    floor: t.floor,
    position_m: t.position_m,
    speed_mps: t.speed_mps,
    door_zone: t.door_zone,
    door_closed: t.door_closed,
    occupied: t.occupied,
    safety_circuit: t.safety_circuit,
    door_lock: t.door_lock,
    power: t.power,
  };
}
