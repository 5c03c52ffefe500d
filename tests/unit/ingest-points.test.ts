/**
 * Line protocol building as tables: message in, exact line out; telemetry by exception
 * (keyframes, changes, late points); escaping; refusal matching.
 */
import { describe, expect, it } from 'vitest';
import { influxErrorText, matchDropped } from '../../ingest/influx-writer.ts';
import {
  escapeTag,
  keyframeOffset,
  lineFieldType,
  lineTag,
  lineTimestamp,
  quoteString,
  type TelemetryWriteState,
  tagSuffix,
  telemetryPointLine,
  toLine,
} from '../../ingest/points.ts';
import type { DeviceMessage, Telemetry } from '../../protocol/index.ts';
import { telemetrySample } from '../helpers/fixtures.ts';

const TAGS = tagSuffix({ estate: 'te', building: 'tb1', elevator: 't-e1' });
const at = { elevatorId: 't-e1', receivedAt: 0 };

const lines: Array<[string, DeviceMessage, string]> = [
  [
    'telemetry: ints with i, floats without, booleans T/F, enums quoted',
    {
      ...at,
      channel: 'telemetry',
      payload: telemetrySample({
        seq: 7,
        floor: 3,
        position_m: 6,
        speed_mps: 1.5,
        moving: true,
        load_kg: 320,
      }),
    },
    'telemetry,estate=te,building=tb1,elevator=t-e1 seq=7i,mode="normal",moving=T,direction="none",floor=3i,position_m=6,speed_mps=1.5,door_zone=T,door_closed=T,occupied=F,safety_circuit=T,door_lock=T,up_limit=F,down_limit=F,power="mains",run_count=1000i,load_kg=320 1700000000000',
  ],
  [
    'event: detail kept as escaped JSON',
    {
      ...at,
      channel: 'event',
      payload: { v: 1, ts: 5, seq: 2, code: 'alarm_button', detail: { note: 'a "b"\\c' } },
    },
    'event,estate=te,building=tb1,elevator=t-e1 seq=2i,code="alarm_button",detail="{\\"note\\":\\"a \\\\\\"b\\\\\\"\\\\\\\\c\\"}" 5',
  ],
  [
    'maintenance: free strings escaped, location as floats, items joined',
    {
      ...at,
      channel: 'maintenance',
      payload: {
        v: 1,
        ts: 9,
        seq: 3,
        action: 'check_out',
        visit_id: 'v"1',
        technician_id: 't 1',
        company_id: 'mc',
        kind: 'yearly',
        method: 'qr',
        location: { lat: 22, lon: 114.5 },
        items: [1, 2],
      },
    },
    'maintenance,estate=te,building=tb1,elevator=t-e1 seq=3i,action="check_out",visit_id="v\\"1",technician_id="t 1",company_id="mc",kind="yearly",method="qr",lat=22,lon=114.5,items="1,2" 9',
  ],
  [
    'status: no seq needed',
    { ...at, channel: 'status', payload: { v: 1, ts: 11, state: 'offline' } },
    'status,estate=te,building=tb1,elevator=t-e1 state="offline",online=F 11',
  ],
];

describe('toLine', () => {
  it.each(lines)('%s', (_name, message, expected) => {
    expect(toLine(message, TAGS)).toBe(expected);
  });
});

describe('telemetryPointLine: keyframes, then only what changed', () => {
  const T0 = 1_700_000_000_000;
  const KEYFRAME_MS = 300_000;
  const FULL = (seq: number, ts: number, rest = '') =>
    `telemetry${TAGS} seq=${seq}i,mode="normal",moving=${rest.includes('moving') ? 'T' : 'F'},direction="none",floor=1i,position_m=0,speed_mps=${rest.includes('moving') ? '1' : '0'},door_zone=T,door_closed=T,occupied=F,safety_circuit=T,door_lock=T,up_limit=F,down_limit=F,power="mains",run_count=1000i ${ts}`;
  const fresh = (offsetMs = 0): TelemetryWriteState => ({
    written: null,
    keyframeDueTs: 0,
    keyframeForced: false,
    keyframeOffsetMs: offsetMs,
  });
  const at = (seq: number, s: number, over: Partial<Telemetry> = {}) =>
    telemetrySample({ seq, ts: T0 + s * 1000, ...over });
  const moving = { moving: true, speed_mps: 1 };

  // [what, message, expected line]; run in order against one elevator's state.
  const trace: Array<[string, Telemetry, string]> = [
    ['first point after start: every field', at(1, 0), FULL(1, T0)],
    ['nothing changed: seq alone', at(2, 1), `telemetry${TAGS} seq=2i ${T0 + 1000}`],
    [
      'two readings changed: seq and those two',
      at(3, 2, moving),
      `telemetry${TAGS} seq=3i,moving=T,speed_mps=1 ${T0 + 2000}`,
    ],
    [
      'an optional reading appears, then holds',
      at(4, 3, { ...moving, load_kg: 75 }),
      `telemetry${TAGS} seq=4i,load_kg=75 ${T0 + 3000}`,
    ],
    ['…and holds', at(5, 4, { ...moving, load_kg: 75 }), `telemetry${TAGS} seq=5i ${T0 + 4000}`],
    ['late (older than the last written): every field of its own', at(6, 1.5), FULL(6, T0 + 1500)],
    [
      'the next in-order point after a late one is a keyframe',
      at(7, 5, { ...moving, load_kg: 75 }),
      `${FULL(7, T0 + 5000, 'moving').slice(0, -` ${T0 + 5000}`.length)},load_kg=75 ${T0 + 5000}`,
    ],
    ['same timestamp as the last written: late', at(8, 5, moving), FULL(8, T0 + 5000, 'moving')],
    ['then a keyframe again', at(9, 6, moving), FULL(9, T0 + 6000, 'moving')],
    ['then changes only', at(10, 7, moving), `telemetry${TAGS} seq=10i ${T0 + 7000}`],
    [
      'a keyframe is due 300 s of device time after the last',
      at(11, 306, moving),
      FULL(11, T0 + 306_000, 'moving'),
    ],
    ['and not before', at(12, 605, moving), `telemetry${TAGS} seq=12i ${T0 + 605_000}`],
  ];

  it('writes a trace as keyframes and changes', () => {
    const w = fresh();
    const got = trace.map(([, message]) => telemetryPointLine(message, TAGS, w, KEYFRAME_MS));
    expect(got).toEqual(trace.map(([, , line]) => line));
  });

  it('every line carries seq and one timestamp: N messages → N points', () => {
    const w = fresh();
    for (const [, message] of trace) {
      const line = telemetryPointLine(message, TAGS, w, KEYFRAME_MS);
      expect(lineFieldType(line, 'seq')).toBe('integer');
      expect(lineTimestamp(line)).toBe(message.ts);
    }
  });

  it('a forced keyframe (refused point, new tags) writes every field once', () => {
    const w = fresh();
    telemetryPointLine(at(1, 0), TAGS, w, KEYFRAME_MS);
    w.keyframeForced = true;
    expect(telemetryPointLine(at(2, 1), TAGS, w, KEYFRAME_MS)).toBe(FULL(2, T0 + 1000));
    expect(telemetryPointLine(at(3, 2), TAGS, w, KEYFRAME_MS)).toBe(`telemetry${TAGS} seq=3i ${T0 + 2000}`);
  });

  it('marks door_opens=1i where the doors opened since the previous in-order point, and only there', () => {
    const w = fresh();
    const open = { door_closed: false };
    const line = (m: Telemetry) => telemetryPointLine(m, TAGS, w, KEYFRAME_MS);
    const opens = (l: string) => l.includes('door_opens=1i');
    // [message, doors opened here]
    const steps: [Telemetry, boolean][] = [
      [at(1, 0, open), false], // first point: nothing to compare with
      [at(2, 1), false], // closed
      [at(3, 2, open), true], // opened: a change line
      [at(4, 3, open), false], // still open
      [at(5, 310, open), false], // a keyframe repeats door_closed=F: not an opening
      [at(6, 311), false],
      [at(7, 2, open), false], // late: its predecessor is unknown
      [at(8, 312, open), true], // opened since seq 6, on the keyframe that follows a late point
    ];
    expect(steps.map(([m]) => opens(line(m)))).toEqual(steps.map(([, opened]) => opened));
    expect(line(at(9, 313))).toBe(`telemetry${TAGS} seq=9i,door_closed=T ${T0 + 313_000}`);
    const opening = line(at(10, 314, open));
    expect(opening).toBe(`telemetry${TAGS} seq=10i,door_closed=F,door_opens=1i ${T0 + 314_000}`);
    expect(lineFieldType(opening, 'door_opens')).toBe('integer');
  });

  it("an elevator's offset pulls its first keyframe interval forward, spreading the fleet", () => {
    const w = fresh(100_000);
    telemetryPointLine(at(1, 0), TAGS, w, KEYFRAME_MS);
    expect(telemetryPointLine(at(2, 199), TAGS, w, KEYFRAME_MS)).toBe(
      `telemetry${TAGS} seq=2i ${T0 + 199_000}`,
    );
    expect(telemetryPointLine(at(3, 200), TAGS, w, KEYFRAME_MS)).toBe(FULL(3, T0 + 200_000));
    expect(telemetryPointLine(at(4, 499), TAGS, w, KEYFRAME_MS)).toBe(
      `telemetry${TAGS} seq=4i ${T0 + 499_000}`,
    );
    const offsets = new Set(Array.from({ length: 100 }, (_, i) => keyframeOffset(`e-${i}`, KEYFRAME_MS)));
    expect(offsets.size).toBeGreaterThan(90);
    for (const o of offsets) expect(o >= 0 && o < KEYFRAME_MS).toBe(true);
  });
});

describe('escaping', () => {
  it.each([
    ['plain', 'plain'],
    ['a b', 'a\\ b'],
    ['a,b=c', 'a\\,b\\=c'],
    ['back\\slash', 'back\\\\slash'],
  ])('tag %j → %j', (input, output) => expect(escapeTag(input)).toBe(output));

  it.each([
    ['x', '"x"'],
    ['say "hi"', '"say \\"hi\\""'],
    ['two\nlines', '"two\\nlines"'],
  ])('string %j → %j', (input, output) => expect(quoteString(input)).toBe(output));
});

describe('reading our own lines back', () => {
  const line =
    'telemetry,estate=e\\,1,building=b,elevator=t-e1 note="x,vibration_mg=1i",floor=2i,vibration_mg=3.5,moving=T 1700000000123';
  it('finds tags, timestamps and field types, not fooled by string contents', () => {
    expect(lineTag(line, 'elevator')).toBe('t-e1');
    expect(lineTag(line, 'estate')).toBe('e,1');
    expect(lineTimestamp(line)).toBe(1700000000123);
    expect(lineFieldType(line, 'vibration_mg')).toBe('float');
    expect(lineFieldType(line, 'floor')).toBe('integer');
    expect(lineFieldType(line, 'moving')).toBe('boolean');
    expect(lineFieldType(line, 'note')).toBe('string');
    expect(lineFieldType(line, 'absent')).toBeUndefined();
  });
});

describe('matchDropped: which lines a partial write refused', () => {
  const batch = [
    'telemetry,elevator=a seq=1i 1',
    'telemetry,elevator=a seq=2i,vibration_mg=12.5 2',
    'event,elevator=a seq=3i,vibration_mg=1.5 3',
    'telemetry,elevator=a seq=4i 4',
  ];
  const conflict =
    'A 400 Bad Request error occurred: {"error":"partial write: field type conflict: input field \\"vibration_mg\\" on measurement \\"telemetry\\" is type float, already exists as type string dropped=1"}';

  it('names the conflicting line by measurement, field and type', () => {
    expect(influxErrorText(conflict)).toMatch(/^partial write: field type conflict/);
    expect(matchDropped(batch, conflict, Number.POSITIVE_INFINITY)).toEqual([batch[1]]);
  });

  it('gives up (so the batch is bisected) when the count does not match', () => {
    expect(
      matchDropped(batch, conflict.replace('dropped=1', 'dropped=2'), Number.POSITIVE_INFINITY),
    ).toBeNull();
    expect(
      matchDropped(batch, 'A 400 Bad Request error occurred: {"error":"bad"}', Number.POSITIVE_INFINITY),
    ).toBeNull();
  });

  it('names unparsable lines quoted in the error', () => {
    const bad = 'telemetry,elevator=a se q=5i 5';
    const message = `A 400 Bad Request error occurred: ${JSON.stringify({ error: `partial write: unable to parse '${bad}': invalid field format dropped=0` })}`;
    expect(matchDropped([...batch, bad], message, Number.POSITIVE_INFINITY)).toEqual([bad]);
  });

  it('names points older than the retention policy', () => {
    const old = `telemetry,elevator=a seq=9i ${Date.now() - 40 * 86_400_000}`;
    const recent = `telemetry,elevator=a seq=10i ${Date.now()}`;
    const message =
      'A 400 Bad Request error occurred: {"error":"partial write: points beyond retention policy dropped=1"}';
    expect(matchDropped([old, recent], message, 30 * 86_400_000)).toEqual([old]);
  });
});
