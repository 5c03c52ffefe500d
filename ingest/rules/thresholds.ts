/**
 * Default detection thresholds, one place. Each can be overridden per elevator through
 * the fleet file's `thresholds` map (same key). Sources: GB/T 24476-2017 codes, the
 * retrofit-sensor defaults in docs/detection.md, EN 81-20 where a physical bound is needed.
 */
import type { ElevatorInfo } from '../../fleet/types.ts';

// Frozen: every car without overrides of its own shares it (thresholdsFor).
export const DEFAULT_THRESHOLDS = Object.freeze({
  /** Speed above which the car counts as running (retrofit rule "speed > 0.1 m/s"). */
  movingSpeedMps: 0.1,
  /** Re-levelling / advance opening with doors open is allowed in the door zone up to this (EN 81-20 5.12.1.4). */
  relevelSpeedMps: 0.3,
  /** A reading must hold this many samples and this long to count; single-sample bounces do not. */
  confirmSamples: 2,
  confirmMs: 800,
  /** GB/T 24476 code 11: trapped outside the door zone (Pidd-pipi README: 30 s). */
  trappedOutsideZoneS: 30,
  /** GB/T 24476 code 11: trapped at a landing with doors closed. */
  trappedInZoneS: 60,
  /** GB/T 24476 code 04: stopped outside the door zone (45 s, code-id 3510500821). */
  stopOutsideZoneS: 45,
  /** GB/T 24476 code 02: more than N reopen cycles without the car leaving. */
  doorReopenCycles: 4,
  doorReopenWindowS: 120,
  /** GB/T 24476 code 02: occupied car, doors not closed in place for this long. */
  doorCloseTimeoutS: 60,
  /** GB/T 24476 code 03: occupied car arrived at a landing, doors still closed after this. */
  doorOpenTimeoutS: 10,
  /** GB/T 24476 code 05: displacement with doors open beyond the unlocking zone. */
  unintendedMovementM: 0.3,
  /** GB/T 24476 code 06; 0 = derive per EN 81-20 5.9.2.7: full travel time + 10 s, at least 20 s. */
  motorRuntimeLimitS: 0,
  /** GB/T 24476 code 07: floor readings must be valid for this long before the alert clears. */
  floorRecoveryS: 60,
  /** GB/T 24476 code 08: stopped and out of service after a safety trip for this long. */
  rerunBlockedS: 30,
  /** GB/T 24476 code 08: out of service, not in inspection, no visit open, for this long. */
  outOfServiceS: 300,
  /** GB/T 24476 codes 09/10: position beyond the end landing by more than this. */
  overtravelMarginM: 0.25,
  /** Retrofit 超速: 1.15 × rated; one sample is enough at the governor-trip band. */
  overspeedRatio: 1.15,
  overspeedInstantRatio: 1.3,
  overspeedClearRatio: 1.05,
  /** Retrofit 长时间不关门: 120 s (code-id 44687751845). */
  longDoorOpenS: 120,
  /** Lock shorted (reads closed with a door open) must persist this long. */
  lockShortedS: 3,
  /** Retrofit 停电: mains off or on battery for this long; back on mains this long to clear. */
  powerLostS: 3,
  powerRestoredS: 5,
  /** Event-style conditions clear after this long back to healthy readings. */
  healthyClearS: 10,
  /**
   * No message at all for this long (wall clock). The fleet-wide value is DEVICE_OFFLINE_AFTER_S
   * (passed as the detector's base); the API's "offline" state reads the same value.
   */
  deviceOfflineS: 120,
  /**
   * Ticks may extrapolate device time this far past the last telemetry sample, not further.
   * Protocol v1 (docs/protocol.md): telemetry at least every 1 s while the car moves or a
   * door is open, at least every 30 s when idle; so up to 30 s of silence means a car still
   * stopped with its doors closed, and "held longer than T" can elapse on it.
   */
  tickHorizonS: 30,
} as const);

export type ThresholdKey = keyof typeof DEFAULT_THRESHOLDS;
export type Thresholds = { readonly [K in ThresholdKey]: number };

/** Per base, per elevator: a detector built with other fleet-wide values gets its own merge. */
const cache = new WeakMap<Thresholds, WeakMap<ElevatorInfo, Thresholds>>();

/**
 * The fleet-wide base (the defaults, with what the configuration sets fleet-wide) merged with
 * the elevator's overrides; unknown or non-finite overrides are ignored.
 */
export function thresholdsFor(elevator: ElevatorInfo, base: Thresholds = DEFAULT_THRESHOLDS): Thresholds {
  let forBase = cache.get(base);
  if (!forBase) {
    forBase = new WeakMap();
    cache.set(base, forBase);
  }
  const hit = forBase.get(elevator);
  if (hit) return hit;
  const overrides = Object.entries(elevator.thresholds ?? {}).filter(
    ([key, value]) => Object.hasOwn(DEFAULT_THRESHOLDS, key) && Number.isFinite(value),
  );
  // Most cars override nothing: they share the base (a merged copy is ~1.1 KB per car, and the
  // ingest keeps one per registered elevator; bench/worker-memory.ts).
  if (overrides.length === 0) return base;
  const merged: Record<string, number> = { ...base };
  for (const [key, value] of overrides) merged[key] = value;
  const frozen = Object.freeze(merged) as Thresholds;
  forBase.set(elevator, frozen);
  return frozen;
}

/** EN 81-20 5.9.2.7: the limiter trips at full travel time + 10 s (min 20 s); we never flag below that. */
export function motorRuntimeLimitMs(elevator: ElevatorInfo, limits: Thresholds): number {
  if (limits.motorRuntimeLimitS > 0) return limits.motorRuntimeLimitS * 1000;
  const travelM = (elevator.floors - 1) * elevator.floorHeightM;
  return Math.max(20, travelM / elevator.ratedSpeedMps + 10) * 1000;
}
