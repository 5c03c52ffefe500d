/**
 * The ingest acknowledges a log message only after InfluxDB has it: with InfluxDB not yet
 * running, messages appended to the log are delivered and handled but stay unacknowledged in
 * JetStream (the consumer's own ack-pending count says so); once influxd starts on its port,
 * they are written and then acknowledged, none missing. Real nats-server, influxd, Aedes.
 */
import { jetstreamManager } from '@nats-io/jetstream';
import { connect, type NatsConnection } from '@nats-io/transport-node';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { type Broker, createBroker } from '../../broker/broker.ts';
import type { Ingest } from '../../ingest/ingest.ts';
import { freePort, type InfluxdHandle, startInfluxd } from '../../lib/influxd.ts';
import { silentLogger } from '../../lib/logger.ts';
import { LogPublisher } from '../../log/publisher.ts';
import {
  allPartitions,
  DEFAULT_LOG_STREAMS,
  logStreamOf,
  partitionDurable,
  partitionOf,
} from '../../log/subjects.ts';
import { topics } from '../../protocol/index.ts';
import { storeOver } from '../../store/store.ts';
import { registryWithFleet, smallFleet, tempDir } from '../helpers/fixtures.ts';
import { buildIngest, countPoints, telemetryPayload, until } from '../helpers/ingest-harness.ts';
import { startTestNats, type TestNats } from '../helpers/nats.ts';

const PARTITIONS = 64;
const MESSAGES = 200;
const dir = tempDir('liftwatch-log-ingest-');
let registry: Awaited<ReturnType<typeof registryWithFleet>>;
let nats: TestNats;
let broker: Broker;
let publisher: LogPublisher;
let ingest: Ingest;
let influx: InfluxdHandle | null = null;
let influxPort: number;
let reader: NatsConnection;

const stream = { replicas: 1, maxAgeMs: 3_600_000, maxBytes: 64 * 1024 * 1024 };

beforeAll(async () => {
  registry = await registryWithFleet(smallFleet(2));
  nats = await startTestNats();
  broker = createBroker(
    { port: 0, host: '127.0.0.1', maxPacketBytes: 65536, connectTimeoutMs: 2000 },
    {
      log: silentLogger,
      authenticate: (u, p) => storeOver(registry.db).credentials.authenticateMachine(u, p),
    },
  );
  const mqttUrl = `mqtt://127.0.0.1:${(await broker.start()).port}`;
  publisher = new LogPublisher({ ...stream, url: nats.url, partitions: PARTITIONS }, { log: silentLogger });
  await publisher.start();
  influxPort = await freePort(); // nothing listens there yet
  ingest = await buildIngest(registry.db, mqttUrl, `http://127.0.0.1:${influxPort}`, dir.path, {
    mqtt: {
      url: mqttUrl,
      clientId: 'ingest-log-test',
      username: 'svc-test',
      password: 'service-secret-0123456789',
      connectTimeoutMs: 5000,
    },
    log: { ...stream, url: nats.url, partitions: allPartitions(PARTITIONS), maxAckPending: 1000 },
    settleTimeoutMs: 300,
  });
  await ingest.start();
  reader = await connect({ servers: nats.url });
}, 60_000);

afterAll(async () => {
  await reader?.close();
  await ingest?.stop();
  await publisher?.stop();
  await broker?.stop();
  await influx?.stop();
  await nats?.cleanup();
  await registry?.cleanup();
  dir.remove();
});

async function ackPending(elevatorId: string): Promise<number> {
  const jsm = await jetstreamManager(reader);
  const partition = partitionOf(elevatorId, PARTITIONS);
  const stream = logStreamOf(partition, { partitions: PARTITIONS, streams: DEFAULT_LOG_STREAMS });
  const info = await jsm.consumers.info(stream, partitionDurable(partition));
  return info.num_ack_pending;
}

describe('ack after the write', () => {
  it('holds every message unacknowledged while InfluxDB is down, then writes and acknowledges all', async () => {
    for (let seq = 1; seq <= MESSAGES; seq++)
      await publisher.append(topics.telemetry('t-e1'), Buffer.from(telemetryPayload(seq)));
    await until(() => (ingest.metrics().log?.delivered ?? 0) >= MESSAGES, 30_000, 'delivered');
    await until(() => (ingest.metrics().log?.settleFailures ?? 0) >= 1, 30_000, 'a failed settle');
    expect(ingest.metrics().log?.acked).toBe(0);
    expect(await ackPending('t-e1')).toBe(MESSAGES);

    influx = await startInfluxd({ dir: `${dir.path}/influxdb`, port: influxPort });
    await until(() => (ingest.metrics().log?.acked ?? 0) >= MESSAGES, 60_000, 'acknowledged');
    // Acknowledged means written: the points are there when the acks are.
    expect(await countPoints(influx.url, 'telemetry', 't-e1')).toBe(MESSAGES);
    await until(async () => (await ackPending('t-e1')) === 0, 10_000, 'no ack pending in JetStream');
  }, 120_000);
});
