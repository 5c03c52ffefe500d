/**
 * Component wear for condition-based maintenance scenarios (issue 16, item 5): parameters
 * the model reads at every close and stop, and how each drifts over weeks of device time.
 * A door operator slows until its closing time passes the controller's limit (door faults);
 * a levelling drift grows until stops end outside the door zone; a worn brake slides on,
 * lengthening the stopping distance until the car overshoots the zone. The model marks the
 * first fault (its onset) itself: that is the ground truth the recommendation is scored on.
 */

export interface Wear {
  /** Door closing time as a multiple of the nominal one (car.ts DOOR_CLOSE_MS). */
  doorCloseFactor: number;
  /** Every service stop lands this far off the landing, mm (+ above). */
  levellingOffsetMm: number;
  /** Car travel after the brake drops, mm. The controller compensates the nominal slide only. */
  brakeSlideMm: number;
}

/** The brake slide the controller was commissioned for (and compensates). */
export const NOMINAL_BRAKE_MM = 30;
export const NEUTRAL_WEAR: Readonly<Wear> = Object.freeze({
  doorCloseFactor: 1,
  levellingOffsetMm: 0,
  brakeSlideMm: NOMINAL_BRAKE_MM,
});

/** The controller's door-close time limit: a slower close is reported as a door_close_fault (self-clearing). */
export const DOOR_FAULT_MS = 5900;
/** The controller re-levels a stop further off than this. */
export const RELEVEL_MM = 15;

export type WornComponent = 'door_operator' | 'levelling' | 'brake';

export interface WearPlan {
  component: WornComponent;
  /** Device day (from the scenario start) the wear begins. */
  startDay: number;
  /** Day by which the wear reaches its fault level (the faults themselves start around here). */
  faultDay: number;
}

/** Progress of the wear on `day`: 0 before it starts, 1 at the fault level, growing past it. */
function progress(plan: WearPlan, day: number): number {
  return Math.max(0, (day - plan.startDay) / (plan.faultDay - plan.startDay));
}

/**
 * The wear on `day`. Door: closing time grows with the square of the progress (wear
 * accelerates), 2× nominal at the fault day. Levelling: linear, 200 mm (the door-zone edge)
 * at the fault day. Brake: slide grows with progress^1.5, overshooting 200 mm at the fault day.
 */
export function wearOn(plan: WearPlan | null, day: number): Wear {
  if (!plan) return { ...NEUTRAL_WEAR };
  const p = Math.min(progress(plan, day), 1.5);
  switch (plan.component) {
    case 'door_operator':
      return { ...NEUTRAL_WEAR, doorCloseFactor: 1 + p * p };
    case 'levelling':
      return { ...NEUTRAL_WEAR, levellingOffsetMm: 200 * p };
    case 'brake':
      return { ...NEUTRAL_WEAR, brakeSlideMm: NOMINAL_BRAKE_MM + 200 * p ** 1.5 };
  }
}

/** The first fault codes a worn component shows. */
export const WEAR_FAULT_CODES: Record<WornComponent, readonly string[]> = {
  door_operator: ['door_close_fault'],
  levelling: ['stop_outside_door_zone'],
  brake: ['stop_outside_door_zone'],
};
