/**
 * The ingest end to end on the happy path and against bad input: real Aedes, real influxd,
 * real mqtt.js devices, real SQLite. Counts are read back from InfluxDB, not from the ingest.
 */
import type { MqttClient } from 'mqtt';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { influxClient, sameAggregates } from '../../ingest/influx-schema.ts';
import type { Ingest } from '../../ingest/ingest.ts';
import type { InfluxdHandle } from '../../lib/influxd.ts';
import { AGGREGATES, continuousQueries } from '../../protocol/index.ts';
import type { RegistryDb } from '../../store/db.ts';
import { registryWithFleet, smallFleet, tempDir } from '../helpers/fixtures.ts';
import {
  BASE_TS,
  buildIngest,
  countPoints,
  deviceClient,
  publishRaw,
  publishTelemetry,
  TEST_DATABASE,
  waitForDeadLetters,
  waitForWritten,
} from '../helpers/ingest-harness.ts';
import { type PlainBroker, startPlainBroker } from '../helpers/plain-broker.ts';

describe('ingest: MQTT → pipeline → InfluxDB', () => {
  let influx: InfluxdHandle & { cleanup(): Promise<void> };
  let broker: PlainBroker;
  let registry: { db: RegistryDb; cleanup(): Promise<void> };
  let dir: { path: string; remove(): void };
  let ingest: Ingest;
  let device: MqttClient;

  beforeAll(async () => {
    const { startTestInflux } = await import('../helpers/fixtures.ts');
    [influx, broker, registry] = await Promise.all([
      startTestInflux(),
      startPlainBroker(),
      registryWithFleet(smallFleet(3)),
    ]);
    dir = tempDir('liftwatch-ingest-');
    ingest = await buildIngest(registry.db, broker.url, influx.url, dir.path);
    await ingest.start();
    device = await deviceClient(broker.url, 'dev-flow');
  });

  afterAll(async () => {
    await device?.endAsync();
    await ingest?.stop();
    await broker?.stop();
    await registry?.cleanup();
    await influx?.cleanup();
    dir?.remove();
  });

  it('creates the database, the raw and aggregate policies and the 1-minute continuous queries, idempotently', async () => {
    const client = influxClient(influx.url, TEST_DATABASE);
    const wanted = continuousQueries(TEST_DATABASE)[AGGREGATES.telemetry1m]!;
    const policies = await client.showRetentionPolicies(TEST_DATABASE);
    const raw = policies.find((p) => p.name === 'raw');
    expect(raw).toMatchObject({ duration: '720h0m0s', default: true });
    expect(policies.find((p) => p.name === 'aggregates')).toMatchObject({ duration: '0s', default: false });
    const queries = (await client.showContinousQueries(TEST_DATABASE)).map((q) => q.name).sort();
    expect(queries).toEqual(['event_1m', 'telemetry_1m']);
    // A second ingest on the same database must start without error and change nothing…
    const again = await buildIngest(registry.db, broker.url, influx.url, `${dir.path}/again`, {
      mqtt: { url: broker.url, clientId: 'ingest-test-again' },
    });
    await again.start();
    await again.stop();
    const cqs = await client.showContinousQueries(TEST_DATABASE);
    expect(cqs.length).toBe(2);
    // …and replaces a roll-up defined before telemetry was written by exception (a biased mean).
    expect(sameAggregates(cqs.find((q) => q.name === 'telemetry_1m')!.query, wanted)).toBe(true);
    await client.dropContinuousQuery('telemetry_1m', TEST_DATABASE);
    await client.createContinuousQuery(
      'telemetry_1m',
      wanted.replace(/last\("speed_mps"\) AS speed_last/, 'mean("speed_mps") AS speed_mean'),
      TEST_DATABASE,
    );
    const third = await buildIngest(registry.db, broker.url, influx.url, `${dir.path}/third`, {
      mqtt: { url: broker.url, clientId: 'ingest-test-third' },
    });
    await third.start();
    await third.stop();
    const replaced = (await client.showContinousQueries(TEST_DATABASE)).find(
      (q) => q.name === 'telemetry_1m',
    );
    expect(replaced?.query).toMatch(/last\(speed_mps\) AS speed_last/);
    expect(replaced?.query).not.toMatch(/mean/);
  });

  it('N messages in → exactly N points out, one measurement per channel', async () => {
    await Promise.all([publishTelemetry(device, 't-e1', 1, 1000), publishTelemetry(device, 't-e2', 1, 1000)]);
    await publishRaw(device, 't-e3', 'event', {
      v: 1,
      ts: BASE_TS + 1,
      seq: 1,
      code: 'alarm_button',
      detail: { by: 'a "quoted" passenger' },
    });
    await publishRaw(device, 't-e3', 'maintenance', {
      v: 1,
      ts: BASE_TS + 2,
      seq: 2,
      action: 'check_in',
      visit_id: 'v 1,=x',
      technician_id: 'tech-1',
      company_id: 'mc',
      kind: 'half_monthly',
      method: 'nfc',
      location: { lat: 22.5, lon: 114 },
    });
    await publishRaw(device, 't-e3', 'status', { v: 1, ts: BASE_TS + 3, state: 'online' });
    await waitForWritten(ingest, 2003);
    expect(await countPoints(influx.url, 'telemetry', 't-e1')).toBe(1000);
    expect(await countPoints(influx.url, 'telemetry', 't-e2')).toBe(1000);
    // Written by exception: the floor changes on every message, the mode only in keyframes
    // (the first point, and the one after a message that arrived out of order).
    const fieldCounts = await influxClient(influx.url, TEST_DATABASE).query<{ floor: number; mode: number }>(
      `SELECT count("floor") AS floor, count("mode") AS mode FROM "raw"."telemetry" WHERE elevator = 't-e1'`,
    );
    expect(fieldCounts[0]?.floor).toBe(1000);
    expect(fieldCounts[0]?.mode).toBeGreaterThanOrEqual(1);
    expect(fieldCounts[0]?.mode).toBeLessThan(100);
    expect(await countPoints(influx.url, 'event', 't-e3')).toBe(1);
    expect(await countPoints(influx.url, 'maintenance', 't-e3')).toBe(1);
    const status = await influxClient(influx.url, TEST_DATABASE).query<{ state: string; online: boolean }>(
      `SELECT state, online FROM "raw"."status" WHERE elevator = 't-e3'`,
    );
    expect(status.map((r) => [r.state, r.online])).toEqual([['online', true]]);
    const visit = await influxClient(influx.url, TEST_DATABASE).query<{ visit_id: string; lat: number }>(
      `SELECT visit_id, lat FROM "raw"."maintenance"`,
    );
    expect(visit[0]).toMatchObject({ visit_id: 'v 1,=x', lat: 22.5 });
    const state = ingest.state.elevators.get('t-e1');
    expect(state?.telemetry?.seq).toBe(1000);
    expect(ingest.state.elevators.get('t-e3')?.status).toBe('online');
    const { latencyMs, influxRequestMs } = ingest.metrics();
    expect(latencyMs.count).toBeGreaterThanOrEqual(2003);
    // Every written point has its request time too, and no request took longer than the point's whole trip.
    expect(influxRequestMs.count).toBe(latencyMs.count);
    expect(influxRequestMs.max).toBeLessThanOrEqual(latencyMs.max);
  });

  it('writes integers as integers and floats as floats, whatever the JSON looks like', async () => {
    const fields = await influxClient(influx.url, TEST_DATABASE).query<{
      fieldKey: string;
      fieldType: string;
    }>('SHOW FIELD KEYS FROM "raw"."telemetry"');
    const types = Object.fromEntries(fields.map((f) => [f.fieldKey, f.fieldType]));
    expect(types).toMatchObject({
      floor: 'integer',
      run_count: 'integer',
      seq: 'integer',
      position_m: 'float',
      speed_mps: 'float',
      moving: 'boolean',
      mode: 'string',
    });
  });

  it('resent QoS 1 duplicates are not counted twice; skipped seq are counted as gaps', async () => {
    const before = ingest.metrics();
    const written = before.written;
    await publishTelemetry(device, 't-e1', 991, 1000); // resends
    await publishTelemetry(device, 't-e1', 1001, 1005);
    await publishTelemetry(device, 't-e1', 1010, 1010); // 1006..1009 missing
    await waitForWritten(ingest, written + 6);
    const after = ingest.metrics();
    expect(after.deduplicated - before.deduplicated).toBe(10);
    expect(after.gaps - before.gaps).toBe(4);
    expect(await countPoints(influx.url, 'telemetry', 't-e1')).toBe(1006);
    await publishTelemetry(device, 't-e1', 1007, 1007); // a late one fills one hole
    await waitForWritten(ingest, written + 7);
    expect(ingest.metrics().gaps - before.gaps).toBe(3);
  });

  it('1,000 malformed payloads are dead-lettered with a reason; valid traffic after them still lands', async () => {
    const before = ingest.metrics();
    const bad: Promise<void>[] = [];
    for (let i = 0; i < 1000; i++) {
      const kind = i % 4;
      if (kind === 0) bad.push(publishRaw(device, 't-e2', 'telemetry', `{not json ${i}`));
      else if (kind === 1)
        bad.push(publishRaw(device, 't-e2', 'telemetry', { v: 1, ts: BASE_TS, seq: 5000 + i }));
      else if (kind === 2)
        bad.push(publishRaw(device, 'ghost-elevator', 'event', { v: 1, ts: BASE_TS, seq: i, code: 'x' }));
      else
        bad.push(device.publishAsync('elevators/t-e2/diagnostics', '{}', { qos: 1 }).then(() => undefined));
    }
    await Promise.all(bad);
    await publishTelemetry(device, 't-e2', 1001, 1100);
    await waitForWritten(ingest, before.written + 100);
    expect(await countPoints(influx.url, 'telemetry', 't-e2')).toBe(1100);
    await waitForDeadLetters(ingest, before.deadLettered + 1000);
    expect(ingest.metrics().invalid - before.invalid).toBe(1000);
    const rows = await registry.db
      .selectFrom('dead_letters')
      .select(['stage', 'reason', 'topic'])
      .where('received_at', '>=', 0)
      .execute();
    expect(rows.length).toBe(1000);
    const reasons = (pattern: RegExp) => rows.filter((r) => pattern.test(r.reason)).length;
    expect(reasons(/invalid JSON/)).toBe(250);
    expect(reasons(/unknown elevator ghost-elevator/)).toBe(250);
    expect(reasons(/not a device topic/)).toBe(250);
    expect(
      rows.filter((r) => r.stage === 'validate' && /mode|moving|Expected required/.test(r.reason)).length,
    ).toBe(250);
  });
});
