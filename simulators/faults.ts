/**
 * Fault injection: for each code of the fault catalogue, a script that makes the car
 * show that fault's signature in its telemetry (or events), marks the onset, then hands
 * the car back. `FAULT_TRUTH` says when a detector should raise it (issue 3 defaults)
 * and which other codes the same physical event may honestly also raise.
 */
import type { FaultCode } from '../protocol/index.ts';
import { floorPosition } from './car.ts';
import type { ElevatorModel, Script } from './elevator-model.ts';
import {
  adjacentFloor,
  closeDoors,
  emergencyStop,
  farFloor,
  handBack,
  openDoors,
  relevel,
  SLOW_ACCEL_MPS2,
  SLOW_SPEED_MPS,
  takeOver,
  travel,
} from './script-kit.ts';

export interface FaultParams {
  duration_s?: number;
  inside_door_zone?: boolean;
  variant?: string;
  /** The controller also reports the fault on the event channel. */
  report?: boolean;
}

export interface FaultTruth {
  /** Seconds after onset before a detector may raise it (0 = at once). */
  threshold_s: number;
  /** Latest acceptable first alert, seconds after onset; default threshold + 30. */
  window_s?: number;
  /** Other codes this event may also raise without being a false alarm. */
  also?: readonly FaultCode[];
}

const at = (model: ElevatorModel, seconds: number): (() => boolean) => {
  const until = model.now + seconds * 1000;
  return () => model.now >= until;
};

function* passengerTrapped(m: ElevatorModel, p: FaultParams): Script {
  yield* takeOver(m);
  m.overrides.occupied = true;
  const floor = adjacentFloor(m);
  if (p.inside_door_zone ?? true) {
    // Arrives level, but the doors never open.
    yield* travel(m, floor);
  } else {
    // Stops between landings: a controller fault, the safety chain intact.
    const mid = (floorPosition(m.spec, m.floor) + floorPosition(m.spec, floor)) / 2;
    m.moveTo({ position: mid });
    yield () => m.car.motion === null;
  }
  m.markOnset('passenger_trapped');
  yield at(m, p.duration_s ?? 150);
  // Rescue: wind the car to the landing, open up, let the passenger out.
  yield* relevel(m);
  yield* openDoors(m);
  m.overrides.occupied = false;
  yield 5000;
  yield* handBack(m);
}

function* doorOpenWhileMoving(m: ElevatorModel): Script {
  yield* takeOver(m);
  m.moveTo({ floor: farFloor(m, 4) });
  yield () => Math.abs(m.car.velocity) >= 0.6 * m.spec.ratedSpeedMps;
  m.car.doorCommand = 'hold';
  m.car.door = 0.25;
  m.markOnset('door_open_while_moving');
  yield 2000;
  yield* emergencyStop(m);
  yield 10_000;
  yield* handBack(m);
}

function* overspeed(m: ElevatorModel): Script {
  yield* takeOver(m);
  const rated = m.spec.ratedSpeedMps;
  m.moveTo({ floor: farFloor(m, 5) }, rated * 1.3);
  yield () => Math.abs(m.car.velocity) >= rated * 1.15 || m.car.motion === null;
  m.markOnset('overspeed');
  yield () => m.car.motion === null;
  yield* handBack(m);
}

function* safetyCircuitOpenRunning(m: ElevatorModel): Script {
  yield* takeOver(m);
  m.moveTo({ floor: farFloor(m, 3) });
  yield () => Math.abs(m.car.velocity) >= 0.6 * m.spec.ratedSpeedMps;
  m.car.safety = false;
  m.markOnset('safety_circuit_open_running');
  yield* emergencyStop(m);
  yield 15_000;
  yield* handBack(m);
}

function* doorCloseFault(m: ElevatorModel, p: FaultParams): Script {
  yield* takeOver(m);
  yield* openDoors(m);
  m.overrides.occupied = true;
  m.markOnset('door_close_fault');
  // The doors reach the sill but never close in place (关门到位: the lock does not make), so
  // the operator reopens and tries again, cycle after cycle, with a passenger waiting inside.
  const until = at(m, p.duration_s ?? 90);
  let cycle = 0;
  while (!until()) {
    m.car.doorCommand = 'close';
    yield () => m.car.door <= 0.05;
    m.car.doorCommand = 'hold';
    yield 1000;
    yield* openDoors(m);
    yield 1000;
    if (++cycle === 8 && p.report) m.emitEvent('door_close_fault', { reopen_cycles: cycle });
  }
  yield* closeDoors(m);
  m.overrides.occupied = false;
  yield* handBack(m);
}

function* doorOpenFault(m: ElevatorModel, p: FaultParams): Script {
  yield* takeOver(m);
  // A passenger rides to a landing where the doors then fail to open.
  m.overrides.occupied = true;
  yield* travel(m, farFloor(m, 2));
  m.markOnset('door_open_fault');
  if (p.report) m.emitEvent('door_open_fault');
  yield at(m, p.duration_s ?? 60);
  yield* openDoors(m);
  yield 2000;
  m.overrides.occupied = false;
  yield 2000;
  yield* handBack(m);
}

function* stopOutsideDoorZone(m: ElevatorModel, p: FaultParams): Script {
  yield* takeOver(m);
  const floor = adjacentFloor(m);
  m.moveTo({ position: (floorPosition(m.spec, m.floor) + floorPosition(m.spec, floor)) / 2 });
  yield () => m.car.motion === null;
  m.markOnset('stop_outside_door_zone');
  yield at(m, p.duration_s ?? 90);
  yield* handBack(m);
}

function* unintendedCarMovement(m: ElevatorModel): Script {
  yield* takeOver(m);
  yield* openDoors(m);
  yield 3000;
  // An empty car is lighter than its counterweight: a slipping brake lets it rise.
  const start = m.car.position;
  m.car.motion = { kind: 'drift', velocity: 0.15 };
  m.markOnset('unintended_car_movement');
  yield () => m.car.position - start >= 0.5;
  m.car.motion = null;
  m.car.velocity = 0;
  m.car.safety = false; // the UCMP device has gripped
  yield 20_000;
  yield* closeDoors(m);
  yield* handBack(m);
}

function* motorRuntimeLimiter(m: ElevatorModel, p: FaultParams): Script {
  yield* takeOver(m);
  m.car.runCount++;
  // Motor energised, car barely moving (rope slipping on the sheave) until the limiter trips.
  m.car.motion = { kind: 'drift', velocity: 0.003 };
  m.markOnset('motor_runtime_limiter');
  yield at(m, p.duration_s ?? 60);
  m.car.motion = null;
  m.car.velocity = 0;
  m.car.mode = 'out_of_service';
  if (p.report) m.emitEvent('motor_runtime_limiter');
  yield 60_000;
  yield* handBack(m);
}

function* floorPositionLost(m: ElevatorModel): Script {
  yield* takeOver(m);
  const target = farFloor(m, 6);
  m.moveTo({ floor: target });
  yield 3000;
  // The encoder count is corrupted: the reading jumps, then the controller gives up on it.
  const here = m.floor;
  m.overrides.floor = here + 5 <= m.spec.floors ? here + 5 : here - 5 >= 1 ? here - 5 : 0;
  m.markOnset('floor_position_lost');
  yield 1500;
  m.overrides.floor = 0;
  yield* emergencyStop(m);
  yield 15_000;
  // A correction run to the bottom terminal re-learns the position.
  yield* travel(m, 1, SLOW_SPEED_MPS * 2, SLOW_ACCEL_MPS2);
  m.overrides.floor = undefined;
  yield* handBack(m);
}

function* rerunPrevention(m: ElevatorModel, p: FaultParams): Script {
  yield* takeOver(m);
  // A safety device trips at the stop. The sensor box reports a chain change at once; an
  // idle car is otherwise not sampled until something moves, and the chain is made again
  // 3 s later, so without this sample the trip behind the block never reaches the wire.
  m.car.safety = false;
  m.sampleNow();
  yield 3000;
  m.car.safety = true;
  m.car.mode = 'out_of_service';
  m.emitEvent('out_of_service', { reason: 'restart_blocked' });
  m.markOnset('rerun_prevention');
  if (p.report) m.emitEvent('rerun_prevention');
  yield at(m, p.duration_s ?? 300);
  m.emitEvent('normal_restored');
  yield* handBack(m);
}

function* overtravel(m: ElevatorModel, top: boolean): Script {
  yield* takeOver(m);
  const end = top ? m.spec.floors : 1;
  if (m.floor === end) yield* travel(m, top ? end - 2 : end + 2);
  const beyond = floorPosition(m.spec, end) + (top ? 0.35 : -0.35);
  m.moveTo({ position: beyond }, undefined, 0.9);
  yield () => (top ? m.car.position > beyond - 0.25 : m.car.position < beyond + 0.25);
  if (top) m.car.upLimit = true;
  else m.car.downLimit = true;
  m.car.safety = false; // the final limit switch opens the safety chain
  m.markOnset(top ? 'top_overtravel' : 'bottom_overtravel');
  yield () => m.car.motion === null;
  yield 30_000;
  yield* handBack(m);
}

function* longDoorOpen(m: ElevatorModel, p: FaultParams): Script {
  yield* takeOver(m);
  m.car.doorCommand = 'open';
  // 'held_occupied': a resident moving boxes holds the door-open button with the car occupied.
  // The doors were never commanded closed, so this is long_door_open and not a close fault.
  if (p.variant === 'held_occupied') m.overrides.occupied = true;
  m.markOnset('long_door_open');
  yield at(m, p.duration_s ?? 180);
  yield* handBack(m);
}

function* lockCircuitFault(m: ElevatorModel, p: FaultParams): Script {
  yield* takeOver(m);
  if (p.variant === 'open_running') {
    m.moveTo({ floor: farFloor(m, 3) });
    yield () => Math.abs(m.car.velocity) >= 0.6 * m.spec.ratedSpeedMps;
    m.overrides.doorLock = false;
    m.markOnset('lock_circuit_fault');
    yield* emergencyStop(m);
    yield 10_000;
  } else {
    // A bridged lock contact: the circuit reads closed with the doors open, at every stop.
    m.overrides.doorLock = true;
    for (let i = 0; i < 3; i++) {
      yield* openDoors(m);
      if (i === 0) m.markOnset('lock_circuit_fault');
      yield 8000;
      yield* closeDoors(m);
      yield* travel(m, adjacentFloor(m));
    }
  }
  yield* handBack(m);
}

function* powerLost(m: ElevatorModel, p: FaultParams): Script {
  yield* takeOver(m);
  m.car.power = 'battery';
  m.emitEvent('power_lost');
  m.markOnset('power_lost');
  yield at(m, p.duration_s ?? 300);
  m.car.power = 'mains';
  m.emitEvent('power_restored');
  yield* handBack(m);
}

function* deviceOffline(m: ElevatorModel, p: FaultParams): Script {
  m.markOnset('device_offline');
  m.silent = true;
  m.setLink(false);
  yield at(m, p.duration_s ?? 600);
  m.silent = false;
  m.setLink(true);
  m.sampleNow();
}

function* alarmButton(m: ElevatorModel): Script {
  m.emitEvent('alarm_button', { source: 'car' });
  m.markOnset('alarm_button');
  yield 0;
}

type FaultScript = (model: ElevatorModel, params: FaultParams) => Script;

export const FAULT_SCRIPTS: Record<FaultCode, FaultScript> = {
  passenger_trapped: passengerTrapped,
  door_open_while_moving: doorOpenWhileMoving,
  overspeed,
  safety_circuit_open_running: safetyCircuitOpenRunning,
  door_close_fault: doorCloseFault,
  door_open_fault: doorOpenFault,
  stop_outside_door_zone: stopOutsideDoorZone,
  unintended_car_movement: unintendedCarMovement,
  motor_runtime_limiter: motorRuntimeLimiter,
  floor_position_lost: floorPositionLost,
  rerun_prevention: rerunPrevention,
  top_overtravel: (m) => overtravel(m, true),
  bottom_overtravel: (m) => overtravel(m, false),
  long_door_open: longDoorOpen,
  lock_circuit_fault: lockCircuitFault,
  power_lost: powerLost,
  device_offline: deviceOffline,
  alarm_button: alarmButton,
};

/** When each fault should be raised after its onset (issue 3 defaults), and its honest co-findings. */
export const FAULT_TRUTH: Record<FaultCode, FaultTruth> = {
  passenger_trapped: { threshold_s: 60, also: ['stop_outside_door_zone', 'door_open_fault'] },
  door_open_while_moving: { threshold_s: 0, also: ['lock_circuit_fault', 'unintended_car_movement'] },
  overspeed: { threshold_s: 0 },
  safety_circuit_open_running: { threshold_s: 0 },
  // Never closed in place: seen once the doors stay not closed for doorCloseTimeoutS (60 s).
  door_close_fault: { threshold_s: 60, also: ['long_door_open'] },
  // Occupied at the landing: past 60 s the passenger is also trapped in the door zone.
  door_open_fault: { threshold_s: 10, also: ['passenger_trapped'] },
  stop_outside_door_zone: { threshold_s: 45 },
  // The UCMP device grips the moving car and its switch opens the safety chain (a run-time trip).
  unintended_car_movement: {
    threshold_s: 0,
    also: ['door_open_while_moving', 'lock_circuit_fault', 'safety_circuit_open_running'],
  },
  motor_runtime_limiter: { threshold_s: 20, window_s: 75, also: ['rerun_prevention'] },
  floor_position_lost: { threshold_s: 0, also: ['stop_outside_door_zone'] },
  // Restart blocked for rerunBlockedS (30 s) after the trip: a shorter block is a reset, not code 08.
  rerun_prevention: { threshold_s: 30 },
  top_overtravel: { threshold_s: 0, also: ['safety_circuit_open_running'] },
  bottom_overtravel: { threshold_s: 0, also: ['safety_circuit_open_running'] },
  long_door_open: { threshold_s: 120 },
  lock_circuit_fault: { threshold_s: 0, also: ['safety_circuit_open_running'] },
  power_lost: { threshold_s: 0 },
  device_offline: { threshold_s: 0 },
  alarm_button: { threshold_s: 0 },
};

/** Trapped outside the door zone is critical sooner (30 s, issue 3). */
export function trappedThreshold(params: FaultParams): number {
  return (params.inside_door_zone ?? true) ? 60 : 30;
}
