/**
 * Health signals (issue 16, item 1): a per-lift accumulator over the telemetry and events
 * the ingest already sees, constant work per message, fixed-size numeric state. The state
 * of one lift is a run of numbers in two fleet-wide typed arrays (SignalSlabs; table.ts
 * holds them): no objects, no strings, no growth. `accumulate` updates it in place and says
 * whether a device day (Asia/Shanghai) has ended; `dailyValues` reads the day's figures.
 * Pure apart from writing its own slots: no clock, no I/O.
 */
import type { DeviceMessage, Telemetry } from '../../protocol/index.ts';

/** Device days are local days: China Standard Time, UTC+8, no daylight saving. */
export const DAY_MS = 86_400_000;
const LOCAL_OFFSET_MS = 8 * 3_600_000;

export function deviceDay(ts: number): number {
  return Math.floor((ts + LOCAL_OFFSET_MS) / DAY_MS);
}

/** The local midnight that starts device day `day`, epoch ms. */
export function dayStartMs(day: number): number {
  return day * DAY_MS - LOCAL_OFFSET_MS;
}

/** `YYYY-MM-DD` of a device day, local date. */
export function dayDate(day: number): string {
  return new Date(day * DAY_MS).toISOString().slice(0, 10);
}

/** What a lift's accumulator needs to know about the car. */
export interface LiftSpec {
  ratedSpeedMps: number;
  floorHeightM: number;
}

// Slots of one lift's state, in two fleet-wide slabs: Float64 for times (epoch ms), sums and
// the run counter, Int32 for counts, floors, flags and the device day, which halves what
// a whole number costs. In each, the day's accumulators come first (reset at each device
// day), then the trackers that carry across messages.
export const F = {
  runMs: 0,
  dwellMs: 1,
  closeMsSum: 2,
  stopErrSum: 3,
  stopDistSum: 4,
  maxSpeed: 5,
  runCountFirst: 6,
  runCountLast: 7,
  vibSum: 8,
  lastTs: 9,
  runStartTs: 10,
  doorOpenedAt: 11,
  lastCloseTs: 12,
} as const;
const F_ACC_SLOTS = 9;
export const FLOAT_SLOTS = 13;

export const N = {
  trips: 0,
  doorCycles: 1,
  reopens: 2,
  closes: 3,
  closeMsN: 4,
  relevels: 5,
  stops: 6,
  outsideZone: 7,
  stopErrN: 8,
  stopDistN: 9,
  minorFaults: 10,
  vibN: 11,
  day: 12,
  /** 1 moving, 0 stopped, -1 unknown. */
  moving: 13,
  /** 1 closed, 0 not closed, -1 unknown. */
  doorClosed: 14,
  runStartFloor: 15,
  lastCloseFloor: 16,
  /** A floor-changing run since the doors last closed. */
  ranSinceClose: 17,
  /** A stop read outside the door zone, waiting for the next sample to confirm it. */
  pendingOutside: 18,
} as const;
const N_ACC_SLOTS = 12;
export const INT_SLOTS = 19;

/** Bytes of one lift's signal state. */
export const STATE_BYTES = FLOAT_SLOTS * 8 + INT_SLOTS * 4;

/** The fleet's signal state: lift i owns f[i * FLOAT_SLOTS …] and n[i * INT_SLOTS …]. */
export interface SignalSlabs {
  f: Float64Array;
  n: Int32Array;
}

export function signalSlabs(capacity: number): SignalSlabs {
  return { f: new Float64Array(capacity * FLOAT_SLOTS), n: new Int32Array(capacity * INT_SLOTS) };
}

/** A copy of `slabs` with room for `capacity` lifts, the existing lifts' state kept. */
export function grownSlabs(slabs: SignalSlabs, capacity: number): SignalSlabs {
  const grown = signalSlabs(capacity);
  grown.f.set(slabs.f);
  grown.n.set(slabs.n);
  return grown;
}

/** A reopen: the doors open again at the same landing this soon after closing, the car not having left. */
export const REOPEN_WINDOW_MS = 10_000;

/** Physical ranges: a value outside is dead-lettered with its reason, the baseline untouched. */
export const PHYSICAL = {
  doorCloseMsMax: 60_000,
  stopErrorMmMax: 5_000,
  stopDistanceMmMax: 5_000,
  speedRatedMultiple: 3,
  vibrationMgMax: 10_000,
} as const;

export interface OutOfRange {
  field: string;
  value: number;
  reason: string;
}

const MINOR_FAULT_CODES = new Set(['door_close_fault', 'door_open_fault', 'alarm_button', '02', '03', '90']);

export function resetState(slabs: SignalSlabs, i: number): void {
  const { f, n } = slabs;
  const fo = i * FLOAT_SLOTS;
  const no = i * INT_SLOTS;
  f.fill(0, fo, fo + FLOAT_SLOTS);
  n.fill(0, no, no + INT_SLOTS);
  n[no + N.day] = -1;
  f[fo + F.lastTs] = -1;
  n[no + N.moving] = -1;
  n[no + N.doorClosed] = -1;
  n[no + N.runStartFloor] = -1;
  f[fo + F.lastCloseTs] = -1;
  n[no + N.lastCloseFloor] = -1;
  resetDay(f, fo, n, no);
}

function resetDay(f: Float64Array, fo: number, n: Int32Array, no: number): void {
  f.fill(0, fo, fo + F_ACC_SLOTS);
  n.fill(0, no, no + N_ACC_SLOTS);
  f[fo + F.runCountFirst] = -1;
  f[fo + F.runCountLast] = -1;
}

/** Lift i's device day being accumulated, or -1 before its first counted message. */
export function currentDay(slabs: SignalSlabs, i: number): number {
  return slabs.n[i * INT_SLOTS + N.day]!;
}

/** From now on lift i's messages before `ts` are not counted (a restored history ends there). */
export function ignoreBefore(slabs: SignalSlabs, i: number, ts: number): void {
  const k = i * FLOAT_SLOTS + F.lastTs;
  slabs.f[k] = Math.max(slabs.f[k]!, ts);
}

/**
 * Feeds one message. Returns the device day that just ended (its accumulators are still in
 * place: read them with dailyValues, then call startDay), or -1. Out-of-range condition
 * values are pushed to `rejected` and not counted. Late messages (device time behind the
 * newest seen) are not counted: the signals need order, and a late sample is a rare one.
 */
export function accumulate(
  slabs: SignalSlabs,
  i: number,
  message: DeviceMessage,
  spec: LiftSpec,
  rejected: OutOfRange[] | null,
): number {
  if (message.channel === 'status') return -1;
  const { f, n } = slabs;
  const fo = i * FLOAT_SLOTS;
  const no = i * INT_SLOTS;
  const ts = message.payload.ts;
  if (ts < f[fo + F.lastTs]!) return -1;
  f[fo + F.lastTs] = ts;
  const day = deviceDay(ts);
  let ended = -1;
  const current = n[no + N.day]!;
  if (current !== day) {
    if (current >= 0) ended = current;
    else n[no + N.day] = day;
  }
  // The ended day's figures must be read before this message counts: the caller reads them,
  // calls startDay, and feeds the message again (see table.ts). One branch, once a day.
  if (ended >= 0) return ended;
  if (message.channel === 'event') {
    const p = message.payload;
    if (MINOR_FAULT_CODES.has(p.code) && p.detail?.cleared !== true) n[no + N.minorFaults]! += 1;
    return -1;
  }
  if (message.channel === 'telemetry') telemetry(f, fo, n, no, message.payload, spec, rejected);
  return -1;
}

/** Opens the accumulators of `day` (after the previous day was read). */
export function startDay(slabs: SignalSlabs, i: number, day: number): void {
  const no = i * INT_SLOTS;
  resetDay(slabs.f, i * FLOAT_SLOTS, slabs.n, no);
  const n = slabs.n;
  n[no + N.day] = day;
}

function telemetry(
  f: Float64Array,
  fo: number,
  n: Int32Array,
  no: number,
  p: Telemetry,
  spec: LiftSpec,
  rejected: OutOfRange[] | null,
) {
  const normal = p.mode === 'normal';
  const wasMoving = n[no + N.moving]!;
  // A stop outside the door zone counts once the car moves again to re-level, or two more
  // samples read it outside: a door-zone vane dropping out for a sample or two is not a stop.
  const pending = n[no + N.pendingOutside]!;
  if (pending > 0) {
    if (p.moving || (!p.door_zone && pending >= 2)) {
      n[no + N.outsideZone]! += 1;
      n[no + N.pendingOutside] = 0;
    } else n[no + N.pendingOutside] = p.door_zone ? 0 : pending + 1;
  }
  const moving = p.moving ? 1 : 0;

  // Top speed against rated; a reading beyond 3× rated is a sensor fault, not a fast car.
  if (p.speed_mps > PHYSICAL.speedRatedMultiple * spec.ratedSpeedMps) {
    rejected?.push({
      field: 'speed_mps',
      value: p.speed_mps,
      reason: `speed ${p.speed_mps} m/s is beyond ${PHYSICAL.speedRatedMultiple}× rated (${spec.ratedSpeedMps} m/s)`,
    });
  } else if (normal && p.speed_mps > f[fo + F.maxSpeed]!) f[fo + F.maxSpeed] = p.speed_mps;

  // Run counter: its increments over the day, compared with the runs seen.
  if (f[fo + F.runCountFirst]! < 0) f[fo + F.runCountFirst] = p.run_count;
  else if (p.run_count < f[fo + F.runCountLast]!)
    // The counter went back (a replaced board): compare from here, as if it had counted the runs so far.
    f[fo + F.runCountFirst] = p.run_count - n[no + N.trips]!;
  f[fo + F.runCountLast] = p.run_count;

  if (wasMoving === 0 && moving === 1) {
    f[fo + F.runStartTs] = p.ts;
    n[no + N.runStartFloor] = p.floor;
  } else if (wasMoving === 1 && moving === 0) {
    endRun(f, fo, n, no, p, spec, normal, rejected);
  }
  n[no + N.moving] = moving;

  const wasClosed = n[no + N.doorClosed]!;
  const closed = p.door_closed ? 1 : 0;
  if (wasClosed === 1 && closed === 0) {
    n[no + N.doorCycles]! += 1;
    f[fo + F.doorOpenedAt] = p.ts;
    if (
      f[fo + F.lastCloseTs]! >= 0 &&
      p.ts - f[fo + F.lastCloseTs]! <= REOPEN_WINDOW_MS &&
      n[no + N.lastCloseFloor] === p.floor &&
      n[no + N.ranSinceClose] === 0
    )
      n[no + N.reopens]! += 1;
  } else if (wasClosed === 0 && closed === 1) {
    n[no + N.closes]! += 1;
    if (f[fo + F.doorOpenedAt]! > 0) f[fo + F.dwellMs]! += p.ts - f[fo + F.doorOpenedAt]!;
    f[fo + F.lastCloseTs] = p.ts;
    n[no + N.lastCloseFloor] = p.floor;
    n[no + N.ranSinceClose] = 0;
    const closeMs = p.door_close_ms;
    if (closeMs !== undefined) {
      if (!(closeMs >= 0 && closeMs <= PHYSICAL.doorCloseMsMax))
        rejected?.push({
          field: 'door_close_ms',
          value: closeMs,
          reason: `door closing time ${closeMs} ms is outside 0–${PHYSICAL.doorCloseMsMax} ms`,
        });
      else {
        f[fo + F.closeMsSum]! += closeMs;
        n[no + N.closeMsN]! += 1;
      }
    }
  }
  n[no + N.doorClosed] = closed;

  const vib = p.vibration_mg;
  if (vib !== undefined) {
    if (vib > PHYSICAL.vibrationMgMax)
      rejected?.push({
        field: 'vibration_mg',
        value: vib,
        reason: `vibration ${vib} mg is beyond ${PHYSICAL.vibrationMgMax} mg`,
      });
    else if (p.moving) {
      f[fo + F.vibSum]! += vib;
      n[no + N.vibN]! += 1;
    }
  }
}

function endRun(
  f: Float64Array,
  fo: number,
  n: Int32Array,
  no: number,
  p: Telemetry,
  spec: LiftSpec,
  normal: boolean,
  rejected: OutOfRange[] | null,
): void {
  const startTs = f[fo + F.runStartTs]!;
  if (startTs > 0) f[fo + F.runMs]! += p.ts - startTs;
  if (!normal) return;
  n[no + N.stops]! += 1;
  if (n[no + N.runStartFloor] === p.floor) n[no + N.relevels]! += 1;
  else {
    n[no + N.trips]! += 1;
    n[no + N.ranSinceClose] = 1;
  }
  if (!p.door_zone) n[no + N.pendingOutside] = 1;

  // Stopping accuracy: the controller's figure, else the position against the landing.
  let err = p.stop_error_mm;
  if (err !== undefined && !(Math.abs(err) <= PHYSICAL.stopErrorMmMax)) {
    rejected?.push({
      field: 'stop_error_mm',
      value: err,
      reason: `stopping error ${err} mm is beyond ±${PHYSICAL.stopErrorMmMax} mm`,
    });
    err = undefined;
  } else if (err === undefined && p.door_zone && spec.floorHeightM > 0) {
    err = (p.position_m - (p.floor - 1) * spec.floorHeightM) * 1000;
    if (!(Math.abs(err) <= PHYSICAL.stopErrorMmMax)) err = undefined;
  }
  if (err !== undefined) {
    f[fo + F.stopErrSum]! += Math.abs(err);
    n[no + N.stopErrN]! += 1;
  }
  const dist = p.stop_distance_mm;
  if (dist !== undefined) {
    if (!(dist >= 0 && dist <= PHYSICAL.stopDistanceMmMax))
      rejected?.push({
        field: 'stop_distance_mm',
        value: dist,
        reason: `stopping distance ${dist} mm is outside 0–${PHYSICAL.stopDistanceMmMax} mm`,
      });
    else {
      f[fo + F.stopDistSum]! += dist;
      n[no + N.stopDistN]! += 1;
    }
  }
}

/** The signals judged against the lift's own baseline, in ring order (baseline.ts): named in the protocol. */
import { JUDGED, type JudgedSignal } from '../../protocol/health.ts';

export { JUDGED, type JudgedSignal };

/** One device day of one lift. NaN: no data that day (no door cycle, the field never sent). */
export interface DailyValues {
  trips: number;
  run_hours: number;
  door_cycles: number;
  /** Run-counter increments per floor-changing run seen (1 = consistent). */
  run_counter_ratio: number;
  judged: Float64Array;
}

/** Fewer events than this in a day and a rate is not reported (one bounce in three closes is noise). */
const MIN_RATE_BASE = 20;

export function dailyValues(slabs: SignalSlabs, i: number, spec: LiftSpec, out: Float64Array): DailyValues {
  const { f, n } = slabs;
  const fo = i * FLOAT_SLOTS;
  const no = i * INT_SLOTS;
  const trips = n[no + N.trips]!;
  const stops = n[no + N.stops]!;
  const closes = n[no + N.closes]!;
  const div = (a: number, b: number, min = 1) => (b >= min ? a / b : Number.NaN);
  out[0] = div(f[fo + F.closeMsSum]!, n[no + N.closeMsN]!);
  out[1] = div(f[fo + F.dwellMs]! / 1000, closes);
  out[2] = div(n[no + N.reopens]!, closes, MIN_RATE_BASE);
  out[3] = div(100 * n[no + N.relevels]!, stops, MIN_RATE_BASE);
  out[4] = div(1000 * n[no + N.outsideZone]!, stops, MIN_RATE_BASE);
  out[5] = div(f[fo + F.stopErrSum]!, n[no + N.stopErrN]!);
  out[6] = div(f[fo + F.stopDistSum]!, n[no + N.stopDistN]!);
  out[7] = div(1000 * n[no + N.minorFaults]!, trips, MIN_RATE_BASE);
  out[8] = trips > 0 && spec.ratedSpeedMps > 0 ? f[fo + F.maxSpeed]! / spec.ratedSpeedMps : Number.NaN;
  out[9] = div(f[fo + F.vibSum]!, n[no + N.vibN]!);
  const counted = f[fo + F.runCountLast]! - f[fo + F.runCountFirst]!;
  return {
    trips,
    run_hours: f[fo + F.runMs]! / 3_600_000,
    door_cycles: n[no + N.doorCycles]!,
    run_counter_ratio: f[fo + F.runCountFirst]! >= 0 && trips >= MIN_RATE_BASE ? counted / trips : Number.NaN,
    judged: out,
  };
}
