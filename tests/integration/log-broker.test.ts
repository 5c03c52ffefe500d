/**
 * The broker's PUBACK means "in the log": a real Aedes with its hand-off to a real nats-server
 * (JetStream, file storage), real mqtt.js devices. Counted in the stream itself, per subject;
 * every wait is on an event or a count, never a sleep.
 */
import { jetstreamManager } from '@nats-io/jetstream';
import { connect, type NatsConnection } from '@nats-io/transport-node';
import { connectAsync, type MqttClient } from 'mqtt';
import { afterAll, afterEach, beforeAll, describe, expect, it } from 'vitest';
import { type Broker, createBroker } from '../../broker/broker.ts';
import { silentLogger } from '../../lib/logger.ts';
import { LogPublisher } from '../../log/publisher.ts';
import { DEFAULT_LAYOUT, deviceSubject, logStreamOf, partitionOfSubject } from '../../log/subjects.ts';
import { topics } from '../../protocol/index.ts';
import { storeOver } from '../../store/store.ts';
import { registryWithFleet, smallFleet, telemetrySample } from '../helpers/fixtures.ts';
import { until } from '../helpers/ingest-harness.ts';
import { startTestNats, type TestNats } from '../helpers/nats.ts';

const PARTITIONS = 64;
let registry: Awaited<ReturnType<typeof registryWithFleet>>;
let nats: TestNats;
let publisher: LogPublisher;
let broker: Broker;
let url: string;
let reader: NatsConnection;
const clients: MqttClient[] = [];

beforeAll(async () => {
  registry = await registryWithFleet(smallFleet(3));
  nats = await startTestNats();
  publisher = new LogPublisher(
    {
      url: nats.url,
      partitions: PARTITIONS,
      replicas: 1,
      maxAgeMs: 3_600_000,
      maxBytes: 64 * 1024 * 1024,
      appendTimeoutMs: 1000,
    },
    { log: silentLogger },
  );
  await publisher.start();
  broker = createBroker(
    { port: 0, host: '127.0.0.1', maxPacketBytes: 65536, connectTimeoutMs: 2000 },
    {
      log: silentLogger,
      authenticate: (u, p) => storeOver(registry.db).credentials.authenticateMachine(u, p),
      handOff: (topic, payload) => publisher.append(topic, payload),
    },
  );
  url = `mqtt://127.0.0.1:${(await broker.start()).port}`;
  reader = await connect({ servers: nats.url, maxReconnectAttempts: -1, reconnectTimeWait: 100 });
}, 60_000);

afterEach(async () => {
  await Promise.all(clients.splice(0).map((c) => c.endAsync(true)));
});

afterAll(async () => {
  await reader?.close();
  await broker?.stop();
  await publisher?.stop();
  await nats?.cleanup();
  await registry?.cleanup();
});

async function device(n: number, will?: { topic: string; payload: string; retain: boolean }) {
  const client = await connectAsync(url, {
    clientId: `dev-t-e${n}`,
    username: `dev-t-e${n}`,
    password: `device-secret-${n}-0123456789`,
    protocolVersion: 4,
    reconnectPeriod: 0,
    ...(will ? { will: { ...will, qos: 1 as const } } : {}),
  });
  client.on('error', () => {});
  clients.push(client);
  return client;
}

/**
 * Messages the stream holds on one subject. Asked again while the test's own connection is
 * still reconnecting after a nats-server restart (its request times out): the broker's
 * publisher may be back, and the PUBACK given, before this reader is.
 */
async function storedOn(subject: string): Promise<number> {
  const deadline = Date.now() + 20_000;
  for (;;) {
    try {
      const jsm = await jetstreamManager(reader);
      const info = await jsm.streams.info(logStreamOf(partitionOfSubject(subject), DEFAULT_LAYOUT), {
        subjects_filter: subject,
      });
      return info.state.subjects?.[subject] ?? 0;
    } catch (error) {
      if (Date.now() > deadline) throw error;
      await new Promise((resolve) => setTimeout(resolve, 50)); // between polls, as `until` does
    }
  }
}

const telemetry = (seq: number) => JSON.stringify(telemetrySample({ seq, ts: Date.now() }));

describe('PUBACK after the log stored the message', () => {
  it('every acknowledged publish is in its partition of the stream', async () => {
    const client = await device(1);
    const subject = deviceSubject(topics.telemetry('t-e1'), PARTITIONS)!;
    const before = await storedOn(subject);
    await Promise.all(
      Array.from({ length: 50 }, (_, i) =>
        client.publishAsync(topics.telemetry('t-e1'), telemetry(i + 1), { qos: 1 }),
      ),
    );
    // Counted right after the last PUBACK: nothing to wait for if the PUBACK came after the store.
    expect(await storedOn(subject)).toBe(before + 50);
  });

  it('holds the PUBACK while the log is down and sends it once the log stored the message', async () => {
    const client = await device(2);
    const subject = deviceSubject(topics.telemetry('t-e2'), PARTITIONS)!;
    const before = await storedOn(subject);
    await nats.kill();
    const failuresBefore = broker.metrics().logAppendFailures ?? 0;
    let acknowledged = false;
    const publishing = client.publishAsync(topics.telemetry('t-e2'), telemetry(1), { qos: 1 }).then(() => {
      acknowledged = true;
    });
    await until(() => (broker.metrics().logAppendFailures ?? 0) > failuresBefore, 20_000, 'a failed append');
    expect(acknowledged).toBe(false);
    expect(broker.metrics().logWaiting).toBe(1);
    await nats.restart();
    await publishing;
    expect(await storedOn(subject)).toBe(before + 1);
    expect(broker.metrics().logWaiting).toBe(0);
  }, 60_000);

  it("puts a device's Will (retained offline status) in the log too", async () => {
    const statusTopic = topics.status('t-e3');
    const subject = deviceSubject(statusTopic, PARTITIONS)!;
    const before = await storedOn(subject);
    const client = await device(3, {
      topic: statusTopic,
      payload: JSON.stringify({ v: 1, ts: Date.now(), state: 'offline' }),
      retain: true,
    });
    client.stream.destroy(); // a lost connection, not a DISCONNECT: the Will is published
    await until(async () => (await storedOn(subject)) === before + 1, 20_000, 'the Will in the log');
  });
});
