/**
 * Three ingest workers share the log's 64 partitions by lease (log/lease.ts) while 12 mqtt.js
 * devices (QoS 1, `clean: false`, resending what was not acknowledged) publish telemetry at
 * 10 msg/s each through the broker: real nats-server, influxd, Aedes, every part a child
 * process (`broker/main.ts`, `ingest/main.ts`, LOG_ENABLED, LOG_LEASE_S=5).
 *
 * - `kill -9` of one worker mid-stream: its partitions are owned again (the KV shows every
 *   partition held by a live worker) within 15 s, printed; every acknowledged seq is in InfluxDB.
 * - A worker paused with SIGSTOP past its lease, then resumed, commits nothing: it writes to
 *   a database of its own (INFLUX_DATABASE), so what it wrote can be counted; the count taken
 *   while it is paused is the count once it has resumed and found its leases expired. (Its
 *   batch age is 2 s, so it has points waiting when paused; the fence must drop them.)
 *
 * - A trapped passenger (GB/T 24476 code 11, 30 s outside the door zone) whose stop is before
 *   its partition's owner is killed and whose threshold passes after: the new owner loads the
 *   partition's checkpoint and opens the alert once, at the 30 s sample. The stop is
 *   acknowledged by the owner but not yet in its checkpoint (LOG_CHECKPOINT_S=30 here), so the
 *   alert comes only if the new owner replays the log from the checkpoint's position. Before
 *   that stop the same car was trapped and released, also after the checkpoint: the owner
 *   opened and cleared that alert, and the replay must not open it a second time.
 *
 * Waits poll with deadlines, never sleep.
 */
import { join } from 'node:path';
import { jetstreamManager } from '@nats-io/jetstream';
import { type KV, Kvm } from '@nats-io/kv';
import { connect, type NatsConnection } from '@nats-io/transport-node';
import { connectAsync, type MqttClient } from 'mqtt';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { influxClient } from '../../ingest/influx-schema.ts';
import { freePort } from '../../lib/influxd.ts';
import { CHECKPOINT_BUCKET } from '../../log/checkpoints.ts';
import { LEASE_BUCKET } from '../../log/lease.ts';
import { DEFAULT_LAYOUT, logStreamOf, partitionDurable, partitionOf } from '../../log/subjects.ts';
import { topics } from '../../protocol/index.ts';
import { openRegistry, type RegistryTarget } from '../../store/db.ts';
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

const DEVICES = 12;
/** One more car, not in the steady stream: the trapped passenger across a takeover. */
const TRAPPED = 't-e13';
const TICK_MS = 100;
const PARTITIONS = 64;
const LEASE_S = 5;
/** Long enough that a stop acknowledged just after one checkpoint is in none when its owner dies. */
const CHECKPOINT_S = 30;
const LEG = 300;
/** The paused worker's own database: everything it ever wrote is counted there. */
const STALE_DATABASE = 'liftwatch_stale';

const dir = tempDir('liftwatch-log-workers-');
let influx: Awaited<ReturnType<typeof startTestInflux>>;
let nats: TestNats;
let nc: NatsConnection;
let kv: KV;
let broker: ChildPart;
const workers: ChildPart[] = [];
const workerEnvs: Record<string, string>[] = [];
let registry: Awaited<ReturnType<typeof registryWithFleet>>;
let storeTarget: RegistryTarget;
let mqttUrl: string;
const T0 = Date.now() - 60 * 60 * 1000;

interface Device {
  id: string;
  client: MqttClient;
  next: number;
  acked: Set<number>;
}
const devices: Device[] = [];
let ticker: NodeJS.Timeout | null = null;
const ackedTotal = () => devices.reduce((n, d) => n + d.acked.size, 0);

beforeAll(async () => {
  // The workers open the run's store themselves: a SQLite file or, in the PostgreSQL pass, a
  // fresh database.
  registry = await registryWithFleet(smallFleet(DEVICES + 1));
  storeTarget = registry.target;
  [influx, nats] = await Promise.all([startTestInflux(), startTestNats()]);
  nc = await connect({ servers: nats.url });
  const mqttPort = await freePort();
  mqttUrl = `mqtt://127.0.0.1:${mqttPort}`;
  const common = {
    ...storeEnv(storeTarget),
    LOG_ENABLED: 'true',
    NATS_URL: nats.url,
    MQTT_PORT: String(mqttPort),
    MQTT_HOST: '127.0.0.1',
  };
  broker = startChildPart('broker', 'broker/main.ts', { ...common, DATA_DIR: dir.path }, dir.path);
  await broker.printed('MQTT broker listening');
  for (let n = 1; n <= 3; n++) {
    workerEnvs.push({
      ...common,
      DATA_DIR: join(dir.path, `worker-${n}`),
      INFLUX_URL: influx.url,
      INFLUX_DATABASE: n === 3 ? STALE_DATABASE : TEST_DATABASE,
      INGEST_CLIENT_ID: `lift-watch-ingest-${n}`,
      INGEST_MQTT_USERNAME: 'svc-test',
      INGEST_MQTT_PASSWORD: 'service-secret-0123456789',
      LOG_LEASE_S: String(LEASE_S),
      LOG_ACK_WAIT_S: '3',
      LOG_CHECKPOINT_S: String(CHECKPOINT_S),
      ...(n === 3 ? { INGEST_BATCH_MAX_AGE_MS: '2000' } : {}),
    });
    const worker = startChildPart(`ingest-${n}`, 'ingest/main.ts', workerEnvs[n - 1]!, dir.path);
    workers.push(worker);
    await worker.printed('ingest running', 90_000);
  }
  kv = await new Kvm(nc).open(LEASE_BUCKET);
  await until(async () => (await leases()).balanced(3), 60_000, 'three workers sharing the partitions');
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
    devices.push({ id: `t-e${n}`, client, next: 1, acked: new Set() });
  }
  ticker = setInterval(() => {
    for (const device of devices) {
      const seq = device.next++;
      const payload = JSON.stringify(telemetrySample({ seq, ts: T0 + seq, floor: 1 + (seq % 10) }));
      device.client.publish(topics.telemetry(device.id), payload, { qos: 1 }, (error) => {
        if (!error) device.acked.add(seq);
      });
    }
  }, TICK_MS);
}, 240_000);

afterAll(async () => {
  if (ticker) clearInterval(ticker);
  await Promise.all(devices.map((d) => d.client.endAsync(true)));
  for (const worker of workers) worker.signal('SIGCONT');
  await Promise.all(workers.map((w) => w.stop()));
  await broker?.stop();
  await nc?.close();
  await nats?.cleanup();
  await influx?.cleanup();
  await registry?.cleanup();
  if (!process.env.KEEP_TEST_DIR) dir.remove();
  else console.log(dir.path);
});

/** The lease bucket as the server has it: live workers, and the owner of each partition. */
async function leases(): Promise<{
  live: Set<string>;
  owners: Map<number, string>;
  balanced(n: number): boolean;
}> {
  const live = new Set<string>();
  const owners = new Map<number, string>();
  for await (const key of await kv.keys()) {
    if (key.startsWith('w.')) live.add(key.slice(2));
    else if (key.startsWith('p.')) {
      const entry = await kv.get(key);
      if (entry?.operation === 'PUT')
        owners.set(Number(key.slice(2)), entry.json<{ worker: string }>().worker);
    }
  }
  return {
    live,
    owners,
    balanced: (n) =>
      live.size === n &&
      owners.size === PARTITIONS &&
      [...owners.values()].every((w) => live.has(w)) &&
      [...live].every(
        (w) => [...owners.values()].filter((o) => o === w).length >= Math.floor(PARTITIONS / n),
      ),
  };
}

/** Seconds from `since` until every partition is held by one of `n` live workers. */
async function reownedWithin(since: number, n: number, what: string): Promise<number> {
  await until(
    async () => {
      const now = await leases();
      return (
        now.live.size === n &&
        now.owners.size === PARTITIONS &&
        [...now.owners.values()].every((w) => now.live.has(w))
      );
    },
    60_000,
    what,
  );
  return (Date.now() - since) / 1000;
}

/** Per device, the seqs acknowledged so far (a snapshot: the devices keep publishing). */
const ackedNow = (): Map<Device, number[]> => new Map(devices.map((d) => [d, [...d.acked]]));

/** Of the seqs in `acked`, those neither database holds. */
async function lostPerDevice(acked: Map<Device, number[]>): Promise<Record<string, number[]>> {
  const lost: Record<string, number[]> = {};
  for (const [device, seqs] of acked) {
    const stored = new Set<number>();
    for (const database of [TEST_DATABASE, STALE_DATABASE]) {
      const rows = await influxClient(influx.url, database)
        .query<{ seq: number }>(
          `SELECT "seq" FROM "${database}"."raw"."telemetry" WHERE "elevator" = '${device.id}'`,
        )
        .catch(() => []);
      for (const row of rows) stored.add(row.seq);
    }
    const missing = seqs.filter((seq) => !stored.has(seq));
    if (missing.length > 0) lost[device.id] = missing.sort((a, b) => a - b);
  }
  return lost;
}

/**
 * Every seq acknowledged up to now reaches InfluxDB. The set is taken once, before the first
 * query: the devices keep publishing, and a set read again at each poll (or after the queries)
 * always holds the last second or so of acknowledged seqs still on their way to InfluxDB, so
 * on a loaded machine every poll found the newest ~10 seqs of every device "missing".
 */
async function expectNothingLost(): Promise<void> {
  const acked = ackedNow();
  let lost: Record<string, number[]> = {};
  await until(
    async () => {
      lost = await lostPerDevice(acked);
      return Object.keys(lost).length === 0;
    },
    90_000,
    'every acknowledged message in InfluxDB',
  ).catch(() => undefined);
  const count = Object.values(lost).reduce((n, seqs) => n + seqs.length, 0);
  const total = [...acked.values()].reduce((n, seqs) => n + seqs.length, 0);
  console.log(`workers: ${total} acknowledged, ${count} of them not in InfluxDB`);
  expect(lost).toEqual({});
}

async function stalePoints(): Promise<number> {
  const rows = await influxClient(influx.url, STALE_DATABASE)
    .query<{ count: number }>(`SELECT count("seq") AS count FROM "${STALE_DATABASE}"."raw"."telemetry"`)
    .catch(() => []);
  return rows[0]?.count ?? 0;
}

/**
 * The child whose lease holds `partition` (its log lines name its worker id). On a loaded
 * machine a renewal can miss and the partition pass between workers: wait for an owner.
 */
async function ownerOf(partition: number): Promise<number> {
  let index = -1;
  await until(
    async () => {
      const owner = (await leases()).owners.get(partition);
      index = owner ? workers.findIndex((w) => w.count(`"worker":"${owner}"`) > 0) : -1;
      return index >= 0;
    },
    30_000,
    `a worker owning partition ${partition}`,
  );
  return index;
}

async function trappedAlerts(): Promise<{ opened_at: number; count: number; state: string }[]> {
  const db = await openRegistry(storeTarget);
  try {
    return await db
      .selectFrom('alerts')
      .select(['opened_at', 'count', 'state'])
      .where('elevator_id', '=', TRAPPED)
      .where('code', '=', 'passenger_trapped')
      .orderBy('opened_at')
      .execute();
  } finally {
    await db.destroy();
  }
}

describe('N ingest workers sharing the log by lease', () => {
  it('a trapped passenger whose stop is before the owner dies and whose threshold is after: one alert, from the checkpoint; an earlier stop in the replay is not opened again', async () => {
    const partition = partitionOf(TRAPPED, PARTITIONS);
    const device = await connectAsync(mqttUrl, {
      clientId: `dev-${TRAPPED}`,
      username: `dev-${TRAPPED}`,
      password: 'device-secret-13-0123456789',
      protocolVersion: 4,
      clean: false,
    });
    const T = Date.now() - 30 * 60 * 1000;
    // One sample a second of device time, seq 11 on (seq 1–10: the car at a floor before it):
    // stopped between floors, doors closed, someone inside; or released (at a floor, doors open).
    const publish = async (from: number, to: number, released: boolean) => {
      for (let s = from; s <= to; s++) {
        const sample = telemetrySample({
          seq: s + 11,
          ts: T + s * 1000,
          door_zone: released,
          door_closed: !released,
          occupied: !released,
          floor: 3,
        });
        await device.publishAsync(topics.telemetry(TRAPPED), JSON.stringify(sample), { qos: 1 });
      }
    };
    const trapped = (from: number, to: number) => publish(from, to, false);
    const checkpointedSeq = async (): Promise<number> => {
      const checkpoints = await new Kvm(nc).open(CHECKPOINT_BUCKET);
      const entry = await checkpoints.get(`p.${partition}`);
      const saved =
        entry?.operation === 'PUT'
          ? entry.json<{ elevators: Record<string, { seq: { max: number } }> }>()
          : null;
      return saved?.elevators[TRAPPED]?.seq.max ?? 0;
    };
    try {
      const owner = await ownerOf(partition);
      for (let seq = 1; seq <= 10; seq++) {
        const sample = telemetrySample({ seq, ts: T - 11_000 + seq * 1000, floor: 3 });
        await device.publishAsync(topics.telemetry(TRAPPED), JSON.stringify(sample), { qos: 1 });
      }
      // The car in a checkpoint; the stop goes in right after it, so the next one is ~30 s away.
      await until(
        async () => (await checkpointedSeq()) >= 10,
        CHECKPOINT_S * 2500,
        'the car in a checkpoint',
      );
      // A first stop, raised at 30 s and released at 32 s (opened and cleared by the owner), then
      // the stop that matters from 40 s: its threshold (70 s) passes after the kill.
      await trapped(0, 31);
      await publish(32, 37, true);
      await trapped(40, 55);
      // The owner handled, wrote and acknowledged all of it: nothing is pending in the log.
      const jsm = await jetstreamManager(nc);
      await until(
        async () => {
          const info = await jsm.consumers.info(
            logStreamOf(partition, DEFAULT_LAYOUT),
            partitionDurable(partition),
          );
          return info.num_pending === 0 && info.num_ack_pending === 0;
        },
        20_000,
        'the stop acknowledged by its owner',
      );
      expect(await checkpointedSeq()).toBeLessThan(11);
      const first = await trappedAlerts();
      expect(first.map((a) => a.state)).toEqual(['resolved']);
      const killedAt = Date.now();
      await workers[owner]!.kill();
      await trapped(56, 75);
      await until(async () => (await trappedAlerts()).length > 1, 60_000, 'the trapped-passenger alert');
      console.log(
        `workers: trapped alert opened ${((Date.now() - killedAt) / 1000).toFixed(1)} s after its owner's kill -9`,
      );
      // The replayed first stop opened nothing again (it would be a second alert, opened at 30 s
      // and cleared at 37 s once more): the new owner rebuilt its state from those messages only.
      const alerts = await trappedAlerts();
      expect(alerts).toHaveLength(2);
      expect(alerts.map((a) => a.state)).toEqual(['resolved', 'open']);
      // Raised about the sample at 70 s (the episode began at 40 s, before the kill), not by a
      // fresh episode from the first sample the new owner saw (56 s: it would open at 86 s at
      // the earliest). The margin up to 80 s is for a loaded machine, where the full suite saw
      // it raised 2 s late; anything from a fresh episode is still refused.
      expect(alerts[1]!.opened_at).toBeGreaterThanOrEqual(T + 70_000);
      expect(alerts[1]!.opened_at).toBeLessThan(T + 80_000);
      // The killed worker comes back as a new one: three again for the cases below.
      workers[owner] = startChildPart(`ingest-${owner + 1}b`, 'ingest/main.ts', workerEnvs[owner]!, dir.path);
      await workers[owner]!.printed('ingest running', 90_000);
      await until(
        async () => (await leases()).balanced(3),
        60_000,
        'three workers sharing the partitions again',
      );
    } finally {
      await device.endAsync(true);
    }
  }, 300_000);

  it('kill -9 of one of three workers: its partitions owned again within 15 s, nothing lost', async () => {
    await until(() => ackedTotal() >= LEG, 60_000, 'acknowledged messages before the kill');
    const killedAt = Date.now();
    await workers[1]!.kill();
    const reownS = await reownedWithin(killedAt, 2, 'the partitions owned again by the two left');
    console.log(`workers: partitions re-owned ${reownS.toFixed(1)} s after kill -9 (LOG_LEASE_S=${LEASE_S})`);
    expect(reownS).toBeLessThan(15);
    const resumed = ackedTotal();
    await until(() => ackedTotal() >= resumed + LEG, 90_000, 'acknowledged messages after the kill');
    await expectNothingLost();
  }, 300_000);

  it('a worker paused past its lease (SIGSTOP), then resumed, writes nothing', async () => {
    const stale = workers[2]!;
    await until(async () => (await stalePoints()) > 0, 60_000, 'the worker to be paused writing');
    const pausedAt = Date.now();
    stale.signal('SIGSTOP');
    const reownS = await reownedWithin(pausedAt, 1, 'its partitions owned by the other worker');
    console.log(`workers: a paused worker's partitions re-owned ${reownS.toFixed(1)} s after SIGSTOP`);
    // Paused, it writes nothing; what it wrote before is settled once two reads agree.
    let before = -1;
    await until(
      async () => {
        const now = await stalePoints();
        const same = now === before;
        before = now;
        return same;
      },
      30_000,
      'the paused worker’s points to settle',
    );
    const expired = stale.count('"why":"expired"');
    stale.signal('SIGCONT');
    await until(
      () => stale.count('"why":"expired"') > expired,
      // A resumed process on a loaded machine (the full suite at load 13) took over 30 s.
      60_000,
      'the resumed worker finding its leases expired',
    );
    // Before it can take a partition again (its next round), stop it where it stands.
    await stale.kill();
    expect(await stalePoints()).toBe(before);
    const resumed = ackedTotal();
    await until(() => ackedTotal() >= resumed + LEG, 90_000, 'acknowledged messages after the pause');
    await expectNothingLost();
  }, 300_000);
});
