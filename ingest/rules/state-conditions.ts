/**
 * Conditions that are states of the car and clear by themselves, built on stepHold:
 * stopped outside the door zone (GB/T 24476 code 04), door held open (retrofit
 * 长时间不关门), mains power lost (GB/T 24476 event 41, retrofit 停电).
 */
import { isAttendedMode, isStopped } from './debounce.ts';
import { type HoldSpec, type HoldState, INITIAL_HOLD, snapshot, stepHold } from './hold.ts';
import type { Rule } from './types.ts';

// Specs live at module level: built inside evaluate they cost four closures per message.

const STOP_OUTSIDE_DOOR_ZONE: HoldSpec = {
  code: 'stop_outside_door_zone',
  holds: (t, c) => isStopped(t, c.limits) && !t.door_zone && t.mode !== 'inspection',
  raiseAfterMs: (c) => c.limits.stopOutsideZoneS * 1000,
  autoClear: true,
  evidence: (t, held, c) => ({
    ...snapshot(t),
    stoppedS: Math.round(held / 1000),
    thresholdS: c.limits.stopOutsideZoneS,
  }),
};

/** GB/T 24476 code 04: speed 0 and door_zone = 2 for more than 45 s (code-id 3510500821). Technicians stop anywhere in inspection. */
export const stopOutsideDoorZone: Rule<HoldState> = {
  id: 'stop_outside_door_zone',
  codes: ['stop_outside_door_zone'],
  initial: () => INITIAL_HOLD,
  evaluate: (state, input, context) => stepHold(state, input, context, STOP_OUTSIDE_DOOR_ZONE),
};

const LONG_DOOR_OPEN: HoldSpec = {
  code: 'long_door_open',
  holds: (t, c) =>
    !t.door_closed &&
    isStopped(t, c.limits) &&
    !isAttendedMode(t) &&
    t.mode !== 'out_of_service' &&
    !c.visitOpen,
  raiseAfterMs: (c) => c.limits.longDoorOpenS * 1000,
  autoClear: true,
  evidence: (t, held, c) => ({
    ...snapshot(t),
    openS: Math.round(held / 1000),
    thresholdS: c.limits.longDoorOpenS,
  }),
};

/**
 * Retrofit 长时间不关门: doors open at a stop for more than 120 s (code-id 44687751845).
 * Not in inspection, out of service, fire or earthquake modes, nor while a technician is
 * checked in: landing-door checks (TSG T5002 items 24–29) hold doors open on purpose.
 */
export const longDoorOpen: Rule<HoldState> = {
  id: 'long_door_open',
  codes: ['long_door_open'],
  initial: () => INITIAL_HOLD,
  evaluate: (state, input, context) => stepHold(state, input, context, LONG_DOOR_OPEN),
};

const POWER_LOST: HoldSpec = {
  code: 'power_lost',
  holds: (t) => t.power !== 'mains',
  raiseAfterMs: (c) => c.limits.powerLostS * 1000,
  clearAfterMs: (c) => c.limits.powerRestoredS * 1000,
  autoClear: true,
  evidence: (t, held) => ({
    power: t.power,
    floor: t.floor,
    occupied: t.occupied,
    lostS: Math.round(held / 1000),
  }),
};

/** GB/T 24476 event 41 / retrofit 停电: the sensor box reports mains off or runs on its battery. */
export const powerLost: Rule<HoldState> = {
  id: 'power_lost',
  codes: ['power_lost'],
  initial: () => INITIAL_HOLD,
  evaluate: (state, input, context) => stepHold(state, input, context, POWER_LOST),
};
