/**
 * An elevator added while everything runs: real Aedes broker (device credentials checked
 * against the store on each CONNECT), a real influxd, the ingest with detection and the API
 * run as two "processes" apart, each with its own store connection, its own fleet directory
 * and its own fleet change feed, as `npm run start:ingest` and `npm run start:api` wire them.
 * The admin reloads the fleet file through the API; the ingest hears it on fleet/changed
 * (its timer refresh is off, so nothing else could tell it); the new car's device connects
 * with the credential the file gave it, publishes a trapped passenger, and the rule fires.
 * Everything is awaited on events: the directory's elevatorAdded, the alert message, the
 * writer's written count.
 */
import { writeFileSync } from 'node:fs';
import { join } from 'node:path';
import { connectAsync, type MqttClient } from 'mqtt';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { type ApiService, startApiService } from '../../api/service.ts';
import { type Broker, createBroker } from '../../broker/broker.ts';
import { createFleetChangeFeed, type FleetChangeFeed } from '../../fleet/change-feed.ts';
import type { ElevatorEntry } from '../../fleet/directory.ts';
import { createFleet, type Fleet } from '../../fleet/service.ts';
import { createIngestService, type IngestService } from '../../ingest/service.ts';
import { type Config, loadConfig } from '../../lib/config.ts';
import { silentLogger } from '../../lib/logger.ts';
import { type AlertMessage, type FleetFile, topics } from '../../protocol/index.ts';
import { openRegistry, type RegistryDb } from '../../store/db.ts';
import { storeOver } from '../../store/store.ts';
import {
  registryWithFleet,
  smallFleet,
  startTestInflux,
  telemetrySample,
  tempDir,
} from '../helpers/fixtures.ts';
import { countPoints, TEST_DATABASE, waitForWritten } from '../helpers/ingest-harness.ts';

const NEW_CAR = 't-e3';
const NEW_DEVICE = { username: 'dev-t-e3', password: 'device-secret-3-0123456789' };
/** The fleet requirement: known to every rule within 5 s of the reload, without a restart. */
const WITHIN_MS = 5000;
/** 40 one-second samples stopped between floors, doors shut, occupied: past the 30 s limit. */
const TRAPPED_SAMPLES = 40;

type Cleanup = () => Promise<unknown> | unknown;

describe('fleet: an elevator added while running', () => {
  const cleanups: Cleanup[] = [];
  let registry: Awaited<ReturnType<typeof registryWithFleet>>;
  let fleetFile: string;
  let mqttUrl: string;
  let influxUrl: string;
  let broker: Broker;
  let ingestFleet: Fleet;
  let ingestFeed: FleetChangeFeed;
  let ingest: IngestService;
  let apiFleet: Fleet;
  let api: ApiService;
  let baseUrl: string;
  let monitor: MqttClient;
  let fullFleet: FleetFile;

  beforeAll(async () => {
    const dir = tempDir('liftwatch-fleet-');
    cleanups.push(() => dir.remove());
    const influx = await startTestInflux();
    cleanups.push(() => influx.cleanup());
    influxUrl = influx.url;
    // The store starts with two cars; the fleet file on disk will gain a third.
    registry = await registryWithFleet(smallFleet(2));
    cleanups.push(() => registry.cleanup());
    fullFleet = smallFleet(3);
    fleetFile = join(dir.path, 'fleet.json');
    writeFileSync(fleetFile, JSON.stringify(smallFleet(2)));

    const open = async () => {
      const db = await openRegistry(registry.target);
      cleanups.push(() => db.destroy());
      return db;
    };
    const brokerDb = await open();
    broker = createBroker(
      { port: 0, host: '127.0.0.1', maxPacketBytes: 65536, connectTimeoutMs: 5000 },
      {
        log: silentLogger,
        authenticate: (u, p) => storeOver(brokerDb).credentials.authenticateMachine(u, p),
      },
    );
    mqttUrl = `mqtt://127.0.0.1:${(await broker.start()).port}`;
    cleanups.push(() => broker.stop());

    const config: Config = loadConfig({
      LOG_LEVEL: 'silent',
      DATA_DIR: dir.path,
      INFLUX_DATABASE: TEST_DATABASE,
      API_PORT: '0',
      API_HOST: '127.0.0.1',
      INGEST_BATCH_MAX_AGE_MS: '20',
      // Only the fleet-changed message may tell the other process: no timer refresh.
      FLEET_REFRESH_S: '0',
    });
    const ingestCredential = await storeOver(registry.db).credentials.issueInternal('ingest');
    const apiCredential = await storeOver(registry.db).credentials.issueInternal('api');
    const monitorCredential = await storeOver(registry.db).credentials.issueInternal('monitor');

    // The ingest "process".
    const ingestDb = await open();
    ingestFleet = await startFleet(ingestDb, cleanups);
    ingest = await createIngestService(config, {
      store: storeOver(ingestDb),
      log: silentLogger,
      directory: ingestFleet.directory,
      influxUrl: influx.url,
      mqtt: { url: mqttUrl, ...ingestCredential },
    });
    cleanups.push(() => ingest.stop());
    await ingest.start();
    ingestFeed = await startFeed(mqttUrl, ingestFleet, 'ingest', ingestCredential, cleanups);

    // The API "process".
    const apiDb = await open();
    apiFleet = await startFleet(apiDb, cleanups);
    api = await startApiService(config, {
      store: storeOver(apiDb),
      log: silentLogger,
      fleet: apiFleet,
      fleetFile,
      mqtt: { url: mqttUrl, ...apiCredential },
      influxUrl: influx.url,
    });
    cleanups.push(() => api.stop());
    await startFeed(mqttUrl, apiFleet, 'api', apiCredential, cleanups);
    const address = api.app.server.address();
    if (!address || typeof address === 'string') throw new Error('the API is not listening');
    baseUrl = `http://127.0.0.1:${address.port}`;

    monitor = await connectAsync(mqttUrl, { ...monitorCredential, clientId: 'fleet-monitor', clean: true });
    cleanups.push(() => monitor.endAsync());
    await monitor.subscribeAsync(topics.allAlerts, { qos: 1 });
  }, 60_000);

  afterAll(async () => {
    for (const cleanup of cleanups.splice(0).reverse()) await cleanup();
  }, 60_000);

  it('refuses the new car before the reload: neither the store nor any directory knows it', async () => {
    await expect(
      connectAsync(mqttUrl, { ...NEW_DEVICE, clientId: NEW_DEVICE.username, reconnectPeriod: 0 }),
    ).rejects.toThrow();
    expect(ingestFleet.directory.elevator(NEW_CAR)).toBeUndefined();
    expect(apiFleet.directory.elevator(NEW_CAR)).toBeUndefined();
  });

  it('an admin reload adds the car everywhere within 5 s, and a trapped passenger in it raises the alert', async () => {
    const cookie = await login(baseUrl, 'u-admin', 'admin-password');
    // A reload without a valid file changes nothing and says why.
    writeFileSync(fleetFile, '{"version": 1');
    const refused = await reload(baseUrl, cookie);
    expect(refused.status).toBe(400);
    expect(((await refused.json()) as { code: string }).code).toBe('FLEET_INVALID');
    expect(apiFleet.directory.elevator(NEW_CAR)).toBeUndefined();

    writeFileSync(fleetFile, JSON.stringify(fullFleet));
    const addedInIngest = elevatorAdded(ingestFleet, NEW_CAR);
    const alert = alertOpened(monitor, NEW_CAR, 'passenger_trapped');
    const began = performance.now();
    const answer = await reload(baseUrl, cookie);
    expect(answer.status).toBe(200);
    expect(await answer.json()).toMatchObject({ elevators: 3, added: [NEW_CAR], changed: [], removed: [] });

    // The other process heard it over MQTT (its timer is off), not by chance.
    const entry = await within(addedInIngest, WITHIN_MS, 'the ingest directory to add the car');
    expect(entry).toMatchObject({ id: NEW_CAR, estateId: 'te', buildingId: 'tb1', ratedSpeedMps: 1.75 });
    expect(ingestFeed.received).toBe(1);
    expect(ingest.ingest.state.elevators.has(NEW_CAR)).toBe(true);

    // Its device connects with the credential the file gave it and reports a trapped car.
    const device = await connectAsync(mqttUrl, {
      ...NEW_DEVICE,
      clientId: NEW_DEVICE.username,
      clean: true,
      reconnectPeriod: 0,
    });
    const start = Date.now() - 10 * 60_000;
    const published: Promise<unknown>[] = [];
    for (let seq = 1; seq <= TRAPPED_SAMPLES; seq++) {
      const sample = telemetrySample({
        seq,
        ts: start + seq * 1000,
        floor: 4,
        position_m: 10.4,
        door_zone: false,
        door_closed: true,
        occupied: true,
        moving: false,
        speed_mps: 0,
      });
      published.push(device.publishAsync(topics.telemetry(NEW_CAR), JSON.stringify(sample), { qos: 1 }));
    }
    await Promise.all(published);
    const opened = await within(alert, WITHIN_MS, 'the passenger_trapped alert');
    const elapsedMs = performance.now() - began;
    await device.endAsync();

    expect(opened).toMatchObject({
      code: 'passenger_trapped',
      transition: 'opened',
      elevator_id: NEW_CAR,
      estate_id: 'te',
    });
    expect(elapsedMs).toBeLessThan(WITHIN_MS);

    // Every sample stored under the new car's tags, none dead-lettered.
    await waitForWritten(ingest.ingest, TRAPPED_SAMPLES);
    expect(await countPoints(influxUrl, 'telemetry', NEW_CAR)).toBe(TRAPPED_SAMPLES);
    expect(ingest.ingest.metrics().invalid).toBe(0);

    // The API's directory has it too: its QR page answers.
    const token = apiFleet.directory.elevator(NEW_CAR)?.publicToken;
    expect(token).toBeDefined();
    expect((await fetch(`${baseUrl}/e/${token}`)).status).toBe(200);
  }, 30_000);

  it('lets nobody but an admin reload', async () => {
    expect((await fetch(`${baseUrl}/api/v1/fleet/reload`, { method: 'POST' })).status).toBe(401);
  });
});

async function startFleet(db: RegistryDb, cleanups: Cleanup[]): Promise<Fleet> {
  const fleet = createFleet({ repository: storeOver(db).fleet, log: silentLogger }, { refreshMs: 0 });
  await fleet.directory.start();
  cleanups.push(() => fleet.directory.stop());
  return fleet;
}

async function startFeed(
  url: string,
  fleet: Fleet,
  part: string,
  credential: { username: string; password: string },
  cleanups: Cleanup[],
): Promise<FleetChangeFeed> {
  const feed = createFleetChangeFeed(
    { url, part, ...credential },
    { directory: fleet.directory, log: silentLogger },
  );
  await feed.start();
  fleet.feed = feed;
  cleanups.push(() => feed.stop());
  return feed;
}

function elevatorAdded(fleet: Fleet, id: string): Promise<ElevatorEntry> {
  return new Promise((resolve) => {
    const off = fleet.directory.on('elevatorAdded', (entry) => {
      if (entry.id !== id) return;
      off();
      resolve(entry);
    });
  });
}

function alertOpened(client: MqttClient, elevatorId: string, code: string): Promise<AlertMessage> {
  return new Promise((resolve) => {
    const onMessage = (topic: string, payload: Buffer) => {
      if (topic !== topics.alert(elevatorId)) return;
      const message = JSON.parse(payload.toString()) as AlertMessage;
      if (message.code !== code || message.transition !== 'opened') return;
      client.off('message', onMessage);
      resolve(message);
    };
    client.on('message', onMessage);
  });
}

async function login(baseUrl: string, username: string, password: string): Promise<string> {
  const res = await fetch(`${baseUrl}/api/v1/auth/login`, {
    method: 'POST',
    headers: { 'content-type': 'application/json', origin: baseUrl },
    body: JSON.stringify({ username, password }),
  });
  if (res.status !== 200) throw new Error(`login: ${res.status} ${await res.text()}`);
  const session = res.headers
    .getSetCookie()
    .map((c) => c.split(';')[0]!)
    .find((c) => c.startsWith('lw_session='));
  if (!session) throw new Error('no session cookie');
  return session;
}

function reload(baseUrl: string, cookie: string): Promise<Response> {
  return fetch(`${baseUrl}/api/v1/fleet/reload`, { method: 'POST', headers: { cookie, origin: baseUrl } });
}

/** A deadline on an awaited event, so a missing one fails with its name, not a test timeout. */
function within<T>(promise: Promise<T>, ms: number, what: string): Promise<T> {
  let timer: NodeJS.Timeout | undefined;
  const deadline = new Promise<never>((_, reject) => {
    timer = setTimeout(() => reject(new Error(`no ${what} within ${ms} ms`)), ms);
  });
  return Promise.race([promise, deadline]).finally(() => clearTimeout(timer));
}
