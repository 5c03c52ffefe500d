/**
 * What detection produces, as data: alert findings (a condition raised or cleared at a
 * device time) and maintenance visits with their evidence and verdict. The ingest makes
 * them, the alert lifecycle in store/ stores them, the API shows them.
 */
import type { ScoreReason } from './alerts.ts';
import type { AlertCode } from './catalogue.ts';
import type { GeoPoint, VisitKind } from './messages.ts';

export type Evidence = Record<string, unknown>;

export type VisitVerdict = 'verified' | 'suspect' | 'fake';

/** What a rule reports: a condition raised or cleared, at a device time. */
export interface RuleFinding {
  code: AlertCode;
  kind: 'raise' | 'clear';
  /** Device time (epoch ms) of the sample that confirmed the change. */
  at: number;
  evidence: Evidence;
}

/** The detector's output: alert findings tagged with their elevator, and visit verdicts. */
export interface AlertFinding extends RuleFinding {
  elevatorId: string;
}

export interface VisitFinding {
  kind: 'visit';
  elevatorId: string;
  at: number;
  visit: MaintenanceVisit;
}

export type Finding = AlertFinding | VisitFinding;

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
