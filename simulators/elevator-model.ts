/**
 * One simulated car and its monitoring device: passenger service on top of the car
 * physics, plus scripts (faults, maintenance visits) that take the car over. Pure and
 * deterministic: `step(dtMs)` advances device time and returns the protocol messages
 * the device would publish, each with v, ts and a per-device seq (+1 on every message).
 */
import type { DeviceEvent, MaintenanceMessage, Telemetry } from '../protocol/index.ts';
import {
  ACCEL_MPS2,
  type CarState,
  DOOR_CLOSE_MS,
  type ElevatorSpec,
  floorPosition,
  inDoorZone,
  nearestFloor,
  newCar,
  stepDoor,
  stepMotion,
} from './car.ts';
import { drawPassenger, meanArrivalGapMs, type Passenger } from './passengers.ts';
import { mulberry32, type Rng } from './rng.ts';
import { DOOR_FAULT_MS, NEUTRAL_WEAR, NOMINAL_BRAKE_MM, RELEVEL_MM, type Wear } from './wear.ts';

const NO_OUTPUT: readonly SimOutput[] = Object.freeze([]);

export type SimMessage =
  | { channel: 'telemetry'; payload: Telemetry }
  | { channel: 'event'; payload: DeviceEvent }
  | { channel: 'maintenance'; payload: MaintenanceMessage };
/** `link` tells the device layer to drop or restore its connection (device offline). */
export type SimOutput = SimMessage | { channel: 'link'; up: boolean; ts: number };

export interface NoiseOptions {
  /** Chance per door close of an obstruction reopen, and of a contact bounce at close. */
  doorBounce: number;
  /** Levelling error at each stop, uniform ± this many mm. */
  levellingJitterMm: number;
  /** Chance per stationary sample that the door-zone sensor drops out for one sample. */
  doorZoneDropout: number;
}

export const NO_NOISE: NoiseOptions = { doorBounce: 0, levellingJitterMm: 0, doorZoneDropout: 0 };
export const REALISTIC_NOISE: NoiseOptions = {
  doorBounce: 0.05,
  levellingJitterMm: 8,
  doorZoneDropout: 0.02,
};

export interface ElevatorModelOptions {
  spec: ElevatorSpec;
  seed: number;
  startMs: number;
  /** Passenger demand multiplier; 0 = heartbeats only. */
  traffic?: number;
  noise?: Partial<NoiseOptions>;
  runCount?: number;
  startFloor?: number;
}

/** A script yields how long to wait (ms) or a condition to wait for. */
export type ScriptWait = number | (() => boolean);
export type Script = Generator<ScriptWait, void, void>;

/** What scripts may force onto the reported state, whatever the physics says. */
export interface Overrides {
  occupied?: boolean;
  doorLock?: boolean;
  floor?: number;
  doorZone?: boolean;
  speed?: number;
  moving?: boolean;
}

const SUBSTEP_MS = 100;
const ACTIVE_INTERVAL_MS = 1000;
const HEARTBEAT_MS = 30_000;
const KG_PER_PERSON = 70;

type ServicePhase = 'idle' | 'running' | 'opening' | 'dwell' | 'closing';

export class ElevatorModel {
  readonly spec: ElevatorSpec;
  readonly car: CarState;
  overrides: Overrides = {};
  /** Passenger service: off while a script holds the car or the lift is out of use. */
  serviceEnabled = true;
  /** New passengers turn up only while this is on (scripts clear the car first). */
  arrivalsEnabled = true;
  /** Device silent (offline): no messages, seq does not advance. */
  silent = false;
  /** When each injected condition actually began (device time): the ground truth's onsets. */
  readonly onsets: { code: string; ts: number }[] = [];
  private readonly rng: Rng;
  private readonly noise: NoiseOptions;
  /** Passenger demand multiplier; a scenario may change it day by day (weekends, holidays). */
  traffic: number;
  /** Component wear (simulators/wear.ts); neutral unless a degradation scenario drifts it. */
  wear: Wear = { ...NEUTRAL_WEAR };
  /** The controller measures and reports door_close_ms, stop_error_mm and stop_distance_mm. */
  measure = false;
  /** Extra door dwell per stop (a moving-in week: furniture in the doorway). */
  dwellExtraMs = 0;
  /** Wear and measurement noise: its own stream, so the traffic of a twin is the same draw for draw. */
  private readonly wearRng: Rng;
  private pendingMeasure: { door_close_ms?: number; stop_error_mm?: number; stop_distance_mm?: number } = {};
  private closeStartedAt = -1;
  private relevelling = false;
  private nowMs: number;
  private seq = 0;
  private out: SimOutput[] = [];
  private riders: Passenger[] = [];
  private waiting: Passenger[] = [];
  private phase: ServicePhase = 'idle';
  private dwellUntil = 0;
  private direction: 1 | -1 = 1;
  private nextArrivalAt: number;
  private lastSampleAt = Number.NEGATIVE_INFINITY;
  /** The last telemetry sample sent by exception (its change items are compared). */
  private lastSent: Telemetry | null = null;
  private dropoutPending = false;
  private script: { gen: Script; wait: ScriptWait; since: number } | null = null;
  private readonly scriptQueue: Script[] = [];

  constructor(options: ElevatorModelOptions) {
    this.spec = options.spec;
    this.rng = mulberry32(options.seed);
    this.noise = { ...NO_NOISE, ...options.noise };
    this.traffic = options.traffic ?? 1;
    this.wearRng = mulberry32(options.seed ^ 0x5eed_cafe);
    this.nowMs = options.startMs;
    this.car = newCar(options.runCount ?? this.rng.int(10_000, 400_000));
    this.car.position = floorPosition(this.spec, options.startFloor ?? 1);
    this.nextArrivalAt = this.scheduleArrival(options.startMs);
  }

  get now(): number {
    return this.nowMs;
  }

  get random(): Rng {
    return this.rng;
  }

  get lastSeq(): number {
    return this.seq;
  }

  /** True while passengers are waiting or riding, or the car or its door moves. */
  get busy(): boolean {
    return (
      this.phase !== 'idle' ||
      this.riders.length > 0 ||
      this.waiting.length > 0 ||
      this.car.motion !== null ||
      this.car.door > 0
    );
  }

  markOnset(code: string): void {
    this.onsets.push({ code, ts: this.nowMs });
  }

  get floor(): number {
    return nearestFloor(this.spec, this.car.position);
  }

  /** Advances device time by dtMs and returns what the device published meanwhile. */
  step(dtMs: number): readonly SimOutput[] {
    const end = this.nowMs + dtMs;
    while (this.nowMs < end) {
      const rest = this.restingUntil(end);
      if (rest !== null && rest > this.nowMs) {
        this.nowMs = rest;
        this.tick(0);
        continue;
      }
      // Land on the sampling deadline exactly, so an active car is sampled at least every second.
      const dueIn = this.lastSampleAt + (this.active ? ACTIVE_INTERVAL_MS : HEARTBEAT_MS) - this.nowMs;
      const dt = Math.min(SUBSTEP_MS, end - this.nowMs, dueIn > 0 ? dueIn : SUBSTEP_MS);
      this.nowMs += dt;
      this.tick(dt);
    }
    // Most steps of most cars emit nothing: hand back one shared empty list, not a new one.
    if (this.out.length === 0) return NO_OUTPUT;
    const out = this.out;
    this.out = [];
    return out;
  }

  /** Runs a script after any script already running (one owner of the car at a time). */
  runScript(script: Script): void {
    if (this.script) this.scriptQueue.push(script);
    else this.startScript(script);
  }

  /** Drops queued and waiting passengers; riders are let out at the next stop. */
  clearDemand(): void {
    this.waiting = [];
    this.arrivalsEnabled = false;
  }

  moveTo(
    floorOrPosition: { floor: number } | { position: number },
    maxSpeed?: number,
    accel = ACCEL_MPS2,
  ): void {
    const position =
      'floor' in floorOrPosition ? floorPosition(this.spec, floorOrPosition.floor) : floorOrPosition.position;
    this.car.runCount++;
    this.car.motion = { kind: 'target', position, maxSpeed: maxSpeed ?? this.spec.ratedSpeedMps, accel };
  }

  emitEvent(code: string, detail?: Record<string, unknown>): void {
    this.emit({
      channel: 'event',
      payload: { v: 1, ts: this.nowMs, seq: 0, code, ...(detail ? { detail } : {}) },
    });
  }

  emitMaintenance(message: Omit<MaintenanceMessage, 'v' | 'ts' | 'seq'>): void {
    this.emit({ channel: 'maintenance', payload: { v: 1, ts: this.nowMs, seq: 0, ...message } });
  }

  setLink(up: boolean): void {
    this.out.push({ channel: 'link', up, ts: this.nowMs });
  }

  /** Publishes a telemetry sample now, whatever the cadence. */
  sampleNow(): void {
    this.emitTelemetry();
  }

  /**
   * True when this car already sampled at the current millisecond. A load generator topping
   * up traffic skips such a car: two points of one car with one timestamp are one point to
   * InfluxDB (the later overwrites the earlier), and no real device reports twice in a ms.
   */
  get sampledThisMs(): boolean {
    return this.lastSampleAt === this.nowMs;
  }

  /** The current reported state, as the next telemetry message would carry it. */
  // What the device reports for the items a scenario can override (a stuck sensor, a forced
  // value): read by the sample and by the by-exception check, so both see the same value.
  private get reportedMoving(): boolean {
    return this.overrides.moving ?? this.car.velocity !== 0;
  }

  private get reportedFloor(): number {
    return this.overrides.floor ?? this.floor;
  }

  private get reportedOccupied(): boolean {
    return this.overrides.occupied ?? this.riders.length > 0;
  }

  private get reportedDoorLock(): boolean {
    return this.overrides.doorLock ?? this.car.door === 0;
  }

  telemetry(): Telemetry {
    const car = this.car;
    const o = this.overrides;
    const physicalZone = inDoorZone(this.spec, car.position);
    const speed = o.speed ?? Math.abs(car.velocity);
    const moving = this.reportedMoving;
    const doorClosed = car.door === 0;
    const sample: Telemetry = {
      v: 1,
      ts: this.nowMs,
      seq: this.seq + 1,
      mode: car.mode,
      moving,
      direction: !moving ? 'none' : car.velocity >= 0 ? 'up' : 'down',
      floor: this.reportedFloor,
      position_m: Math.round(car.position * 1000) / 1000,
      speed_mps: Math.round(speed * 1000) / 1000,
      door_zone: o.doorZone ?? physicalZone,
      door_closed: doorClosed,
      door_closing: car.doorCommand === 'close' && !doorClosed,
      occupied: this.reportedOccupied,
      safety_circuit: car.safety,
      door_lock: this.reportedDoorLock,
      up_limit: car.upLimit,
      down_limit: car.downLimit,
      power: car.power,
      run_count: car.runCount,
    };
    sample.load_kg = sample.occupied ? Math.max(1, this.riders.length) * KG_PER_PERSON : 0;
    if (this.measure) this.attachMeasurements(sample);
    return sample;
  }

  private tick(dtMs: number): void {
    this.advanceScript();
    if (dtMs > 0) {
      const arrived = stepMotion(this.car, dtMs);
      if (arrived) this.onArrival();
      stepDoor(this.car, dtMs);
    }
    if (this.serviceEnabled) this.serviceStep();
    else if (this.nowMs >= this.nextArrivalAt) this.nextArrivalAt = this.scheduleArrival(this.nowMs);
    this.maybeSample();
  }

  private advanceScript(): void {
    while (this.script) {
      const { wait, since } = this.script;
      const ready = typeof wait === 'number' ? this.nowMs >= since + wait : wait();
      if (!ready) return;
      const next = this.script.gen.next();
      if (next.done) {
        const queued = this.scriptQueue.shift();
        this.script = null;
        if (queued) this.startScript(queued);
      } else {
        this.script.wait = typeof next.value === 'number' ? Math.round(next.value) : next.value;
        this.script.since = this.nowMs;
      }
    }
  }

  private startScript(gen: Script): void {
    this.script = { gen, wait: 0, since: this.nowMs };
    this.advanceScript();
  }

  /** The next instant something can change when nothing moves, or null if active. */
  private restingUntil(end: number): number | null {
    const car = this.car;
    if (car.motion || car.door > 0 || car.doorCommand === 'open' || this.dropoutPending) return null;
    if (this.serviceEnabled && (this.phase !== 'idle' || this.waiting.length > 0 || this.riders.length > 0))
      return null;
    let until = Math.min(end, this.lastSampleAt + HEARTBEAT_MS, this.nextArrivalAt);
    if (this.script) {
      if (typeof this.script.wait !== 'number') return null;
      until = Math.min(until, this.script.since + this.script.wait);
    }
    return Math.max(this.nowMs, until);
  }

  private scheduleArrival(from: number): number {
    const mean = meanArrivalGapMs(from, this.traffic);
    if (!Number.isFinite(mean)) return from + 3600_000;
    return from + Math.max(1000, Math.round(this.rng.exponential(mean)));
  }

  private serviceStep(): void {
    const car = this.car;
    if (this.nowMs >= this.nextArrivalAt) {
      if (this.arrivalsEnabled) this.waiting.push(drawPassenger(this.rng, this.nowMs, this.spec.floors));
      this.nextArrivalAt = this.scheduleArrival(this.nowMs);
    }
    switch (this.phase) {
      case 'running':
        return;
      case 'opening':
        if (car.door === 1) this.exchangePassengers();
        return;
      case 'dwell':
        if (this.nowMs >= this.dwellUntil) {
          car.doorCommand = 'close';
          this.phase = 'closing';
          if (this.wornOrMeasured) this.startClose();
        }
        return;
      case 'closing':
        if (car.door > 0 && car.door < 0.5 && this.rng.chance(this.noise.doorBounce / 10)) {
          // An obstruction (a bag, a hand) reopens the door: normal, not a door fault.
          car.doorCommand = 'open';
          this.phase = 'opening';
        } else if (car.door === 0) {
          this.phase = 'idle';
          if (this.wornOrMeasured) this.endClose();
          if (this.rng.chance(this.noise.doorBounce)) this.contactBounce();
        }
        return;
      case 'idle':
        this.dispatch();
    }
  }

  private dispatch(): void {
    const here = this.floor;
    if (this.waiting.some((p) => p.origin === here) && this.riders.length === 0) {
      this.car.doorCommand = 'open';
      this.phase = 'opening';
      return;
    }
    const stops = [...this.riders.map((p) => p.destination), ...this.waiting.map((p) => p.origin)];
    if (stops.length === 0) return;
    const ahead = stops.filter((f) => (f - here) * this.direction > 0);
    const pool = ahead.length > 0 ? ahead : stops.filter((f) => f !== here);
    if (pool.length === 0) {
      this.car.doorCommand = 'open';
      this.phase = 'opening';
      return;
    }
    const target = pool.reduce((a, b) => (Math.abs(a - here) <= Math.abs(b - here) ? a : b));
    this.direction = target > here ? 1 : -1;
    this.moveTo({ floor: target });
    this.phase = 'running';
  }

  private onArrival(): void {
    if (this.relevelling) {
      this.relevelling = false;
    } else {
      const jitter = this.noise.levellingJitterMm;
      let errorMm = jitter > 0 ? this.rng.between(-jitter, jitter) : 0;
      if (this.phase === 'running' && this.wornOrMeasured) errorMm += this.stopWearMm();
      if (errorMm !== 0) this.car.position += errorMm / 1000;
      if (this.phase === 'running' && this.wornOrMeasured && this.levelAfterStop(errorMm)) return;
    }
    if (this.phase === 'running') {
      this.car.doorCommand = 'open';
      this.phase = 'opening';
    }
  }

  private exchangePassengers(): void {
    const here = this.floor;
    const leaving = this.riders.filter((p) => p.destination === here).length;
    this.riders = this.riders.filter((p) => p.destination !== here);
    const capacity = Math.floor(this.spec.ratedLoadKg / 75);
    const boarding = this.waiting.filter((p) => p.origin === here).slice(0, capacity - this.riders.length);
    this.waiting = this.waiting.filter((p) => !boarding.includes(p));
    this.riders.push(...boarding);
    this.dwellUntil = this.nowMs + 3000 + 800 * (leaving + boarding.length) + this.dwellExtraMs;
    this.phase = 'dwell';
  }

  private get wornOrMeasured(): boolean {
    const w = this.wear;
    return (
      this.measure ||
      w.doorCloseFactor !== 1 ||
      w.levellingOffsetMm !== 0 ||
      w.brakeSlideMm !== NOMINAL_BRAKE_MM
    );
  }

  /** A close begins: the operator's speed for this close (its wear, ±4 % from close to close). */
  private startClose(): void {
    this.closeStartedAt = this.nowMs;
    const factor = this.wear.doorCloseFactor * (1 + this.wearRng.between(-0.04, 0.04));
    this.car.doorCloseMs = DOOR_CLOSE_MS * factor;
  }

  /** Closed in place: the controller measured the close; past its limit it reports a door fault. */
  private endClose(): void {
    if (this.closeStartedAt < 0) return;
    const took = this.nowMs - this.closeStartedAt;
    this.closeStartedAt = -1;
    if (this.measure) this.pendingMeasure.door_close_ms = Math.round(took);
    if (took > DOOR_FAULT_MS) {
      if (!this.onsets.some((o) => o.code === 'door_close_fault')) this.markOnset('door_close_fault');
      this.emitEvent('door_close_fault', { close_ms: Math.round(took), cleared_by_itself: true });
    }
  }

  /** Where a worn car lands, mm off the landing (+ above): levelling drift, and a brake that slides on. */
  private stopWearMm(): number {
    const slide = this.wear.brakeSlideMm - NOMINAL_BRAKE_MM;
    return this.wear.levellingOffsetMm + slide * this.direction;
  }

  /**
   * After a service stop: the controller reports its accuracy and braking distance, and
   * re-levels a stop more than RELEVEL_MM off while the car is in the door zone. Outside the
   * zone it is a fault (GB/T 24476 code 04) and the car creeps back. True: a re-level runs.
   */
  private levelAfterStop(errorMm: number): boolean {
    if (this.measure) {
      this.pendingMeasure.stop_error_mm = Math.round(errorMm);
      this.pendingMeasure.stop_distance_mm = Math.round(
        this.wear.brakeSlideMm * (1 + this.wearRng.between(-0.05, 0.05)),
      );
    }
    if (Math.abs(errorMm) <= RELEVEL_MM) return false;
    if (
      !inDoorZone(this.spec, this.car.position) &&
      !this.onsets.some((o) => o.code === 'stop_outside_door_zone')
    )
      this.markOnset('stop_outside_door_zone');
    this.relevelling = true;
    this.car.motion = {
      kind: 'target',
      position: floorPosition(this.spec, this.floor),
      maxSpeed: 0.3,
      accel: 0.3,
    };
    return true;
  }

  /** Measurements ride on the sample that shows what they measured: the close in place, the stop. */
  private attachMeasurements(sample: Telemetry): void {
    const m = this.pendingMeasure;
    if (m.door_close_ms !== undefined && sample.door_closed) {
      sample.door_close_ms = m.door_close_ms;
      m.door_close_ms = undefined;
    }
    if (m.stop_error_mm !== undefined && !sample.moving) {
      sample.stop_error_mm = m.stop_error_mm;
      sample.stop_distance_mm = m.stop_distance_mm;
      m.stop_error_mm = undefined;
      m.stop_distance_mm = undefined;
    }
  }

  /** The door contact chatters as the door lands: closed, open for a moment, closed. */
  private contactBounce(): void {
    this.car.door = 0.01;
    this.maybeSample();
    this.car.door = 0;
  }

  private get active(): boolean {
    return this.car.velocity !== 0 || this.car.door > 0 || this.overrides.moving === true;
  }

  /**
   * Telemetry by exception: a sample is due when one of these items changed since the last
   * one sent, or the cadence says so. Checked on every substep of every car (100,000 times a
   * second for a 10,000-car fleet), so it reads the items without building a sample.
   */
  private maybeSample(): void {
    if (this.silent) return;
    const car = this.car;
    const last = this.lastSent;
    const changed =
      last === null ||
      last.moving !== this.reportedMoving ||
      last.door_closed !== (car.door === 0) ||
      last.door_closing !== (car.doorCommand === 'close' && car.door !== 0) ||
      last.floor !== this.reportedFloor ||
      last.mode !== car.mode ||
      last.safety_circuit !== car.safety ||
      last.door_lock !== this.reportedDoorLock ||
      last.power !== car.power ||
      last.up_limit !== car.upLimit ||
      last.down_limit !== car.downLimit ||
      last.occupied !== this.reportedOccupied;
    const due = this.nowMs - this.lastSampleAt >= (this.active ? ACTIVE_INTERVAL_MS : HEARTBEAT_MS);
    if (!changed && !due && !(this.dropoutPending && this.nowMs - this.lastSampleAt >= 1000)) return;
    const sample = this.telemetry();
    this.lastSent = sample;
    this.dropoutPending = false;
    if (!sample.moving && sample.door_zone && this.rng.chance(this.noise.doorZoneDropout)) {
      // A dirty or misaligned door-zone vane: one bad reading, corrected a second later.
      sample.door_zone = false;
      this.dropoutPending = true;
    }
    this.emitTelemetry(sample);
  }

  private emitTelemetry(sample: Telemetry = this.telemetry()): void {
    this.lastSampleAt = this.nowMs;
    this.emit({ channel: 'telemetry', payload: sample });
  }

  private emit(message: SimMessage): void {
    if (this.silent) return;
    this.seq++;
    message.payload.seq = this.seq;
    message.payload.ts = this.nowMs;
    this.out.push(message);
  }
}
