/**
 * Door operator faults. GB/T 24476 code 02 (关门故障): the doors were commanded closed and did
 * not reach 关门到位 within T (the optional `door_closing` reading carries the command), or
 * more than N reopen cycles at one stop without the car leaving (retrofit 反复开关门,
 * code-id 19574845371); the controller's own report comes through controller-events.ts.
 * Doors deliberately held open (a resident moving boxes holds the door-open button) are
 * never commanded closed: that is long_door_open at 120 s, not a close fault, so without the
 * command there is no "not closed in time" case at all. Code 03 (开门故障): an occupied car
 * arrives at a landing and its doors stay closed. Door phases count only once confirmed, so
 * bounces are not cycles.
 */
import type { Telemetry } from '../../protocol/index.ts';
import { confirmed, extend, isRunning, isStopped, NO_STREAK, type Streak } from './debounce.ts';
import { type HoldSpec, type HoldState, INITIAL_HOLD, snapshot, stepHold } from './hold.ts';
import { clear, NO_FINDINGS, type Rule, type RuleFinding, raise } from './types.ts';

export interface DoorCloseState {
  door: 'open' | 'closed' | null;
  flip: Streak;
  opensAtStop: number[];
  cyclesRaised: boolean;
  /** A close was commanded since the doors were last closed in place (or the car last ran). */
  closeCommanded: boolean;
  timeout: HoldState;
}

/** Case "commanded closed, not closed in time": hoisted, so evaluate builds no closures per message. */
const DOOR_CLOSE_TIMEOUT: HoldSpec = {
  code: 'door_close_fault',
  holds: (t, c) =>
    !t.door_closed && t.occupied && isStopped(t, c.limits) && t.mode === 'normal' && !c.visitOpen,
  raiseAfterMs: (c) => c.limits.doorCloseTimeoutS * 1000,
  autoClear: true,
  evidence: (t, held, c) => ({
    ...snapshot(t),
    case: 'not_closed_in_time',
    openS: Math.round(held / 1000),
    thresholdS: c.limits.doorCloseTimeoutS,
  }),
};

/** The same case while no close was commanded: never holds, so an episode in progress ends. */
const DOORS_NOT_COMMANDED: HoldSpec = { ...DOOR_CLOSE_TIMEOUT, holds: () => false };

/** Sticky from a close command until the doors are closed in place or the car runs. */
function closeCommandedAfter(commanded: boolean, t: Telemetry, running: boolean): boolean {
  if (t.door_closed || running) return false;
  return commanded || t.door_closing === true;
}

/** Shared: the list is replaced, never pushed into, and most cars have no reopening pending. */
const NO_OPENS: number[] = Object.freeze([]) as unknown as number[];

/**
 * A car standing with its doors settled and nothing pending is in one of these two states,
 * shared (states are never mutated) instead of an object of its own per car (~70 B).
 */
const SETTLED: Record<'open' | 'closed', DoorCloseState> = {
  open: settled('open'),
  closed: settled('closed'),
};

function settled(door: 'open' | 'closed'): DoorCloseState {
  return Object.freeze({
    door,
    flip: NO_STREAK,
    opensAtStop: NO_OPENS,
    cyclesRaised: false,
    closeCommanded: false,
    timeout: INITIAL_HOLD,
  });
}

export const doorCloseFault: Rule<DoorCloseState> = {
  id: 'door_close_fault',
  codes: ['door_close_fault'],
  initial: () => ({
    door: null,
    flip: NO_STREAK,
    opensAtStop: NO_OPENS,
    cyclesRaised: false,
    closeCommanded: false,
    timeout: INITIAL_HOLD,
  }),
  evaluate(state, input, context) {
    const { limits } = context;
    const closeCommanded =
      input.channel === 'telemetry'
        ? closeCommandedAfter(state.closeCommanded, input.payload, isRunning(input.payload, limits))
        : state.closeCommanded;
    const spec = closeCommanded ? DOOR_CLOSE_TIMEOUT : DOORS_NOT_COMMANDED;
    const timeoutStep = stepHold(state.timeout, input, context, spec);
    const timeout = timeoutStep.state;
    // Copied only when this rule adds a finding of its own (rare); usually the shared empty one.
    let findings: RuleFinding[] = timeoutStep.findings;
    if (input.channel !== 'telemetry') {
      return { state: timeout === state.timeout ? state : { ...state, timeout }, findings };
    }
    const t = input.payload;
    const reading = t.door_closed ? 'closed' : 'open';
    let { door, flip, opensAtStop, cyclesRaised } = state;
    if (isRunning(t, limits)) {
      if (cyclesRaised) findings = [...findings, clear('door_close_fault', t.ts, { case: 'car_departed' })];
      if (opensAtStop.length > 0) opensAtStop = NO_OPENS;
      cyclesRaised = false;
    }
    if (reading === door) {
      flip = NO_STREAK;
    } else {
      flip = extend(flip, true, t.ts);
      if (door === null || confirmed(flip, t.ts, limits)) {
        if (door === 'closed' && reading === 'open' && isStopped(t, limits)) {
          const windowStart = flip.since! - limits.doorReopenWindowS * 1000;
          opensAtStop = [...opensAtStop.filter((at) => at >= windowStart), flip.since!];
        }
        door = reading;
        flip = NO_STREAK;
      }
    }
    const reopens = opensAtStop.length - 1;
    if (!cyclesRaised && reopens > limits.doorReopenCycles && t.mode === 'normal' && !context.visitOpen) {
      cyclesRaised = true;
      findings = [
        ...findings,
        raise('door_close_fault', t.ts, {
          ...snapshot(t),
          case: 'reopen_cycles',
          reopens,
          thresholdCycles: limits.doorReopenCycles,
        }),
      ];
    }
    const unchanged =
      door === state.door &&
      flip === state.flip &&
      opensAtStop === state.opensAtStop &&
      cyclesRaised === state.cyclesRaised &&
      closeCommanded === state.closeCommanded &&
      timeout === state.timeout;
    if (unchanged) return { state, findings };
    const isSettled =
      door !== null &&
      flip === NO_STREAK &&
      opensAtStop.length === 0 &&
      !cyclesRaised &&
      !closeCommanded &&
      timeout === INITIAL_HOLD;
    return {
      state: isSettled ? SETTLED[door] : { door, flip, opensAtStop, cyclesRaised, closeCommanded, timeout },
      findings,
    };
  },
};

export interface DoorOpenState {
  run: Streak;
  /**
   * A run ended and the car has not left or opened its doors since: the arrival is still being
   * judged. The door zone may read false on the arrival sample itself (a sensor dropout, or a
   * stop just short of the zone that re-levels), so arrivedAt is taken at the first in-zone
   * reading of that stop, not only on the arrival sample.
   */
  stopped: boolean;
  arrivedAt: number | null;
  waiting: boolean;
  raised: boolean;
  last: Telemetry | null;
}

export const doorOpenFault: Rule<DoorOpenState> = {
  id: 'door_open_fault',
  codes: ['door_open_fault'],
  initial: () => ({
    run: NO_STREAK,
    stopped: false,
    arrivedAt: null,
    waiting: false,
    raised: false,
    last: null,
  }),
  evaluate(state, input, context) {
    const { limits } = context;
    if (input.channel === 'tick') {
      if (!state.waiting || state.raised || state.arrivedAt === null || !state.last)
        return { state, findings: NO_FINDINGS };
      return check(state, input.ts, limits.doorOpenTimeoutS * 1000);
    }
    if (input.channel !== 'telemetry') return { state, findings: NO_FINDINGS };
    const t = input.payload;
    const running = t.moving || isRunning(t, limits);
    const run = extend(state.run, running, t.ts);
    if (confirmed(run, t.ts, limits)) {
      const findings = state.raised ? [clear('door_open_fault', t.ts, { case: 'car_departed' })] : [];
      return {
        state: { run, stopped: false, arrivedAt: null, waiting: false, raised: false, last: t },
        findings,
      };
    }
    if (running) return { state: { ...state, run, last: t }, findings: NO_FINDINGS };
    // A confirmed run just ended: the car arrived; at a landing, doors must now open.
    const stopped = state.stopped || state.run.samples >= limits.confirmSamples;
    const arrivedAt = state.arrivedAt ?? (stopped && t.door_zone ? t.ts : null);
    if (!t.door_closed) {
      const findings = state.raised ? [clear('door_open_fault', t.ts, { case: 'doors_opened' })] : [];
      return {
        state: { run, stopped: false, arrivedAt: null, waiting: false, raised: false, last: t },
        findings,
      };
    }
    const waiting = arrivedAt !== null && t.occupied && t.mode === 'normal' && !context.visitOpen;
    const next = { run, stopped, arrivedAt, waiting, raised: state.raised, last: t };
    if (!waiting || state.raised) return { state: next, findings: NO_FINDINGS };
    return check(next, t.ts, limits.doorOpenTimeoutS * 1000);
  },
};

function check(state: DoorOpenState, ts: number, limitMs: number) {
  const waited = state.arrivedAt === null ? 0 : ts - state.arrivedAt;
  if (waited < limitMs || !state.last) return { state, findings: NO_FINDINGS };
  const evidence = {
    ...snapshot(state.last),
    waitedS: Math.round(waited / 1000),
    thresholdS: limitMs / 1000,
  };
  return { state: { ...state, raised: true }, findings: [raise('door_open_fault', ts, evidence)] };
}
