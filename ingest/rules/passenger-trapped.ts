/**
 * GB/T 24476 code 11 (困人): stopped, doors closed in place, occupied, for more than 30 s
 * outside the door zone or 60 s inside it (Pidd-pipi/elevator-iot-diagnosis-service: 30 s
 * non-level). Critical. A door bounce, an occupancy flicker or a door-zone dropout does not
 * restart the clock; the alert clears once the doors open, the car moves or it is empty.
 */
import type { Telemetry } from '../../protocol/index.ts';
import { confirmed, extend, heldMs, isStopped, NO_STREAK, type Streak } from './debounce.ts';
import { snapshot } from './hold.ts';
import { clear, NO_FINDINGS, type Rule, type RuleContext, type RuleFinding, raise } from './types.ts';

export interface TrappedState {
  episode: Streak;
  outside: Streak;
  inside: Streak;
  release: Streak;
  raised: boolean;
  /** The newest sample of the episode, for the evidence; null outside one (see HoldState.last). */
  last: Telemetry | null;
}

function isTrappedReading(t: Telemetry, context: RuleContext): boolean {
  return isStopped(t, context.limits) && t.door_closed && t.occupied && t.mode !== 'inspection';
}

function check(
  state: TrappedState,
  ts: number,
  context: RuleContext,
): { state: TrappedState; findings: RuleFinding[] } {
  if (state.raised || state.episode.since === null || state.release.samples > 0 || !state.last) {
    return { state, findings: NO_FINDINGS };
  }
  const total = heldMs(state.episode, ts);
  const outside = heldMs(state.outside, ts);
  const outsideLimit = context.limits.trappedOutsideZoneS * 1000;
  const insideLimit = context.limits.trappedInZoneS * 1000;
  if (total < insideLimit && outside < outsideLimit) return { state, findings: NO_FINDINGS };
  const inZone = outside < outsideLimit;
  const evidence = {
    ...snapshot(state.last),
    trappedS: Math.round(total / 1000),
    thresholdS: inZone ? context.limits.trappedInZoneS : context.limits.trappedOutsideZoneS,
    where: inZone ? 'in_door_zone' : 'outside_door_zone',
  };
  return { state: { ...state, raised: true }, findings: [raise('passenger_trapped', ts, evidence)] };
}

export const passengerTrapped: Rule<TrappedState> = {
  id: 'passenger_trapped',
  codes: ['passenger_trapped'],
  initial: () => ({
    episode: NO_STREAK,
    outside: NO_STREAK,
    inside: NO_STREAK,
    release: NO_STREAK,
    raised: false,
    last: null,
  }),
  evaluate(state, input, context) {
    if (input.channel === 'tick') return check(state, input.ts, context);
    if (input.channel !== 'telemetry') return { state, findings: NO_FINDINGS };
    const t = input.payload;
    const ts = t.ts;
    const inside = extend(state.inside, t.door_zone, ts);
    // Outside the zone only counts once the car has not been confirmed back in it.
    const outside = !t.door_zone
      ? extend(state.outside, true, ts)
      : confirmed(inside, ts, context.limits)
        ? NO_STREAK
        : state.outside;
    if (isTrappedReading(t, context)) {
      const next: TrappedState = {
        ...state,
        episode: extend(state.episode, true, ts),
        outside: state.episode.since === null ? extend(NO_STREAK, !t.door_zone, ts) : outside,
        inside,
        release: NO_STREAK,
        last: t,
      };
      return check(next, ts, context);
    }
    // No episode: only `inside` carries into the next one (its first sample resets the rest).
    if (state.episode.since === null) {
      return { state: inside === state.inside ? state : { ...state, inside }, findings: NO_FINDINGS };
    }
    const release = extend(state.release, true, ts);
    if (!confirmed(release, ts, context.limits)) {
      return { state: { ...state, outside, inside, release, last: t }, findings: NO_FINDINGS };
    }
    const findings = state.raised
      ? [
          clear('passenger_trapped', ts, {
            ...snapshot(t),
            trappedS: Math.round(heldMs(state.episode, ts) / 1000),
          }),
        ]
      : [];
    // `release` and `last` are read only during an episode: the next one starts them afresh.
    return {
      state: {
        episode: NO_STREAK,
        outside: NO_STREAK,
        inside,
        release: NO_STREAK,
        raised: false,
        last: null,
      },
      findings,
    };
  },
};
