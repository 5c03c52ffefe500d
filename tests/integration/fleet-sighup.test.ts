/**
 * `kill -HUP` on `npm start` (main.ts in its own process, a real influxd, its embedded broker,
 * ingest and API): a fleet file that does not validate changes nothing and the process goes
 * on; a valid one with a new car is stored, announced on fleet/changed, and the new car's
 * device connects and raises a trapped-passenger alert, all without a restart. The test reads
 * the child's log and MQTT messages, never the clock, except to check the 5 s promise.
 */
import { type ChildProcess, spawn } from 'node:child_process';
import { writeFileSync } from 'node:fs';
import { join } from 'node:path';
import { connectAsync, type MqttClient } from 'mqtt';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { freePort } from '../../lib/influxd.ts';
import { type AlertMessage, type FleetChangedMessage, topics } from '../../protocol/index.ts';
import { smallFleet, startTestInflux, telemetrySample, tempDir } from '../helpers/fixtures.ts';
import { TEST_DATABASE } from '../helpers/ingest-harness.ts';
import { createTestDatabase, TEST_STORE, type TestDatabase } from '../helpers/postgres.ts';

const ROOT = join(import.meta.dirname, '..', '..');
const WITHIN_MS = 5000;
const SERVICE = { username: 'svc-test', password: 'service-secret-0123456789' };
const NEW_DEVICE = { username: 'dev-t-e3', password: 'device-secret-3-0123456789' };

describe('main.ts: SIGHUP reloads the fleet file', () => {
  const dir = tempDir('liftwatch-sighup-');
  const fleetFile = join(dir.path, 'fleet.json');
  let database: TestDatabase | undefined;
  let influx: Awaited<ReturnType<typeof startTestInflux>>;
  let main: ChildProcess;
  let output = '';
  let mqttUrl: string;
  let watcher: MqttClient;

  /** Resolves when the child has printed `text` (pino's JSON lines and the banner, on stdout). */
  function printed(text: string, from = 0): Promise<void> {
    return new Promise((resolve, reject) => {
      const check = () => {
        if (output.indexOf(text, from) >= 0) {
          main.stdout!.off('data', check);
          main.off('exit', exited);
          resolve();
        }
      };
      const exited = (code: number | null) =>
        reject(new Error(`main exited (${code}) before "${text}":\n${output.slice(-4000)}`));
      main.stdout!.on('data', check);
      main.once('exit', exited);
      check();
    });
  }

  beforeAll(async () => {
    influx = await startTestInflux();
    writeFileSync(fleetFile, JSON.stringify(smallFleet(2)));
    const mqttPort = await freePort();
    const apiPort = await freePort();
    const env: Record<string, string | undefined> = {
      ...process.env,
      DATA_DIR: dir.path,
      FLEET_FILE: fleetFile,
      SIMULATE: 'false',
      INFLUX_URL: influx.url,
      INFLUX_DATABASE: TEST_DATABASE,
      MQTT_PORT: String(mqttPort),
      MQTT_HOST: '127.0.0.1',
      API_PORT: String(apiPort),
      API_HOST: '127.0.0.1',
      // The log is on by default: main.ts starts its own nats-server under DATA_DIR, here.
      NATS_PORT: String(await freePort()),
      LOG_LEVEL: 'info',
      // Only the signal may bring the change in.
      FLEET_REFRESH_S: '0',
    };
    delete env.DATABASE_URL;
    // The PostgreSQL pass runs the product on a fresh database of its own.
    if (TEST_STORE === 'postgres') {
      database = await createTestDatabase();
      env.DATABASE_URL = database.url;
    }
    main = spawn(process.execPath, ['--import', 'tsx', join(ROOT, 'main.ts')], {
      cwd: ROOT,
      env,
      stdio: ['ignore', 'pipe', 'pipe'],
    });
    main.stdout!.on('data', (chunk: Buffer) => {
      output += chunk.toString('utf8');
    });
    main.stderr!.on('data', (chunk: Buffer) => {
      output += chunk.toString('utf8');
    });
    await printed('Lift Watch is running.');
    mqttUrl = `mqtt://127.0.0.1:${mqttPort}`;
    watcher = await connectAsync(mqttUrl, { ...SERVICE, clientId: 'sighup-watcher', clean: true });
    await watcher.subscribeAsync([topics.fleetChanged, topics.allAlerts], { qos: 1 });
  }, 90_000);

  afterAll(async () => {
    await watcher?.endAsync(true);
    if (main && main.exitCode === null && main.signalCode === null) main.kill('SIGKILL');
    await influx?.cleanup();
    await database?.drop();
    dir.remove();
  }, 30_000);

  it('keeps running on a broken file, and changes nothing', async () => {
    const from = output.length;
    writeFileSync(fleetFile, JSON.stringify({ ...smallFleet(3), buildings: [] }));
    main.kill('SIGHUP');
    await printed('fleet file not reloaded; nothing changed', from);
    expect(output.slice(from)).toContain('FLEET_REFERENCE');
    await expect(
      connectAsync(mqttUrl, { ...NEW_DEVICE, clientId: NEW_DEVICE.username, reconnectPeriod: 0 }),
    ).rejects.toThrow();
  }, 30_000);

  it('adds the new car on a valid file: announced, its device admitted, its trapped passenger alerted within 5 s', async () => {
    writeFileSync(fleetFile, JSON.stringify(smallFleet(3)));
    const announced = nextMessage<FleetChangedMessage>(watcher, (topic) => topic === topics.fleetChanged);
    const alert = nextMessage<AlertMessage>(
      watcher,
      (topic, m) =>
        topic === topics.alert('t-e3') && m.code === 'passenger_trapped' && m.transition === 'opened',
    );
    const began = performance.now();
    main.kill('SIGHUP');
    expect(await announced).toMatchObject({
      reason: 'fleet_file',
      added: ['t-e3'],
      changed: [],
      removed: [],
    });

    const device = await connectAsync(mqttUrl, {
      ...NEW_DEVICE,
      clientId: NEW_DEVICE.username,
      clean: true,
      reconnectPeriod: 0,
    });
    const start = Date.now() - 10 * 60_000;
    const sent: Promise<unknown>[] = [];
    for (let seq = 1; seq <= 40; seq++) {
      const sample = telemetrySample({
        seq,
        ts: start + seq * 1000,
        floor: 4,
        position_m: 10.4,
        door_zone: false,
        door_closed: true,
        occupied: true,
      });
      sent.push(device.publishAsync(topics.telemetry('t-e3'), JSON.stringify(sample), { qos: 1 }));
    }
    await Promise.all(sent);
    const opened = await alert;
    const elapsedMs = performance.now() - began;
    await device.endAsync();
    expect(opened).toMatchObject({ elevator_id: 't-e3', estate_id: 'te', severity: 'critical' });
    expect(elapsedMs).toBeLessThan(WITHIN_MS);
  }, 30_000);

  it('still stops cleanly on SIGTERM', async () => {
    const exited = new Promise<number | null>((resolve) => main.once('exit', (code) => resolve(code)));
    main.kill('SIGTERM');
    expect(await exited).toBe(0);
  }, 30_000);
});

function nextMessage<T>(client: MqttClient, match: (topic: string, message: T) => boolean): Promise<T> {
  return new Promise((resolve) => {
    const onMessage = (topic: string, payload: Buffer) => {
      const message = JSON.parse(payload.toString()) as T;
      if (!match(topic, message)) return;
      client.off('message', onMessage);
      resolve(message);
    };
    client.on('message', onMessage);
  });
}
