/**
 * Health signals (issue 16, item 1) as tables: a recorded trace of one device day in, the
 * day's figures out, through the real accumulator (HealthTable.feed). Out-of-range values
 * are rejected with a reason and leave the figures untouched.
 */
import { describe, expect, it } from 'vitest';
import { JUDGED, type OutOfRange, STATE_BYTES } from '../../ingest/health/signals.ts';
import { createHealthStage, HEALTH_MEASUREMENT } from '../../ingest/health/stage.ts';
import { BYTES_PER_LIFT, type HealthDay, HealthTable } from '../../ingest/health/table.ts';
import { FLOOR_M, HealthTrace } from '../helpers/health-trace.ts';

const LIFT = { id: 'e1', ratedSpeedMps: 1.75, floorHeightM: FLOOR_M, thresholds: {} };

/** Feeds the trace, then one heartbeat the next day; returns the closed day and what was rejected. */
function closeDay(trace: HealthTrace): {
  day: HealthDay;
  rejected: OutOfRange[];
  values: Record<string, number>;
} {
  const table = new HealthTable([LIFT]);
  const rejected: OutOfRange[] = [];
  let closed: HealthDay | null = null;
  trace.at(1, 9).sample();
  for (const m of trace.messages) closed = table.feed(0, m, rejected) ?? closed;
  if (!closed) throw new Error('no day closed');
  const values = Object.fromEntries(JUDGED.map((k, i) => [k, closed!.values.judged[i]!]));
  return { day: closed, rejected, values };
}

describe('health signals: one device day', () => {
  it('trips, run hours, door cycles, dwell, door closing time, reopens', () => {
    const t = new HealthTrace('e1');
    for (let i = 0; i < 30; i++)
      t.trip({ doorCloseMs: i < 15 ? 3000 : 3400, dwellS: 6, reopen: i % 10 === 0 });
    const { day, values, rejected } = closeDay(t);
    expect(rejected).toEqual([]);
    expect(day.values.trips).toBe(30);
    // Each run: moving sample → stop sample 8 s later.
    expect(day.values.run_hours).toBeCloseTo((30 * 8) / 3600, 6);
    // 30 openings + 3 reopenings.
    expect(day.values.door_cycles).toBe(33);
    expect(values.door_close_ms).toBe(3200);
    expect(values.reopens_per_close).toBeCloseTo(3 / 33, 6);
    // Dwell: 6 s per ordinary cycle, 4 s for each reopen cycle.
    expect(values.door_dwell_s).toBeCloseTo((30 * 6 + 3 * 4) / 33, 6);
    expect(values.top_speed_ratio).toBeCloseTo(1.5 / 1.75, 6);
    expect(day.values.run_counter_ratio).toBe(1);
    expect(Number.isNaN(values.vibration_mg!)).toBe(true);
  });

  it('re-levelling moves, stops outside the door zone, stopping error from the position or the field', () => {
    const t = new HealthTrace('e1');
    for (let i = 0; i < 40; i++) {
      t.trip({
        positionErrorMm: i === 7 ? 250 : 10,
        ...(i < 20 ? {} : { stopErrorMm: -30, stopDistanceMm: 40 }),
      });
      if (i % 4 === 0) t.relevel();
    }
    const { values } = closeDay(t);
    // 40 trips + 10 relevels = 50 stops.
    expect(values.relevels_per_100_stops).toBeCloseTo(20, 6);
    expect(values.outside_zone_per_1000_stops).toBeCloseTo(20, 6);
    // Position-derived for the first 20 trips (19 × 10 mm; the one outside the zone has no landing),
    // the controller's |−30| for the other 20, relevels end level (0 mm).
    expect(values.stop_error_mm).toBeCloseTo((19 * 10 + 20 * 30) / (19 + 20 + 10), 4);
    expect(values.stop_distance_mm).toBe(40);
  });

  it('a door-zone reading that drops out for two samples at a stop is not a stop outside the zone', () => {
    const t = new HealthTrace('e1');
    for (let i = 0; i < 25; i++) {
      t.trip({ positionErrorMm: i === 5 ? 250 : 0 });
      // The next sample, a second later, reads the car in the zone: the first was a vane dropout.
      if (i === 5) t.sample({ door_zone: false }).sample({ door_zone: true });
    }
    expect(closeDay(t).values.outside_zone_per_1000_stops).toBe(0);
  });

  it('minor faults that clear by themselves per 1,000 trips; a cleared report is not a new fault', () => {
    const t = new HealthTrace('e1');
    for (let i = 0; i < 25; i++) t.trip();
    t.event('door_close_fault')
      .event('door_close_fault', { cleared: true })
      .event('alarm_button')
      .event('90');
    t.event('power_lost');
    const { values } = closeDay(t);
    expect(values.minor_faults_per_1000_trips).toBeCloseTo((3 / 25) * 1000, 6);
  });

  it('run counter consistency: counter increments against the runs seen', () => {
    const t = new HealthTrace('e1');
    for (let i = 0; i < 25; i++) t.trip({ runCountStep: 2 });
    expect(closeDay(t).day.values.run_counter_ratio).toBe(2);
  });

  it('the day ends at midnight in Shanghai (UTC+8), not UTC', () => {
    const table = new HealthTable([LIFT]);
    const t = new HealthTrace('e1');
    t.at(0, 23.9).sample(); // 23:54 local = 15:54 UTC
    t.at(1, 7.9).sample(); // 07:54 local, still the same UTC day
    expect(table.feed(0, t.messages[0]!, null)).toBeNull();
    expect(table.feed(0, t.messages[1]!, null)).toBeNull();
    const closed = table.feed(0, t.messages[2]!, null);
    expect(closed?.report.date).toBe('2025-03-03');
  });

  it('a late message (older than the newest seen) is not counted', () => {
    const t = new HealthTrace('e1');
    for (let i = 0; i < 25; i++) t.trip({ doorCloseMs: 3000 });
    const late = structuredClone(t.messages[3]!);
    if (late.channel !== 'telemetry') throw new Error('expected telemetry');
    late.payload.door_close_ms = 9000;
    t.messages.push(late);
    expect(closeDay(t).values.door_close_ms).toBe(3000);
  });
});

describe('health signals: out-of-range values', () => {
  it.each([
    ['door_close_ms', { doorCloseMs: -120 }, /door closing time -120 ms is outside 0–60000 ms/],
    ['stop_distance_mm', { stopDistanceMm: -5 }, /stopping distance -5 mm/],
    ['stop_error_mm', { stopErrorMm: 9000 }, /stopping error 9000 mm is beyond ±5000 mm/],
    ['speed_mps', { speed: 6 }, /speed 6 m\/s is beyond 3× rated \(1.75 m\/s\)/],
  ] as const)('%s: rejected with its reason, the figures untouched', (field, bad, reason) => {
    const t = new HealthTrace('e1');
    for (let i = 0; i < 25; i++)
      t.trip({ doorCloseMs: 3000, stopDistanceMm: 40, stopErrorMm: 4, speed: 1.5, ...(i === 12 ? bad : {}) });
    const { rejected, values } = closeDay(t);
    // The speed reading holds over the run's samples: each is rejected.
    expect(new Set(rejected.map((r) => r.field))).toEqual(new Set([field]));
    expect(rejected[0]!.reason).toMatch(reason);
    expect(values.door_close_ms).toBe(3000);
    expect(values.stop_distance_mm).toBe(40);
    expect(values.stop_error_mm).toBe(4);
    expect(values.top_speed_ratio).toBeCloseTo(1.5 / 1.75, 6);
  });

  it('the ingest stage dead-letters the value alone (stage health) and writes the day', () => {
    const letters: { stage: string; reason: string; topic: string }[] = [];
    const lines: string[] = [];
    const stage = createHealthStage([LIFT], {
      writeLine: (l) => lines.push(l),
      deadLetter: (l) => letters.push(l),
    });
    const t = new HealthTrace('e1');
    for (let i = 0; i < 25; i++) t.trip({ doorCloseMs: i === 3 ? -1 : 3000 });
    t.at(1, 9).sample();
    for (const m of t.messages) stage.onMessage(m, ',estate=x,building=y,elevator=e1');
    expect(letters).toHaveLength(1);
    expect(letters[0]).toMatchObject({ stage: 'health', topic: 'elevators/e1/telemetry' });
    expect(letters[0]!.reason).toMatch(/^door_close_ms: .*value ignored, baseline untouched$/);
    expect(lines).toHaveLength(1);
    expect(lines[0]).toMatch(new RegExp(`^${HEALTH_MEASUREMENT},estate=x,building=y,elevator=e1 trips=25i,`));
    expect(lines[0]).toMatch(/,door_close_ms=3000,/);
    expect(lines[0]).toMatch(/,status="insufficient",early=F,/);
    expect(lines[0]).not.toMatch(/NaN|score=/);
    expect(lines[0]).toMatch(/ \d+$/);
  });
});

describe('health state size', () => {
  it('is fixed and under 1 KB per lift', () => {
    expect(BYTES_PER_LIFT).toBeLessThanOrEqual(1024);
    // Whole numbers (counts, floors, flags, the day) at 4 bytes, times and sums at 8.
    expect(STATE_BYTES).toBeLessThan(32 * 8);
  });
});
