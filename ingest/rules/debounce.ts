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
