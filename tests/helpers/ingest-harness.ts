/**
 * Shared wiring for the ingest integration suites: a registry with a small fleet, an
 * ingest pointed at a broker and an influxd, device clients, and conditions to await
 * (InfluxDB counts, the ingest's `written` events) instead of sleeps.
 */
import { join } from 'node:path';
import { connectAsync, type MqttClient } from 'mqtt';
import { loadedDirectory } from '../../fleet/service.ts';
import { influxClient } from '../../ingest/influx-schema.ts';
import { createIngest, type Ingest, type IngestOptions } from '../../ingest/ingest.ts';
import { silentLogger } from '../../lib/logger.ts';
import {
  type DeviceChannel,
  influxSeries,
  POINT_TAGS,
  RAW_FIELDS,
  RETENTION_POLICIES,
  topics,
} from '../../protocol/index.ts';
import type { RegistryDb } from '../../store/db.ts';
import { storeOver } from '../../store/store.ts';
import { telemetrySample } from './fixtures.ts';

export const TEST_DATABASE = 'liftwatch_test';

export async function buildIngest(
  db: RegistryDb,
  mqttUrl: string,
  influxUrl: string,
  spillDir: string,
  overrides: Partial<IngestOptions> = {},
): Promise<Ingest> {
  return createIngest(
    {
      mqtt: { url: mqttUrl, clientId: 'ingest-test', connectTimeoutMs: 5000 },
      influx: { url: influxUrl, database: TEST_DATABASE, rawRetention: '30d' },
      batchSize: 500,
      batchMaxAgeMs: 50,
      spillDir: join(spillDir, 'spill'),
      retryInitialMs: 50,
      retryMaxMs: 500,
      ...overrides,
    },
    {
      log: silentLogger,
      store: storeOver(db),
      elevators: [...(await loadedDirectory(storeOver(db).fleet)).elevators()],
    },
  );
}

export async function deviceClient(url: string, clientId: string): Promise<MqttClient> {
  return connectAsync(url, { clientId, clean: true, reconnectPeriod: 0 });
}

/** Device time for test messages: recent, so the 30-day policy keeps them; one ms apart per seq. */
export const BASE_TS = Date.now() - 60 * 60 * 1000;

export function telemetryPayload(seq: number, extra: Record<string, unknown> = {}): string {
  return JSON.stringify({ ...telemetrySample({ seq, ts: BASE_TS + seq, floor: 1 + (seq % 10) }), ...extra });
}

/** Publishes telemetry seq `from`..`to` (inclusive) at QoS 1 and resolves when the broker acknowledged all. */
export async function publishTelemetry(
  client: MqttClient,
  elevatorId: string,
  from: number,
  to: number,
  extra: (seq: number) => Record<string, unknown> = () => ({}),
): Promise<void> {
  const pending: Promise<unknown>[] = [];
  for (let seq = from; seq <= to; seq++) {
    pending.push(
      client.publishAsync(topics.telemetry(elevatorId), telemetryPayload(seq, extra(seq)), { qos: 1 }),
    );
  }
  await Promise.all(pending);
}

export async function publishRaw(
  client: MqttClient,
  elevatorId: string,
  channel: DeviceChannel,
  payload: unknown,
): Promise<void> {
  const body = typeof payload === 'string' ? payload : JSON.stringify(payload);
  await client.publishAsync(topics.device(elevatorId, channel), body, { qos: 1 });
}

/** Points in InfluxDB's raw policy for one measurement, optionally one elevator. */
export async function countPoints(
  influxUrl: string,
  measurement: string,
  elevatorId?: string,
): Promise<number> {
  const where = elevatorId ? ` WHERE "${POINT_TAGS.elevator}" = '${elevatorId}'` : '';
  const rows = await influxClient(influxUrl, TEST_DATABASE).query<{ count: number }>(
    `SELECT count("${RAW_FIELDS.telemetry.seq}") AS count FROM ${influxSeries(TEST_DATABASE, RETENTION_POLICIES.raw, measurement)}${where}`,
  );
  return rows[0]?.count ?? 0;
}

/** Resolves when the ingest's running total of written points reaches `total`. */
export function waitForWritten(ingest: Ingest, total: number, timeoutMs = 30_000): Promise<void> {
  if (ingest.metrics().written >= total) return Promise.resolve();
  return new Promise((resolve, reject) => {
    const timer = setTimeout(() => {
      ingest.events.off('written', onWritten);
      reject(new Error(`written ${ingest.metrics().written} of ${total} within ${timeoutMs} ms`));
    }, timeoutMs);
    const onWritten = (_count: number, running: number) => {
      if (running < total) return;
      clearTimeout(timer);
      ingest.events.off('written', onWritten);
      resolve();
    };
    ingest.events.on('written', onWritten);
  });
}

/** Resolves when the ingest has stored at least `total` dead letters. */
export function waitForDeadLetters(ingest: Ingest, total: number, timeoutMs = 30_000): Promise<void> {
  if (ingest.metrics().deadLettered >= total) return Promise.resolve();
  return new Promise((resolve, reject) => {
    const timer = setTimeout(() => {
      ingest.events.off('deadLettered', onStored);
      reject(new Error(`dead-lettered ${ingest.metrics().deadLettered} of ${total} within ${timeoutMs} ms`));
    }, timeoutMs);
    const onStored = (_count: number, running: number) => {
      if (running < total) return;
      clearTimeout(timer);
      ingest.events.off('deadLettered', onStored);
      resolve();
    };
    ingest.events.on('deadLettered', onStored);
  });
}

/** Polls a condition with a deadline: for state with no event of its own (a count in InfluxDB). */
export async function until(condition: () => Promise<boolean> | boolean, timeoutMs: number, what: string) {
  const deadline = Date.now() + timeoutMs;
  while (!(await condition())) {
    if (Date.now() > deadline) throw new Error(`timed out waiting for ${what}`);
    await new Promise((resolve) => setTimeout(resolve, 50));
  }
}
