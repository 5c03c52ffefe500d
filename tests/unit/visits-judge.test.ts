/**
 * Maintenance verdicts from traces: genuine visits of two classes, each fake pattern
 * (no inspection, short inspection only, passenger service throughout, missing items),
 * and the across-visit checks (impossible travel, overdue, unreported maintenance).
 */
import { describe, expect, it } from 'vitest';
import type { ElevatorInfo } from '../../fleet/types.ts';
import { createDetector, type Finding } from '../../ingest/rules/index.ts';
import { haversineKm } from '../../ingest/visits/travel.ts';
import type { DeviceMessage, MaintenanceMessage, Telemetry, VisitKind } from '../../protocol/index.ts';
import { telemetrySample } from '../helpers/fixtures.ts';

const T0 = 1_700_000_000_000;
const MIN = 60_000;
const car = (id: string, estateId = 'te'): ElevatorInfo => ({
  id,
  estateId,
  buildingId: 'b',
  name: id,
  floors: 10,
  floorHeightM: 3,
  ratedSpeedMps: 1.75,
  ratedLoadKg: 1000,
  thresholds: {},
});

const ALL_ITEMS = (n: number) => Array.from({ length: n }, (_, i) => i + 1);

/** A visit script: telemetry every 5 s, maintenance and events at chosen device times. */
class Visit {
  readonly messages: DeviceMessage[] = [];
  private seq = 0;
  t: number;
  constructor(
    readonly elevatorId = 'e1',
    start = T0,
  ) {
    this.t = start;
  }

  maintenance(action: 'check_in' | 'check_out', extra: Partial<MaintenanceMessage> = {}): this {
    const payload: MaintenanceMessage = {
      v: 1,
      ts: this.t,
      seq: ++this.seq,
      action,
      visit_id: 'v1',
      technician_id: 'tech-1',
      company_id: 'mc',
      kind: 'half_monthly',
      method: 'nfc',
      ...extra,
    };
    this.messages.push({ channel: 'maintenance', elevatorId: this.elevatorId, receivedAt: this.t, payload });
    return this;
  }

  event(code: string): this {
    this.messages.push({
      channel: 'event',
      elevatorId: this.elevatorId,
      receivedAt: this.t,
      payload: { v: 1, ts: this.t, seq: ++this.seq, code },
    });
    return this;
  }

  /** `minutes` of samples every 5 s; `at(i)` varies the readings along the way. */
  telemetry(minutes: number, at: (i: number) => Partial<Telemetry> = () => ({})): this {
    const n = (minutes * MIN) / 5000;
    for (let i = 0; i < n; i++) {
      const payload = telemetrySample({ ts: this.t, seq: ++this.seq, ...at(i) });
      this.messages.push({ channel: 'telemetry', elevatorId: this.elevatorId, receivedAt: this.t, payload });
      this.t += 5000;
    }
    return this;
  }
}

/** Inspection travel up and down the shaft, stopping at every landing to cycle its door. */
function inspectionSweep(i: number): Partial<Telemetry> {
  const step = Math.floor(i / 4) % 18;
  const floor = step < 10 ? step + 1 : 19 - step;
  const travelling = i % 4 < 2;
  const doorOpen = i % 4 === 3;
  return {
    mode: 'inspection',
    moving: travelling,
    speed_mps: travelling ? 0.4 : 0,
    floor,
    position_m: (floor - 1) * 3,
    door_zone: true,
    door_closed: !doorOpen,
    door_lock: !doorOpen,
    safety_circuit: i % 60 !== 10,
  };
}

/** Normal passenger service: a trip every 30 s. */
function passengerService(i: number): Partial<Telemetry> {
  const moving = i % 6 < 3;
  const floor = 1 + (Math.floor(i / 6) % 10);
  return { moving, speed_mps: moving ? 1.5 : 0, occupied: true, floor, position_m: (floor - 1) * 3 };
}

function genuine(kind: VisitKind, minutes: number, items: number): Visit {
  const half = (minutes / 2) * 12;
  const parked = inspectionSweep(2 * half - 1);
  return new Visit()
    .telemetry(2)
    .maintenance('check_in', { kind })
    .telemetry(minutes / 2, inspectionSweep)
    .event('stop_switch_pit')
    .event('stop_switch_car_top')
    .telemetry(minutes / 2, (i) => ({
      ...inspectionSweep(half + i),
      ...(Math.floor(i / 40) % 2 ? { mode: 'out_of_service' as const } : {}),
    }))
    .maintenance('check_out', { kind, items: ALL_ITEMS(items) })
    .telemetry(2, () => ({ floor: parked.floor, position_m: parked.position_m }));
}

function run(visit: Visit, elevators = [car('e1')], options = {}) {
  const detector = createDetector(elevators, options);
  const findings: Finding[] = [];
  for (const m of visit.messages) findings.push(...detector.onMessage(m));
  const verdicts = findings.flatMap((f) => (f.kind === 'visit' && f.visit.verdict ? [f.visit] : []));
  const alerts = findings.flatMap((f) => (f.kind === 'raise' ? [f.code] : []));
  return { verdicts, alerts, detector };
}

describe('visit verdicts', () => {
  it('verifies a genuine half-monthly visit and explains every point', () => {
    const { verdicts, alerts } = run(genuine('half_monthly', 40, 31));
    expect(verdicts).toHaveLength(1);
    const v = verdicts[0]!;
    expect(v.verdict).toBe('verified');
    expect(v.evidenceScore).toBeGreaterThanOrEqual(90);
    expect(v.reasons.filter((r) => r.max > 0).reduce((s, r) => s + r.max, 0)).toBe(100);
    expect(v.reasons.every((r) => r.reason.length > 0)).toBe(true);
    expect(v.evidence?.shaftCoverage).toBe(1);
    expect(alerts).toEqual([]);
  });

  it('verifies a genuine quarterly visit', () => {
    const { verdicts, alerts } = run(genuine('quarterly', 70, 44));
    expect(verdicts[0]?.verdict).toBe('verified');
    expect(alerts).toEqual([]);
  });

  it.each<[string, () => Visit, 'suspect' | 'fake', string]>([
    [
      'check-in and check-out with no inspection',
      () =>
        new Visit()
          .maintenance('check_in')
          .telemetry(35)
          .maintenance('check_out', { items: ALL_ITEMS(31) }),
      'fake',
      'maintenance_fake',
    ],
    [
      'a short inspection only',
      () =>
        new Visit()
          .maintenance('check_in')
          .telemetry(4, inspectionSweep)
          .telemetry(30, passengerService)
          .maintenance('check_out', { items: ALL_ITEMS(31) }),
      'fake',
      'maintenance_fake',
    ],
    [
      'passenger service throughout (Zhuhai)',
      () =>
        new Visit()
          .maintenance('check_in')
          .telemetry(40, passengerService)
          .maintenance('check_out', { items: ALL_ITEMS(31) }),
      'fake',
      'maintenance_fake',
    ],
    [
      'a real visit with the items missing',
      () =>
        new Visit()
          .maintenance('check_in')
          .telemetry(40, inspectionSweep)
          .maintenance('check_out', { items: [1, 2, 3] }),
      'suspect',
      'maintenance_suspect',
    ],
    [
      'a quarterly claimed in 30 minutes (Fuzhou)',
      () =>
        new Visit()
          .maintenance('check_in', { kind: 'quarterly' })
          .telemetry(30, inspectionSweep)
          .maintenance('check_out', { kind: 'quarterly', items: ALL_ITEMS(44) }),
      'suspect',
      'maintenance_suspect',
    ],
  ])('%s → %s', (_label, build, verdict, code) => {
    const { verdicts, alerts } = run(build());
    expect(verdicts[0]?.verdict).toBe(verdict);
    expect(alerts).toContain(code);
    // Each cap says why in both languages, with its figure: no points, so never a bar.
    const caps = verdicts[0]!.reasons.filter((r) => r.criterion.startsWith('cap_'));
    expect(caps.length).toBeGreaterThan(0);
    for (const c of caps) {
      expect([c.points, c.max]).toEqual([0, 0]);
      expect(c.zh, c.reason).toMatch(/^[^a-z]*$/);
      expect(c.zh).toMatch(/\p{Script=Han}/u);
    }
  });

  it('times a visit out after 4 h without check-out', () => {
    const { verdicts } = run(new Visit().maintenance('check_in').telemetry(245));
    expect(verdicts[0]).toMatchObject({ status: 'timed_out', checkOutAt: null });
    expect(verdicts[0]?.verdict).not.toBe('verified');
  });
});

describe('across visits', () => {
  it('impossible travel: 8.3 km in one minute (Suzhou)', () => {
    const a = { lat: 31.3, lon: 120.6 };
    const b = { lat: 31.3 + 8.3 / 111.2, lon: 120.6 };
    expect(haversineKm(a, b)).toBeCloseTo(8.3, 1);
    const v = new Visit('e1')
      .maintenance('check_in', { location: a })
      .telemetry(1)
      .maintenance('check_out', { location: a });
    const second = new Visit('e2', v.t + MIN).maintenance('check_in', { visit_id: 'v2', location: b });
    const { alerts } = run({ messages: [...v.messages, ...second.messages] } as Visit, [
      car('e1'),
      car('e2', 'far'),
    ]);
    expect(alerts).toContain('impossible_travel');
  });

  it('impossible travel: two places at once, from estate coordinates', () => {
    const first = new Visit('e1').maintenance('check_in');
    const second = new Visit('e2', T0 + 10 * MIN).maintenance('check_in', { visit_id: 'v2' });
    const estates = { te: { lat: 22.55, lon: 114.05 }, far: { lat: 22.72, lon: 114.25 } };
    const { alerts } = run(
      { messages: [...first.messages, ...second.messages] } as Visit,
      [car('e1'), car('e2', 'far')],
      {
        estates,
      },
    );
    expect(alerts).toContain('impossible_travel');
  });

  it('plausible travel between estates raises nothing', () => {
    const first = new Visit('e1').maintenance('check_in').maintenance('check_out');
    const second = new Visit('e2', T0 + 45 * MIN).maintenance('check_in', { visit_id: 'v2' });
    const estates = { te: { lat: 22.55, lon: 114.05 }, far: { lat: 22.72, lon: 114.25 } };
    const { alerts } = run(
      { messages: [...first.messages, ...second.messages] } as Visit,
      [car('e1'), car('e2', 'far')],
      {
        estates,
      },
    );
    expect(alerts).not.toContain('impossible_travel');
  });

  it('overdue: more than 15 days since the last verified visit, cleared by the next one', () => {
    const visit = genuine('half_monthly', 40, 31);
    const later = new Visit('e1', visit.t + 15 * 24 * 60 * MIN + MIN).telemetry(1);
    const { detector } = run(visit);
    const findings = later.messages.flatMap((m) => detector.onMessage(m));
    expect(findings).toContainEqual(expect.objectContaining({ code: 'maintenance_overdue', kind: 'raise' }));
    const next = genuine('half_monthly', 40, 31);
    const cleared = next.messages
      .map(
        (m) => ({ ...m, payload: { ...m.payload, ts: m.payload.ts + 16 * 24 * 60 * MIN } }) as DeviceMessage,
      )
      .flatMap((m) => detector.onMessage(m));
    expect(cleared).toContainEqual(expect.objectContaining({ code: 'maintenance_overdue', kind: 'clear' }));
  });

  it('overdue is not raised within 15 days', () => {
    const visit = genuine('half_monthly', 40, 31);
    const later = new Visit('e1', visit.t + 14 * 24 * 60 * MIN).telemetry(1);
    const { detector } = run(visit);
    const codes = later.messages
      .flatMap((m) => detector.onMessage(m))
      .map((f) => (f.kind === 'visit' ? 'visit' : f.code));
    expect(codes).not.toContain('maintenance_overdue');
  });

  it('unreported maintenance: inspection for 5 min with nobody checked in', () => {
    const { alerts } = run(new Visit().telemetry(6, inspectionSweep));
    expect(alerts).toContain('unreported_maintenance');
    expect(run(new Visit().telemetry(4, inspectionSweep)).alerts).not.toContain('unreported_maintenance');
  });
});
