/**
 * What the API echoes from a device is bounded and serialisable (issue 12): a device's
 * unknown telemetry field nested 6,000 levels deep once made `GET /api/v1/elevators` and
 * `GET /api/v1/elevators/{id}` answer 500 for every viewer. Real Aedes, the API's real MQTT
 * feed (MqttStateSource), a real mqtt.js device; the routes answered through Fastify.
 */
import type { MqttClient } from 'mqtt';
import mqtt from 'mqtt';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { MqttStateSource } from '../../api/mqtt-state-source.ts';
import type { StateChange } from '../../api/state-source.ts';
import { silentLogger } from '../../lib/logger.ts';
import { topics } from '../../protocol/index.ts';
import { ANJU_ELEVATOR, HEXIN_ELEVATOR, startTestApi, type TestApi } from '../helpers/api-harness.ts';
import { telemetrySample } from '../helpers/fixtures.ts';
import { type PlainBroker, startPlainBroker } from '../helpers/plain-broker.ts';

/** `{"a":{"a":…1}}` with `levels` objects, as JSON text (JSON.stringify itself would overflow). */
function nestedText(levels: number): string {
  return `${'{"a":'.repeat(levels)}1${'}'.repeat(levels)}`;
}

describe('API: what a device sends is echoed bounded', () => {
  let broker: PlainBroker;
  let source: MqttStateSource;
  let t: TestApi;
  let device: MqttClient;
  let cookie: string;

  beforeAll(async () => {
    broker = await startPlainBroker();
    source = new MqttStateSource({
      url: broker.url,
      username: 'svc-api',
      password: 'x',
      clientId: 'api-echo-test',
      log: silentLogger,
      offlineAfterMs: 120_000,
    });
    await source.start();
    t = await startTestApi({ deps: { stateSource: source } });
    device = await mqtt.connectAsync(broker.url, { clientId: 'dev-echo', reconnectPeriod: 0 });
    cookie = await t.login('admin');
  });

  afterAll(async () => {
    await device?.endAsync();
    await source?.stop();
    await t?.close();
    await broker?.stop();
  });

  /** Resolves on the next condition change of `elevatorId` in the API's feed. */
  function nextChange(elevatorId: string): Promise<StateChange> {
    return new Promise((resolve) => {
      const listener = (change: StateChange) => {
        if (change.kind !== 'state' || change.elevatorId !== elevatorId) return;
        source.off('change', listener);
        resolve(change);
      };
      source.on('change', listener);
    });
  }

  const telemetry = (seq: number, extra = '') => {
    const text = JSON.stringify(telemetrySample({ seq, ts: Date.now(), floor: seq }));
    return extra ? `${text.slice(0, -1)},${extra}}` : text;
  };
  const publish = (elevatorId: string, channel: 'telemetry' | 'status', body: string) =>
    device.publishAsync(topics.device(elevatorId, channel), body, { qos: 1 });
  const get = (url: string) => t.app.inject({ method: 'GET', url, headers: { cookie } });

  it('a telemetry field nested 6,000 levels deep: both routes answer 200 with the readings the API had', async () => {
    const first = nextChange(ANJU_ELEVATOR);
    await publish(ANJU_ELEVATOR, 'telemetry', telemetry(1));
    await first;

    const deep = telemetry(2, `"vendor_blob":${nestedText(6000)}`);
    expect(deep.length).toBeGreaterThan(30_000);
    await publish(ANJU_ELEVATOR, 'telemetry', deep);
    // The same device's next message on another car: the feed has read the deep one by then.
    const sentinel = nextChange(HEXIN_ELEVATOR);
    await publish(HEXIN_ELEVATOR, 'telemetry', telemetry(1));
    await sentinel;

    const list = await get('/api/v1/elevators?limit=100');
    expect(list.statusCode).toBe(200);
    const one = await get(`/api/v1/elevators/${ANJU_ELEVATOR}`);
    expect(one.statusCode).toBe(200);
    // The deep message was refused by the protocol's bounds; the last good sample stands.
    expect(one.json().state.telemetry).toMatchObject({ seq: 1, floor: 1 });
    expect(source.conditionOf(ANJU_ELEVATOR, Date.now())).toBe('normal');
  });

  it('an unknown field within the bounds is accepted but never echoed', async () => {
    await publish(ANJU_ELEVATOR, 'telemetry', telemetry(3, `"vendor":{"fw":"2.1","cal":[1,2]}`));
    const sentinel = nextChange(HEXIN_ELEVATOR);
    await publish(HEXIN_ELEVATOR, 'status', JSON.stringify({ v: 1, ts: Date.now(), state: 'offline' }));
    await sentinel;

    const one = await get(`/api/v1/elevators/${ANJU_ELEVATOR}`);
    expect(one.statusCode).toBe(200);
    const echoed = one.json().state.telemetry;
    expect(echoed).toMatchObject({ seq: 3, floor: 3 });
    expect(Object.keys(echoed).sort()).toEqual(Object.keys(telemetrySample()).sort());
    const list = await get('/api/v1/elevators?limit=100');
    expect(list.statusCode).toBe(200);
    expect(list.body).not.toContain('vendor');
  });
});
