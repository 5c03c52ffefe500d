/**
 * Two broker fronts over one log: two `broker/main.ts` processes (separate Aedes, sharing
 * nothing but nats-server and the registry), one ingest reading the log, a real influxd.
 * 10 mqtt.js devices (QoS 1, `clean: false`, resending what was not acknowledged, in seq
 * order, when they reconnect) are spread over both fronts, each with both fronts' URLs (its
 * own first). `kill -9` of one front mid-stream: its devices reconnect to the other; per
 * device, every seq a front acknowledged must be in InfluxDB. A device's Will, published by
 * the front it was connected to, reaches the log and the store whichever front the ingest
 * uses. Waits are on counts and events, never on sleeps.
 */
import { join } from 'node:path';
import { connectAsync, type MqttClient } from 'mqtt';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { influxClient } from '../../ingest/influx-schema.ts';
import { freePort } from '../../lib/influxd.ts';
import { topics } from '../../protocol/index.ts';
import { openStore } from '../../store/store.ts';
import { type ChildPart, startChildPart } from '../helpers/child-part.ts';
import { smallFleet, startTestInflux, telemetrySample, tempDir } from '../helpers/fixtures.ts';
import { TEST_DATABASE, until } from '../helpers/ingest-harness.ts';
import { startTestNats, type TestNats } from '../helpers/nats.ts';

const DEVICES = 10;
/** The fleet's last elevator is kept apart for the Will. */
const WILL_DEVICE = DEVICES + 1;
const TICK_MS = 100; // 10 msg/s per device
const LEG = 200;

const dir = tempDir('liftwatch-log-fronts-');
let influx: Awaited<ReturnType<typeof startTestInflux>>;
let nats: TestNats;
const fronts: { part: ChildPart; port: number }[] = [];
let ingest: ChildPart;

const T0 = Date.now() - 60 * 60 * 1000;

interface Device {
  id: string;
  client: MqttClient;
  next: number;
  acked: Set<number>;
  /** Acknowledged seqs, by the port of the front that acknowledged them. */
  ackedBy: Map<number, number>;
  firstFront: number;
}
const devices: Device[] = [];
let ticker: NodeJS.Timeout | null = null;
const ackedTotal = () => devices.reduce((n, d) => n + d.acked.size, 0);

function deviceOptions(n: number, ports: number[]) {
  return {
    // mqtt.js tries the next server of the list on each reconnect.
    servers: ports.map((port) => ({ host: '127.0.0.1', port })),
    clientId: `dev-t-e${n}`,
    username: `dev-t-e${n}`,
    password: `device-secret-${n}-0123456789`,
    protocolVersion: 4 as const,
    clean: false,
    reconnectPeriod: 200,
    connectTimeout: 2000,
  };
}

beforeAll(async () => {
  const databaseFile = join(dir.path, 'registry.sqlite');
  const store = await openStore(databaseFile);
  await store.fleet.load(smallFleet(WILL_DEVICE));
  await store.close();
  [influx, nats] = await Promise.all([startTestInflux(), startTestNats()]);
  const common = {
    DATABASE_FILE: databaseFile,
    LOG_ENABLED: 'true',
    NATS_URL: nats.url,
    MQTT_HOST: '127.0.0.1',
  };
  for (const name of ['front-a', 'front-b']) {
    const port = await freePort();
    const part = startChildPart(
      name,
      'broker/main.ts',
      { ...common, DATA_DIR: join(dir.path, name), MQTT_PORT: String(port) },
      dir.path,
    );
    fronts.push({ part, port });
  }
  await Promise.all(fronts.map((f) => f.part.printed('MQTT broker listening')));
  // The ingest publishes alerts through front b, the one that stays up.
  ingest = startChildPart(
    'ingest',
    'ingest/main.ts',
    {
      ...common,
      DATA_DIR: join(dir.path, 'ingest'),
      MQTT_PORT: String(fronts[1]!.port),
      INFLUX_URL: influx.url,
      INFLUX_DATABASE: TEST_DATABASE,
      INGEST_MQTT_USERNAME: 'svc-test',
      INGEST_MQTT_PASSWORD: 'service-secret-0123456789',
      LOG_ACK_WAIT_S: '3',
    },
    dir.path,
  );
  await ingest.printed('ingest running', 60_000);
  const [a, b] = fronts.map((f) => f.port) as [number, number];
  for (let n = 1; n <= DEVICES; n++) {
    // Odd devices start on front a, even ones on b; each knows both.
    const ports = n % 2 === 1 ? [a, b] : [b, a];
    const client = await connectAsync(deviceOptions(n, ports));
    client.on('error', () => {});
    devices.push({
      id: `t-e${n}`,
      client,
      next: 1,
      acked: new Set(),
      ackedBy: new Map(),
      firstFront: ports[0]!,
    });
  }
  ticker = setInterval(() => {
    for (const device of devices) {
      const seq = device.next++;
      const payload = JSON.stringify(telemetrySample({ seq, ts: T0 + seq, floor: 1 + (seq % 10) }));
      device.client.publish(topics.telemetry(device.id), payload, { qos: 1 }, (error) => {
        if (error) return;
        device.acked.add(seq);
        const port = device.client.options.port!;
        device.ackedBy.set(port, (device.ackedBy.get(port) ?? 0) + 1);
      });
    }
  }, TICK_MS);
}, 180_000);

afterAll(async () => {
  if (ticker) clearInterval(ticker);
  await Promise.all(devices.map((d) => d.client.endAsync(true)));
  await ingest?.stop();
  for (const front of fronts) await front.part.stop();
  await nats?.cleanup();
  await influx?.cleanup();
  dir.remove();
});

async function lostPerDevice(): Promise<Record<string, number[]>> {
  const client = influxClient(influx.url, TEST_DATABASE);
  const lost: Record<string, number[]> = {};
  for (const device of devices) {
    const rows = await client.query<{ seq: number }>(
      `SELECT "seq" FROM "${TEST_DATABASE}"."raw"."telemetry" WHERE "elevator" = '${device.id}'`,
    );
    const stored = new Set(rows.map((r) => r.seq));
    const missing = [...device.acked].filter((seq) => !stored.has(seq));
    if (missing.length > 0) lost[device.id] = missing.sort((x, y) => x - y);
  }
  return lost;
}

async function statesOf(elevatorId: string): Promise<string[]> {
  const rows = await influxClient(influx.url, TEST_DATABASE).query<{ state: string }>(
    `SELECT "state" FROM "${TEST_DATABASE}"."raw"."status" WHERE "elevator" = '${elevatorId}'`,
  );
  return rows.map((r) => r.state);
}

describe('two broker fronts over one log', () => {
  it("a device's Will, sent by the front it was on, reaches the store through the log", async () => {
    const [a, b] = fronts.map((f) => f.port) as [number, number];
    const id = `t-e${WILL_DEVICE}`;
    const offline = JSON.stringify({ v: 1, ts: Date.now(), state: 'offline' });
    const client = await connectAsync({
      ...deviceOptions(WILL_DEVICE, [a, b]),
      reconnectPeriod: 0,
      will: { topic: topics.status(id), payload: Buffer.from(offline), qos: 1, retain: true },
    });
    client.on('error', () => {});
    await client.publishAsync(topics.status(id), JSON.stringify({ v: 1, ts: Date.now(), state: 'online' }), {
      qos: 1,
      retain: true,
    });
    // The connection drops without DISCONNECT: front a publishes the Will [MQTT-3.1.2-8].
    client.stream.destroy();
    await until(async () => (await statesOf(id)).includes('offline'), 60_000, 'the Will in InfluxDB');
    expect(await statesOf(id)).toEqual(expect.arrayContaining(['online', 'offline']));
    await client.endAsync(true);
  }, 120_000);

  it('kill -9 of one front mid-stream: its devices move to the other, nothing acknowledged is lost', async () => {
    const [front, survivor] = fronts as [(typeof fronts)[0], (typeof fronts)[0]];
    const start = ackedTotal();
    await until(() => ackedTotal() >= start + LEG, 60_000, 'acknowledged messages before the kill');
    await front.part.kill();
    const moved = devices.filter((d) => d.firstFront === front.port);
    const onSurvivor = () => moved.map((d) => d.ackedBy.get(survivor.port) ?? 0);
    // Every device of the killed front is acknowledged by the survivor again.
    await until(
      () => onSurvivor().every((n) => n >= 20),
      90_000,
      'the moved devices acknowledged by the survivor',
    );
    const resumed = ackedTotal();
    await until(() => ackedTotal() >= resumed + LEG, 90_000, 'acknowledged messages after the kill');
    let lost: Record<string, number[]> = {};
    await until(
      async () => {
        lost = await lostPerDevice();
        return Object.keys(lost).length === 0;
      },
      60_000,
      'every acknowledged message in InfluxDB',
    ).catch(() => undefined);
    expect(lost).toEqual({});
    expect(moved.length).toBe(DEVICES / 2);
  }, 300_000);
});
