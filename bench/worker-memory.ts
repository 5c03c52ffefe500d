/**
 * `npm run bench:worker-memory`: what an ingest worker keeps per elevator, structure by
 * structure, in one process (no servers): the pipeline's elevator records (last messages,
 * sequence window, last point written), the detector's slots (rule states, visits), the health
 * table, and the checkpoint copy of a partition. Each is measured as the live heap after a full
 * GC (`--expose-gc`), for N elevators registered ("at rest") and after each has sent
 * BENCH_MEM_MESSAGES messages (a car going up and down, doors opening, an event every 20th),
 * divided by N. The last line is JSON; `total_active_bytes_per_elevator` is the sum of the
 * active structures on the JS heap (the goal of issue 14: ≤ 2 KB).
 *
 * `heapUsed` does not count the bytes of ArrayBuffers (typed-array slabs: the health table,
 * the sequence windows), which live outside the JS heap; `array_buffer_bytes_per_elevator`
 * prints them (`process.memoryUsage().arrayBuffers`), and `total_with_array_buffers_…` the sum.
 *
 * Settings (env): BENCH_MEM_ELEVATORS (5000), BENCH_MEM_MESSAGES (40).
 */

import { type ElevatorState, syncElevators } from '../ingest/elevator-state.ts';
import { createHealthStage } from '../ingest/health/stage.ts';
import { buildSteps, newContext, type PipelineCounters, runSteps } from '../ingest/pipeline.ts';
import { createDetector } from '../ingest/rules/index.ts';
import { windowWords } from '../ingest/sequence.ts';
import { topics } from '../protocol/index.ts';

const N = Number(process.env.BENCH_MEM_ELEVATORS ?? 5000);
const MESSAGES = Number(process.env.BENCH_MEM_MESSAGES ?? 40);
const T0 = Date.now() - 3_600_000;

const gc = (globalThis as { gc?: () => void }).gc;
if (!gc) throw new Error('run with node --expose-gc');

function heap(): number {
  for (let i = 0; i < 3; i++) gc!();
  return process.memoryUsage().heapUsed;
}

/** Bytes held in ArrayBuffers (outside the JS heap), after the GC of the last heap() call. */
function arrayBuffers(): number {
  return process.memoryUsage().arrayBuffers;
}

const elevators = Array.from({ length: N }, (_, i) => ({
  id: `e-${String(i).padStart(6, '0')}`,
  estateId: `estate-${i % 200}`,
  buildingId: `b-${i % 1000}`,
  name: `${i} 号梯`,
  floors: 12 + (i % 20),
  floorHeightM: 3,
  ratedSpeedMps: 1.75,
  ratedLoadKg: 1000,
  thresholds: {},
}));

/** A plausible stream: floors up and down, doors open at a floor, an event now and then. */
function payloadOf(i: number, seq: number): { topic: string; payload: Buffer } {
  const id = elevators[i]!.id;
  const ts = T0 + seq * 1000 + i;
  if (seq % 20 === 0) {
    return {
      topic: topics.event(id),
      payload: Buffer.from(JSON.stringify({ v: 1, ts, seq, code: 'door_reopen', detail: { count: 1 } })),
    };
  }
  const floor = 1 + (Math.floor(seq / 4) % 10);
  const moving = seq % 4 === 1 || seq % 4 === 2;
  const sample = {
    v: 1,
    ts,
    seq,
    mode: 'normal',
    moving,
    direction: moving ? 'up' : 'none',
    floor,
    position_m: floor * 3,
    speed_mps: moving ? 1.5 : 0,
    door_zone: !moving,
    door_closed: moving || seq % 4 === 3,
    occupied: seq % 3 === 0,
    safety_circuit: true,
    door_lock: moving,
    up_limit: false,
    down_limit: false,
    power: 'mains',
    run_count: 1000 + seq,
    load_kg: 80 * (seq % 5),
  };
  return { topic: topics.telemetry(id), payload: Buffer.from(JSON.stringify(sample)) };
}

function main(): void {
  const base = heap();
  const baseBuffers = arrayBuffers();
  // Built one after the other, each measured at rest (registered, nothing sent yet).
  const states = new Map<string, ElevatorState>();
  syncElevators(states, elevators);
  const afterStates = heap();
  const detector = createDetector(elevators, { lastVerifiedAt: {} });
  const afterDetector = heap();
  let healthLines = 0;
  const health = createHealthStage(elevators, {
    writeLine: () => {
      healthLines += 1;
    },
    deadLetter: () => {},
  });
  const afterHealth = heap();
  const restBuffers = arrayBuffers();

  const counters: PipelineCounters = { gaps: 0, detectErrors: 0 };
  let lines = 0;
  let findings = 0;
  const steps = buildSteps({
    elevators: states,
    counters,
    writeLine: () => {
      lines += 1;
    },
    detect: (message, elevator) => {
      findings += detector.onMessage(message).length;
      health.onMessage(message, elevator.tags);
    },
  });
  let rejected = 0;
  for (let seq = 1; seq <= MESSAGES; seq++) {
    for (let i = 0; i < N; i++) {
      const { topic, payload } = payloadOf(i, seq);
      const result = runSteps(steps, newContext(topic, payload, T0 + seq * 1000));
      if (result !== undefined) rejected += 1;
    }
  }
  if (rejected > 0) throw new Error(`${rejected} messages rejected: the bench's messages are wrong`);
  const afterMessages = heap();
  const activeBuffers = arrayBuffers() - baseBuffers;
  // Everything the worker holds for them now; split per structure below by releasing each in turn.
  const active = afterMessages - base;

  // A partition checkpoint's copy, as ingest.ts captures it (JSON of each elevator's state).
  const copies = elevators.map((e) => {
    const { max, missing, duplicates, restarts } = states.get(e.id)!.sequence;
    return JSON.parse(
      JSON.stringify({
        seq: { max, window: windowWords(states.get(e.id)!.sequence), missing, duplicates, restarts },
        detector: detector.exportState(e.id),
      }),
    ) as unknown;
  });
  const afterCheckpoint = heap();
  const checkpointJsonBytes = JSON.stringify(copies).length;
  copies.length = 0;
  const afterCopiesReleased = heap();

  const per = (bytes: number) => Math.round(bytes / N);
  const stateRest = per(afterStates - base);
  const detectorRest = per(afterDetector - afterStates);
  const healthRest = per(afterHealth - afterDetector);
  // Growth by the messages, per structure: measured by releasing each in turn.
  states.clear();
  const withoutStates = heap();
  detector.forget(elevators.map((e) => e.id));
  const withoutDetectorState = heap();
  const result = {
    elevators: N,
    messages_per_elevator: MESSAGES,
    points: lines,
    findings,
    health_lines: healthLines,
    at_rest_bytes_per_elevator: {
      pipeline_state: stateRest,
      detector: detectorRest,
      health: healthRest,
    },
    active_bytes_per_elevator: {
      pipeline_state: per(afterCopiesReleased - withoutStates),
      detector_rule_and_visit_state: per(withoutStates - withoutDetectorState),
      detector_slots_and_health: per(withoutDetectorState - base),
    },
    array_buffer_bytes_per_elevator: { at_rest: per(restBuffers - baseBuffers), active: per(activeBuffers) },
    checkpoint_copy_bytes_per_elevator: per(afterCheckpoint - afterMessages),
    checkpoint_json_bytes_per_elevator: per(checkpointJsonBytes),
    total_active_with_array_buffers_bytes_per_elevator: per(active + activeBuffers),
    total_active_bytes_per_elevator: per(active),
  };
  console.log(JSON.stringify(result));
}

main();
