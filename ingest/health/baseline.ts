/**
 * Baselines per lift (issue 16, item 2): each judged signal is compared with the lift's own
 * recent history, never with a fleet threshold. Per signal, a ring of the last WINDOW_DAYS
 * daily values, quantised to Int16 (SCALE; MISSING for a day without data). The judgement:
 * the recent level (median of the newest RECENT_DAYS days) against the baseline (median of
 * the older days in the window), with the spread as the MAD of those older days (×1.4826,
 * the normal-consistent scale). No judgement before MIN_HISTORY_DAYS days with data.
 */
import { JUDGED, type JudgedSignal } from './signals.ts';

export const WINDOW_DAYS = 28;
export const RECENT_DAYS = 5;
export const MIN_HISTORY_DAYS = 14;
/** 1 / Φ⁻¹(3/4): makes the MAD estimate a normal standard deviation. */
export const MAD_TO_SIGMA = 1.4826;

export const SIGNAL_COUNT = JUDGED.length;
export const RING_SLOTS = SIGNAL_COUNT * WINDOW_DAYS;
export const MISSING = -32768;

/** Int16 quantisation per signal: stored = round(value × scale), clamped to ±32767. */
export const SCALE: Record<JudgedSignal, number> = {
  door_close_ms: 1,
  door_dwell_s: 100,
  reopens_per_close: 10_000,
  relevels_per_100_stops: 100,
  outside_zone_per_1000_stops: 10,
  stop_error_mm: 10,
  stop_distance_mm: 10,
  minor_faults_per_1000_trips: 10,
  top_speed_ratio: 10_000,
  vibration_mg: 3,
};
const SCALES = Float64Array.from(JUDGED.map((k) => SCALE[k]));

/** Writes one day's values at the ring's head; returns the new head. `ring[o + k·W + d]`. */
export function pushDay(ring: Int16Array, o: number, head: number, values: Float64Array): number {
  for (let k = 0; k < SIGNAL_COUNT; k++) {
    const v = values[k]!;
    ring[o + k * WINDOW_DAYS + head] = Number.isFinite(v)
      ? Math.max(-32767, Math.min(32767, Math.round(v * SCALES[k]!)))
      : MISSING;
  }
  return (head + 1) % WINDOW_DAYS;
}

export interface Level {
  /** Median of the newest RECENT_DAYS days with data. */
  recent: number;
  /** Median of the older days in the window. */
  median: number;
  /** MAD × 1.4826 of the older days. */
  sigma: number;
  /** Older days with data. */
  n: number;
}

/**
 * The level of signal k: null when the signal has fewer than MIN_HISTORY_DAYS days with
 * data, or none among the recent days. `head` is where the next day goes, so the newest
 * day is at head − 1. `scratch` holds WINDOW_DAYS numbers; nothing is allocated.
 */
export function signalLevel(
  ring: Int16Array,
  o: number,
  head: number,
  count: number,
  k: number,
  scratch: Float64Array,
  out: Level,
): Level | null {
  const base = o + k * WINDOW_DAYS;
  const scale = SCALES[k]!;
  const days = Math.min(count, WINDOW_DAYS);
  let recentN = 0;
  let olderN = 0;
  // Recent values at the top of scratch (from the end), older ones at the bottom.
  for (let i = 0; i < days; i++) {
    const raw = ring[base + ((head - 1 - i + WINDOW_DAYS * 2) % WINDOW_DAYS)]!;
    if (raw === MISSING) continue;
    if (i < RECENT_DAYS) scratch[WINDOW_DAYS - 1 - recentN++] = raw / scale;
    else scratch[olderN++] = raw / scale;
  }
  if (recentN === 0 || recentN + olderN < MIN_HISTORY_DAYS || olderN < MIN_HISTORY_DAYS - RECENT_DAYS)
    return null;
  out.recent = medianOf(scratch, WINDOW_DAYS - recentN, WINDOW_DAYS);
  out.median = medianOf(scratch, 0, olderN);
  for (let i = 0; i < olderN; i++) scratch[i] = Math.abs(scratch[i]! - out.median);
  out.sigma = MAD_TO_SIGMA * medianOf(scratch, 0, olderN);
  out.n = olderN;
  return out;
}

/** Median of scratch[from, to), sorting that range in place (insertion sort: at most 28 values). */
export function medianOf(a: Float64Array, from: number, to: number): number {
  for (let i = from + 1; i < to; i++) {
    const v = a[i]!;
    let j = i - 1;
    while (j >= from && a[j]! > v) {
      a[j + 1] = a[j]!;
      j--;
    }
    a[j + 1] = v;
  }
  const n = to - from;
  if (n === 0) return Number.NaN;
  const mid = from + (n >> 1);
  return n % 2 === 1 ? a[mid]! : (a[mid - 1]! + a[mid]!) / 2;
}
