/**
 * Confirmation windows against sensor noise: a door bounce, a levelling jitter or a
 * door-zone dropout is one or two samples; a real condition holds. A streak counts the
 * consecutive samples a condition has held and since when.
 */
import type { Telemetry } from '../../protocol/index.ts';
import type { Thresholds } from './thresholds.ts';

export interface Streak {
  since: number | null;
  samples: number;
}

export const NO_STREAK: Streak = { since: null, samples: 0 };

export function extend(streak: Streak, holds: boolean, ts: number): Streak {
  if (!holds) return NO_STREAK;
  return streak.since === null
    ? { since: ts, samples: 1 }
    : { since: streak.since, samples: streak.samples + 1 };
}

export function heldMs(streak: Streak, ts: number): number {
  return streak.since === null ? 0 : ts - streak.since;
}

/** Held for the confirmation window: enough samples and enough time. */
export function confirmed(streak: Streak, ts: number, limits: Thresholds): boolean {
  return streak.samples >= limits.confirmSamples && heldMs(streak, ts) >= limits.confirmMs;
}

/**
 * Protocol v1 samples a moving car or an open door at least every second; an idle car only
 * on a change or every 30 s. A reading followed by silence longer than two active periods
 * is the car at rest with nothing new to report: it stood, however few samples it got.
 * (A door-zone dropout or a levelling jitter is corrected by the next sample, ≤ 1 s later.)
 */
export const QUIET_MS = 2000;

/** The reading of `streak` stood through device-time silence until `ts` (see QUIET_MS). */
export function stoodQuietly(streak: Streak, ts: number): boolean {
  return streak.since !== null && ts - streak.since > QUIET_MS;
}

export function isRunning(t: Telemetry, limits: Thresholds): boolean {
  return t.speed_mps > limits.movingSpeedMps;
}

/** Stopped: neither the run flag nor the speed says otherwise (levelling jitter stays below 0.1 m/s). */
export function isStopped(t: Telemetry, limits: Thresholds): boolean {
  return !t.moving && t.speed_mps <= limits.movingSpeedMps;
}

/** Modes in which a technician or the fire service, not the controller, decides what the car does. */
export function isAttendedMode(t: Telemetry): boolean {
  return (
    t.mode === 'inspection' || t.mode === 'firefighter' || t.mode === 'fire_return' || t.mode === 'earthquake'
  );
}
