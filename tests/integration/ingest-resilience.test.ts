/**
 * What must not lose data: the ingest away for a while (persistent session, QoS 1), InfluxDB
 * away mid-stream (memory buffer, then the spill file, replayed on return), and a point
 * InfluxDB refuses (dead-lettered alone; its batch still lands).
 */
import type { MqttClient } from 'mqtt';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { influxClient } from '../../ingest/influx-schema.ts';
import type { Ingest } from '../../ingest/ingest.ts';
import { type InfluxdHandle, startInfluxd } from '../../lib/influxd.ts';
import type { RegistryDb } from '../../store/db.ts';
import { registryWithFleet, smallFleet, startTestInflux, tempDir } from '../helpers/fixtures.ts';
import {
  BASE_TS,
  buildIngest,
  countPoints,
  deviceClient,
  publishTelemetry,
  TEST_DATABASE,
  until,
  waitForDeadLetters,
  waitForWritten,
} from '../helpers/ingest-harness.ts';
import { type PlainBroker, startPlainBroker } from '../helpers/plain-broker.ts';

describe('ingest: nothing lost when a part goes away', () => {
  let influx: InfluxdHandle & { cleanup(): Promise<void> };
  let restarted: InfluxdHandle | null = null;
  let broker: PlainBroker;
  let registry: { db: RegistryDb; cleanup(): Promise<void> };
  let dir: { path: string; remove(): void };
  let ingest: Ingest;
  let device: MqttClient;

  beforeAll(async () => {
    [influx, broker, registry] = await Promise.all([
      startTestInflux(),
      startPlainBroker(),
      registryWithFleet(smallFleet(3)),
    ]);
    dir = tempDir('liftwatch-ingest-');
    // Small bounds so an outage of a few thousand points reaches the spill file.
    ingest = await buildIngest(registry.db, broker.url, influx.url, dir.path, {
      batchSize: 200,
      bufferMaxPoints: 400,
    });
    await ingest.start();
    device = await deviceClient(broker.url, 'dev-resilience');
  });

  afterAll(async () => {
    await device?.endAsync();
    await ingest?.stop();
    await broker?.stop();
    await registry?.cleanup();
    await restarted?.stop();
    await influx?.cleanup();
    dir?.remove();
  });

  it('ingest stopped for a while at QoS 1: the broker keeps its session, 0 lost on return', async () => {
    await publishTelemetry(device, 't-e1', 1, 500);
    await waitForWritten(ingest, 500);
    await ingest.stop();
    await publishTelemetry(device, 't-e1', 501, 1500);
    ingest = await buildIngest(registry.db, broker.url, influx.url, dir.path, {
      batchSize: 200,
      bufferMaxPoints: 400,
    });
    await ingest.start();
    await waitForWritten(ingest, 1000);
    expect(await countPoints(influx.url, 'telemetry', 't-e1')).toBe(1500);
    expect(ingest.metrics().gaps).toBe(0);
    // The restarted ingest remembers nothing it wrote: its first point is a keyframe again.
    const rows = await influxClient(influx.url, TEST_DATABASE).query<{ seq: number }>(
      `SELECT "seq", "mode" FROM "raw"."telemetry" WHERE elevator = 't-e1' AND "mode" = 'normal'`,
    );
    expect(rows.map((r) => r.seq)).toContain(1);
    expect(rows.some((r) => r.seq > 500)).toBe(true);
    expect(rows.length).toBeLessThan(100);
  });

  it('InfluxDB stopped then restarted mid-stream: buffered, spilled to disk, replayed, 0 lost', async () => {
    const start = ingest.metrics().written;
    await publishTelemetry(device, 't-e2', 1, 1000);
    await waitForWritten(ingest, start + 1000);
    await influx.stop();
    await publishTelemetry(device, 't-e2', 1001, 4000);
    await until(
      () => ingest.metrics().spillPoints > 0 && !ingest.metrics().influxHealthy,
      20_000,
      'spill to disk',
    );
    restarted = await startInfluxd({ dir: influx.dir, port: influx.port });
    await publishTelemetry(device, 't-e2', 4001, 5000);
    await waitForWritten(ingest, start + 5000, 60_000);
    expect(await countPoints(influx.url, 'telemetry', 't-e2')).toBe(5000);
    const metrics = ingest.metrics();
    expect(metrics.dropped).toBe(0);
    expect(metrics.spilled).toBeGreaterThan(0);
    expect(metrics.spillPoints).toBe(0);
    expect(metrics.retries).toBeGreaterThan(0);
  });

  it('one poison point per 1,000 (a field type conflict): 999 stored, 1 dead-lettered', async () => {
    // Legacy data wrote vibration_mg as a string into this shard; a float now conflicts.
    const seed = await fetch(`${influx.url}/write?db=${TEST_DATABASE}&rp=raw&precision=ms`, {
      method: 'POST',
      body: `telemetry,elevator=legacy vibration_mg="n/a" ${BASE_TS}`,
    });
    expect(seed.status).toBe(204);
    const before = ingest.metrics();
    await publishTelemetry(device, 't-e3', 1, 1000, (seq) => (seq === 500 ? { vibration_mg: 12.5 } : {}));
    await waitForWritten(ingest, before.written + 999);
    await waitForDeadLetters(ingest, before.deadLettered + 1);
    expect(await countPoints(influx.url, 'telemetry', 't-e3')).toBe(999);
    const letters = await registry.db
      .selectFrom('dead_letters')
      .selectAll()
      .where('stage', '=', 'write')
      .execute();
    expect(letters).toHaveLength(1);
    expect(letters[0]).toMatchObject({ topic: 'elevators/t-e3/telemetry' });
    expect(letters[0]!.reason).toMatch(/field type conflict/);
    expect(letters[0]!.payload).toMatch(/vibration_mg=12\.5/);
    expect(ingest.metrics().refused - before.refused).toBe(1);
  });
});
