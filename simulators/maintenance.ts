/**
 * Maintenance visits as the car sees them. A genuine TSG T5002 visit: check-in at the
 * estate, inspection mode for its class's time, slow travel over the whole shaft,
 * car-top and pit stop-switch tests that open the safety circuit, door cycles at
 * landings, no passenger trips, check-out with the class's items. The fake patterns are
 * the ones regulators have caught: paper visits, 走马观花 short inspections, the lift in
 * passenger service throughout (Zhuhai 2023), and visits nobody reported.
 */
import type { GeoPoint, VisitKind } from '../protocol/index.ts';
import type { ElevatorModel, Script } from './elevator-model.ts';
import {
  closeDoors,
  handBack,
  openDoors,
  SLOW_ACCEL_MPS2,
  SLOW_SPEED_MPS,
  takeOver,
  travel,
} from './script-kit.ts';

export const VISIT_PATTERNS = ['genuine', 'no_inspection', 'short_inspection', 'passenger_service'] as const;
export type VisitPattern = (typeof VISIT_PATTERNS)[number];

export interface MaintenanceVisit {
  visit_id: string;
  kind: VisitKind;
  pattern: VisitPattern;
  technician_id: string;
  company_id: string;
  method: 'nfc' | 'app' | 'qr';
  /** Where the technician checks in; the runner fills in the estate's position. */
  location?: GeoPoint;
  /** Minutes in inspection mode (genuine and short patterns); default by kind. */
  inspection_min?: number;
}

/** TSG T5002-2017 Annex A: each class adds items to the one before (31, 44, 59, 76). */
const LAST_ITEM: Record<VisitKind, number> = {
  half_monthly: 31,
  quarterly: 44,
  half_yearly: 59,
  yearly: 76,
  repair: 0,
};

export function itemsFor(kind: VisitKind): number[] {
  return Array.from({ length: LAST_ITEM[kind] }, (_, i) => i + 1);
}

/** Default minutes in inspection: half-monthly 30–60, longer classes take longer. */
const INSPECTION_MIN: Record<VisitKind, [number, number]> = {
  half_monthly: [35, 55],
  quarterly: [65, 80],
  half_yearly: [85, 100],
  yearly: [110, 130],
  repair: [30, 45],
};

export function visitScript(model: ElevatorModel, visit: MaintenanceVisit): Script {
  switch (visit.pattern) {
    case 'genuine':
      return genuineVisit(model, visit);
    case 'short_inspection':
      return shortInspection(model, visit);
    case 'no_inspection':
      return paperVisit(model, visit, model.random.between(6, 12));
    case 'passenger_service':
      return paperVisit(model, visit, model.random.between(40, 55));
  }
}

function checkIn(model: ElevatorModel, visit: MaintenanceVisit): void {
  model.markOnset(`visit:${visit.visit_id}`);
  model.emitMaintenance({ action: 'check_in', ...boundary(model, visit) });
}

function checkOut(model: ElevatorModel, visit: MaintenanceVisit): void {
  model.markOnset(`visit-out:${visit.visit_id}`);
  model.emitMaintenance({ action: 'check_out', ...boundary(model, visit), items: itemsFor(visit.kind) });
}

function boundary(model: ElevatorModel, visit: MaintenanceVisit) {
  const rng = model.random;
  // Phones report a few tens of metres of scatter around the building.
  const location = visit.location && {
    lat: round6(visit.location.lat + rng.between(-0.0002, 0.0002)),
    lon: round6(visit.location.lon + rng.between(-0.0002, 0.0002)),
  };
  return {
    visit_id: visit.visit_id,
    technician_id: visit.technician_id,
    company_id: visit.company_id,
    kind: visit.kind,
    method: visit.method,
    ...(location ? { location } : {}),
  };
}

const round6 = (x: number): number => Math.round(x * 1e6) / 1e6;
const minutes = (n: number): number => Math.round(n * 60_000);

function* enterInspection(model: ElevatorModel): Script {
  model.car.mode = 'inspection';
  model.emitEvent('inspection_entered');
  yield 0;
}

function* leaveInspection(model: ElevatorModel): Script {
  model.car.mode = 'normal';
  model.emitEvent('inspection_left');
  yield 0;
}

/** A stop switch opens the safety chain with the car at rest (TSG T5002 items 12, 31). */
function* stopSwitchTest(model: ElevatorModel, code: 'stop_switch_car_top' | 'stop_switch_pit'): Script {
  model.car.safety = false;
  model.emitEvent(code);
  yield model.random.between(5000, 15_000);
  model.car.safety = true;
}

function* landingDoorCheck(model: ElevatorModel): Script {
  yield* openDoors(model);
  yield model.random.between(20_000, 45_000);
  yield* closeDoors(model);
}

function* genuineVisit(model: ElevatorModel, visit: MaintenanceVisit): Script {
  const rng = model.random;
  yield* takeOver(model);
  checkIn(model, visit);
  yield minutes(rng.between(2, 4));
  const [lo, hi] = INSPECTION_MIN[visit.kind];
  const inspectionMs = minutes(visit.inspection_min ?? rng.between(lo, hi));
  const leaveAt = model.now + inspectionMs;
  yield* enterInspection(model);
  // Machine room first (items 1–8): the car stays put.
  yield minutes(rng.between(5, 9));
  const top = model.spec.floors;
  yield* travel(model, top, SLOW_SPEED_MPS, SLOW_ACCEL_MPS2);
  yield* stopSwitchTest(model, 'stop_switch_car_top');
  // Down the shaft from the car top, checking landing locks every few floors (items 24–29).
  const every = Math.max(2, Math.round(top / 6));
  for (let floor = top - every; floor > 1; floor -= every) {
    yield* travel(model, floor, SLOW_SPEED_MPS, SLOW_ACCEL_MPS2);
    yield* landingDoorCheck(model);
  }
  yield* travel(model, 1, SLOW_SPEED_MPS, SLOW_ACCEL_MPS2);
  yield* landingDoorCheck(model);
  yield* stopSwitchTest(model, 'stop_switch_pit');
  yield minutes(rng.between(3, 6)); // pit work
  yield () => model.now >= leaveAt;
  yield* leaveInspection(model);
  // One empty test run checks levelling (item 22) before the lift goes back to residents.
  yield* travel(model, Math.min(top, 3));
  yield* landingDoorCheck(model);
  yield minutes(rng.between(2, 4));
  checkOut(model, visit);
  yield* handBack(model);
}

function* shortInspection(model: ElevatorModel, visit: MaintenanceVisit): Script {
  const rng = model.random;
  yield* takeOver(model);
  checkIn(model, visit);
  yield minutes(1);
  yield* enterInspection(model);
  yield* travel(model, Math.min(model.spec.floors, model.floor + 2), SLOW_SPEED_MPS, SLOW_ACCEL_MPS2);
  yield minutes(visit.inspection_min ?? rng.between(5, 8));
  yield* leaveInspection(model);
  yield minutes(1);
  checkOut(model, visit);
  yield* handBack(model);
}

/** Checked in and out, claiming every item, while residents keep riding the lift. */
function* paperVisit(model: ElevatorModel, visit: MaintenanceVisit, durationMin: number): Script {
  checkIn(model, visit);
  yield minutes(durationMin);
  checkOut(model, visit);
}

/** Inspection mode with no check-in: someone worked on the lift and nobody reported it. */
export function* unreportedInspection(model: ElevatorModel, durationMin: number): Script {
  yield* takeOver(model);
  model.markOnset('unreported_maintenance');
  yield* enterInspection(model);
  yield* travel(model, Math.max(1, model.floor - 3), SLOW_SPEED_MPS, SLOW_ACCEL_MPS2);
  yield minutes(durationMin);
  yield* leaveInspection(model);
  yield* handBack(model);
}
