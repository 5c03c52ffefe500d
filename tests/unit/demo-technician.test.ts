/**
 * The demo's technician schedule (demo/technician.ts): 王师傅's first check-in comes within the
 * demo's first minutes, after its first alarm and first report; each visit is checked in, its
 * checklist ticked, then checked out, and the next starts only after; the cars are ones the
 * demo's other live events leave alone (no injected fault or device-channel visit on them), in
 * the one estate of the simulator's own visits by tech-wang, which his company maintains, and
 * which residents report on (so the visit answers a work order).
 */
import { describe, expect, it } from 'vitest';
import { REPORTED_CARS } from '../../demo/components.ts';
import { demoLiveInjections, FIRST_ALARM_ABOUT_S, FIRST_REPORT_S } from '../../demo/live.ts';
import {
  demoFieldSteps,
  FIELD_TECHNICIAN,
  FIELD_VISIT_EVERY_S,
  FIRST_FIELD_VISIT_S,
} from '../../demo/technician.ts';
import { generateFleet } from '../../simulators/demo-fleet.ts';

const fleet = generateFleet();

describe('demo technician schedule', () => {
  const steps = demoFieldSteps(24);

  it('checks in within the first two minutes, after the first alarm and the first report', () => {
    const first = steps[0]!;
    expect(first).toMatchObject({ action: 'check_in', at_s: FIRST_FIELD_VISIT_S, visit: 0 });
    expect(first.at_s).toBeGreaterThan(FIRST_ALARM_ABOUT_S);
    expect(first.at_s).toBeGreaterThan(FIRST_REPORT_S);
    expect(first.at_s).toBeLessThanOrEqual(120);
  });

  it('runs each visit check-in, checklist, check-out, one visit at a time', () => {
    expect(steps.map((s) => s.at_s)).toEqual([...steps.map((s) => s.at_s)].sort((a, b) => a - b));
    const visits = [...new Set(steps.map((s) => s.visit))];
    expect(visits).toHaveLength(Math.ceil((24 * 3600 - FIRST_FIELD_VISIT_S) / FIELD_VISIT_EVERY_S));
    let openUntil = -1;
    for (const n of visits) {
      const own = steps.filter((s) => s.visit === n);
      expect(own.map((s) => s.action)).toEqual(['check_in', 'items', 'check_out']);
      expect(new Set(own.map((s) => s.elevator)).size).toBe(1);
      expect(own[0]!.at_s).toBeGreaterThan(openUntil);
      openUntil = own[2]!.at_s;
    }
    const items = steps.find((s) => s.action === 'items');
    expect(items && 'items' in items ? items.items : []).toEqual(Array.from({ length: 31 }, (_, i) => i + 1));
  });

  it("works cars the demo's other live events leave alone, in his company's estate with reports", () => {
    const busy = new Set(demoLiveInjections(24).map((i) => i.elevator));
    const cars = new Set(steps.map((s) => s.elevator));
    expect(cars.size).toBeGreaterThan(1);
    const company = fleet.users.find((u) => u.username === FIELD_TECHNICIAN)!.company_id;
    const simulatedVisits = demoLiveInjections(24).filter(
      (i) => 'visit' in i && i.visit.technician_id === FIELD_TECHNICIAN,
    );
    const estates = new Set(simulatedVisits.map((i) => i.elevator.split('-')[0]));
    for (const car of cars) {
      expect(busy.has(car), car).toBe(false);
      const elevator = fleet.elevators.find((e) => e.id === car)!;
      const building = fleet.buildings.find((b) => b.id === elevator.building_id)!;
      const estate = fleet.estates.find((e) => e.id === building.estate_id)!;
      expect(estate.maintenance_company_id).toBe(company);
      // The same estate as his simulated visits: never two estates at once (impossible travel).
      expect([...estates]).toEqual([estate.id]);
    }
    expect([...cars].some((c) => REPORTED_CARS.includes(c))).toBe(true);
  });
});
