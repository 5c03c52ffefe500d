/**
 * Travel plausibility between a technician's check-ins (the Suzhou case: 8.3 km "in one
 * minute", fined 65,000 CNY). Distances are great-circle (haversine) between check-in
 * locations, or the estates' coordinates when a check-in carries none.
 */
import type { GeoPoint } from '../../protocol/index.ts';

const EARTH_RADIUS_KM = 6371.0088;

export function haversineKm(a: GeoPoint, b: GeoPoint): number {
  const rad = (deg: number) => (deg * Math.PI) / 180;
  const dLat = rad(b.lat - a.lat);
  const dLon = rad(b.lon - a.lon);
  const h = Math.sin(dLat / 2) ** 2 + Math.cos(rad(a.lat)) * Math.cos(rad(b.lat)) * Math.sin(dLon / 2) ** 2;
  return 2 * EARTH_RADIUS_KM * Math.asin(Math.min(1, Math.sqrt(h)));
}

/** Where a technician was last seen: a check-in, and the check-out once it came. */
export interface Sighting {
  visitId: string;
  elevatorId: string;
  at: number;
  leftAt: number | null;
  where: GeoPoint | null;
}

export interface TravelVerdict {
  case: 'two_places_at_once' | 'too_fast';
  fromVisit: string;
  fromElevator: string;
  distanceKm: number;
  minutes: number;
  speedKmh: number | null;
}

export function checkTravel(
  previous: Sighting,
  next: { at: number; where: GeoPoint | null },
  limits: { maxTravelKmh: number; minTravelKm: number },
): TravelVerdict | null {
  if (!previous.where || !next.where) return null;
  const distanceKm = haversineKm(previous.where, next.where);
  if (distanceKm < limits.minTravelKm) return null;
  const base = {
    fromVisit: previous.visitId,
    fromElevator: previous.elevatorId,
    distanceKm: Math.round(distanceKm * 10) / 10,
  };
  if (previous.leftAt === null) {
    return {
      ...base,
      case: 'two_places_at_once',
      minutes: Math.round((next.at - previous.at) / 60_000),
      speedKmh: null,
    };
  }
  const hours = Math.max(0, next.at - previous.leftAt) / 3_600_000;
  const speedKmh = hours === 0 ? Number.POSITIVE_INFINITY : distanceKm / hours;
  if (speedKmh <= limits.maxTravelKmh) return null;
  return {
    ...base,
    case: 'too_fast',
    minutes: Math.round(hours * 600) / 10,
    speedKmh: Number.isFinite(speedKmh) ? Math.round(speedKmh) : null,
  };
}
