/**
 * GB/T 24476 code 07 (楼层位置丢失): the floor reading is invalid, jumps further than the
 * car could have travelled since the last sample, or disagrees with the measured height
 * by two floors or more. A jump must be confirmed by the next sample, so one glitched
 * reading is not a lost position. Clears once readings are valid again for a while.
 */

import type { ElevatorInfo } from '../../fleet/types.ts';
import type { Telemetry } from '../../protocol/index.ts';
import { confirmed, extend, heldMs, NO_STREAK, type Streak } from './debounce.ts';
import { snapshot } from './hold.ts';
import { clear, NO_FINDINGS, type Rule, type RuleContext, raise } from './types.ts';

export interface FloorState {
  last: Telemetry | null;
  pendingJump: { from: number; to: number } | null;
  bad: Streak;
  good: Streak;
  raised: boolean;
}

function floorFromHeight(t: Telemetry, elevator: ElevatorInfo): number {
  return Math.round(t.position_m / elevator.floorHeightM) + 1;
}

/** Floors the car could have passed since the previous sample; 1 when it has not run at all. */
function reachableFloors(prev: Telemetry, t: Telemetry, elevator: ElevatorInfo): number {
  const ran =
    prev.moving || t.moving || prev.run_count !== t.run_count || prev.speed_mps > 0 || t.speed_mps > 0;
  if (!ran) return 1;
  const dtS = Math.max(0, t.ts - prev.ts) / 1000;
  return 1 + Math.ceil((elevator.ratedSpeedMps * 1.3 * dtS) / elevator.floorHeightM);
}

export const floorPositionLost: Rule<FloorState> = {
  id: 'floor_position_lost',
  codes: ['floor_position_lost'],
  initial: () => ({ last: null, pendingJump: null, bad: NO_STREAK, good: NO_STREAK, raised: false }),
  evaluate(state, input, context: RuleContext) {
    if (input.channel !== 'telemetry') return { state, findings: NO_FINDINGS };
    const t = input.payload;
    const { elevator, limits } = context;
    const prev = state.last;
    const valid = Number.isInteger(t.floor) && t.floor >= 1 && t.floor <= elevator.floors;
    const disagrees = valid && Math.abs(floorFromHeight(t, elevator) - t.floor) >= 2;
    let pendingJump: FloorState['pendingJump'] = null;
    let jumpConfirmed: FloorState['pendingJump'] = null;
    if (valid && prev && prev.floor >= 1 && prev.floor <= elevator.floors) {
      const reach = reachableFloors(prev, t, elevator);
      if (state.pendingJump && Math.abs(t.floor - state.pendingJump.to) <= reach)
        jumpConfirmed = state.pendingJump;
      else if (!state.pendingJump && Math.abs(t.floor - prev.floor) > reach) {
        pendingJump = { from: prev.floor, to: t.floor };
      }
    }
    const bad = extend(state.bad, !valid || disagrees, t.ts);
    // Read only while raised, and reset when raised: not kept up otherwise.
    const good = state.raised ? extend(state.good, valid && !disagrees && !pendingJump, t.ts) : NO_STREAK;
    const next: FloorState = { last: t, pendingJump, bad, good, raised: state.raised };
    if (!state.raised && (jumpConfirmed || confirmed(bad, t.ts, limits))) {
      const reason = jumpConfirmed ? 'jump' : valid ? 'disagrees_with_height' : 'invalid_floor';
      const evidence = {
        ...snapshot(t),
        reason,
        ...(jumpConfirmed ? { jumpFrom: jumpConfirmed.from, jumpTo: jumpConfirmed.to } : {}),
      };
      return {
        state: { ...next, raised: true, good: NO_STREAK },
        findings: [raise('floor_position_lost', t.ts, evidence)],
      };
    }
    if (state.raised && heldMs(good, t.ts) >= limits.floorRecoveryS * 1000) {
      return {
        state: { ...next, raised: false },
        findings: [clear('floor_position_lost', t.ts, { floor: t.floor })],
      };
    }
    return { state: next, findings: NO_FINDINGS };
  },
};
