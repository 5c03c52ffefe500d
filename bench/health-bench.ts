/**
 * `npm run bench:health` (issue 16): what the health signals cost. One run, side by side
 * with a yardstick: the same recorded messages (simulated lifts, one device day each) fed
 * to the health stage and to the fault detector (ingest/rules/), µs per message each; the
 * bytes per lift (the fixed slab, and the heap measured for HEALTH_BENCH_LIFTS lifts); and
 * the daily recomputation (close every lift's day: ring, baseline, score, recommendation)
 * for 10,000 lifts with full windows. Last line: JSON.
 * Settings: HEALTH_BENCH_LIFTS (10000), HEALTH_BENCH_SAMPLE_LIFTS (20), HEALTH_BENCH_ROUNDS (3).
 */

import type { ElevatorInfo } from '../fleet/types.ts';
import { createHealthStage } from '../ingest/health/stage.ts';
import { BYTES_PER_LIFT, HealthTable } from '../ingest/health/table.ts';
import { createDetector } from '../ingest/rules/index.ts';
import type { DeviceMessage } from '../protocol/index.ts';
import { ElevatorModel, REALISTIC_NOISE } from '../simulators/elevator-model.ts';

const LIFTS = Number(process.env.HEALTH_BENCH_LIFTS ?? 10_000);
const SAMPLE_LIFTS = Number(process.env.HEALTH_BENCH_SAMPLE_LIFTS ?? 20);
const ROUNDS = Number(process.env.HEALTH_BENCH_ROUNDS ?? 3);
const DAY_MS = 86_400_000;
const START = Date.parse('2025-09-01T00:00:00+08:00');

function info(i: number): ElevatorInfo {
  return {
    id: `e${i}`,
    estateId: 'x',
    buildingId: 'b',
    name: `Car ${i}`,
    floors: 18,
    floorHeightM: 3,
    ratedSpeedMps: 1.75,
    ratedLoadKg: 1000,
    thresholds: {},
  };
}

/** One device day of SAMPLE_LIFTS simulated lifts (measuring controllers), in device-time order. */
function recordMessages(): DeviceMessage[] {
  const out: DeviceMessage[] = [];
  for (let i = 0; i < SAMPLE_LIFTS; i++) {
    const spec = info(i);
    const model = new ElevatorModel({
      spec,
      seed: i + 1,
      startMs: START,
      noise: REALISTIC_NOISE,
    });
    model.measure = true;
    for (const m of model.step(DAY_MS))
      if (m.channel !== 'link')
        out.push({ ...m, elevatorId: spec.id, receivedAt: m.payload.ts } as DeviceMessage);
  }
  return out.sort((a, b) => a.payload.ts - b.payload.ts);
}

function timeUs(fn: () => void, messages: number): number {
  let best = Number.POSITIVE_INFINITY;
  for (let r = 0; r < ROUNDS; r++) {
    const t0 = process.hrtime.bigint();
    fn();
    best = Math.min(best, Number(process.hrtime.bigint() - t0) / 1000 / messages);
  }
  return Math.round(best * 1000) / 1000;
}

function perMessage(messages: DeviceMessage[]) {
  const lifts = Array.from({ length: SAMPLE_LIFTS }, (_, i) => info(i));
  const health = () => {
    const stage = createHealthStage(lifts, { writeLine: () => {}, deadLetter: () => {} });
    for (const m of messages) stage.onMessage(m, ',elevator=x');
  };
  const detector = () => {
    const d = createDetector(lifts);
    for (const m of messages) d.onMessage(m);
  };
  health(); // warm-up
  detector();
  return {
    health_us_per_msg: timeUs(health, messages.length),
    detector_us_per_msg: timeUs(detector, messages.length),
  };
}

function heapBytesPerLift(): number {
  // The lifts' directory entries exist in the ingest anyway: made before the measurement.
  const lifts = Array.from({ length: LIFTS }, (_, i) => info(i));
  globalThis.gc?.();
  const before = process.memoryUsage();
  const table = new HealthTable(lifts);
  globalThis.gc?.();
  const after = process.memoryUsage();
  const used = after.heapUsed - before.heapUsed + (after.arrayBuffers - before.arrayBuffers);
  if (table.size !== LIFTS) throw new Error('table size');
  return Math.round(used / LIFTS);
}

/** 10,000 lifts with a full window (35 closed days each), then one more day closed for all, timed. */
function recomputeSeconds(): { seconds: number; scored: number } {
  const lifts = Array.from({ length: LIFTS }, (_, i) => info(i));
  const table = new HealthTable(lifts);
  const msg = (i: number, ts: number, closed: boolean): DeviceMessage => ({
    channel: 'telemetry',
    elevatorId: `e${i}`,
    receivedAt: ts,
    payload: {
      v: 1,
      ts,
      seq: 1,
      mode: 'normal',
      moving: false,
      direction: 'none',
      floor: 1,
      position_m: 0,
      speed_mps: 0,
      door_zone: true,
      door_closed: closed,
      occupied: false,
      safety_circuit: true,
      door_lock: true,
      up_limit: false,
      down_limit: false,
      power: 'mains',
      run_count: 1,
      ...(closed ? { door_close_ms: 3000 + (ts % 97) } : {}),
    },
  });
  for (let d = 0; d < 35; d++)
    for (let i = 0; i < LIFTS; i++) {
      const ts = START + d * DAY_MS + 9 * 3_600_000 + i;
      table.feed(i, msg(i, ts, false), null);
      table.feed(i, msg(i, ts + 5000, true), null);
    }
  let scored = 0;
  const t0 = performance.now();
  for (let i = 0; i < LIFTS; i++) if (table.closeDay(i).report.score !== null) scored++;
  return { seconds: Math.round((performance.now() - t0) / 10) / 100, scored };
}

const messages = recordMessages();
const costs = perMessage(messages);
const bytes = heapBytesPerLift();
const recompute = recomputeSeconds();
console.log(
  `health ${costs.health_us_per_msg} µs/msg vs detector ${costs.detector_us_per_msg} µs/msg over ${messages.length} messages; ${BYTES_PER_LIFT} B/lift of state (${bytes} B measured); daily recompute of ${LIFTS} lifts in ${recompute.seconds} s`,
);
console.log(
  JSON.stringify({
    messages: messages.length,
    health_us_per_msg: costs.health_us_per_msg,
    detector_us_per_msg: costs.detector_us_per_msg,
    state_bytes_per_lift: BYTES_PER_LIFT,
    heap_bytes_per_lift: bytes,
    lifts: LIFTS,
    recompute_all_s: recompute.seconds,
    recompute_scored: recompute.scored,
  }),
);
