/**
 * Inbound flow control: when the subscriber stops reading, the broker's queue fills and
 * device publishes are held before their PUBACK, so the backlog stays with the devices.
 * When the subscriber reads again, every message arrives once, in each device's order.
 */
import type { Client, Connection } from 'aedes';
import { connectAsync, type MqttClient } from 'mqtt';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { type Broker, createBroker } from '../../broker/broker.ts';
import { brokerMetricSamples } from '../../broker/metrics-samples.ts';
import { silentLogger } from '../../lib/logger.ts';
import { formatPrometheus, parsePrometheus } from '../../lib/prometheus.ts';
import { topics } from '../../protocol/index.ts';
import { createFleetSimulator } from '../../simulators/fleet.ts';
import { storeOver } from '../../store/store.ts';
import { registryWithFleet, smallFleet, telemetrySample } from '../helpers/fixtures.ts';

const SERVICE = { username: 'svc-test', password: 'service-secret-0123456789' };
// Aedes reads one batch per device at a time, so it takes more devices than deliveries in
// progress (5) plus the gate's threshold (10) to queue enough for the gate to act.
const DEVICES = 30;
const PER_DEVICE = 100;
// Large payloads fill the subscriber's socket buffers with a few hundred messages.
const PADDING = 'x'.repeat(10_000);

const fleet = smallFleet(DEVICES);
let registry: Awaited<ReturnType<typeof registryWithFleet>>;
let broker: Broker;
let url: string;
const clients: MqttClient[] = [];

beforeAll(async () => {
  registry = await registryWithFleet(fleet);
  broker = createBroker(
    {
      port: 0,
      host: '127.0.0.1',
      maxPacketBytes: 64 * 1024,
      connectTimeoutMs: 5000,
      deliveryConcurrency: 5,
      inflowHigh: 10,
      inflowLow: 5,
    },
    {
      log: silentLogger,
      authenticate: (u, p) => storeOver(registry.db).credentials.authenticateMachine(u, p),
    },
  );
  const { port } = await broker.start();
  url = `mqtt://127.0.0.1:${port}`;
});

afterAll(async () => {
  await Promise.all(clients.map((c) => c.endAsync(true)));
  await broker?.stop();
  await registry?.cleanup();
});

/** Resolves when `condition` holds, checking after each turn of the event loop's I/O. */
function until(condition: () => boolean, what: string, timeoutMs = 20_000): Promise<void> {
  const deadline = Date.now() + timeoutMs;
  return new Promise((resolve, reject) => {
    const check = () => {
      if (condition()) resolve();
      else if (Date.now() > deadline) reject(new Error(`timed out waiting for ${what}`));
      else setTimeout(check, 5);
    };
    check();
  });
}

/** A service subscribed to every device topic at QoS 1, as the ingest is. */
async function ingestLikeSubscriber(): Promise<MqttClient> {
  const subscriber = await connectAsync(url, {
    ...SERVICE,
    clientId: 'lift-watch-ingest',
    reconnectPeriod: 0,
  });
  clients.push(subscriber);
  await subscriber.subscribeAsync(topics.allDevices, { qos: 1 });
  return subscriber;
}

describe('broker inflow gate', () => {
  it('holds device publishes while the subscriber lags, then delivers all of them once, in order', async () => {
    const subscriber = await ingestLikeSubscriber();
    const received = new Map<string, number[]>();
    subscriber.on('message', (topic, payload) => {
      const { seq } = JSON.parse(payload.toString('utf8')) as { seq: number };
      const list = received.get(topic) ?? [];
      list.push(seq);
      received.set(topic, list);
    });
    subscriber.stream.pause();

    let acked = 0;
    for (let n = 1; n <= DEVICES; n++) {
      const username = `dev-t-e${n}`;
      const device = await connectAsync(url, {
        username,
        password: `device-secret-${n}-0123456789`,
        clientId: username,
        reconnectPeriod: 0,
      });
      clients.push(device);
      for (let seq = 1; seq <= PER_DEVICE; seq++) {
        const payload = JSON.stringify({ ...telemetrySample({ seq }), padding: PADDING });
        device.publish(topics.device(`t-e${n}`, 'telemetry'), payload, { qos: 1 }, (err) => {
          if (!err) acked++;
        });
      }
    }

    await until(() => broker.metrics().inflowWaiting > 0, 'the gate to hold a publish');
    // Held publishes are not acknowledged: the devices still have them.
    expect(acked).toBeLessThan(DEVICES * PER_DEVICE);
    // What an operator sees on /metrics while devices are being slowed.
    const held = parsePrometheus(formatPrometheus(brokerMetricSamples(broker.metrics())));
    expect(held.get('liftwatch_broker_inflow_waiting')).toBeGreaterThan(0);
    expect(held.get('liftwatch_broker_inflow_held_total')).toBeGreaterThan(0);
    expect(held.get('liftwatch_broker_bus_queued')).toBeGreaterThanOrEqual(5);
    expect(held.get('liftwatch_broker_clients_connected')).toBe(DEVICES + 1);

    subscriber.stream.resume();
    await until(() => acked === DEVICES * PER_DEVICE, 'every publish acknowledged');
    await until(
      () => [...received.values()].reduce((sum, list) => sum + list.length, 0) >= DEVICES * PER_DEVICE,
      'every message delivered',
    );
    expect(broker.metrics().inflowWaiting).toBe(0);
    for (let n = 1; n <= DEVICES; n++) {
      const seqs = received.get(topics.device(`t-e${n}`, 'telemetry'));
      expect(seqs).toEqual(Array.from({ length: PER_DEVICE }, (_, i) => i + 1));
    }
    await Promise.all(clients.splice(0).map((c) => c.endAsync(true)));
  });

  it('a load generator with an in-flight bound stops topping up while the broker holds it back', {
    timeout: 90_000,
  }, async () => {
    // The broker's side of the subscriber's connection, through Aedes' public clientReady event.
    const brokerSide = new Promise<Connection>((resolve) => {
      const onReady = (client: Client) => {
        if (client.id !== 'lift-watch-ingest') return;
        broker.aedes.off('clientReady', onReady);
        resolve(client.conn);
      };
      broker.aedes.on('clientReady', onReady);
    });
    const subscriber = await ingestLikeSubscriber();
    subscriber.stream.pause();
    const toSubscriber = (await brokerSide) as Connection & { writableNeedDrain: boolean };
    const maxInFlight = 100;
    const sim = createFleetSimulator({ fleet, mqttUrl: url, rate: 5000, maxInFlight, closeGraceMs: 0 });
    await sim.start();
    try {
      // The subscriber's socket buffers take a few seconds of traffic before the broker's writes
      // to it wait for a drain that cannot come; from then on its deliveries stall, the gate
      // holds for good and the generator, no longer acknowledged, reaches its bound.
      const inFlight = () => sim.stats().sent - sim.stats().acked;
      await until(
        () => toSubscriber.writableNeedDrain && broker.metrics().inflowWaiting > 0,
        'the broker to back up behind the paused subscriber',
        60_000,
      );
      await until(() => inFlight() >= maxInFlight, 'the generator to reach its in-flight bound', 60_000);
      const atBound = sim.stats();
      // Another second of the asked rate: a generator ignoring its bound would send it.
      await until(() => sim.stats().shortfall > atBound.shortfall + 5000, 'the rate to go unoffered', 60_000);
      // Top-ups stopped at the bound; the models' own samples (one a second per moving car) may add a few.
      expect(sim.stats().sent - atBound.sent).toBeLessThan(2 * DEVICES);
      expect(inFlight()).toBeLessThan(maxInFlight + 2 * DEVICES);
      expect(broker.metrics().inflowWaiting).toBeGreaterThan(0);
    } finally {
      await sim.stop();
    }
  });
});
