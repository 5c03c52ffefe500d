/**
 * Doors and lock contacts against car motion: retrofit 运行中开门 (door open while moving),
 * retrofit 门锁回路断路 (lock circuit opens while running, or reads closed with a door
 * open: a shorted lock), GB/T 24476 code 05 (轿厢意外移动 / 开门走车: the car leaves its
 * position with doors not closed). A door bounce is one sample; a real opening stays open
 * through the emergency stop it causes, so each is confirmed over the confirmation window.
 * Re-levelling with doors open inside the door zone is allowed (EN 81-20 5.12.1.4).
 */
import type { Telemetry } from '../../protocol/index.ts';
import { confirmed, extend, heldMs, isRunning, isStopped, NO_STREAK, type Streak } from './debounce.ts';
import { snapshot } from './hold.ts';
import { NO_FINDINGS, type Rule, type RuleContext, raise } from './types.ts';

function isRelevelling(t: Telemetry, context: RuleContext): boolean {
  return t.door_zone && t.speed_mps <= context.limits.relevelSpeedMps;
}

function runningUnattended(t: Telemetry, context: RuleContext): boolean {
  return isRunning(t, context.limits) && t.mode !== 'inspection' && !isRelevelling(t, context);
}

export interface OpenedWhileRunningState {
  /** Doors not closed since a sample that showed them so while running. */
  opened: Streak;
  /** Doors already open before the run: that is 开门走车, code 05, not this. */
  openAtStop: boolean;
  raised: boolean;
  calm: Streak;
}

/** Nothing opened, nothing raised (nearly every sample): shared, by `openAtStop`, not one per car. */
const QUIET_DOORS: readonly OpenedWhileRunningState[] = [false, true].map((openAtStop) =>
  Object.freeze({ opened: NO_STREAK, openAtStop, raised: false, calm: NO_STREAK }),
);

/** Retrofit 运行中开门: door_status ≠ 1 while speed > 0.1 m/s. Critical. */
export const doorOpenWhileMoving: Rule<OpenedWhileRunningState> = {
  id: 'door_open_while_moving',
  codes: ['door_open_while_moving'],
  initial: () => ({ opened: NO_STREAK, openAtStop: false, raised: false, calm: NO_STREAK }),
  evaluate(state, input, context) {
    if (input.channel !== 'telemetry') return { state, findings: NO_FINDINGS };
    const t = input.payload;
    const openAtStop = !t.door_closed && (state.openAtStop || isStopped(t, context.limits));
    const startsNow = !t.door_closed && !state.openAtStop && runningUnattended(t, context);
    const opened =
      startsNow || (state.opened.since !== null && !t.door_closed)
        ? extend(state.opened, true, t.ts)
        : NO_STREAK;
    // Read only while raised, and reset when raised: not kept up otherwise.
    const calm = state.raised
      ? extend(state.calm, t.door_closed || !isRunning(t, context.limits), t.ts)
      : state.calm;
    if (!state.raised && confirmed(opened, t.ts, context.limits)) {
      return {
        state: { opened, openAtStop, raised: true, calm: NO_STREAK },
        findings: [
          raise('door_open_while_moving', t.ts, { ...snapshot(t), openS: heldMs(opened, t.ts) / 1000 }),
        ],
      };
    }
    const rearm = state.raised && heldMs(calm, t.ts) >= context.limits.healthyClearS * 1000;
    const raised = state.raised && !rearm;
    const unchanged =
      opened === state.opened &&
      openAtStop === state.openAtStop &&
      raised === state.raised &&
      calm === state.calm;
    if (unchanged) return { state, findings: NO_FINDINGS };
    const quiet = opened === NO_STREAK && !raised && calm === NO_STREAK;
    return {
      state: quiet ? QUIET_DOORS[openAtStop ? 1 : 0]! : { opened, openAtStop, raised, calm },
      findings: NO_FINDINGS,
    };
  },
};

export interface LockCircuitState {
  openedRunning: Streak;
  shorted: Streak;
  raised: boolean;
  healthy: Streak;
}

/**
 * Retrofit 门锁回路断路, both cases: the lock circuit opens while running with the doors
 * closed in place (a door that really opened is door_open_while_moving: the circuit did
 * its job), or it reads closed while the doors are open for longer than a bounce. The door bypass is
 * tested during maintenance (TSG T5002 item 9), so case 2 is ignored in inspection or
 * while a technician is checked in.
 */
export const lockCircuitFault: Rule<LockCircuitState> = {
  id: 'lock_circuit_fault',
  codes: ['lock_circuit_fault'],
  initial: () => ({ openedRunning: NO_STREAK, shorted: NO_STREAK, raised: false, healthy: NO_STREAK }),
  evaluate(state, input, context) {
    if (input.channel !== 'telemetry') return { state, findings: NO_FINDINGS };
    const t = input.payload;
    const startsNow = !t.door_lock && t.door_closed && runningUnattended(t, context);
    const openedRunning =
      startsNow || (state.openedRunning.since !== null && !t.door_lock && t.door_closed)
        ? extend(state.openedRunning, true, t.ts)
        : NO_STREAK;
    const shortedNow = t.door_lock && !t.door_closed && t.mode !== 'inspection' && !context.visitOpen;
    const shorted = extend(state.shorted, shortedNow, t.ts);
    const consistent = t.door_lock === t.door_closed && (t.door_lock || !isRunning(t, context.limits));
    // Read only while raised, and reset when raised: not kept up otherwise.
    const healthy = state.raised ? extend(state.healthy, consistent, t.ts) : state.healthy;
    if (!state.raised) {
      const whileRunning = confirmed(openedRunning, t.ts, context.limits);
      const isShorted =
        confirmed(shorted, t.ts, context.limits) &&
        heldMs(shorted, t.ts) >= context.limits.lockShortedS * 1000;
      if (whileRunning || isShorted) {
        const evidence = {
          ...snapshot(t),
          case: whileRunning ? 'opened_while_running' : 'closed_with_door_open',
        };
        return {
          state: { openedRunning, shorted, raised: true, healthy: NO_STREAK },
          findings: [raise('lock_circuit_fault', t.ts, evidence)],
        };
      }
    }
    const rearm = state.raised && heldMs(healthy, t.ts) >= context.limits.healthyClearS * 1000;
    const raised = state.raised && !rearm;
    const unchanged =
      openedRunning === state.openedRunning &&
      shorted === state.shorted &&
      raised === state.raised &&
      healthy === state.healthy;
    return { state: unchanged ? state : { openedRunning, shorted, raised, healthy }, findings: NO_FINDINGS };
  },
};

export interface UnintendedMovementState {
  open: Streak;
  /** Doors first seen open during a run: door_open_while_moving's case, not an unintended movement. */
  openedRunning: boolean;
  refPosition: number | null;
  refFloor: number | null;
  raised: boolean;
}

/** Shared (states are never mutated): doors closed is the state of nearly every sample. */
const DOORS_CLOSED: UnintendedMovementState = Object.freeze({
  open: NO_STREAK,
  openedRunning: false,
  refPosition: null,
  refFloor: null,
  raised: false,
});

/**
 * GB/T 24476 code 05 (UCMP): with doors not closed, the car leaves its stopping position
 * by more than the unlocking zone allows, or changes floor outside the door zone.
 * Levelling jitter is centimetres; the reference is where the doors were first seen open.
 */
export const unintendedCarMovement: Rule<UnintendedMovementState> = {
  id: 'unintended_car_movement',
  codes: ['unintended_car_movement'],
  initial: () => DOORS_CLOSED,
  evaluate(state, input, context) {
    if (input.channel !== 'telemetry') return { state, findings: NO_FINDINGS };
    const t = input.payload;
    if (t.door_closed || t.mode === 'inspection') return { state: DOORS_CLOSED, findings: NO_FINDINGS };
    const open = extend(state.open, true, t.ts);
    const openedRunning = state.open.since === null ? !isStopped(t, context.limits) : state.openedRunning;
    if (openedRunning) return { state: { ...state, open, openedRunning }, findings: NO_FINDINGS };
    const refPosition = state.refPosition ?? t.position_m;
    const refFloor = state.refFloor ?? t.floor;
    const displacement = Math.abs(t.position_m - refPosition);
    const moved =
      displacement >= context.limits.unintendedMovementM ||
      (t.floor !== refFloor && !t.door_zone && displacement > 0.1);
    if (!state.raised && moved && confirmed(open, t.ts, context.limits)) {
      const evidence = {
        ...snapshot(t),
        fromPosition_m: refPosition,
        fromFloor: refFloor,
        displacement_m: displacement,
      };
      return {
        state: { open, openedRunning, refPosition, refFloor, raised: true },
        findings: [raise('unintended_car_movement', t.ts, evidence)],
      };
    }
    return {
      state: { open, openedRunning, refPosition, refFloor, raised: state.raised },
      findings: NO_FINDINGS,
    };
  },
};
