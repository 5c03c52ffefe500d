/**
 * Residential passenger demand by hour of day: a morning down-peak to the lobby, an
 * evening up-peak from it, inter-floor traffic by day and quiet nights. Times are local
 * (Shenzhen, UTC+8) because people keep local hours, whatever the device clock says.
 */
import type { Rng } from './rng.ts';

export const LOCAL_UTC_OFFSET_MS = 8 * 3600_000;

/** Trips per hour per car, by local hour 0..23. */
const TRIPS_PER_HOUR = [
  2, 1, 1, 1, 1, 3, 12, 40, 45, 25, 14, 14, 18, 16, 12, 12, 16, 30, 38, 30, 20, 14, 8, 4,
] as const;

export interface Passenger {
  origin: number;
  destination: number;
}

export function localHour(deviceMs: number): number {
  return Math.floor((deviceMs + LOCAL_UTC_OFFSET_MS) / 3600_000) % 24;
}

/** Mean ms to the next trip request at this device time; `scale` 0 means no traffic. */
export function meanArrivalGapMs(deviceMs: number, scale: number): number {
  const perHour = TRIPS_PER_HOUR[localHour(deviceMs)]! * scale;
  return perHour > 0 ? 3600_000 / perHour : Number.POSITIVE_INFINITY;
}

export function drawPassenger(rng: Rng, deviceMs: number, floors: number): Passenger {
  const hour = localHour(deviceMs);
  const upper = (): number => rng.int(2, floors);
  // Residents leave in the morning and come home in the evening: the lobby dominates.
  const lobbyShare = hour >= 6 && hour < 10 ? 0.8 : hour >= 17 && hour < 21 ? 0.8 : 0.5;
  if (rng.chance(lobbyShare)) {
    const morning = hour < 12;
    const floor = upper();
    return morning ? { origin: floor, destination: 1 } : { origin: 1, destination: floor };
  }
  if (rng.chance(0.5)) return { origin: upper(), destination: 1 };
  const origin = rng.int(1, floors);
  let destination = rng.int(1, floors - 1);
  if (destination >= origin) destination++;
  return { origin, destination };
}
