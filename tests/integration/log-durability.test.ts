/**
 * Nothing acknowledged is lost: 10 mqtt.js devices (QoS 1, `clean: false`, resending what was
 * not acknowledged when they reconnect) publish telemetry at 10 msg/s each through the broker
 * and the ingest running as child processes (`broker/main.ts`, `ingest/main.ts`, LOG_ENABLED),
 * a real nats-server (file storage) and a real influxd. Each scenario kills one part with
 * `kill -9` mid-stream and starts it again, then compares, per device, the seqs the broker
 * acknowledged with the seqs InfluxDB holds: every acknowledged seq must be there.
 * Waits are on counts (acknowledged, stored), never on sleeps.
 */
import { connectAsync, type MqttClient } from 'mqtt';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { influxClient } from '../../ingest/influx-schema.ts';
import { freePort } from '../../lib/influxd.ts';
import { topics } from '../../protocol/index.ts';
import { type ChildPart, startChildPart } from '../helpers/child-part.ts';
import {
  registryWithFleet,
  smallFleet,
  startTestInflux,
  storeEnv,
  telemetrySample,
  tempDir,
} from '../helpers/fixtures.ts';
import { TEST_DATABASE, until } from '../helpers/ingest-harness.ts';
import { startTestNats, type TestNats } from '../helpers/nats.ts';

const DEVICES = 10;
const TICK_MS = 100; // 10 msg/s per device: 100 msg/s in all, on 2 shared cores
/** Acknowledged messages before the kill, and again after the restart, per scenario. */
const LEG = 200;

const dir = tempDir('liftwatch-log-durability-');
let influx: Awaited<ReturnType<typeof startTestInflux>>;
let nats: TestNats;
let broker: ChildPart;
let registry: Awaited<ReturnType<typeof registryWithFleet>>;
let ingest: ChildPart;
let brokerEnv: Record<string, string>;
let ingestEnv: Record<string, string>;

/** Device time of seq 1; seq n is one ms later per step, so every point has its own timestamp. */
const T0 = Date.now() - 60 * 60 * 1000;

interface Device {
  id: string;
  client: MqttClient;
  next: number;
  acked: Set<number>;
  inFlight: number;
}
const devices: Device[] = [];
let ticker: NodeJS.Timeout | null = null;

const ackedTotal = () => devices.reduce((n, d) => n + d.acked.size, 0);
const inFlight = () => devices.reduce((n, d) => n + d.inFlight, 0);

function startBroker(): ChildPart {
  broker = startChildPart('broker', 'broker/main.ts', brokerEnv, dir.path);
  return broker;
}
function startIngest(): ChildPart {
  ingest = startChildPart('ingest', 'ingest/main.ts', ingestEnv, dir.path);
  return ingest;
}

beforeAll(async () => {
  registry = await registryWithFleet(smallFleet(DEVICES));
  [influx, nats] = await Promise.all([startTestInflux(), startTestNats()]);
  const mqttPort = await freePort();
  const common = {
    ...storeEnv(registry.target),
    DATA_DIR: dir.path,
    LOG_ENABLED: 'true',
    NATS_URL: nats.url,
    MQTT_PORT: String(mqttPort),
    MQTT_HOST: '127.0.0.1',
  };
  brokerEnv = common;
  ingestEnv = {
    ...common,
    INFLUX_URL: influx.url,
    INFLUX_DATABASE: TEST_DATABASE,
    INGEST_MQTT_USERNAME: 'svc-test',
    INGEST_MQTT_PASSWORD: 'service-secret-0123456789',
    // A killed ingest's messages come back after this; short so the test need not wait 30 s.
    LOG_ACK_WAIT_S: '3',
  };
  await startBroker().printed('MQTT broker listening');
  await startIngest().printed('ingest running');
  for (let n = 1; n <= DEVICES; n++) {
    const client = await connectAsync(`mqtt://127.0.0.1:${mqttPort}`, {
      clientId: `dev-t-e${n}`,
      username: `dev-t-e${n}`,
      password: `device-secret-${n}-0123456789`,
      protocolVersion: 4,
      clean: false,
      reconnectPeriod: 200,
      connectTimeout: 2000,
    });
    client.on('error', () => {});
    devices.push({ id: `t-e${n}`, client, next: 1, acked: new Set(), inFlight: 0 });
  }
  ticker = setInterval(() => {
    for (const device of devices) {
      const seq = device.next++;
      device.inFlight += 1;
      const payload = JSON.stringify(telemetrySample({ seq, ts: T0 + seq, floor: 1 + (seq % 10) }));
      // mqtt.js keeps an unacknowledged QoS 1 message and sends it again after a reconnect;
      // the callback runs on its PUBACK.
      device.client.publish(topics.telemetry(device.id), payload, { qos: 1 }, (error) => {
        device.inFlight -= 1;
        if (!error) device.acked.add(seq);
      });
    }
  }, TICK_MS);
}, 120_000);

afterAll(async () => {
  if (ticker) clearInterval(ticker);
  await Promise.all(devices.map((d) => d.client.endAsync(true)));
  await ingest?.stop();
  await broker?.stop();
  await nats?.cleanup();
  await influx?.cleanup();
  await registry?.cleanup();
  dir.remove();
});

/** Acknowledged seqs of each device that InfluxDB does not hold. */
async function lostPerDevice(): Promise<Record<string, number[]>> {
  const client = influxClient(influx.url, TEST_DATABASE);
  const lost: Record<string, number[]> = {};
  for (const device of devices) {
    const rows = await client.query<{ seq: number }>(
      `SELECT "seq" FROM "${TEST_DATABASE}"."raw"."telemetry" WHERE "elevator" = '${device.id}'`,
    );
    const stored = new Set(rows.map((r) => r.seq));
    const missing = [...device.acked].filter((seq) => !stored.has(seq));
    if (missing.length > 0) lost[device.id] = missing.sort((a, b) => a - b);
  }
  return lost;
}

/** Streams LEG acknowledged messages, disrupts, streams LEG more, then checks nothing acknowledged is missing. */
async function noLossAcross(disrupt: () => Promise<void>): Promise<void> {
  const start = ackedTotal();
  await until(() => ackedTotal() >= start + LEG, 60_000, 'acknowledged messages before the kill');
  await disrupt();
  const resumed = ackedTotal();
  await until(() => ackedTotal() >= resumed + LEG, 90_000, 'acknowledged messages after the restart');
  // Let what is in flight settle (acknowledged or not), with the devices still publishing.
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
  expect(ackedTotal()).toBeGreaterThanOrEqual(start + 2 * LEG);
}

describe('nothing acknowledged is lost (log between broker and ingest)', () => {
  it('kill -9 of the ingest mid-stream, then a restart', async () => {
    await noLossAcross(async () => {
      await ingest.kill();
      await startIngest().printed('ingest running');
    });
  }, 240_000);

  it('kill -9 of the broker mid-stream, then a restart on the same port', async () => {
    await noLossAcross(async () => {
      await broker.kill();
      await startBroker().printed('MQTT broker listening');
    });
  }, 240_000);

  it('kill -9 of the nats-server mid-stream, then a restart on the same store', async () => {
    await noLossAcross(async () => {
      await nats.kill();
      await nats.restart();
    });
  }, 240_000);

  it('settles: nothing left unacknowledged by the devices once they stop', async () => {
    if (ticker) clearInterval(ticker);
    ticker = null;
    await until(() => inFlight() === 0, 60_000, 'every publish acknowledged');
    await until(async () => Object.keys(await lostPerDevice()).length === 0, 60_000, 'all stored');
    expect(await lostPerDevice()).toEqual({});
  }, 180_000);
});
