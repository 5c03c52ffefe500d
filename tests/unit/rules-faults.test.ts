/**
 * Fault rules as tables: a recorded trace in (built from telemetrySample), the findings
 * out, through the real detector. Noise traces (door bounces, levelling jitter, door-zone
 * dropouts) must raise nothing.
 */
import { describe, expect, it } from 'vitest';
import type { ElevatorInfo } from '../../fleet/types.ts';
import { createDetector, type Finding } from '../../ingest/rules/index.ts';
import type { DeviceMessage, Telemetry } from '../../protocol/index.ts';
import { telemetrySample } from '../helpers/fixtures.ts';

const T0 = 1_700_000_000_000;
const CAR: ElevatorInfo = {
  id: 'e1',
  estateId: 'te',
  buildingId: 'tb1',
  name: 'Car 1',
  floors: 10,
  floorHeightM: 3,
  ratedSpeedMps: 1.75,
  ratedLoadKg: 1000,
  thresholds: {},
};

/** A small trace builder: the car's readings held for some seconds, one sample a second. */
class Trace {
  readonly messages: DeviceMessage[] = [];
  private seq = 0;
  private t = 0;
  private state: Telemetry = telemetrySample({ ts: T0 });

  /** Hold these readings for `seconds` (samples at every `stepS`), and keep them afterwards. */
  hold(seconds: number, readings: Partial<Telemetry> = {}, stepS = 1): this {
    this.state = { ...this.state, ...readings };
    for (let i = 0; i < seconds; i += stepS) this.sample(stepS);
    return this;
  }

  /** One sample with these readings that do not persist: a bounce, a glitch. */
  blip(readings: Partial<Telemetry>): this {
    const kept = this.state;
    this.state = { ...this.state, ...readings };
    this.sample();
    this.state = kept;
    return this;
  }

  /** A run from the current floor to another at rated speed, doors closed. */
  ride(toFloor: number, extra: Partial<Telemetry> = {}): this {
    const from = this.state.floor;
    const dir = toFloor > from ? 1 : -1;
    const steps = Math.ceil((Math.abs(toFloor - from) * CAR.floorHeightM) / CAR.ratedSpeedMps);
    for (let i = 1; i <= steps; i++) {
      const pos =
        Math.min(1, i / steps) * (toFloor - from) * CAR.floorHeightM + (from - 1) * CAR.floorHeightM;
      this.hold(1, {
        moving: i < steps,
        direction: i < steps ? (dir > 0 ? 'up' : 'down') : 'none',
        speed_mps: i < steps ? CAR.ratedSpeedMps : 0,
        position_m: pos,
        floor: Math.round(pos / CAR.floorHeightM) + 1,
        door_zone: i === steps,
        door_closed: true,
        door_lock: true,
        ...extra,
      });
    }
    this.state = { ...this.state, run_count: this.state.run_count + 1 };
    return this;
  }

  event(code: string, detail?: Record<string, unknown>): this {
    this.messages.push({
      channel: 'event',
      elevatorId: CAR.id,
      receivedAt: T0 + this.t * 1000,
      payload: { v: 1, ts: T0 + this.t * 1000, seq: ++this.seq, code, ...(detail ? { detail } : {}) },
    });
    return this;
  }

  private sample(stepS = 1): void {
    const ts = T0 + this.t * 1000;
    this.messages.push({
      channel: 'telemetry',
      elevatorId: CAR.id,
      receivedAt: ts,
      payload: { ...this.state, ts, seq: ++this.seq },
    });
    this.t += stepS;
  }
}

interface Seen {
  code: string;
  kind: string;
  atS: number;
}

function run(trace: Trace, elevator: ElevatorInfo = CAR): Seen[] {
  const detector = createDetector([elevator]);
  const out: Finding[] = [];
  for (const m of trace.messages) out.push(...detector.onMessage(m));
  return out.flatMap((f) =>
    f.kind === 'visit' ? [] : [{ code: f.code, kind: f.kind, atS: (f.at - T0) / 1000 }],
  );
}

const raised = (seen: Seen[]) =>
  [...new Set(seen.filter((s) => s.kind === 'raise').map((s) => s.code))].sort();

/** Normal traffic with the three kinds of noise the field shows. */
function noisyTraffic(): Trace {
  const tr = new Trace().hold(5);
  for (const [floor, occupied] of [
    [5, true],
    [2, true],
    [9, false],
    [1, true],
  ] as const) {
    tr.hold(2, { occupied }).ride(floor, { occupied });
    tr.hold(2, { door_closed: false, door_lock: false })
      .blip({ door_closed: true, door_lock: true })
      .hold(3, { door_closed: false, door_lock: false })
      .hold(1, { door_closed: true, door_lock: true })
      .blip({ door_closed: false })
      .blip({ speed_mps: 0.04, position_m: (floor - 1) * 3 + 0.02 })
      .blip({ door_zone: false })
      .hold(20, { occupied: false });
  }
  return tr;
}

describe('clean traffic with noise', () => {
  it('raises nothing', () => {
    expect(run(noisyTraffic())).toEqual([]);
  });

  it('raises nothing through brief door-zone dropouts with a passenger waiting at a landing', () => {
    const tr = new Trace().hold(10, { occupied: true });
    for (let i = 0; i < 5; i++) tr.blip({ door_zone: false }).hold(8);
    tr.hold(5, { door_closed: false, door_lock: false });
    expect(run(tr)).toEqual([]);
  });
});

describe('passenger_trapped (GB/T 24476 code 11)', () => {
  const between = { floor: 3, position_m: 7.5, door_zone: false, occupied: true };

  it('raises at 30 s outside the door zone, not before, and clears when doors open', () => {
    const tr = new Trace().hold(3).hold(30, between);
    expect(raised(run(tr))).not.toContain('passenger_trapped');
    tr.hold(5).hold(3, { door_closed: false, door_lock: false });
    const seen = run(tr).filter((s) => s.code === 'passenger_trapped');
    const start = 3; // three idle samples, then stuck between floors
    expect(seen[0]).toMatchObject({ kind: 'raise' });
    expect(seen[0]!.atS - start).toBeGreaterThanOrEqual(30);
    expect(seen[0]!.atS - start).toBeLessThanOrEqual(32);
    expect(seen[1]).toMatchObject({ kind: 'clear' });
  });

  it('waits 60 s inside the door zone', () => {
    const tr = new Trace().hold(59, { occupied: true, door_zone: true });
    expect(raised(run(tr))).toEqual([]);
    tr.hold(3);
    const seen = run(tr).find((s) => s.code === 'passenger_trapped');
    expect(seen?.atS).toBe(60);
  });

  it('does not restart the clock on a door bounce or a door-zone flicker', () => {
    const tr = new Trace().hold(15, between).blip({ door_closed: false }).blip({ door_zone: true }).hold(20);
    expect(run(tr).find((s) => s.code === 'passenger_trapped')?.atS).toBe(30);
  });

  it.each([
    ['the car is empty', { occupied: false }],
    ['the doors stand open', { door_closed: false, door_lock: false }],
    ['the car is in inspection', { mode: 'inspection' as const }],
  ])('raises nothing when %s', (_label, readings) => {
    expect(raised(run(new Trace().hold(90, { ...between, ...readings })))).not.toContain('passenger_trapped');
  });

  it('is raised between sparse samples by the tick, within threshold + 2 s', () => {
    const detector = createDetector([CAR]);
    const tr = new Trace().hold(21, between, 10);
    for (const m of tr.messages) detector.onMessage(m);
    expect(detector.onTick(T0 + 29_000)).toEqual([]);
    const found = detector.onTick(T0 + 30_500).filter((f) => f.kind === 'raise');
    expect(found.map((f) => (f.kind === 'raise' ? f.code : ''))).toContain('passenger_trapped');
  });
});

const running = {
  moving: true,
  speed_mps: 1.75,
  direction: 'up' as const,
  door_zone: false,
  position_m: 10,
  floor: 4,
};

describe.each<[string, () => Trace, string[]]>([
  [
    '01 safety circuit opens while running',
    () =>
      new Trace()
        .hold(3, running)
        .hold(1, { safety_circuit: false })
        .hold(3, { moving: false, speed_mps: 0 }),
    ['safety_circuit_open_running'],
  ],
  [
    '01 not for a stop-switch test in inspection',
    () =>
      new Trace()
        .hold(3, { ...running, mode: 'inspection', speed_mps: 0.5 })
        .hold(3, { safety_circuit: false, moving: false, speed_mps: 0 }),
    [],
  ],
  [
    '02 more than four reopen cycles at one stop',
    () => {
      const tr = new Trace().hold(2);
      for (let i = 0; i < 6; i++)
        tr.hold(3, { door_closed: false, door_lock: false }).hold(2, { door_closed: true, door_lock: true });
      return tr;
    },
    ['door_close_fault'],
  ],
  [
    '02 occupied car, doors commanded closed but never closed in place',
    () =>
      new Trace()
        .hold(2, { door_closed: false, door_lock: false, occupied: true })
        .blip({ door_closing: true })
        .hold(63),
    ['door_close_fault'],
  ],
  [
    '02 occupied car, closing commanded again and again, never in place',
    () => {
      const tr = new Trace().hold(1, { door_closed: false, door_lock: false, occupied: true });
      for (let i = 0; i < 13; i++) tr.hold(2, { door_closing: true }).hold(3, { door_closing: false });
      return tr;
    },
    ['door_close_fault'],
  ],
  [
    '02 not a door held open at a landing with the car occupied (resident moving boxes): 02 is long_door_open',
    () =>
      new Trace().hold(130, { door_closed: false, door_lock: false, occupied: true, door_closing: false }),
    ['long_door_open'],
  ],
  [
    '02 not a door held open by a device that does not report the close command',
    () => new Trace().hold(130, { door_closed: false, door_lock: false, occupied: true }),
    ['long_door_open'],
  ],
  [
    '02 not once the commanded doors closed in place and were then held open',
    () =>
      new Trace()
        .hold(3, { door_closed: false, door_lock: false, occupied: true, door_closing: true })
        .hold(3, { door_closed: true, door_lock: true, door_closing: false })
        .hold(100, { door_closed: false, door_lock: false }),
    [],
  ],
  [
    '03 occupied car arrives, doors stay closed',
    () => new Trace().hold(2, { occupied: true }).ride(4, { occupied: true }).hold(12),
    ['door_open_fault'],
  ],
  [
    '03 also when the door zone reads false on the arrival sample (a dropout; found by the full eval)',
    () =>
      new Trace()
        .hold(2, { occupied: true })
        .ride(4, { occupied: true, door_zone: false })
        .hold(12, { door_zone: true }),
    ['door_open_fault'],
  ],
  [
    '04 stopped outside the door zone for 45 s',
    () => new Trace().hold(46, { door_zone: false, position_m: 7.5, floor: 3 }),
    ['stop_outside_door_zone'],
  ],
  ['04 not at 44 s', () => new Trace().hold(44, { door_zone: false, position_m: 7.5, floor: 3 }), []],
  [
    '05 car leaves the landing with doors open',
    () =>
      new Trace()
        .hold(3, { door_closed: false, door_lock: false })
        .hold(3, { position_m: 0.5, speed_mps: 0.2, door_zone: false }),
    ['unintended_car_movement'],
  ],
  [
    '06 one run longer than travel time + 10 s',
    () => new Trace().hold(30, { ...running, speed_mps: 0.3 }),
    ['motor_runtime_limiter'],
  ],
  ['06 not a full-travel run', () => new Trace().ride(10).hold(5).ride(1), []],
  ['07 invalid floor', () => new Trace().hold(3, { floor: 0 }), ['floor_position_lost']],
  [
    '07 jump to a non-adjacent floor while parked',
    () => new Trace().hold(2, { floor: 2, position_m: 3 }).hold(3, { floor: 8 }),
    ['floor_position_lost'],
  ],
  [
    '07 not one glitched reading',
    () => new Trace().hold(2, { floor: 2, position_m: 3 }).blip({ floor: 8 }).hold(3),
    [],
  ],
  [
    '08 restart blocked after a trip',
    () =>
      new Trace()
        .hold(2, running)
        .hold(1, { safety_circuit: false })
        .hold(35, { moving: false, speed_mps: 0, safety_circuit: true, mode: 'out_of_service' }),
    ['rerun_prevention', 'safety_circuit_open_running'],
  ],
  [
    '09 up limit switch',
    () => new Trace().hold(2, { up_limit: true, floor: 10, position_m: 27.3 }),
    ['top_overtravel'],
  ],
  [
    '10 below the bottom landing',
    () => new Trace().hold(3, { position_m: -0.5, door_zone: false }),
    ['bottom_overtravel'],
  ],
  [
    'door open while moving',
    () => new Trace().hold(2, running).hold(2, { door_closed: false }),
    ['door_open_while_moving'],
  ],
  [
    'door open while moving: not a one-sample bounce',
    () => new Trace().hold(2, running).blip({ door_closed: false }).hold(2),
    [],
  ],
  [
    'overspeed at 1.2 × rated, confirmed',
    () => new Trace().hold(3, { ...running, speed_mps: 2.1 }),
    ['overspeed'],
  ],
  [
    'overspeed: not one reading at 1.2 ×',
    () => new Trace().hold(2, running).blip({ speed_mps: 2.1 }).hold(2),
    [],
  ],
  [
    'long door open over 120 s',
    () => new Trace().hold(122, { door_closed: false, door_lock: false }),
    ['long_door_open'],
  ],
  [
    'long door open: not in inspection',
    () => new Trace().hold(200, { door_closed: false, door_lock: false, mode: 'inspection' }),
    [],
  ],
  [
    'lock circuit opens while running, doors closed',
    () => new Trace().hold(2, running).hold(2, { door_lock: false }),
    ['lock_circuit_fault'],
  ],
  [
    'lock circuit reads closed with a door open',
    () => new Trace().hold(5, { door_closed: false, door_lock: true }),
    ['lock_circuit_fault'],
  ],
  ['power lost', () => new Trace().hold(5, { power: 'battery' }), ['power_lost']],
  ['power: not a one-sample dip', () => new Trace().hold(2).blip({ power: 'battery' }).hold(2), []],
  ['alarm button (event 90)', () => new Trace().hold(1).event('alarm_button'), ['alarm_button']],
  ['controller-reported fault by GB number', () => new Trace().hold(1).event('11'), ['passenger_trapped']],
  [
    'status events are not faults',
    () => new Trace().hold(1).event('inspection_entered').event('fire_return'),
    [],
  ],
])('%s', (_label, build, expected) => {
  it(`raises ${expected.join(', ') || 'nothing'}`, () => {
    expect(raised(run(build()))).toEqual(expected);
  });
});

describe('clears', () => {
  it('overspeed clears when speed is back to normal, power when mains returns', () => {
    const seen = run(
      new Trace()
        .hold(3, { ...running, speed_mps: 2.1 })
        .hold(3, { speed_mps: 1.7 })
        .hold(5, { power: 'off' })
        .hold(7, { power: 'mains' }),
    );
    expect(seen.filter((s) => s.kind === 'clear').map((s) => s.code)).toEqual(['overspeed', 'power_lost']);
  });

  it('a controller power_restored event clears power_lost', () => {
    const seen = run(new Trace().hold(5, { power: 'battery' }).event('power_restored'));
    expect(seen.at(-1)).toMatchObject({ code: 'power_lost', kind: 'clear' });
  });
});

describe('per-elevator thresholds', () => {
  it('an override moves the trapped threshold', () => {
    const car = { ...CAR, thresholds: { trappedOutsideZoneS: 20 } };
    const seen = run(new Trace().hold(25, { door_zone: false, position_m: 7.5, occupied: true }), car);
    expect(seen.find((s) => s.code === 'passenger_trapped')?.atS).toBe(20);
  });
});

describe('device_offline (wall clock)', () => {
  it('is raised after 120 s of silence and cleared by the next message', () => {
    const detector = createDetector([CAR]);
    const tr = new Trace().hold(1);
    detector.onMessage(tr.messages[0]!);
    expect(detector.onTick(T0 + 119_000).filter((f) => f.kind === 'raise')).toEqual([]);
    expect(detector.onTick(T0 + 121_000)).toContainEqual(
      expect.objectContaining({ code: 'device_offline', kind: 'raise' }),
    );
    const back = detector.onMessage({
      channel: 'telemetry',
      elevatorId: CAR.id,
      receivedAt: T0 + 125_000,
      payload: { ...(tr.messages[0]!.payload as Telemetry), ts: T0 + 125_000 },
    });
    expect(back).toContainEqual(expect.objectContaining({ code: 'device_offline', kind: 'clear' }));
  });

  const offlineRaisedAt = (detector: ReturnType<typeof createDetector>, elevatorId: string) => {
    for (let s = 1; s <= 200; s++) {
      const found = detector.onTick(T0 + s * 1000);
      if (
        found.some(
          (f) =>
            f.elevatorId === elevatorId && 'code' in f && f.code === 'device_offline' && f.kind === 'raise',
        )
      )
        return s;
    }
    return null;
  };

  it('follows the fleet-wide setting (DEVICE_OFFLINE_AFTER_S), not the built-in 120 s', () => {
    const detector = createDetector([CAR], { deviceOfflineS: 30 });
    detector.onMessage(new Trace().hold(1).messages[0]!);
    expect(offlineRaisedAt(detector, CAR.id)).toBe(31);
  });

  it("lets the fleet file's per-elevator value win over the fleet-wide one", () => {
    const own: ElevatorInfo = { ...CAR, id: 'e-own', thresholds: { deviceOfflineS: 90 } };
    const detector = createDetector([CAR, own], { deviceOfflineS: 30 });
    const first = new Trace().hold(1).messages[0]!;
    detector.onMessage(first);
    detector.onMessage({ ...first, elevatorId: own.id });
    expect(offlineRaisedAt(detector, own.id)).toBe(91);
  });

  it('takes elevators added, changed and removed while running (the fleet directory)', () => {
    const added: ElevatorInfo = { ...CAR, id: 'e-new', thresholds: { deviceOfflineS: 90 } };
    const first = new Trace().hold(1).messages[0]!;
    const detector = createDetector([CAR], { deviceOfflineS: 30 });
    // Unknown until the fleet says otherwise: no slot, no finding, no offline later.
    expect(detector.onMessage({ ...first, elevatorId: added.id })).toEqual([]);
    expect(offlineRaisedAt(detector, added.id)).toBeNull();

    const fresh = createDetector([CAR], { deviceOfflineS: 30 });
    fresh.updateElevators([CAR, added]);
    fresh.onMessage({ ...first, elevatorId: added.id });
    expect(offlineRaisedAt(fresh, added.id)).toBe(91);

    // A changed threshold applies to the next decision; a removed car is forgotten.
    const changing = createDetector([CAR, added], { deviceOfflineS: 30 });
    changing.updateElevators([CAR, { ...added, thresholds: { deviceOfflineS: 45 } }]);
    changing.onMessage({ ...first, elevatorId: added.id });
    expect(offlineRaisedAt(changing, added.id)).toBe(46);
    changing.updateElevators([CAR]);
    expect(changing.onMessage({ ...first, elevatorId: added.id })).toEqual([]);
  });
});

describe('found by the eval suite (bench/eval.ts)', () => {
  const between = { door_zone: false, position_m: 7.5, floor: 3, occupied: true };
  const raisedAt = (findings: Finding[]) =>
    findings.flatMap((f) => (f.kind === 'raise' ? [{ code: f.code, atS: (f.at - T0) / 1000 }] : []));

  it('ticks extrapolate an idle car up to the 30 s idle interval (protocol v1): trapped on time', () => {
    const detector = createDetector([CAR]);
    // Idle telemetry every 30 s: the 30 s threshold falls 25 s after the last sample (at 5 s).
    const tr = new Trace().hold(2, between).hold(4, between, 3);
    for (const m of tr.messages) detector.onMessage(m);
    expect(raisedAt(detector.onTick(T0 + 29_000))).toEqual([]);
    expect(raisedAt(detector.onTick(T0 + 31_000)).map((f) => f.code)).toContain('passenger_trapped');
  });

  it('but not past it: a silent device proves nothing', () => {
    const detector = createDetector([CAR]);
    const tr = new Trace().hold(1, { door_zone: false, position_m: 7.5, floor: 3 });
    for (const m of tr.messages) detector.onMessage(m);
    // stop_outside_door_zone needs 45 s; the last sample is at 0 s, so ticks stop at 30 s.
    expect(raisedAt(detector.onTick(T0 + 60_000)).map((f) => f.code)).toEqual([]);
  });

  it.each([
    [
      '08 restart blocked after the chain opened at a stop in normal service',
      () =>
        new Trace()
          .hold(3, { safety_circuit: false })
          .hold(35, { safety_circuit: true, mode: 'out_of_service' }),
      ['rerun_prevention'],
    ],
    [
      '08 not after a stop-switch test in inspection',
      () =>
        new Trace()
          .hold(3, { safety_circuit: false, mode: 'inspection' })
          .hold(35, { safety_circuit: true, mode: 'out_of_service' }),
      [],
    ],
    [
      '08 not after the chain dropped with the mains',
      () =>
        new Trace()
          .hold(3, { safety_circuit: false, power: 'off' })
          .hold(35, { safety_circuit: true, mode: 'out_of_service' }),
      ['power_lost'],
    ],
    [
      '06 not two runs with a stop between them sampled once (idle cadence)',
      () =>
        new Trace()
          .hold(20, { ...running, speed_mps: 0.3 })
          .hold(14, { moving: false, speed_mps: 0, direction: 'none' }, 14)
          .hold(20, { ...running, speed_mps: 0.3 }),
      [],
    ],
    [
      '06 still one run through a one-sample levelling jitter',
      () =>
        new Trace()
          .hold(15, { ...running, speed_mps: 0.3 })
          .blip({ moving: false, speed_mps: 0 })
          .hold(15, { ...running, speed_mps: 0.3 }),
      ['motor_runtime_limiter'],
    ],
    [
      '04 not a door-zone dropout on every idle heartbeat, each corrected a second later',
      () => {
        const tr = new Trace().hold(1);
        for (let i = 0; i < 5; i++) tr.blip({ door_zone: false }).hold(30, {}, 30);
        return tr;
      },
      [],
    ],
    [
      '04 still raised when stopped outside the zone on idle heartbeats',
      () => new Trace().hold(90, { door_zone: false, position_m: 7.5, floor: 3 }, 30),
      ['stop_outside_door_zone'],
    ],
    [
      '08 restart blocked after a chain trip at a stop reported by one sample',
      () =>
        new Trace()
          .hold(3, {}, 3)
          .hold(3, { safety_circuit: false }, 3)
          .hold(60, { safety_circuit: true, mode: 'out_of_service' }, 30),
      ['rerun_prevention'],
    ],
    [
      '06 not a slow correction run with the floor position lost (07 stands)',
      () => new Trace().hold(40, { ...running, speed_mps: 0.3, floor: 0 }),
      ['floor_position_lost'],
    ],
  ])('%s', (_label, build, expected) => {
    expect(raised(run(build()))).toEqual(expected);
  });
});

describe('what the rule states keep', () => {
  /** A trapped episode, doors held open at a landing past long_door_open, then normal traffic. */
  const trappedThenTraffic = () =>
    new Trace()
      .hold(40, { floor: 3, position_m: 7.5, door_zone: false, occupied: true })
      .hold(5, { door_zone: true, position_m: 6, door_closed: false, door_lock: false, occupied: false })
      .hold(130, {})
      .hold(5, { door_closed: true, door_lock: true })
      .ride(6)
      .hold(5);
  const describeFinding = (f: Finding) => (f.kind === 'visit' ? '' : `${f.kind} ${f.code}`);

  /** Every telemetry sample (a parsed message: it carries `run_count`) reachable from a state. */
  function samplesIn(value: unknown, found = new Set<Telemetry>()): Set<Telemetry> {
    if (value === null || typeof value !== 'object') return found;
    if ('run_count' in value) found.add(value as Telemetry);
    else for (const inner of Object.values(value)) samplesIn(inner, found);
    return found;
  }

  it('holds no sample but the newest once episodes ended (an old one per rule and car is heap for nothing)', () => {
    const tr = trappedThenTraffic();
    const detector = createDetector([CAR]);
    const seen: Finding[] = [];
    for (const m of tr.messages) seen.push(...detector.onMessage(m));
    expect(seen.map(describeFinding)).toEqual(
      expect.arrayContaining(['raise passenger_trapped', 'raise long_door_open', 'clear long_door_open']),
    );
    const newest = tr.messages.at(-1)!.payload;
    const kept = [...samplesIn(detector.exportState(CAR.id))];
    expect(kept.every((sample) => sample === newest)).toBe(true);
  });

  it('a checkpoint writes the newest sample once and a new owner goes on with the same findings', () => {
    const tr = trappedThenTraffic();
    // The cut falls inside the trapped episode, where several rules keep the newest sample.
    const cut = 30;
    const owner = createDetector([CAR]);
    for (const m of tr.messages.slice(0, cut)) owner.onMessage(m);
    const text = JSON.stringify(owner.exportState(CAR.id));
    expect(text.split('"run_count"')).toHaveLength(2);
    const next = createDetector([CAR]);
    next.importState(CAR.id, JSON.parse(text));
    const rest = tr.messages.slice(cut);
    const byOwner = rest.flatMap((m) => owner.onMessage(m)).map(describeFinding);
    const byNext = rest.flatMap((m) => next.onMessage(m)).map(describeFinding);
    expect(byOwner).toContain('raise passenger_trapped');
    expect(byNext).toEqual(byOwner);
  });
});
