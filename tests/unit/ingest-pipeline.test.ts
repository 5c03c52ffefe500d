/** The pipeline steps on their own: decode, validate, dedup and gaps, record, write. */
import { describe, expect, it } from 'vitest';
import { type ElevatorState, newElevatorState } from '../../ingest/elevator-state.ts';
import { buildSteps, DUPLICATE, newContext, type PipelineCounters, runSteps } from '../../ingest/pipeline.ts';
import { newSequenceState, observeSequence, SEQUENCE_WINDOW } from '../../ingest/sequence.ts';
import { TEST_CAR, telemetrySample } from '../helpers/fixtures.ts';

const info = TEST_CAR;

function harness(detect?: (m: unknown) => void) {
  const elevators = new Map<string, ElevatorState>([['t-e1', newElevatorState(info)]]);
  const counters: PipelineCounters = { gaps: 0, detectErrors: 0 };
  const written: string[] = [];
  const steps = buildSteps({
    elevators,
    counters,
    writeLine: (line) => written.push(line),
    ...(detect ? { detect } : {}),
  });
  const send = (topic: string, body: unknown) =>
    runSteps(
      steps,
      newContext(topic, Buffer.from(typeof body === 'string' ? body : JSON.stringify(body)), 1),
    );
  return { elevators, counters, written, send, steps };
}

describe('pipeline steps', () => {
  it('is the named chain decode → validate → dedup → record → [detect] → write', () => {
    expect(harness().steps.map((s) => s.name)).toEqual(['decode', 'validate', 'dedup', 'record', 'write']);
    expect(harness(() => {}).steps.map((s) => s.name)).toEqual([
      'decode',
      'validate',
      'dedup',
      'record',
      'detectStep',
      'write',
    ]);
  });

  it.each([
    ['elevators/t-e1/diagnostics', telemetrySample(), 'decode', /not a device topic/],
    ['elevators/T_E1/telemetry', telemetrySample(), 'decode', /not a device topic/],
    ['elevators/t-e1/telemetry', '{oops', 'decode', /invalid JSON/],
    ['elevators/t-e1/telemetry', '', 'decode', /empty payload/],
    ['elevators/t-e1/telemetry', { ...telemetrySample(), floor: 1.5 }, 'validate', /floor/],
    ['elevators/t-e1/telemetry', { ...telemetrySample(), v: 2 }, 'validate', /v/],
    ['elevators/t-e9/telemetry', telemetrySample(), 'validate', /unknown elevator t-e9/],
    ['elevators/t-e1/event', { v: 1, ts: 1, code: 'x' }, 'validate', /seq/],
  ])('%s %j → rejected at %s', (topic, body, stage, reason) => {
    const h = harness();
    const result = h.send(topic, body);
    expect(result).toMatchObject({ stage });
    expect((result as { reason: string }).reason).toMatch(reason);
    expect(h.written).toHaveLength(0);
  });

  it('keeps unknown fields without complaint and writes one line', () => {
    const h = harness();
    expect(h.send('elevators/t-e1/telemetry', { ...telemetrySample(), firmware: '2.1' })).toBeUndefined();
    expect(h.written).toHaveLength(1);
    expect(h.elevators.get('t-e1')?.telemetry).toMatchObject({ firmware: '2.1' });
  });

  it('drops (elevator, seq) resends, counts gaps, lets a late message fill its hole', () => {
    const h = harness();
    const t = (seq: number) =>
      h.send('elevators/t-e1/telemetry', telemetrySample({ seq, ts: 1_700_000_000_000 + seq }));
    expect(t(1)).toBeUndefined();
    expect(t(2)).toBeUndefined();
    expect(t(2)).toBe(DUPLICATE);
    expect(t(6)).toBeUndefined();
    expect(h.counters.gaps).toBe(3);
    expect(t(4)).toBeUndefined();
    expect(h.counters.gaps).toBe(2);
    expect(t(4)).toBe(DUPLICATE);
    expect(h.written).toHaveLength(4);
    // A late message does not roll the latest state back.
    expect(h.elevators.get('t-e1')?.telemetry?.seq).toBe(6);
  });

  it('status messages take no part in dedup', () => {
    const h = harness();
    const online = { v: 1, ts: 1_700_000_000_005, state: 'online' };
    expect(h.send('elevators/t-e1/status', online)).toBeUndefined();
    expect(h.send('elevators/t-e1/status', online)).toBeUndefined();
    expect(h.elevators.get('t-e1')?.status).toBe('online');
  });

  it("a technician phone's check-in and check-out (via phone, seq 0) pass dedup without touching the device's counter", () => {
    const detected: unknown[] = [];
    const h = harness((m) => detected.push(m));
    expect(h.send('elevators/t-e1/telemetry', telemetrySample({ seq: 500 }))).toBeUndefined();
    const claim = {
      v: 1,
      ts: 1_700_000_000_000,
      seq: 0,
      via: 'phone',
      visit_id: 'field-1',
      technician_id: 'tech-wang',
      company_id: 'huaxia-lift',
      kind: 'half_monthly',
      method: 'qr',
    };
    expect(h.send('elevators/t-e1/maintenance', { ...claim, action: 'check_in' })).toBeUndefined();
    expect(
      h.send('elevators/t-e1/maintenance', { ...claim, action: 'check_out', ts: claim.ts + 1 }),
    ).toBeUndefined();
    expect(detected).toHaveLength(3);
    const sequence = h.elevators.get('t-e1')!.sequence;
    expect(sequence).toMatchObject({ max: 500, restarts: 0, duplicates: 0 });
    // The same seq 0 from the device itself is its counter: seen once, then a resend.
    const device = { ...claim, via: undefined, visit_id: 'nfc-1', action: 'check_in' };
    expect(h.send('elevators/t-e1/maintenance', device)).toBeUndefined();
    expect(h.send('elevators/t-e1/maintenance', device)).toBe(DUPLICATE);
  });

  it('a detect hook that throws is counted; the message is still written', () => {
    const h = harness(() => {
      throw new Error('rule bug');
    });
    expect(h.send('elevators/t-e1/telemetry', telemetrySample())).toBeUndefined();
    expect(h.counters.detectErrors).toBe(1);
    expect(h.written).toHaveLength(1);
  });
});

describe('sequence window', () => {
  it('treats a counter far behind the window as a device restart, not a duplicate', () => {
    const state = newSequenceState();
    observeSequence(state, 5000);
    expect(observeSequence(state, 5000 - SEQUENCE_WINDOW)).toEqual({ duplicate: false, gapDelta: 0 });
    expect(state.restarts).toBe(1);
    expect(observeSequence(state, 5000 - SEQUENCE_WINDOW)).toEqual({ duplicate: true });
  });

  it('a jump wider than the window clears it and counts every skipped number', () => {
    const state = newSequenceState();
    observeSequence(state, 0);
    expect(observeSequence(state, 3000)).toEqual({ duplicate: false, gapDelta: 2999 });
    expect(observeSequence(state, 2990)).toEqual({ duplicate: false, gapDelta: -1 });
    expect(observeSequence(state, 2990)).toEqual({ duplicate: true });
  });
});
