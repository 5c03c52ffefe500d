/**
 * The car's physical state and the two mechanisms that change it: a motion profile
 * (accelerate, cruise, decelerate onto a target; or drift, for a slipping brake) and a
 * door operator. No traffic logic and no protocol here.
 */
import type { ServiceMode } from '../protocol/index.ts';

export interface ElevatorSpec {
  id: string;
  floors: number;
  floorHeightM: number;
  ratedSpeedMps: number;
  ratedLoadKg: number;
}

export const ACCEL_MPS2 = 0.8;
export const DOOR_OPEN_MS = 2500;
export const DOOR_CLOSE_MS = 3000;
/** Half-width of the unlocking zone around each landing (GB/T 24476 门区). */
export const DOOR_ZONE_M = 0.2;

export type Motion =
  | { kind: 'target'; position: number; maxSpeed: number; accel: number }
  | { kind: 'drift'; velocity: number };

export interface CarState {
  mode: ServiceMode;
  position: number;
  /** Signed: positive is up. */
  velocity: number;
  /** 0 closed in place .. 1 fully open. */
  door: number;
  doorCommand: 'open' | 'close' | 'hold';
  safety: boolean;
  power: 'mains' | 'battery' | 'off';
  upLimit: boolean;
  downLimit: boolean;
  runCount: number;
  motion: Motion | null;
  /** The door operator's closing time now, ms (a worn operator closes slower); default DOOR_CLOSE_MS. */
  doorCloseMs?: number;
}

export function newCar(runCount: number): CarState {
  return {
    mode: 'normal',
    position: 0,
    velocity: 0,
    door: 0,
    doorCommand: 'close',
    safety: true,
    power: 'mains',
    upLimit: false,
    downLimit: false,
    runCount,
    motion: null,
  };
}

export function floorPosition(spec: ElevatorSpec, floor: number): number {
  return (floor - 1) * spec.floorHeightM;
}

export function nearestFloor(spec: ElevatorSpec, position: number): number {
  const floor = Math.round(position / spec.floorHeightM) + 1;
  return Math.min(spec.floors, Math.max(1, floor));
}

export function inDoorZone(spec: ElevatorSpec, position: number): boolean {
  return Math.abs(position - floorPosition(spec, nearestFloor(spec, position))) <= DOOR_ZONE_M;
}

/** Advances the motion profile by dt; returns true when a target was reached this step. */
export function stepMotion(car: CarState, dtMs: number): boolean {
  const motion = car.motion;
  if (!motion) return false;
  const dt = dtMs / 1000;
  if (motion.kind === 'drift') {
    car.velocity = motion.velocity;
    car.position += motion.velocity * dt;
    return false;
  }
  const remaining = motion.position - car.position;
  const distance = Math.abs(remaining);
  const speed = Math.abs(car.velocity);
  if (distance <= Math.max(0.001, speed * dt) && speed <= motion.accel * dt * 2 + 0.05) {
    car.position = motion.position;
    car.velocity = 0;
    car.motion = null;
    return true;
  }
  // Brake onto the target: never faster than what can still stop in the distance left.
  const stoppable = Math.sqrt(2 * motion.accel * distance);
  const next = Math.min(motion.maxSpeed, speed + motion.accel * dt, stoppable);
  const moved = Math.min(distance, ((speed + next) / 2) * dt);
  car.position += Math.sign(remaining) * moved;
  car.velocity = Math.sign(remaining) * Math.max(next, 0.02);
  return false;
}

/** Moves the door toward its command; returns true when it just reached closed or open. */
export function stepDoor(car: CarState, dtMs: number): boolean {
  if (car.doorCommand === 'open' && car.door < 1) {
    car.door = Math.min(1, car.door + dtMs / DOOR_OPEN_MS);
    return car.door === 1;
  }
  if (car.doorCommand === 'close' && car.door > 0) {
    car.door = Math.max(0, car.door - dtMs / (car.doorCloseMs ?? DOOR_CLOSE_MS));
    return car.door === 0;
  }
  return false;
}
