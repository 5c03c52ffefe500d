/**
 * The full suite: every fault three times across the whole demo fleet over a day, a
 * day of clean fleet traffic with visits, and 16 days of maintenance on a few cars.
 */
import { FAULT_CODES } from '../../protocol/index.ts';
import type { Injection } from '../scenario.ts';
import type { Plan } from './suite-plan.ts';

export function fullSuite(elevators: string[]): Plan[] {
  const codes = Object.keys(FAULT_CODES);
  const injections: Injection[] = [];
  // Three rounds at different hours; each round moves every code to another estate's car.
  [3, 9, 18].forEach((hour, round) => {
    codes.forEach((code, i) => {
      const elevator = elevators[(i * 7 + round * 13) % elevators.length]!;
      const extra = code === 'passenger_trapped' ? { inside_door_zone: round % 2 === 0 } : {};
      injections.push({ at_s: hour * 3600 + i * 400, elevator, fault: code, ...extra } as Injection);
    });
  });
  const half = (at_s: number, elevator: string, id: string, technician_id: string): Injection => ({
    at_s,
    elevator,
    visit: { visit_id: id, kind: 'half_monthly', pattern: 'genuine', technician_id, method: 'app' },
  });
  const maintenanceCars = [
    'lianhua-b1-e1',
    'lianhua-b3-e2',
    'xiangmi-b2-e1',
    'longgang-b1-e2',
    'longgang-b5-e1',
  ];
  const maintenance: Injection[] = [];
  maintenanceCars.forEach((car, i) => {
    const tech = car.startsWith('longgang') ? 'tech-zhao' : i % 2 ? 'tech-li' : 'tech-wang';
    maintenance.push(half(3600 + i * 7200, car, `fm-${i}-1`, tech));
    // The last car is never visited again: overdue on day 15.
    if (i < maintenanceCars.length - 1) maintenance.push(half(13 * 86400 + i * 7200, car, `fm-${i}-2`, tech));
  });
  maintenance.push({
    at_s: 5 * 86400 + 36000,
    elevator: 'lianhua-b3-e2',
    visit: {
      visit_id: 'fm-fake-1',
      kind: 'quarterly',
      pattern: 'passenger_service',
      technician_id: 'tech-li',
      method: 'qr',
    },
  });
  maintenance.push({
    at_s: 8 * 86400 + 36000,
    elevator: 'xiangmi-b2-e1',
    visit: {
      visit_id: 'fm-fake-2',
      kind: 'half_monthly',
      pattern: 'short_inspection',
      technician_id: 'tech-li',
      method: 'app',
    },
  });
  return [
    {
      name: 'full-faults-24h',
      description:
        'Every fault code three times, in all three estates, at night, morning peak and evening peak',
      suite: 'full',
      seed: 9001,
      start: '2025-04-01T00:00:00+08:00',
      duration_s: 86400,
      noise: 'realistic',
      elevators,
      injections,
    },
    {
      name: 'full-clean-24h',
      description: 'The whole demo fleet for 24 h with sensor noise and genuine visits: nothing to raise',
      suite: 'full',
      seed: 9002,
      start: '2025-04-02T00:00:00+08:00',
      duration_s: 86400,
      noise: 'realistic',
      elevators,
      injections: elevators
        .filter((_, i) => i % 8 === 0)
        .map((car, i) =>
          half(9 * 3600 + i * 3600, car, `fc-${i}`, car.startsWith('longgang') ? 'tech-zhao' : 'tech-wang'),
        ),
    },
    {
      name: 'full-maintenance-16d',
      description: '16 days on five cars: genuine visits every 12 days, two fakes, one car left overdue',
      suite: 'full',
      seed: 9003,
      start: '2025-04-03T00:00:00+08:00',
      duration_s: 16 * 86400,
      traffic: 0.2,
      noise: 'realistic',
      elevators: maintenanceCars,
      injections: maintenance,
      overdue: ['longgang-b5-e1'],
    },
  ];
}
