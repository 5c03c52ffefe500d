/**
 * The one-process system with the log (LOG_ENABLED): the wiring `npm start` runs
 * (tests/helpers/live-system.ts: Aedes, a nats-server of its own, the ingest reading the log,
 * detection, the API, a real influxd). A device's acknowledged messages reach InfluxDB, an
 * alarm-button event still opens an alert, and Aedes still keeps the retained status for
 * subscribers: the log sits beside the broker's own delivery, not instead of it. The alert's
 * transition reaches the API through the log (stream LW_SVC), not MQTT.
 */
import { connectAsync, type MqttClient } from 'mqtt';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { influxClient } from '../../ingest/influx-schema.ts';
import { topics } from '../../protocol/index.ts';
import { smallFleet } from '../helpers/fixtures.ts';
import {
  BASE_TS,
  countPoints,
  publishRaw,
  publishTelemetry,
  TEST_DATABASE,
  until,
} from '../helpers/ingest-harness.ts';
import { type LiveSystem, startLiveSystem } from '../helpers/live-system.ts';

const MONITOR = { username: 'svc-monitor', password: 'service-secret-monitor-0123456789' };
let system: LiveSystem;
const clients: MqttClient[] = [];

beforeAll(async () => {
  const fleet = smallFleet(2);
  fleet.service_credentials.push({ ...MONITOR, role: 'monitor' });
  system = await startLiveSystem(fleet, { LOG_ENABLED: 'true', INFLUX_DATABASE: TEST_DATABASE });
}, 120_000);

afterAll(async () => {
  await Promise.all(clients.map((c) => c.endAsync(true)));
  await system?.close();
});

/** Status points of t-e1 (a status message carries no seq: counted on `state`). */
async function statusPoints(): Promise<number> {
  const rows = await influxClient(system.influxUrl, TEST_DATABASE).query<{ count: number }>(
    `SELECT count("state") AS count FROM "${TEST_DATABASE}"."raw"."status" WHERE "elevator" = 't-e1'`,
  );
  return rows[0]?.count ?? 0;
}

async function connectAs(username: string, password: string): Promise<MqttClient> {
  const client = await connectAsync(system.mqttUrl, {
    clientId: username,
    username,
    password,
    protocolVersion: 4,
    reconnectPeriod: 0,
  });
  clients.push(client);
  return client;
}

describe('one process, the log between broker and ingest', () => {
  it('stores every acknowledged message, opens alerts and keeps retained status', async () => {
    const device = await connectAs('dev-t-e1', 'device-secret-1-0123456789');
    await publishTelemetry(device, 't-e1', 1, 300);
    await publishRaw(device, 't-e1', 'event', { v: 1, ts: BASE_TS + 301, seq: 301, code: 'alarm_button' });
    await device.publishAsync(
      topics.status('t-e1'),
      JSON.stringify({ v: 1, ts: BASE_TS + 302, state: 'online' }),
      { qos: 1, retain: true },
    );

    await until(
      async () => (await countPoints(system.influxUrl, 'telemetry', 't-e1')) === 300,
      30_000,
      'points',
    );
    expect(await countPoints(system.influxUrl, 'telemetry', 't-e1')).toBe(300);
    await until(async () => (await statusPoints()) === 1, 30_000, 'the status point');
    await until(
      async () =>
        (
          await system.db.selectFrom('alerts').select('code').where('elevator_id', '=', 't-e1').execute()
        ).some((a) => a.code === 'alarm_button'),
      30_000,
      'the alarm-button alert',
    );
    // The API heard of it through the log (its MQTT feed does not subscribe to alerts/+ then).
    await until(
      () => system.api.stateSource.get('t-e1')?.openAlerts.has('alarm_button') === true,
      10_000,
      'the alert in the API state',
    );
    expect(system.api.transitions?.stats().received).toBeGreaterThanOrEqual(1);

    const monitor = await connectAs(MONITOR.username, MONITOR.password);
    const retained = new Promise<string>((resolve) =>
      monitor.on('message', (topic, payload) => {
        if (topic === topics.status('t-e1')) resolve(payload.toString('utf8'));
      }),
    );
    await monitor.subscribeAsync(topics.allDevices, { qos: 1 });
    expect(JSON.parse(await retained)).toMatchObject({ state: 'online' });
  }, 90_000);
});
