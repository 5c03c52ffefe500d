/**
 * Maintenance visits as the judge sees them: the check-in/check-out window, the
 * evidence the telemetry left inside it, and the score with a reason for every point.
 */
import type { GeoPoint, VisitKind } from '../../protocol/index.ts';
import type { VisitVerdict } from '../../registry/schema.ts';

export interface VisitEvidence {
  durationMin: number;
  inspectionMin: number;
  outOfServiceMin: number;
  /** Inspection or out of service: the car taken away from passengers. */
  serviceMin: number;
  floorsReachedInInspection: number[];
  shaftCoverage: number;
  safetyOpeningsInInspection: number;
  stopSwitchPit: number;
  stopSwitchCarTop: number;
  /** Landings where the doors were cycled while the car was out of normal service. */
  doorCycleFloors: number[];
  normalTrips: number;
  passengerTrips: number;
}

export interface ScoreReason {
  criterion: string;
  points: number;
  max: number;
  reason: string;
}

export interface MaintenanceVisit {
  id: string;
  elevatorId: string;
  technicianId: string;
  companyId: string;
  kind: VisitKind;
  method: string;
  checkInAt: number;
  checkOutAt: number | null;
  status: 'open' | 'closed' | 'timed_out';
  location: GeoPoint | null;
  items: number[] | null;
  evidenceScore: number | null;
  verdict: VisitVerdict | null;
  reasons: ScoreReason[];
  evidence: VisitEvidence | null;
}

export interface VisitJudgement {
  score: number;
  verdict: VisitVerdict;
  reasons: ScoreReason[];
}
