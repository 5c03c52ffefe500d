/**
 * The ingest against an external broker (MQTT_URL): the machine's Mosquitto on 1883, which
 * allows anonymous clients. Elevator ids and client ids are unique per run, since other
 * suites may share that broker; the persistent session is wiped at the end.
 */
import { randomBytes } from 'node:crypto';
import { connectAsync, type MqttClient } from 'mqtt';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import type { Ingest } from '../../ingest/ingest.ts';
import type { InfluxdHandle } from '../../lib/influxd.ts';
import type { RegistryDb } from '../../store/db.ts';
import { registryWithFleet, smallFleet, startTestInflux, tempDir } from '../helpers/fixtures.ts';
import { buildIngest, countPoints, publishTelemetry, waitForWritten } from '../helpers/ingest-harness.ts';

const MOSQUITTO_URL = 'mqtt://127.0.0.1:1883';

async function mosquittoAnswers(): Promise<string | null> {
  try {
    const probe = await connectAsync(MOSQUITTO_URL, { connectTimeout: 2000, reconnectPeriod: 0 });
    await probe.endAsync();
    return null;
  } catch (error) {
    return (error as Error).message;
  }
}

const refusal = await mosquittoAnswers();

describe.skipIf(refusal !== null)(`ingest via MQTT_URL against Mosquitto (${refusal ?? 'reachable'})`, () => {
  const run = randomBytes(4).toString('hex');
  const elevatorId = `mq-${run}-e1`;
  const clientId = `ingest-mosquitto-${run}`;
  let influx: InfluxdHandle & { cleanup(): Promise<void> };
  let registry: { db: RegistryDb; cleanup(): Promise<void> };
  let dir: { path: string; remove(): void };
  let ingest: Ingest;
  let device: MqttClient;

  beforeAll(async () => {
    const fleet = smallFleet(1);
    fleet.elevators[0]!.id = elevatorId;
    fleet.elevators[0]!.device.username = `dev-${elevatorId}`;
    [influx, registry] = await Promise.all([startTestInflux(), registryWithFleet(fleet)]);
    dir = tempDir('liftwatch-ingest-');
    ingest = await buildIngest(registry.db, MOSQUITTO_URL, influx.url, dir.path, {
      mqtt: { url: MOSQUITTO_URL, clientId, connectTimeoutMs: 5000 },
    });
    await ingest.start();
    device = await connectAsync(MOSQUITTO_URL, { clientId: `dev-${run}`, reconnectPeriod: 0 });
  });

  afterAll(async () => {
    await device?.endAsync();
    await ingest?.stop();
    // Forget our persistent session on the shared broker.
    const wipe = await connectAsync(MOSQUITTO_URL, { clientId, clean: true, reconnectPeriod: 0 }).catch(
      () => null,
    );
    await wipe?.endAsync();
    await registry?.cleanup();
    await influx?.cleanup();
    dir?.remove();
  });

  it('N messages published to Mosquitto → N points in InfluxDB', async () => {
    await publishTelemetry(device, elevatorId, 1, 500);
    await waitForWritten(ingest, 500);
    expect(await countPoints(influx.url, 'telemetry', elevatorId)).toBe(500);
  });
});

if (refusal !== null) {
  describe('ingest via MQTT_URL against Mosquitto', () => {
    it.skip(`skipped: Mosquitto at ${MOSQUITTO_URL} refused or is absent (${refusal})`, () => {});
  });
}
