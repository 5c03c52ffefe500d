import { readFileSync } from 'node:fs';
import { join } from 'node:path';
import { describe, expect, it } from 'vitest';
import { isElevatorId, parseDeviceTopic, topics, validatePayload } from '../../protocol/index.ts';
import { renderSchemas, SCHEMA_DIR } from '../../protocol/publish-schemas.ts';
import { telemetrySample } from '../helpers/fixtures.ts';

describe('topics', () => {
  it.each([
    ['elevators/a-1/telemetry', { elevatorId: 'a-1', channel: 'telemetry' }],
    ['elevators/x/status', { elevatorId: 'x', channel: 'status' }],
    ['elevators/A/telemetry', null],
    ['elevators/-a/telemetry', null],
    ['elevators/a/other', null],
    ['elevators/a/telemetry/extra', null],
    ['$SYS/broker/x', null],
  ])('parses %s', (topic, expected) => {
    expect(parseDeviceTopic(topic)).toEqual(expected);
  });

  it('builds what it parses', () => {
    expect(parseDeviceTopic(topics.event('b2-e1'))).toEqual({ elevatorId: 'b2-e1', channel: 'event' });
    expect(isElevatorId('a'.repeat(64))).toBe(true);
    expect(isElevatorId('a'.repeat(65))).toBe(false);
  });
});

describe('payload validation', () => {
  it('accepts a well-formed telemetry sample and keeps unknown fields', () => {
    const sample = { ...telemetrySample(), firmware: '2.1' };
    const result = validatePayload('telemetry', sample);
    expect(result.ok).toBe(true);
    if (result.ok) expect((result.payload as Record<string, unknown>).firmware).toBe('2.1');
  });

  it.each([
    ['a missing required field', (t: Record<string, unknown>) => delete t.door_closed, '/door_closed'],
    ['an ill-typed field', (t: Record<string, unknown>) => (t.floor = '3'), '/floor'],
    ['a wrong version', (t: Record<string, unknown>) => (t.v = 2), '/v'],
    ['a negative speed', (t: Record<string, unknown>) => (t.speed_mps = -1), '/speed_mps'],
    ['an unknown mode', (t: Record<string, unknown>) => (t.mode = 'turbo'), '/mode'],
  ])('rejects %s and names it', (_label, mutate, path) => {
    const sample = telemetrySample() as unknown as Record<string, unknown>;
    mutate(sample);
    const result = validatePayload('telemetry', sample);
    expect(result.ok).toBe(false);
    if (!result.ok) expect(result.reason).toContain(path);
  });

  it('validates maintenance and status messages', () => {
    const checkIn = {
      v: 1,
      ts: 1_700_000_000_000,
      seq: 2,
      action: 'check_in',
      visit_id: 'v1',
      technician_id: 't1',
      company_id: 'c1',
      kind: 'half_monthly',
      method: 'nfc',
      location: { lat: 22.5, lon: 114 },
    };
    expect(validatePayload('maintenance', checkIn).ok).toBe(true);
    expect(validatePayload('maintenance', { ...checkIn, kind: 'weekly' }).ok).toBe(false);
    expect(validatePayload('status', { v: 1, ts: 1_700_000_000_000, state: 'offline' }).ok).toBe(true);
    expect(validatePayload('status', { v: 1, ts: 1_700_000_000_000, state: 'gone' }).ok).toBe(false);
  });
});

describe('published JSON Schemas', () => {
  it('match what the code generates (run `npm run schemas` after changing protocol/)', () => {
    for (const [file, text] of Object.entries(renderSchemas())) {
      expect(readFileSync(join(SCHEMA_DIR, file), 'utf8'), file).toBe(text);
    }
  });
});
