/**
 * One message must not stop everything (issue 12): real Aedes, real influxd, real mqtt.js
 * devices, the real ingest. The issue's own message (a 36 KB event whose `detail` nests
 * 6,000 levels) is dead-lettered, acknowledged and not delivered again after a restart; then
 * a fuzz over envelopes and payloads (depth, size, types, numeric extremes, `__proto__` and
 * `constructor` keys, junk bytes): every input is either stored in InfluxDB or dead-lettered
 * with a stage and a reason, no step ever throws, and valid traffic after it lands.
 */
import fc from 'fast-check';
import type { MqttClient } from 'mqtt';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { influxClient } from '../../ingest/influx-schema.ts';
import type { Ingest } from '../../ingest/ingest.ts';
import type { InfluxdHandle } from '../../lib/influxd.ts';
import { topics } from '../../protocol/index.ts';
import type { RegistryDb } from '../../store/db.ts';
import {
  registryWithFleet,
  smallFleet,
  startTestInflux,
  telemetrySample,
  tempDir,
} from '../helpers/fixtures.ts';
import {
  BASE_TS,
  buildIngest,
  deviceClient,
  TEST_DATABASE,
  until,
  waitForDeadLetters,
  waitForWritten,
} from '../helpers/ingest-harness.ts';
import { type PlainBroker, startPlainBroker } from '../helpers/plain-broker.ts';

/** Fuzz batches and their size: every input gets an elevator of its own, so none is a resend of another. */
const FUZZ_RUNS = 4;
const FUZZ_BATCH = 50;
const FLEET_SIZE = FUZZ_RUNS * FUZZ_BATCH + 10;
/** Elevators the fuzz never uses: the device and the sentinel that marks the end of a batch. */
const POISONED = `t-e${FLEET_SIZE}`;
const SENTINEL = `t-e${FLEET_SIZE - 1}`;

const MEASUREMENT_FIELD = { telemetry: 'seq', event: 'seq', maintenance: 'seq', status: 'state' } as const;

/** `{"a":{"a":…1}}` with `levels` objects, as JSON text (JSON.stringify would overflow first). */
function nestedText(levels: number): string {
  return `${'{"a":'.repeat(levels)}1${'}'.repeat(levels)}`;
}

/** The message: an authenticated device's own event, `detail` 6,000 levels deep, 36 KB. */
function poisonEvent(seq: number): string {
  return `{"v":1,"ts":${BASE_TS + seq},"seq":${seq},"code":"alarm_button","detail":${nestedText(6000)}}`;
}

describe('ingest: one message never stops everything', () => {
  let influx: InfluxdHandle & { cleanup(): Promise<void> };
  let broker: PlainBroker;
  let registry: { db: RegistryDb; cleanup(): Promise<void> };
  let dir: { path: string; remove(): void };
  let ingest: Ingest;
  let device: MqttClient;

  beforeAll(async () => {
    [influx, broker, registry] = await Promise.all([
      startTestInflux(),
      startPlainBroker(),
      registryWithFleet(smallFleet(FLEET_SIZE)),
    ]);
    dir = tempDir('liftwatch-poison-');
    ingest = await buildIngest(registry.db, broker.url, influx.url, dir.path);
    await ingest.start();
    device = await deviceClient(broker.url, 'dev-poison');
  });

  afterAll(async () => {
    await device?.endAsync();
    await ingest?.stop();
    await broker?.stop();
    await registry?.cleanup();
    await influx?.cleanup();
    dir?.remove();
  });

  const publish = (topic: string, body: string) => device.publishAsync(topic, body, { qos: 1 });

  /** Resolves when the ingest has taken `count` more messages than `from`. */
  const received = (from: number, count: number) =>
    until(() => ingest.metrics().received >= from + count, 30_000, `${count} messages received`);

  async function deadLetterRows() {
    return registry.db.selectFrom('dead_letters').select(['topic', 'stage', 'reason']).execute();
  }

  /** Elevators with at least one point in any measurement. */
  async function storedElevators(): Promise<Set<string>> {
    const client = influxClient(influx.url, TEST_DATABASE);
    const stored = new Set<string>();
    for (const [measurement, field] of Object.entries(MEASUREMENT_FIELD)) {
      const rows = await client.query<{ elevator: string; n: number }>(
        `SELECT count("${field}") AS n FROM "raw"."${measurement}" GROUP BY "elevator"`,
      );
      for (const row of rows) if (row.n > 0) stored.add(row.elevator);
    }
    return stored;
  }

  it("the issue's 36 KB event nested 6,000 levels deep is dead-lettered at decode, acknowledged, and not redelivered after a restart", async () => {
    const before = ingest.metrics();
    const body = poisonEvent(1);
    expect(body.length).toBeGreaterThan(36_000);
    await publish(topics.event(POISONED), body);
    await publish(topics.telemetry(POISONED), JSON.stringify(telemetrySample({ seq: 2, ts: BASE_TS + 2 })));
    await waitForWritten(ingest, before.written + 1);
    await waitForDeadLetters(ingest, before.deadLettered + 1);
    const rows = (await deadLetterRows()).filter((r) => r.topic === topics.event(POISONED));
    expect(rows).toHaveLength(1);
    expect(rows[0]).toMatchObject({
      stage: 'decode',
      reason: expect.stringMatching(/exceeds|nested deeper/),
    });
    expect(ingest.metrics().mqttConnected).toBe(true);

    // A restart on the same persistent session: the broker owes it nothing, the poison least of all.
    await ingest.stop();
    ingest = await buildIngest(registry.db, broker.url, influx.url, dir.path);
    await ingest.start();
    await publish(topics.telemetry(POISONED), JSON.stringify(telemetrySample({ seq: 3, ts: BASE_TS + 3 })));
    await waitForWritten(ingest, 1);
    expect(ingest.metrics()).toMatchObject({ received: 1, invalid: 0 });
  });

  it('fuzz: every input is stored or dead-lettered with a reason, no step throws, valid traffic after it lands', async () => {
    let next = 1;
    await fc.assert(
      fc.asyncProperty(
        fc.array(fuzzInput(), { minLength: FUZZ_BATCH, maxLength: FUZZ_BATCH }),
        async (inputs) => {
          const batch = inputs.map((input) => {
            const k = next++;
            const elevator = input.target === 'ghost' ? `ghost-${k}` : `t-e${k}`;
            const channel = input.target === 'diagnostics' ? 'diagnostics' : input.channel;
            return { ...input, elevator, topic: `elevators/${elevator}/${channel}` };
          });
          const before = ingest.metrics();
          for (const input of batch) await publish(input.topic, input.body);
          // The sentinel goes last on the same connection: taken, it means the batch was.
          const sentinelSeq = next;
          await publish(
            topics.telemetry(SENTINEL),
            JSON.stringify(telemetrySample({ seq: sentinelSeq, ts: BASE_TS + sentinelSeq })),
          );
          await received(before.received, batch.length + 1);
          expect(await ingest.flush()).toBe(true);
          const after = ingest.metrics();
          await waitForDeadLetters(
            ingest,
            before.deadLettered + (after.invalid - before.invalid) + (after.refused - before.refused),
          );

          const [stored, rows] = await Promise.all([storedElevators(), deadLetterRows()]);
          const lettersByTopic = new Map<string, { stage: string; reason: string }[]>();
          for (const row of rows)
            lettersByTopic.set(row.topic, [...(lettersByTopic.get(row.topic) ?? []), row]);
          for (const input of batch) {
            const letters = lettersByTopic.get(input.topic) ?? [];
            const wasStored = stored.has(input.elevator);
            const what = `${input.topic} ${input.body.slice(0, 300)}`;
            expect(wasStored || letters.length > 0, `neither stored nor dead-lettered: ${what}`).toBe(true);
            expect(wasStored && letters.length > 0, `stored and dead-lettered: ${what}`).toBe(false);
            for (const letter of letters) {
              expect(letter.reason.length, what).toBeGreaterThan(0);
              expect(['decode', 'validate', 'write'], what).toContain(letter.stage);
              // The bounds keep every step from throwing; the step guard is the backstop, not the plan.
              expect(letter.reason, what).not.toMatch(/threw/);
            }
          }
          expect(after.deduplicated - before.deduplicated).toBe(0);
          expect(after.mqttConnected).toBe(true);
          expect(ingest.state.elevators.get(SENTINEL)?.telemetry?.seq).toBe(sentinelSeq);
          expect(stored.has(SENTINEL)).toBe(true);
          expect(Object.prototype).not.toHaveProperty('polluted');
        },
      ),
      // Each run uses fresh elevators; shrinking would reuse none, so it stops at the first failure.
      { numRuns: FUZZ_RUNS, endOnFailure: true },
    );
  });
});

type Channel = 'telemetry' | 'event' | 'maintenance' | 'status';

interface FuzzInput {
  target: 'own' | 'ghost' | 'diagnostics';
  channel: Channel;
  body: string;
}

const EXTREMES = [
  1e300,
  -1e300,
  2 ** 63,
  1e21,
  Number.MAX_SAFE_INTEGER,
  Number.MAX_SAFE_INTEGER + 1,
  1e20,
  -1,
  0,
  -0,
  0.5,
  5e-324,
  'text',
  '',
  true,
  null,
  {},
  [],
];

const SPECIAL_KEYS = [
  '__proto__',
  'constructor',
  'prototype',
  'toString',
  'vendor',
  '',
  'a'.repeat(65),
  'x\u0001y',
];

/** An own, enumerable property whatever its name, so `__proto__` is a key JSON.stringify writes. */
function withKey(target: Record<string, unknown>, key: string, value: unknown): Record<string, unknown> {
  Object.defineProperty(target, key, { value, enumerable: true, configurable: true, writable: true });
  return target;
}

function nestedValue(levels: number, polluting: boolean): unknown {
  let value: unknown = polluting ? { polluted: true } : 1;
  for (let i = 0; i < levels; i++)
    value = i % 2 === 0 ? withKey({}, polluting ? '__proto__' : 'a', value) : [value];
  return value;
}

function basePayload(channel: Channel, seq: number, ts: number): Record<string, unknown> {
  switch (channel) {
    case 'telemetry':
      return { ...telemetrySample({ seq, ts }) };
    case 'event':
      return { v: 1, ts, seq, code: 'alarm_button', detail: { duration_ms: 4000 } };
    case 'maintenance':
      return {
        v: 1,
        ts,
        seq,
        action: 'check_out',
        visit_id: `v-${seq}`,
        technician_id: 'tech-1',
        company_id: 'mc',
        kind: 'half_monthly',
        method: 'nfc',
        location: { lat: 22.5, lon: 114 },
        items: [1, 2, 3],
      };
    case 'status':
      return { v: 1, ts, state: 'online' };
  }
}

/** A value to put where a kept value goes: nested, wide, long, or plain JSON. */
const keptValue = (): fc.Arbitrary<unknown> =>
  fc.oneof(
    fc.jsonValue({ maxDepth: 6 }),
    fc
      .tuple(fc.integer({ min: 0, max: 40 }), fc.boolean())
      .map(([levels, polluting]) => nestedValue(levels, polluting)),
    fc.integer({ min: 200, max: 20_000 }).map((n) => 'x'.repeat(n)),
    fc.integer({ min: 30, max: 2_000 }).map((n) => Array.from({ length: n }, (_, i) => i)),
    fc
      .integer({ min: 20, max: 200 })
      .map((n) => Object.fromEntries(Array.from({ length: n }, (_, i) => [`k${i}`, i]))),
  );

type Mutation = (payload: Record<string, unknown>) => void;

const mutation = (): fc.Arbitrary<Mutation> =>
  fc.oneof(
    // A known field (or the envelope) at a numeric extreme or of the wrong type.
    fc
      .tuple(
        fc.constantFrom(
          'v',
          'ts',
          'seq',
          'floor',
          'run_count',
          'speed_mps',
          'position_m',
          'load_kg',
          'vibration_mg',
          'items',
          'location',
        ),
        fc.constantFrom(...EXTREMES),
      )
      .map(([field, value]) => (p: Record<string, unknown>) => {
        p[field] = value;
      }),
    fc
      .constantFrom('v', 'ts', 'seq', 'code', 'mode', 'state', 'action')
      .map((field) => (p: Record<string, unknown>) => {
        delete p[field];
      }),
    // An unknown field: a plain or a special name, any kind of value.
    fc
      .tuple(fc.oneof(fc.constantFrom(...SPECIAL_KEYS), fc.string({ maxLength: 20 })), keptValue())
      .map(([key, value]) => (p: Record<string, unknown>) => {
        withKey(p, key, value);
      }),
    // An event's detail replaced, or given a special key.
    keptValue().map((value) => (p: Record<string, unknown>) => {
      p.detail = value;
    }),
    fc.constantFrom(...SPECIAL_KEYS).map((key) => (p: Record<string, unknown>) => {
      p.detail = withKey({}, key, { polluted: true });
    }),
  );

/** Bytes that are not the protocol at all: junk, truncated JSON, deep brackets, the shape. */
const rawBody = (): fc.Arbitrary<string> =>
  fc.oneof(
    fc.string({ maxLength: 200 }),
    fc.integer({ min: 1, max: 30_000 }).map((n) => '['.repeat(n)),
    fc
      .integer({ min: 1, max: 6_000 })
      .map((n) => `{"v":1,"ts":${BASE_TS},"seq":1,"code":"x","detail":${nestedText(n)}}`),
    fc.jsonValue({ maxDepth: 4 }).map((value) => JSON.stringify(value)),
    fc.constantFrom('', 'null', '[]', '"x"', '{"v":1,"ts":1e400,"seq":1,"state":"online"}', '{"v":1,'),
  );

function fuzzInput(): fc.Arbitrary<FuzzInput> {
  const channel = fc.constantFrom<Channel>('telemetry', 'event', 'maintenance', 'status');
  const target = fc.constantFrom<FuzzInput['target']>('own', 'own', 'own', 'own', 'ghost', 'diagnostics');
  const mutated = fc
    .tuple(
      channel,
      fc.integer({ min: 0, max: 1_000_000 }),
      fc.integer({ min: 0, max: 3_600_000 }),
      fc.array(mutation(), { maxLength: 3 }),
    )
    .map(([ch, seq, age, mutations]) => {
      const payload = basePayload(ch, seq, BASE_TS - age);
      for (const mutate of mutations) mutate(payload);
      return { channel: ch, body: JSON.stringify(payload) };
    });
  const raw = fc.tuple(channel, rawBody()).map(([ch, body]) => ({ channel: ch, body }));
  const valid = fc
    .tuple(channel, fc.integer({ min: 0, max: 1_000_000 }), fc.jsonValue({ maxDepth: 2 }))
    .map(([ch, seq, vendor]) => ({
      channel: ch,
      body: JSON.stringify({ ...basePayload(ch, seq, BASE_TS - seq), vendor }),
    }));
  return fc
    .tuple(
      target,
      fc.oneof(
        { weight: 4, arbitrary: mutated },
        { weight: 2, arbitrary: valid },
        { weight: 1, arbitrary: raw },
      ),
    )
    .map(([t, { channel: ch, body }]) => ({ target: t, channel: ch, body }));
}
