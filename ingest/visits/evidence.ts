/**
 * What the telemetry inside a visit window shows, accumulated sample by sample (pure).
 * Each item is a trace a TSG T5002 half-monthly visit leaves: time out of passenger
 * service, slow inspection travel over the shaft (items 11–17), stop-switch tests in the
 * pit and on the car top (items 12, 17, 31), door checks at landings (items 24–29), and
 * the absence of passenger trips (the Zhuhai case: the lift "never stopped").
 */

import type { ElevatorInfo } from '../../fleet/types.ts';
import type { DeviceEvent, Telemetry } from '../../protocol/index.ts';
import type { VisitEvidence } from './types.ts';

/** A sample gap longer than this is not credited to the mode before it (the device was silent). */
const MAX_CREDITED_GAP_MS = 60_000;
/** Confirmation of a run or a door opening: two samples, most of a second (not a bounce). */
const CONFIRM_SAMPLES = 2;
const CONFIRM_MS = 800;

interface Phase {
  since: number;
  samples: number;
  counted: boolean;
}

export interface EvidenceAccumulator {
  last: Telemetry | null;
  inspectionMs: number;
  outOfServiceMs: number;
  floorsInInspection: number[];
  safetyOpenings: number;
  stopPit: number;
  stopCarTop: number;
  doorFloors: number[];
  doorOpen: Phase | null;
  run: (Phase & { occupied: boolean; normal: boolean; passenger: boolean }) | null;
  normalTrips: number;
  passengerTrips: number;
}

export const EMPTY_EVIDENCE: EvidenceAccumulator = {
  last: null,
  inspectionMs: 0,
  outOfServiceMs: 0,
  floorsInInspection: [],
  safetyOpenings: 0,
  stopPit: 0,
  stopCarTop: 0,
  doorFloors: [],
  doorOpen: null,
  run: null,
  normalTrips: 0,
  passengerTrips: 0,
};

function withFloor(floors: number[], floor: number): number[] {
  return floors.includes(floor) ? floors : [...floors, floor].sort((a, b) => a - b);
}

function ready(phase: Phase, ts: number): boolean {
  return !phase.counted && phase.samples >= CONFIRM_SAMPLES && ts - phase.since >= CONFIRM_MS;
}

export function accumulateTelemetry(
  acc: EvidenceAccumulator,
  t: Telemetry,
  elevator: ElevatorInfo,
): EvidenceAccumulator {
  const next = { ...acc, last: t };
  const prev = acc.last;
  if (prev && t.ts > prev.ts) {
    const dt = Math.min(t.ts - prev.ts, MAX_CREDITED_GAP_MS);
    if (prev.mode === 'inspection') next.inspectionMs += dt;
    if (prev.mode === 'out_of_service') next.outOfServiceMs += dt;
    if (prev.safety_circuit && !t.safety_circuit && (t.mode === 'inspection' || prev.mode === 'inspection')) {
      next.safetyOpenings += 1;
    }
  }
  if (t.mode === 'inspection' && t.floor >= 1 && t.floor <= elevator.floors) {
    next.floorsInInspection = withFloor(acc.floorsInInspection, t.floor);
  }
  // Door checks: a confirmed opening at a landing while the car is out of passenger service.
  if (!t.door_closed) {
    const phase = acc.doorOpen
      ? { ...acc.doorOpen, samples: acc.doorOpen.samples + 1 }
      : { since: t.ts, samples: 1, counted: false };
    if (
      ready(phase, t.ts) &&
      t.mode !== 'normal' &&
      t.door_zone &&
      t.floor >= 1 &&
      t.floor <= elevator.floors
    ) {
      next.doorFloors = withFloor(acc.doorFloors, t.floor);
      phase.counted = true;
    }
    next.doorOpen = phase;
  } else {
    next.doorOpen = null;
  }
  if (t.moving) {
    const run = acc.run
      ? { ...acc.run, samples: acc.run.samples + 1, occupied: acc.run.occupied || t.occupied }
      : {
          since: t.ts,
          samples: 1,
          counted: false,
          occupied: t.occupied,
          normal: t.mode === 'normal',
          passenger: false,
        };
    if (ready(run, t.ts) && run.normal) {
      next.normalTrips += 1;
      run.counted = true;
    }
    if (run.counted && run.occupied && !run.passenger) {
      next.passengerTrips += 1;
      run.passenger = true;
    }
    next.run = run;
  } else {
    next.run = null;
  }
  return next;
}

export function accumulateEvent(acc: EvidenceAccumulator, event: DeviceEvent): EvidenceAccumulator {
  if (event.code === 'stop_switch_pit') return { ...acc, stopPit: acc.stopPit + 1 };
  if (event.code === 'stop_switch_car_top') return { ...acc, stopCarTop: acc.stopCarTop + 1 };
  return acc;
}

export function summarize(
  acc: EvidenceAccumulator,
  window: { checkInAt: number; endAt: number },
  elevator: ElevatorInfo,
): VisitEvidence {
  const minutes = (ms: number) => Math.round((ms / 60_000) * 10) / 10;
  return {
    durationMin: minutes(Math.max(0, window.endAt - window.checkInAt)),
    inspectionMin: minutes(acc.inspectionMs),
    outOfServiceMin: minutes(acc.outOfServiceMs),
    serviceMin: minutes(acc.inspectionMs + acc.outOfServiceMs),
    floorsReachedInInspection: acc.floorsInInspection,
    shaftCoverage: Math.round((acc.floorsInInspection.length / elevator.floors) * 100) / 100,
    safetyOpeningsInInspection: acc.safetyOpenings,
    stopSwitchPit: acc.stopPit,
    stopSwitchCarTop: acc.stopCarTop,
    doorCycleFloors: acc.doorFloors,
    normalTrips: acc.normalTrips,
    passengerTrips: acc.passengerTrips,
  };
}
