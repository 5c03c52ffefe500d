/**
 * Acknowledged only once durable, alert commits included: the store refuses the alert commits
 * until a settle was rejected; the log message that raised the finding stays unacknowledged in JetStream (the
 * settle rejects), the finding is kept and committed on the next settle, and only then is
 * the message acknowledged. The alert opens exactly once; nothing is lost. Real nats-server,
 * influxd, Aedes and the ingest service (detection included) reading the log.
 */
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { type Broker, createBroker } from '../../broker/broker.ts';
import { loadedDirectory } from '../../fleet/service.ts';
import { createIngestService, type IngestService } from '../../ingest/service.ts';
import { loadConfig } from '../../lib/config.ts';
import { silentLogger } from '../../lib/logger.ts';
import { LogPublisher } from '../../log/publisher.ts';
import { topics } from '../../protocol/index.ts';
import { type Store, storeOver } from '../../store/store.ts';
import { registryWithFleet, smallFleet, startTestInflux, tempDir } from '../helpers/fixtures.ts';
import { BASE_TS, TEST_DATABASE, until } from '../helpers/ingest-harness.ts';
import { startTestNats, type TestNats } from '../helpers/nats.ts';

const PARTITIONS = 8;
const dir = tempDir('liftwatch-log-commit-');
let registry: Awaited<ReturnType<typeof registryWithFleet>>;
let influx: Awaited<ReturnType<typeof startTestInflux>>;
let nats: TestNats;
let broker: Broker;
let publisher: LogPublisher;
let service: IngestService;
let store: Store;
const failures = { refused: 0 };

beforeAll(async () => {
  registry = await registryWithFleet(smallFleet(2));
  [influx, nats] = await Promise.all([startTestInflux(), startTestNats()]);
  const real = storeOver(registry.db);
  store = real;
  // The same store, but its first two alert commits fail as a dropped database connection would.
  // With the log the lifecycle opens alerts inside `transaction` (the outbox row with the alert).
  const refusing = (alerts: Store['alerts']): Store['alerts'] => ({
    ...alerts,
    openOrBump: async (row) => {
      if ((service?.ingest.metrics().log?.settleFailures ?? 0) === 0) {
        failures.refused += 1;
        throw new Error('connection terminated unexpectedly');
      }
      return alerts.openOrBump(row);
    },
    transaction: (work) => alerts.transaction((tx, outbox) => work(refusing(tx), outbox)),
  });
  const failing: Store = { ...real, alerts: refusing(real.alerts) };
  broker = createBroker(
    { port: 0, host: '127.0.0.1', maxPacketBytes: 65536, connectTimeoutMs: 5000 },
    { log: silentLogger, authenticate: (u, p) => real.credentials.authenticateMachine(u, p) },
  );
  const mqttUrl = `mqtt://127.0.0.1:${(await broker.start()).port}`;
  const config = loadConfig({
    LOG_LEVEL: 'silent',
    DATA_DIR: dir.path,
    INFLUX_DATABASE: TEST_DATABASE,
    INGEST_BATCH_MAX_AGE_MS: '20',
    LOG_ENABLED: 'true',
    LOG_PARTITIONS: String(PARTITIONS),
  });
  const stream = { replicas: 1, maxAgeMs: 3_600_000, maxBytes: 64 * 1024 * 1024 };
  publisher = new LogPublisher({ ...stream, url: nats.url, partitions: PARTITIONS }, { log: silentLogger });
  await publisher.start();
  service = await createIngestService(config, {
    store: failing,
    log: silentLogger,
    directory: await loadedDirectory(real.fleet),
    influxUrl: influx.url,
    natsUrl: nats.url,
    mqtt: { url: mqttUrl, username: 'svc-test', password: 'service-secret-0123456789' },
  });
  await service.start();
}, 90_000);

afterAll(async () => {
  await service?.stop();
  await publisher?.stop();
  await broker?.stop();
  await nats?.cleanup();
  await influx?.cleanup();
  await registry?.cleanup();
  dir.remove();
});

describe('a failed alert commit acknowledges nothing', () => {
  it('keeps the message unacknowledged, commits the finding on a later settle, opens the alert once', async () => {
    const event = { v: 1, ts: BASE_TS + 1, seq: 1, code: 'passenger_trapped' };
    await publisher.append(topics.device('t-e1', 'event'), Buffer.from(JSON.stringify(event)));
    const metrics = () => service.ingest.metrics().log!;
    await until(() => metrics().delivered >= 1, 30_000, 'delivered');
    await until(() => metrics().settleFailures >= 1, 30_000, 'a rejected settle');
    expect(failures.refused).toBeGreaterThanOrEqual(1);
    // Refused commit → not acknowledged (in the first settle); then committed and acknowledged.
    await until(() => metrics().acked === 1, 30_000, 'acknowledged after the retried commit');
    expect(service.detection?.uncommitted).toBe(0);
    const alerts = (await store.alerts.unresolvedWithCodes(['passenger_trapped'])).filter(
      (a) => a.elevator_id === 't-e1',
    );
    expect(alerts).toHaveLength(1);
    expect(alerts[0]!.count).toBe(1);
    expect(metrics().unacked).toBe(0);
  }, 90_000);
});
