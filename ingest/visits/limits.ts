/**
 * Maintenance thresholds, overridable per elevator through the same `thresholds` map as
 * the fault rules. Sources: TSG T5002-2017 Annex A (item counts per class), the 15-day
 * interval, the Fuzhou case (a quarterly visit needs at least 1 h), the Suzhou case
 * (8.3 km "in one minute"), and the DOMAIN [I] proposals for half-monthly evidence.
 */

import type { ElevatorInfo } from '../../fleet/types.ts';
import type { VisitKind } from '../../protocol/index.ts';

export const DEFAULT_VISIT_LIMITS = {
  /** Minimum duration per class, minutes (half-monthly ≥ 30, quarterly ≥ 60: Fuzhou case). */
  minMinutes_half_monthly: 30,
  minMinutes_quarterly: 60,
  minMinutes_half_yearly: 90,
  minMinutes_yearly: 120,
  minMinutes_repair: 0,
  /** A visit with no check-out is closed as timed out after this. */
  visitTimeoutH: 4,
  /** TSG T5002: half-monthly maintenance at most every 15 days. */
  overdueDays: 15,
  /** Inspection without a check-in for this long raises unreported_maintenance. */
  unreportedGraceMin: 5,
  /** Suzhou case: faster than this between check-ins is impossible travel. */
  maxTravelKmh: 60,
  /** Below this distance, GPS noise and buildings of one estate: never impossible. */
  minTravelKm: 1,
  /** DOMAIN [I]: shaft coverage ≥ 80 % in inspection for a half-monthly visit. */
  fullShaftCoverage: 0.8,
  /** Door cycles at this share of landings earn the full door points (items 24–29 are per landing). */
  fullDoorCoverage: 0.5,
  /** Verdict bands on the 0–100 score. */
  verifiedScore: 70,
  suspectScore: 40,
} as const;

export type VisitLimitKey = keyof typeof DEFAULT_VISIT_LIMITS;
export type VisitLimits = { readonly [K in VisitLimitKey]: number };

/** TSG T5002-2017 Annex A (traction lifts): each class adds items to the one before. */
export const TSG_ITEM_COUNT: Record<VisitKind, number> = {
  half_monthly: 31,
  quarterly: 44,
  half_yearly: 59,
  yearly: 76,
  repair: 0,
};

export function minMinutes(kind: VisitKind, limits: VisitLimits): number {
  return limits[`minMinutes_${kind}`];
}

export function visitLimitsFor(
  elevator: ElevatorInfo | undefined,
  base: Partial<VisitLimits> = {},
): VisitLimits {
  const overrides = Object.entries(elevator?.thresholds ?? {}).filter(
    ([key, value]) => Object.hasOwn(DEFAULT_VISIT_LIMITS, key) && Number.isFinite(value),
  );
  // Without overrides of its own a car shares its base's merge (one per base object, not one per
  // car: ~600 B each in the ingest, which keeps one per registered elevator).
  if (overrides.length === 0) {
    const shared = sharedLimits.get(base);
    if (shared) return shared;
  }
  const merged: Record<string, number> = { ...DEFAULT_VISIT_LIMITS, ...base };
  for (const [key, value] of overrides) merged[key] = value;
  const limits = Object.freeze(merged) as VisitLimits;
  if (overrides.length === 0) sharedLimits.set(base, limits);
  return limits;
}

/** Per base object, the limits of a car without overrides. */
const sharedLimits = new WeakMap<Partial<VisitLimits>, VisitLimits>();
