/**
 * The protocol's bounds (protocol/bounds.ts) as tables: each value a device once got
 * accepted (issue 12) is refused at validation and names its field; each bound's edge is
 * accepted; kept values (`detail`, unknown fields) stop at their depth, keys, sizes and names;
 * the pre-parse scan refuses a deep payload without recursing.
 */
import { describe, expect, it } from 'vitest';
import {
  COUNTER_MAX,
  decodePayload,
  excessNesting,
  FLOOR_MAX,
  FLOOR_MIN,
  KEPT_ARRAY_MAX_ITEMS,
  KEPT_MAX_DEPTH,
  KEPT_OBJECT_MAX_KEYS,
  KEPT_STRING_MAX_CHARS,
  PAYLOAD_MAX_BYTES,
  PAYLOAD_MAX_DEPTH,
  SPEED_MPS_MAX,
  TS_MAX,
  TS_MIN,
  telemetryReading,
  UNKNOWN_FIELDS_MAX,
  validatePayload,
} from '../../protocol/index.ts';
import { telemetrySample } from '../helpers/fixtures.ts';

type Json = Record<string, unknown>;

const event = (extra: Json = {}): Json => ({ v: 1, ts: TS_MIN + 1, seq: 1, code: 'alarm_button', ...extra });

/** `{"a":{"a":…{"a":leaf}}}` with `levels` objects. */
function nested(levels: number, leaf: unknown = 1): unknown {
  let value = leaf;
  for (let i = 0; i < levels; i++) value = { a: value };
  return value;
}

function nestedText(levels: number): string {
  return `${'{"a":'.repeat(levels)}1${'}'.repeat(levels)}`;
}

describe('numbers within physical and representable range', () => {
  it.each([
    ['floor', 1e300],
    ['floor', FLOOR_MAX + 1],
    ['floor', FLOOR_MIN - 1],
    ['run_count', 1e21],
    ['run_count', COUNTER_MAX + 1],
    ['seq', 2 ** 63],
    ['ts', 1e20],
    ['ts', TS_MIN - 1],
    ['ts', 0],
    ['speed_mps', SPEED_MPS_MAX + 0.1],
    ['position_m', 1e12],
    ['load_kg', 1e9],
    ['vibration_mg', 1e9],
  ])('refuses %s = %d', (field, value) => {
    const result = validatePayload('telemetry', { ...telemetrySample(), [field]: value });
    expect(result.ok).toBe(false);
    if (!result.ok) expect(result.reason).toContain(`/${field}`);
  });

  it('refuses a number too big for a double (JSON 1e400 parses to Infinity)', () => {
    const decoded = decodePayload(
      Buffer.from(JSON.stringify(telemetrySample()).replace('"floor":1', '"floor":1e400')),
    );
    expect(decoded.ok).toBe(true);
    if (decoded.ok) expect(validatePayload('telemetry', decoded.value).ok).toBe(false);
  });

  it('accepts every bound itself', () => {
    const edge = telemetrySample({
      ts: TS_MAX,
      seq: COUNTER_MAX,
      run_count: COUNTER_MAX,
      floor: FLOOR_MIN,
      speed_mps: SPEED_MPS_MAX,
    });
    expect(validatePayload('telemetry', edge)).toMatchObject({ ok: true });
    expect(validatePayload('telemetry', { ...edge, ts: TS_MIN, floor: FLOOR_MAX })).toMatchObject({
      ok: true,
    });
    expect(validatePayload('status', { v: 1, ts: TS_MIN, state: 'online' })).toMatchObject({ ok: true });
  });
});

describe('kept values: event detail and unknown fields', () => {
  it('keeps a detail and unknown fields within the bounds', () => {
    const detail = { ...(nested(KEPT_MAX_DEPTH - 1) as Json), list: Array(KEPT_ARRAY_MAX_ITEMS).fill(1) };
    expect(validatePayload('event', event({ detail })).ok).toBe(true);
    const unknown = { vendor: nested(KEPT_MAX_DEPTH), note: 'x'.repeat(KEPT_STRING_MAX_CHARS) };
    expect(validatePayload('telemetry', { ...telemetrySample(), ...unknown }).ok).toBe(true);
  });

  it.each([
    ['a detail one level too deep', event({ detail: nested(KEPT_MAX_DEPTH + 1) }), '/detail'],
    ['a detail 6,000 levels deep', event({ detail: nested(6000) }), '/detail'],
    ['a detail with too many keys', event({ detail: keys(KEPT_OBJECT_MAX_KEYS + 1) }), '/detail'],
    [
      'a detail string too long',
      event({ detail: { s: 'x'.repeat(KEPT_STRING_MAX_CHARS + 1) } }),
      '/detail/s',
    ],
    [
      'a detail array too long',
      event({ detail: { l: Array(KEPT_ARRAY_MAX_ITEMS + 1).fill(0) } }),
      '/detail/l',
    ],
    ['a detail that is not an object', event({ detail: [1] }), '/detail'],
    [
      'an unknown field one level too deep',
      { ...telemetrySample(), vendor: nested(KEPT_MAX_DEPTH + 1) },
      '/vendor',
    ],
    ['an unknown field 6,000 levels deep', { ...telemetrySample(), vendor: nested(6000) }, '/vendor'],
    ['too many unknown fields', { ...telemetrySample(), ...keys(UNKNOWN_FIELDS_MAX + 1, 'x') }, 'properties'],
  ])('refuses %s', (_label, payload, path) => {
    const channel = 'code' in payload ? 'event' : 'telemetry';
    const result = validatePayload(channel, payload);
    expect(result.ok).toBe(false);
    if (!result.ok) expect(result.reason).toContain(path);
  });

  it.each(['__proto__', 'constructor', 'prototype'])(
    'refuses the key %s in a detail and as an unknown field',
    (key) => {
      const inDetail = JSON.parse(
        `{"v":1,"ts":${TS_MIN},"seq":1,"code":"x","detail":{"${key}":{"polluted":true}}}`,
      );
      const result = validatePayload('event', inDetail);
      expect(result.ok).toBe(false);
      if (!result.ok) expect(result.reason).toContain(key);
      const atTop = JSON.parse(
        JSON.stringify(telemetrySample()).replace('{', `{"${key}":{"polluted":true},`),
      );
      const top = validatePayload('telemetry', atTop);
      expect(top.ok).toBe(false);
      if (!top.ok) expect(top.reason).toContain(key);
      expect(({} as Json).polluted).toBeUndefined();
    },
  );

  it('names the bounds a kept value broke', () => {
    const result = validatePayload('event', event({ detail: nested(KEPT_MAX_DEPTH + 1) }));
    expect(result.ok).toBe(false);
    if (!result.ok) expect(result.reason).toMatch(/at most 4 levels/);
  });

  it('a reading holds the protocol fields only, as a fresh object', () => {
    const sample = { ...telemetrySample({ load_kg: 200 }), vendor: { blob: 'x' } };
    const reading = telemetryReading(sample);
    expect(reading).toEqual(telemetrySample({ load_kg: 200 }));
    expect('vendor' in reading).toBe(false);
    expect('vibration_mg' in reading).toBe(false);
  });
});

describe('decoding before JSON.parse', () => {
  it('refuses the 36 KB event nested 6,000 levels deep without parsing it', () => {
    const text = `{"v":1,"ts":${TS_MIN},"seq":1,"code":"x","detail":${nestedText(6000)}}`;
    const result = decodePayload(Buffer.from(text));
    expect(result).toMatchObject({ ok: false });
    if (!result.ok) expect(result.reason).toMatch(/payload of \d+ bytes exceeds|nested deeper than 5/);
  });

  it('refuses a small payload nested deeper than the bound, and 200,000 brackets in one pass', () => {
    const deep = decodePayload(Buffer.from(`{"v":1,"x":${nestedText(PAYLOAD_MAX_DEPTH)}}`));
    expect(deep).toMatchObject({ ok: false, reason: expect.stringContaining('nested deeper than') });
    expect(excessNesting(Buffer.from('['.repeat(200_000)), PAYLOAD_MAX_DEPTH)).toMatch(/nested deeper/);
    expect(decodePayload(Buffer.from(' '.repeat(PAYLOAD_MAX_BYTES + 1)))).toMatchObject({
      ok: false,
      reason: expect.stringContaining('exceeds'),
    });
  });

  it('does not count brackets inside strings, escaped quotes included', () => {
    const text = JSON.stringify({ v: 1, s: `[[[[[[[[\\"{{{{{{{{{"${'['.repeat(50)}` });
    expect(excessNesting(Buffer.from(text), 2)).toBeNull();
    expect(decodePayload(Buffer.from(text)).ok).toBe(true);
    expect(
      excessNesting(Buffer.from(`{"a":${nestedText(PAYLOAD_MAX_DEPTH - 1)}}`), PAYLOAD_MAX_DEPTH),
    ).toBeNull();
  });
});

function keys(count: number, prefix = 'k'): Json {
  const out: Json = {};
  for (let i = 0; i < count; i++) out[`${prefix}${i}`] = i;
  return out;
}
