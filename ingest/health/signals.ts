/**
 * Health signals (issue 16, item 1): a per-lift accumulator over the telemetry and events
 * the ingest already sees, constant work per message, fixed-size numeric state. The state
 * of one lift is a run of STATE_SLOTS numbers in a Float64Array (a fleet-wide slab, see
 * table.ts): no objects, no strings, no growth. `accumulate` updates it in place and says
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

// Slots of one lift's state. Day accumulators first (reset at each device day), then the
// trackers that carry across messages, then the bookkeeping table.ts and score.ts keep.
export const A = {
  trips: 0,
  runMs: 1,
  doorCycles: 2,
  reopens: 3,
  closes: 4,
  dwellMs: 5,
  closeMsSum: 6,
  closeMsN: 7,
  relevels: 8,
  stops: 9,
  outsideZone: 10,
  stopErrSum: 11,
  stopErrN: 12,
  stopDistSum: 13,
  stopDistN: 14,
  minorFaults: 15,
  maxSpeed: 16,
  runCountFirst: 17,
  runCountLast: 18,
  vibSum: 19,
  vibN: 20,
} as const;
const ACC_SLOTS = 21;

export const T = {
  day: 21,
  lastTs: 22,
  /** 1 moving, 0 stopped, -1 unknown. */
  moving: 23,
  /** 1 closed, 0 not closed, -1 unknown. */
  doorClosed: 24,
  runStartTs: 25,
  runStartFloor: 26,
  doorOpenedAt: 27,
  lastCloseTs: 28,
  lastCloseFloor: 29,
  /** A floor-changing run since the doors last closed. */
  ranSinceClose: 30,
  /** A stop read outside the door zone, waiting for the next sample to confirm it. */
  pendingOutside: 40,
} as const;

/** Bookkeeping owned by table.ts (ring heads) and score.ts (visit history). */
export const M = {
  ringHead: 31,
  ringCount: 32,
  scoreHead: 33,
  scoreCount: 34,
  firstDay: 35,
  lastVerifiedDay: 36,
  verifiedCount: 37,
  lastFakeDay: 38,
  daysRecorded: 39,
} as const;

export const STATE_SLOTS = 41;

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

export function resetState(s: Float64Array, o: number): void {
  s.fill(0, o, o + STATE_SLOTS);
  s[o + T.day] = -1;
  s[o + T.lastTs] = -1;
  s[o + T.moving] = -1;
  s[o + T.doorClosed] = -1;
  s[o + T.runStartFloor] = -1;
  s[o + T.lastCloseTs] = -1;
  s[o + T.lastCloseFloor] = -1;
  s[o + M.firstDay] = -1;
  s[o + M.lastVerifiedDay] = -1;
  s[o + M.lastFakeDay] = -1;
  resetDay(s, o);
}

function resetDay(s: Float64Array, o: number): void {
  s.fill(0, o, o + ACC_SLOTS);
  s[o + A.runCountFirst] = -1;
  s[o + A.runCountLast] = -1;
}

/**
 * Feeds one message. Returns the device day that just ended (its accumulators are still in
 * place: read them with dailyValues, then call startDay), or -1. Out-of-range condition
 * values are pushed to `rejected` and not counted. Late messages (device time behind the
 * newest seen) are not counted: the signals need order, and a late sample is a rare one.
 */
export function accumulate(
  s: Float64Array,
  o: number,
  message: DeviceMessage,
  spec: LiftSpec,
  rejected: OutOfRange[] | null,
): number {
  if (message.channel === 'status') return -1;
  const ts = message.payload.ts;
  if (ts < s[o + T.lastTs]!) return -1;
  s[o + T.lastTs] = ts;
  const day = deviceDay(ts);
  let ended = -1;
  const current = s[o + T.day]!;
  if (current !== day) {
    if (current >= 0) ended = current;
    else s[o + T.day] = day;
    if (s[o + M.firstDay]! < 0) s[o + M.firstDay] = day;
  }
  // The ended day's figures must be read before this message counts: the caller reads them,
  // calls startDay, and feeds the message again (see table.ts). One branch, once a day.
  if (ended >= 0) return ended;
  if (message.channel === 'event') {
    const p = message.payload;
    if (MINOR_FAULT_CODES.has(p.code) && p.detail?.cleared !== true) s[o + A.minorFaults]! += 1;
    return -1;
  }
  if (message.channel === 'telemetry') telemetry(s, o, message.payload, spec, rejected);
  return -1;
}

/** Opens the accumulators of `day` (after the previous day was read). */
export function startDay(s: Float64Array, o: number, day: number): void {
  resetDay(s, o);
  s[o + T.day] = day;
}

function telemetry(s: Float64Array, o: number, p: Telemetry, spec: LiftSpec, rejected: OutOfRange[] | null) {
  const normal = p.mode === 'normal';
  const wasMoving = s[o + T.moving]!;
  // A stop outside the door zone counts once the car moves again to re-level, or two more
  // samples read it outside: a door-zone vane dropping out for a sample or two is not a stop.
  const pending = s[o + T.pendingOutside]!;
  if (pending > 0) {
    if (p.moving || (!p.door_zone && pending >= 2)) {
      s[o + A.outsideZone]! += 1;
      s[o + T.pendingOutside] = 0;
    } else s[o + T.pendingOutside] = p.door_zone ? 0 : pending + 1;
  }
  const moving = p.moving ? 1 : 0;

  // Top speed against rated; a reading beyond 3× rated is a sensor fault, not a fast car.
  if (p.speed_mps > PHYSICAL.speedRatedMultiple * spec.ratedSpeedMps) {
    rejected?.push({
      field: 'speed_mps',
      value: p.speed_mps,
      reason: `speed ${p.speed_mps} m/s is beyond ${PHYSICAL.speedRatedMultiple}× rated (${spec.ratedSpeedMps} m/s)`,
    });
  } else if (normal && p.speed_mps > s[o + A.maxSpeed]!) s[o + A.maxSpeed] = p.speed_mps;

  // Run counter: its increments over the day, compared with the runs seen.
  if (s[o + A.runCountFirst]! < 0) s[o + A.runCountFirst] = p.run_count;
  else if (p.run_count < s[o + A.runCountLast]!)
    // The counter went back (a replaced board): compare from here, as if it had counted the runs so far.
    s[o + A.runCountFirst] = p.run_count - s[o + A.trips]!;
  s[o + A.runCountLast] = p.run_count;

  if (wasMoving === 0 && moving === 1) {
    s[o + T.runStartTs] = p.ts;
    s[o + T.runStartFloor] = p.floor;
  } else if (wasMoving === 1 && moving === 0) {
    endRun(s, o, p, spec, normal, rejected);
  }
  s[o + T.moving] = moving;

  const wasClosed = s[o + T.doorClosed]!;
  const closed = p.door_closed ? 1 : 0;
  if (wasClosed === 1 && closed === 0) {
    s[o + A.doorCycles]! += 1;
    s[o + T.doorOpenedAt] = p.ts;
    if (
      s[o + T.lastCloseTs]! >= 0 &&
      p.ts - s[o + T.lastCloseTs]! <= REOPEN_WINDOW_MS &&
      s[o + T.lastCloseFloor] === p.floor &&
      s[o + T.ranSinceClose] === 0
    )
      s[o + A.reopens]! += 1;
  } else if (wasClosed === 0 && closed === 1) {
    s[o + A.closes]! += 1;
    if (s[o + T.doorOpenedAt]! > 0) s[o + A.dwellMs]! += p.ts - s[o + T.doorOpenedAt]!;
    s[o + T.lastCloseTs] = p.ts;
    s[o + T.lastCloseFloor] = p.floor;
    s[o + T.ranSinceClose] = 0;
    const closeMs = p.door_close_ms;
    if (closeMs !== undefined) {
      if (!(closeMs >= 0 && closeMs <= PHYSICAL.doorCloseMsMax))
        rejected?.push({
          field: 'door_close_ms',
          value: closeMs,
          reason: `door closing time ${closeMs} ms is outside 0–${PHYSICAL.doorCloseMsMax} ms`,
        });
      else {
        s[o + A.closeMsSum]! += closeMs;
        s[o + A.closeMsN]! += 1;
      }
    }
  }
  s[o + T.doorClosed] = closed;

  const vib = p.vibration_mg;
  if (vib !== undefined) {
    if (vib > PHYSICAL.vibrationMgMax)
      rejected?.push({
        field: 'vibration_mg',
        value: vib,
        reason: `vibration ${vib} mg is beyond ${PHYSICAL.vibrationMgMax} mg`,
      });
    else if (p.moving) {
      s[o + A.vibSum]! += vib;
      s[o + A.vibN]! += 1;
    }
  }
}

function endRun(
  s: Float64Array,
  o: number,
  p: Telemetry,
  spec: LiftSpec,
  normal: boolean,
  rejected: OutOfRange[] | null,
): void {
  const startTs = s[o + T.runStartTs]!;
  if (startTs > 0) s[o + A.runMs]! += p.ts - startTs;
  if (!normal) return;
  s[o + A.stops]! += 1;
  if (s[o + T.runStartFloor] === p.floor) s[o + A.relevels]! += 1;
  else {
    s[o + A.trips]! += 1;
    s[o + T.ranSinceClose] = 1;
  }
  if (!p.door_zone) s[o + T.pendingOutside] = 1;

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
    s[o + A.stopErrSum]! += Math.abs(err);
    s[o + A.stopErrN]! += 1;
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
      s[o + A.stopDistSum]! += dist;
      s[o + A.stopDistN]! += 1;
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

export function dailyValues(s: Float64Array, o: number, spec: LiftSpec, out: Float64Array): DailyValues {
  const trips = s[o + A.trips]!;
  const stops = s[o + A.stops]!;
  const closes = s[o + A.closes]!;
  const div = (a: number, b: number, min = 1) => (b >= min ? a / b : Number.NaN);
  out[0] = div(s[o + A.closeMsSum]!, s[o + A.closeMsN]!);
  out[1] = div(s[o + A.dwellMs]! / 1000, closes);
  out[2] = div(s[o + A.reopens]!, closes, MIN_RATE_BASE);
  out[3] = div(100 * s[o + A.relevels]!, stops, MIN_RATE_BASE);
  out[4] = div(1000 * s[o + A.outsideZone]!, stops, MIN_RATE_BASE);
  out[5] = div(s[o + A.stopErrSum]!, s[o + A.stopErrN]!);
  out[6] = div(s[o + A.stopDistSum]!, s[o + A.stopDistN]!);
  out[7] = div(1000 * s[o + A.minorFaults]!, trips, MIN_RATE_BASE);
  out[8] = trips > 0 && spec.ratedSpeedMps > 0 ? s[o + A.maxSpeed]! / spec.ratedSpeedMps : Number.NaN;
  out[9] = div(s[o + A.vibSum]!, s[o + A.vibN]!);
  const counted = s[o + A.runCountLast]! - s[o + A.runCountFirst]!;
  return {
    trips,
    run_hours: s[o + A.runMs]! / 3_600_000,
    door_cycles: s[o + A.doorCycles]!,
    run_counter_ratio: s[o + A.runCountFirst]! >= 0 && trips >= MIN_RATE_BASE ? counted / trips : Number.NaN,
    judged: out,
  };
}
