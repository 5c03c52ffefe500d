import { describe, expect, it } from 'vitest';
import type { Telemetry } from '../../protocol/index.ts';
import { validatePayload } from '../../protocol/index.ts';
import { ManualClock, VirtualClock } from '../../simulators/clock.ts';
import { ElevatorModel, REALISTIC_NOISE, type SimOutput } from '../../simulators/elevator-model.ts';
import { encodeTelemetry } from '../../simulators/serialize.ts';

const spec = { id: 'lianhua-b3-e1', floors: 32, floorHeightM: 3, ratedSpeedMps: 2.5, ratedLoadKg: 1050 };
const MORNING = Date.parse('2025-03-03T07:30:00+08:00');

function simulate(seed: number, hours: number, noise = false): SimOutput[] {
  const model = new ElevatorModel({ spec, seed, startMs: MORNING, noise: noise ? REALISTIC_NOISE : {} });
  const out: SimOutput[] = [];
  for (let i = 0; i < hours * 60; i++) out.push(...model.step(60_000));
  return out;
}

const telemetry = (out: SimOutput[]): Telemetry[] =>
  out.flatMap((o) => (o.channel === 'telemetry' ? [o.payload] : []));

describe('elevator model', () => {
  it('replays the identical message stream for the same seed', () => {
    expect(JSON.stringify(simulate(7, 2))).toBe(JSON.stringify(simulate(7, 2)));
    expect(JSON.stringify(simulate(7, 1))).not.toBe(JSON.stringify(simulate(8, 1)));
  });

  it('keeps clean traffic physically sane over a noisy morning', () => {
    const out = simulate(11, 3, true);
    const samples = telemetry(out);
    expect(samples.length).toBeGreaterThan(1000);
    let prev: Telemetry | undefined;
    let trips = 0;
    for (const t of samples) {
      expect(validatePayload('telemetry', t).ok).toBe(true);
      expect(t.speed_mps).toBeLessThanOrEqual(spec.ratedSpeedMps);
      if (t.moving) expect(t.door_closed).toBe(true);
      expect(t.safety_circuit).toBe(true);
      if (prev) {
        expect(Math.abs(t.floor - prev.floor)).toBeLessThanOrEqual(1);
        expect(t.ts).toBeGreaterThanOrEqual(prev.ts);
        if (t.run_count > prev.run_count) trips++;
      }
      prev = t;
    }
    expect(trips).toBeGreaterThan(50);
  });

  it('numbers every message of every channel +1, with integer device times', () => {
    const out = simulate(3, 1).flatMap((o) => (o.channel === 'link' ? [] : [o.payload]));
    out.forEach((payload, i) => {
      expect(payload.seq).toBe(i + 1);
      expect(Number.isInteger(payload.ts)).toBe(true);
    });
  });

  it('samples at least every second while active and every 30 s at rest', () => {
    const samples = telemetry(simulate(5, 2));
    for (let i = 1; i < samples.length; i++) {
      const gap = samples[i]!.ts - samples[i - 1]!.ts;
      const active = samples[i - 1]!.moving || !samples[i - 1]!.door_closed;
      expect(gap).toBeLessThanOrEqual(active ? 1000 : 30_000);
    }
  });

  it('has quiet nights and busy mornings', () => {
    const night = new ElevatorModel({ spec, seed: 1, startMs: Date.parse('2025-03-03T02:00:00+08:00') });
    const morning = new ElevatorModel({ spec, seed: 1, startMs: Date.parse('2025-03-03T07:45:00+08:00') });
    const runs = (m: ElevatorModel) => {
      const start = m.car.runCount;
      m.step(3600_000);
      return m.car.runCount - start;
    };
    expect(runs(morning)).toBeGreaterThan(3 * runs(night));
  });

  it('serialises telemetry exactly as JSON.parse reads it back', () => {
    for (const t of telemetry(simulate(9, 1)).slice(0, 200))
      expect(JSON.parse(encodeTelemetry(t))).toEqual(t);
  });
});

describe('clocks', () => {
  it('manual clock moves only when told', () => {
    const clock = new ManualClock(1000);
    expect(clock.now()).toBe(1000);
    clock.advance(500);
    expect(clock.now()).toBe(1500);
    expect(() => clock.set(10)).toThrow();
  });

  it('virtual clock runs speedup times faster and holds when stopped', async () => {
    const clock = new VirtualClock({ startMs: 0, speedup: 1000 });
    expect(clock.now()).toBe(0);
    // The wall start is read before the clock starts, so the bound below holds even when the
    // process is descheduled between the two (a fresh-clone run under load read 3 ms there).
    const wallStart = performance.now();
    clock.start();
    await new Promise((r) => setTimeout(r, 20));
    const elapsed = clock.now();
    expect(elapsed).toBeGreaterThanOrEqual(15_000);
    expect(elapsed).toBeLessThanOrEqual((performance.now() - wallStart) * 1000 + 1000);
    clock.stop();
    const held = clock.now();
    await new Promise((r) => setTimeout(r, 5));
    expect(clock.now()).toBe(held);
  });
});
