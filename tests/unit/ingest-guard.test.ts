/**
 * Every pipeline step is guarded (issue 12): a step that throws (a stack overflow while
 * encoding a point, a bug in a rule's bookkeeping) rejects that message at its own stage
 * with the error as the reason, and the next message goes through as if nothing happened.
 */
import { describe, expect, it } from 'vitest';
import { type ElevatorState, newElevatorState } from '../../ingest/elevator-state.ts';
import { buildSteps, newContext, type PipelineCounters, runSteps } from '../../ingest/pipeline.ts';
import { TEST_CAR, telemetrySample } from '../helpers/fixtures.ts';

const info = TEST_CAR;

function harness(options: { writeThrows?: (line: string) => unknown } = {}) {
  const elevators = new Map<string, ElevatorState>([['t-e1', newElevatorState(info)]]);
  const counters: PipelineCounters = { gaps: 0, detectErrors: 0 };
  const written: string[] = [];
  const steps = buildSteps({
    elevators,
    counters,
    writeLine: (line) => {
      const thrown = options.writeThrows?.(line);
      if (thrown !== undefined) throw thrown;
      written.push(line);
    },
  });
  const send = (body: unknown, topic = 'elevators/t-e1/telemetry') =>
    runSteps(steps, newContext(topic, Buffer.from(JSON.stringify(body)), 1));
  return { elevators, written, send, steps };
}

describe('pipeline step guard', () => {
  it('tags every step with the stage its rejections carry', () => {
    expect(harness().steps.map((s) => [s.name, s.stage])).toEqual([
      ['decode', 'decode'],
      ['validate', 'validate'],
      ['dedup', 'dedup'],
      ['record', 'record'],
      ['write', 'write'],
    ]);
  });

  it('a write that overflows the stack rejects that message at `write`; the next one is written as a keyframe', () => {
    const h = harness({
      writeThrows: (line) =>
        line.includes('seq=2i') ? new RangeError('Maximum call stack size exceeded') : undefined,
    });
    const sample = (seq: number) => telemetrySample({ seq, ts: 1_700_000_000_000 + seq, floor: seq });
    expect(h.send(sample(1))).toBeUndefined();
    expect(h.send(sample(2))).toEqual({
      stage: 'write',
      reason: 'write threw: RangeError: Maximum call stack size exceeded',
    });
    expect(h.elevators.get('t-e1')?.keyframeForced).toBe(true);
    expect(h.send(sample(3))).toBeUndefined();
    expect(h.written).toHaveLength(2);
    // The point after the failure carries every field: the stored series is whole again.
    expect(h.written[1]).toMatch(/ seq=3i,mode="normal",moving=F,/);
  });

  it.each([
    ['a string', 'boom', 'write threw: non-error thrown: boom'],
    ['an object without toString', Object.create(null), 'write threw: non-error thrown (object)'],
    ['an error with a huge message', new Error('x'.repeat(10_000)), /^write threw: Error: x{400,}…$/],
  ])('a step that throws %s is still a bounded reason', (_label, thrown, reason) => {
    const h = harness({ writeThrows: () => thrown });
    const result = h.send(telemetrySample());
    expect(result).toMatchObject({ stage: 'write' });
    expect((result as { reason: string }).reason).toMatch(reason);
    expect((result as { reason: string }).reason.length).toBeLessThanOrEqual(520);
  });

  it('the 36 KB event nested 6,000 levels deep is refused at decode, before anything recurses into it', () => {
    const h = harness();
    const text = `{"v":1,"ts":1700000000000,"seq":1,"code":"alarm_button","detail":${'{"a":'.repeat(6000)}1${'}'.repeat(6000)}}`;
    const result = runSteps(h.steps, newContext('elevators/t-e1/event', Buffer.from(text), 1));
    expect(result).toMatchObject({ stage: 'decode', reason: expect.stringMatching(/exceeds|nested deeper/) });
    expect(h.send(telemetrySample({ seq: 2 }))).toBeUndefined();
    expect(h.written).toHaveLength(1);
  });
});
