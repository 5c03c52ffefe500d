/**
 * Sequence bookkeeping with extreme counters: whatever `seq` a device sends, the gaps it
 * reports stay small, safe integers (a jump past MAX_COUNTED_JUMP is a restart, not billions
 * of lost messages), and the pipeline's gaps gauge with them.
 */
import { describe, expect, it } from 'vitest';
import { type ElevatorState, newElevatorState } from '../../ingest/elevator-state.ts';
import { buildSteps, newContext, type PipelineCounters, runSteps } from '../../ingest/pipeline.ts';
import { newSequenceState, observeSequence, restoreWindow, windowWords } from '../../ingest/sequence.ts';
import { TEST_CAR, telemetrySample } from '../helpers/fixtures.ts';

const TOP = Number.MAX_SAFE_INTEGER;
const MAX_COUNTED_JUMP = 2 ** 20;

/** Feeds a trace; returns the gap deltas and the state. */
function run(trace: readonly number[]) {
  const state = newSequenceState();
  const deltas = trace.map((seq) => {
    const verdict = observeSequence(state, seq);
    return verdict.duplicate ? 0 : verdict.gapDelta;
  });
  return { state, deltas, sum: deltas.reduce((a, b) => a + b, 0) };
}

describe('sequence: extreme counters', () => {
  it.each<[string, number[], { missing: number; restarts: number }]>([
    ['5 then 2^53-1: a reset, not 9e15 lost messages', [5, TOP], { missing: 0, restarts: 1 }],
    ['back and forth between 0 and 2^53-1', [0, TOP, 0, TOP, 0, TOP, 1], { missing: 0, restarts: 6 }],
    [
      'a jump of exactly MAX_COUNTED_JUMP is still counted',
      [1, 1 + MAX_COUNTED_JUMP],
      {
        missing: MAX_COUNTED_JUMP - 1,
        restarts: 0,
      },
    ],
    ['one more is a restart', [1, 2 + MAX_COUNTED_JUMP], { missing: 0, restarts: 1 }],
    [
      '2^63 (not a safe integer) is passed on untracked',
      [5, 2 ** 63, 6, 2 ** 64, 7],
      {
        missing: 0,
        restarts: 0,
      },
    ],
    [
      'near the top, counting goes on normally',
      [TOP - 10, TOP - 5, TOP - 7, TOP],
      { missing: 7, restarts: 0 },
    ],
  ])('%s', (_name, trace, expected) => {
    const { state, deltas, sum } = run(trace);
    for (const delta of deltas) {
      expect(Number.isSafeInteger(delta)).toBe(true);
      expect(Math.abs(delta)).toBeLessThanOrEqual(MAX_COUNTED_JUMP);
    }
    expect(state).toMatchObject(expected);
    expect(sum).toBe(state.missing);
    expect(Number.isSafeInteger(state.max)).toBe(true);
  });

  it('after a reset to a high counter the device is tracked from there: resends are duplicates', () => {
    const state = newSequenceState();
    observeSequence(state, 5);
    observeSequence(state, TOP - 1);
    expect(observeSequence(state, TOP - 1)).toEqual({ duplicate: true });
    expect(observeSequence(state, TOP)).toEqual({ duplicate: false, gapDelta: 0 });
  });
});

describe('pipeline: the gaps gauge', () => {
  const info = TEST_CAR;

  it('stays a small safe integer after seq 2^63 and 2^53-1 (the gauge once read 2e20)', () => {
    const elevators = new Map<string, ElevatorState>([['t-e1', newElevatorState(info)]]);
    const counters: PipelineCounters = { gaps: 0, detectErrors: 0 };
    const steps = buildSteps({ elevators, counters, writeLine: () => {} });
    // Whether the schema refuses the huge ones or the sequence step treats them as resets,
    // the gauge counts only the one real hole (seq 8).
    for (const seq of [5, 2 ** 63, 6, TOP, 7, 2 ** 63, 9]) {
      const body = JSON.stringify(telemetrySample({ seq, ts: 1_700_000_000_000 + (seq % 1000) }));
      runSteps(steps, newContext('elevators/t-e1/telemetry', Buffer.from(body), 1));
    }
    expect(Number.isSafeInteger(counters.gaps)).toBe(true);
    expect(counters.gaps).toBe(1);
  });
});

describe('sequence: windows cut from shared blocks', () => {
  it('each car has a window of its own, across block boundaries', () => {
    // More cars than one block holds: a window that overlapped its neighbour would mark the
    // neighbour's numbers as seen, and drop its next message as a resend.
    const states = Array.from({ length: 150 }, () => newSequenceState());
    states.forEach((state, i) => {
      observeSequence(state, i * 32);
      observeSequence(state, i * 32 + 1);
    });
    for (const [i, state] of states.entries()) {
      expect(windowWords(state).filter((word) => word !== 0).length).toBe(1);
      expect(observeSequence(state, i * 32 + 1)).toEqual({ duplicate: true });
      expect(observeSequence(state, i * 32 + 2)).toEqual({ duplicate: false, gapDelta: 0 });
    }
  });
});

describe('sequence: the window in a checkpoint', () => {
  it('round-trips through windowWords and restoreWindow (JSON), a neighbour untouched', () => {
    const [state, neighbour] = [newSequenceState(), newSequenceState()];
    for (const seq of [1, 2, 5, 40, 1000]) observeSequence(state, seq);
    observeSequence(neighbour, 7);
    const words = JSON.parse(JSON.stringify(windowWords(state))) as number[];
    expect(words).toHaveLength(32);
    const restored = newSequenceState();
    restored.max = state.max;
    restoreWindow(restored, words);
    expect(windowWords(restored)).toEqual(windowWords(state));
    for (const seq of [2, 40, 1000]) expect(observeSequence(restored, seq)).toEqual({ duplicate: true });
    expect(observeSequence(restored, 3)).toEqual({ duplicate: false, gapDelta: 0 });
    expect(windowWords(neighbour).filter((word) => word !== 0)).toHaveLength(1);
  });
});
