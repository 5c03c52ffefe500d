/**
 * The broker as a deployment runs it alone (`npm run start:broker`): its own process,
 * the registry file a fleet was loaded into, devices authenticated from it, its flow on
 * BROKER_METRICS_PORT, and a clean exit on SIGTERM.
 */
import { type ChildProcess, spawn } from 'node:child_process';
import { join } from 'node:path';
import { connectAsync, type MqttClient } from 'mqtt';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { freePort } from '../../lib/influxd.ts';
import { parsePrometheus } from '../../lib/prometheus.ts';
import { registryWithFleet, smallFleet, storeEnv, tempDir } from '../helpers/fixtures.ts';
import { until } from '../helpers/ingest-harness.ts';

const ROOT = join(import.meta.dirname, '..', '..');
const dir = tempDir('liftwatch-broker-alone-');
let broker: ChildProcess;
let registry: Awaited<ReturnType<typeof registryWithFleet>>;
let output = '';
let mqttPort: number;
let metricsUrl: string;
const devices: MqttClient[] = [];

/** Resolves when the broker has printed `text` (its pino log goes to stdout). */
function printed(text: string): Promise<void> {
  return new Promise((resolve, reject) => {
    const check = () => {
      if (output.includes(text)) {
        broker.stdout!.off('data', check);
        broker.off('exit', exited);
        resolve();
      }
    };
    const exited = (code: number | null) =>
      reject(new Error(`broker exited (${code}) before "${text}":\n${output}`));
    broker.stdout!.on('data', check);
    broker.once('exit', exited);
    check();
  });
}

async function scrape(): Promise<Map<string, number>> {
  return parsePrometheus(await (await fetch(metricsUrl)).text());
}

beforeAll(async () => {
  // The standalone broker opens the same store itself: a SQLite file or, in the
  // PostgreSQL pass, a fresh database.
  registry = await registryWithFleet(smallFleet(2));
  mqttPort = await freePort();
  const metricsPort = await freePort();
  metricsUrl = `http://127.0.0.1:${metricsPort}/metrics`;
  broker = spawn(process.execPath, ['--import', 'tsx', join(ROOT, 'broker', 'main.ts')], {
    cwd: ROOT,
    env: {
      ...process.env,
      ...storeEnv(registry.target),
      MQTT_PORT: String(mqttPort),
      MQTT_HOST: '127.0.0.1',
      BROKER_METRICS_PORT: String(metricsPort),
      LOG_LEVEL: 'info',
      // The broker alone over MQTT, as before the log: its hand-off to NATS is log-fronts' test.
      LOG_ENABLED: 'false',
    },
    stdio: ['ignore', 'pipe', 'pipe'],
  });
  broker.stdout!.on('data', (chunk: Buffer) => {
    output += chunk.toString('utf8');
  });
  broker.stderr!.on('data', (chunk: Buffer) => {
    output += chunk.toString('utf8');
  });
  await printed('broker metrics on /metrics');
}, 30_000);

afterAll(async () => {
  await Promise.all(devices.map((d) => d.endAsync(true)));
  if (broker.exitCode === null && broker.signalCode === null) broker.kill('SIGKILL');
  await registry?.cleanup();
  dir.remove();
});

describe('the broker running alone', () => {
  it('authenticates devices from the registry and reports its clients on /metrics', async () => {
    expect((await scrape()).get('liftwatch_broker_clients_connected')).toBe(0);
    const device = await connectAsync(`mqtt://127.0.0.1:${mqttPort}`, {
      username: 'dev-t-e1',
      password: 'device-secret-1-0123456789',
      clientId: 'dev-t-e1',
      reconnectPeriod: 0,
    });
    devices.push(device);
    await until(
      async () => (await scrape()).get('liftwatch_broker_clients_connected') === 1,
      10_000,
      'the device to count as connected',
    );
    const metrics = await scrape();
    expect(metrics.get('liftwatch_broker_inflow_waiting')).toBe(0);
    expect(metrics.get('liftwatch_broker_process_rss_bytes')).toBeGreaterThan(0);
    await expect(
      connectAsync(`mqtt://127.0.0.1:${mqttPort}`, {
        username: 'dev-t-e2',
        password: 'not-the-secret',
        clientId: 'dev-t-e2',
        reconnectPeriod: 0,
      }),
    ).rejects.toThrow();
    expect((await fetch(metricsUrl.replace('/metrics', '/other'))).status).toBe(404);
  });

  it('stops cleanly on SIGTERM', async () => {
    const exited = new Promise<number | null>((resolve) => broker.once('exit', resolve));
    broker.kill('SIGTERM');
    expect(await exited).toBe(0);
    expect(output).toContain('MQTT broker stopped');
  });
});
