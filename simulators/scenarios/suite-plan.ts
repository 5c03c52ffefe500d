/**
 * The scenario suites as code: what each scenario injects. `generate.ts` runs each plan
 * on the models and writes the JSON file with its ground truth. Elevators are the demo
 * fleet's; times of day vary (peaks, midday, night) across estates and building heights.
 */
import type { Injection, Scenario } from '../scenario.ts';

export type Plan = Omit<Scenario, 'ground_truth'> & {
  /** Pairs of visit ids whose technician cannot have travelled between them. */
  impossible_travel?: { first: string; second: string }[];
  /** Elevators that must be flagged overdue 15 days after their last genuine visit. */
  overdue?: string[];
};

const fault = (at_s: number, elevator: string, code: string, extra: Partial<Injection> = {}): Injection =>
  ({ at_s, elevator, fault: code, ...extra }) as Injection;
const visit = (
  at_s: number,
  elevator: string,
  visit_id: string,
  kind: 'half_monthly' | 'quarterly' | 'half_yearly' | 'yearly',
  pattern: 'genuine' | 'no_inspection' | 'short_inspection' | 'passenger_service',
  technician_id = 'tech-wang',
  method: 'nfc' | 'app' | 'qr' = 'nfc',
): Injection => ({ at_s, elevator, visit: { visit_id, kind, pattern, technician_id, method } });

export const SHORT_SUITE: Plan[] = [
  {
    name: 'short-faults-morning-peak',
    description:
      'Morning down-peak: trapped in zone, door open while moving, overspeed, safety circuit, door faults',
    suite: 'short',
    seed: 101,
    start: '2025-03-03T08:05:00+08:00',
    duration_s: 600,
    elevators: [
      'lianhua-b1-e1',
      'lianhua-b3-e2',
      'xiangmi-b1-e1',
      'longgang-b1-e3',
      'xiangmi-b4-e1',
      'longgang-b5-e1',
    ],
    injections: [
      fault(30, 'lianhua-b1-e1', 'passenger_trapped', { inside_door_zone: true }),
      fault(40, 'lianhua-b3-e2', 'door_open_while_moving'),
      fault(50, 'xiangmi-b1-e1', 'overspeed'),
      fault(60, 'longgang-b1-e3', 'safety_circuit_open_running'),
      fault(45, 'xiangmi-b4-e1', 'door_close_fault'),
      fault(35, 'longgang-b5-e1', 'door_open_fault'),
    ],
  },
  {
    name: 'short-faults-midday',
    description:
      'Midday: trapped outside the zone, stop outside zone, unintended movement, runtime limiter, floor lost, rerun',
    suite: 'short',
    seed: 202,
    start: '2025-03-04T13:20:00+08:00',
    duration_s: 600,
    elevators: [
      'longgang-b2-e2',
      'xiangmi-b2-e3',
      'lianhua-b5-e1',
      'lianhua-b4-e3',
      'longgang-b3-e1',
      'xiangmi-b5-e2',
    ],
    injections: [
      fault(30, 'longgang-b2-e2', 'passenger_trapped', { inside_door_zone: false }),
      fault(40, 'xiangmi-b2-e3', 'stop_outside_door_zone'),
      fault(50, 'lianhua-b5-e1', 'unintended_car_movement'),
      fault(35, 'lianhua-b4-e3', 'motor_runtime_limiter'),
      fault(45, 'longgang-b3-e1', 'floor_position_lost'),
      fault(30, 'xiangmi-b5-e2', 'rerun_prevention', { duration_s: 240 }),
    ],
  },
  {
    name: 'short-faults-night',
    description:
      'Night: overtravel both ends, long door open (also held open with the car occupied: not a close fault), lock circuit (both kinds), power lost, offline, alarm, controller events',
    suite: 'short',
    seed: 303,
    start: '2025-03-05T02:40:00+08:00',
    duration_s: 900,
    elevators: [
      'xiangmi-b3-e1',
      'longgang-b1-e1',
      'lianhua-b2-e2',
      'longgang-b4-e2',
      'lianhua-b3-e3',
      'xiangmi-b1-e2',
      'longgang-b6-e1',
      'lianhua-b1-e2',
      'xiangmi-b3-e3',
      'lianhua-b4-e1',
    ],
    injections: [
      fault(30, 'xiangmi-b3-e1', 'top_overtravel'),
      fault(30, 'longgang-b1-e1', 'bottom_overtravel'),
      fault(40, 'lianhua-b2-e2', 'long_door_open'),
      fault(90, 'lianhua-b4-e1', 'long_door_open', { variant: 'held_occupied' }),
      fault(30, 'longgang-b4-e2', 'lock_circuit_fault', { variant: 'shorted' }),
      fault(50, 'lianhua-b3-e3', 'lock_circuit_fault', { variant: 'open_running' }),
      fault(60, 'xiangmi-b1-e2', 'power_lost', { duration_s: 240 }),
      fault(60, 'longgang-b6-e1', 'device_offline', { duration_s: 300 }),
      fault(120, 'lianhua-b1-e2', 'alarm_button'),
      { at_s: 200, elevator: 'xiangmi-b3-e3', event: 'door_close_fault' },
      { at_s: 400, elevator: 'xiangmi-b3-e3', event: 'safety_circuit_open_running' },
      { at_s: 600, elevator: 'lianhua-b1-e2', event: 'motor_runtime_limiter' },
    ],
  },
  {
    name: 'short-visits-genuine',
    description:
      'Genuine visits of each class: half-monthly, quarterly, half-yearly, yearly, by NFC, app and QR',
    suite: 'short',
    seed: 404,
    start: '2025-03-06T09:30:00+08:00',
    duration_s: 9000,
    traffic: 0.5,
    elevators: ['lianhua-b5-e2', 'xiangmi-b4-e1', 'longgang-b5-e2', 'lianhua-b1-e1'],
    injections: [
      visit(60, 'lianhua-b5-e2', 'gv-hm-1', 'half_monthly', 'genuine', 'tech-wang', 'nfc'),
      visit(90, 'xiangmi-b4-e1', 'gv-q-1', 'quarterly', 'genuine', 'tech-li', 'app'),
      visit(120, 'longgang-b5-e2', 'gv-hy-1', 'half_yearly', 'genuine', 'tech-zhao', 'qr'),
      visit(150, 'lianhua-b1-e1', 'gv-y-1', 'yearly', 'genuine', 'tech-wang', 'nfc'),
    ],
  },
  {
    name: 'short-visits-fake',
    description:
      'Fake patterns: paper visit, short inspection, passenger service throughout, impossible travel, unreported inspection',
    suite: 'short',
    seed: 505,
    start: '2025-03-07T10:00:00+08:00',
    duration_s: 5400,
    elevators: [
      'lianhua-b2-e1',
      'xiangmi-b2-e2',
      'longgang-b3-e2',
      'longgang-b4-e1',
      'xiangmi-b5-e1',
      'lianhua-b4-e1',
    ],
    injections: [
      visit(60, 'longgang-b3-e2', 'fv-paper-1', 'half_monthly', 'no_inspection', 'tech-zhao', 'app'),
      visit(120, 'longgang-b4-e1', 'fv-short-1', 'half_monthly', 'short_inspection', 'tech-zhao', 'qr'),
      visit(300, 'xiangmi-b5-e1', 'fv-service-1', 'quarterly', 'passenger_service', 'tech-li', 'app'),
      visit(60, 'lianhua-b2-e1', 'fv-travel-a', 'half_monthly', 'genuine', 'tech-wang', 'nfc'),
      visit(150, 'xiangmi-b2-e2', 'fv-travel-b', 'half_monthly', 'no_inspection', 'tech-wang', 'app'),
      { at_s: 900, elevator: 'lianhua-b4-e1', unreported_inspection_min: 25 },
    ],
    impossible_travel: [{ first: 'fv-travel-a', second: 'fv-travel-b' }],
  },
  {
    name: 'short-overdue',
    description:
      'One genuine half-monthly visit, then none for 16 days: maintenance overdue (heartbeats only)',
    suite: 'short',
    seed: 606,
    start: '2025-03-01T09:00:00+08:00',
    duration_s: 16 * 86400,
    traffic: 0,
    elevators: ['xiangmi-b4-e1'],
    injections: [visit(60, 'xiangmi-b4-e1', 'od-1', 'half_monthly', 'genuine', 'tech-li', 'nfc')],
    overdue: ['xiangmi-b4-e1'],
  },
  {
    name: 'short-clean-24h',
    description:
      '24 h of clean traffic with door bounces, levelling jitter and door-zone dropouts, and genuine visits: nothing to raise',
    suite: 'short',
    seed: 707,
    start: '2025-03-08T00:00:00+08:00',
    duration_s: 86400,
    noise: 'realistic',
    elevators: ['lianhua-b3-e1', 'xiangmi-b4-e1', 'longgang-b5-e1'],
    injections: [
      visit(10 * 3600, 'xiangmi-b4-e1', 'cv-hm-1', 'half_monthly', 'genuine', 'tech-li', 'app'),
      visit(14 * 3600, 'longgang-b5-e1', 'cv-hm-2', 'half_monthly', 'genuine', 'tech-zhao', 'qr'),
    ],
  },
];
