/**
 * Building blocks for scripts that take a car over (faults, maintenance visits): clear
 * the car of passengers first, then hand it back to passenger service in a sane state.
 */
import { floorPosition, inDoorZone } from './car.ts';
import type { ElevatorModel, Script } from './elevator-model.ts';

/** Inspection and relevelling speed (GB 7588: inspection speed ≤ 0.63 m/s). */
export const SLOW_SPEED_MPS = 0.3;
export const SLOW_ACCEL_MPS2 = 0.3;

/** Stops new arrivals, lets riders finish their trips, then takes the car out of service. */
export function* takeOver(model: ElevatorModel): Script {
  model.clearDemand();
  yield () => !model.busy;
  model.serviceEnabled = false;
}

export function* openDoors(model: ElevatorModel): Script {
  model.car.doorCommand = 'open';
  yield () => model.car.door === 1;
}

export function* closeDoors(model: ElevatorModel): Script {
  model.car.doorCommand = 'close';
  yield () => model.car.door === 0;
}

export function* travel(model: ElevatorModel, floor: number, speed?: number, accel?: number): Script {
  model.moveTo({ floor }, speed, accel);
  yield () => model.car.motion === null;
}

/** Emergency stop from the current speed at the given deceleration. */
export function* emergencyStop(model: ElevatorModel, decel = 1.2): Script {
  const car = model.car;
  const v = car.velocity;
  car.motion = {
    kind: 'target',
    position: car.position + (Math.sign(v) * v * v) / (2 * decel),
    maxSpeed: Math.abs(v),
    accel: decel,
  };
  yield () => car.motion === null;
}

/** Back to the nearest landing at slow speed, if the car is outside the door zone. */
export function* relevel(model: ElevatorModel): Script {
  if (inDoorZone(model.spec, model.car.position)) return;
  const floor = model.floor;
  model.car.motion = {
    kind: 'target',
    position: floorPosition(model.spec, floor),
    maxSpeed: SLOW_SPEED_MPS,
    accel: SLOW_ACCEL_MPS2,
  };
  yield () => model.car.motion === null;
}

/** Restores a healthy car at a landing and hands it back to passenger service. */
export function* handBack(model: ElevatorModel): Script {
  const car = model.car;
  model.overrides = {};
  car.safety = true;
  car.power = 'mains';
  yield* relevel(model);
  car.upLimit = false;
  car.downLimit = false;
  yield* closeDoors(model);
  car.mode = 'normal';
  model.serviceEnabled = true;
  model.arrivalsEnabled = true;
}

/** A floor at least `min` floors away, preferring the longer direction. */
export function farFloor(model: ElevatorModel, min = 3): number {
  const here = model.floor;
  const top = model.spec.floors;
  const target = here - 1 >= top - here ? 1 : top;
  return Math.abs(target - here) >= Math.min(min, top - 1) ? target : here > 1 ? 1 : top;
}

export function adjacentFloor(model: ElevatorModel): number {
  return model.floor < model.spec.floors ? model.floor + 1 : model.floor - 1;
}
