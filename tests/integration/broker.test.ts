/**
 * The broker against real clients: a real Aedes on port 0, real mqtt.js connections, a real
 * SQLite registry. Every wait is on an event (a message, a CONNACK, a close), never a sleep.
 */
import { readFileSync } from 'node:fs';
import { connect as connectTcp } from 'node:net';
import { connectAsync, type IClientOptions, type MqttClient } from 'mqtt';
import { afterAll, afterEach, beforeAll, describe, expect, it } from 'vitest';
import { type Broker, createBroker } from '../../broker/broker.ts';
import { LiftWatchError } from '../../lib/errors.ts';
import { topics } from '../../protocol/index.ts';
import { storeOver } from '../../store/store.ts';
import { capturingLogger, registryWithFleet, smallFleet, telemetrySample } from '../helpers/fixtures.ts';

const SERVICE = { username: 'svc-test', password: 'service-secret-0123456789' };
const API = { username: 'svc-api', password: 'service-secret-api-0123456789' };
const MAX_PACKET_BYTES = 4096;
const CONNECT_TIMEOUT_MS = 500;

let registry: Awaited<ReturnType<typeof registryWithFleet>>;
let broker: Broker;
let url: string;
const openClients: MqttClient[] = [];
/** What the broker logged, for the lines an operator searches for. */
const logged = capturingLogger('info');

function brokerFor(port: number): Broker {
  return createBroker(
    { port, host: '127.0.0.1', maxPacketBytes: MAX_PACKET_BYTES, connectTimeoutMs: CONNECT_TIMEOUT_MS },
    {
      log: logged.log,
      authenticate: (u, p) => storeOver(registry.db).credentials.authenticateMachine(u, p),
    },
  );
}

beforeAll(async () => {
  const fleet = smallFleet(3);
  fleet.service_credentials.push({ ...API, role: 'api' });
  registry = await registryWithFleet(fleet);
  broker = brokerFor(0);
  const { port } = await broker.start();
  url = `mqtt://127.0.0.1:${port}`;
});

afterEach(async () => {
  await Promise.all(openClients.splice(0).map((client) => client.endAsync(true)));
});

afterAll(async () => {
  await broker?.stop();
  await registry?.cleanup();
});

async function connectAs(
  username: string | undefined,
  password: string | undefined,
  options: IClientOptions = {},
) {
  const client = await connectAsync(
    url,
    { username, password, clientId: username, reconnectPeriod: 0, protocolVersion: 4, ...options },
    false,
  );
  openClients.push(client);
  // Connection resets after a refusal surface as 'error'; the tests assert on 'close'.
  client.on('error', () => {});
  return client;
}

const device = (n: number, options: IClientOptions = {}) =>
  connectAs(`dev-t-e${n}`, `device-secret-${n}-0123456789`, options);
const ingestService = () => connectAs(SERVICE.username, SERVICE.password, { clientId: 'lift-watch-ingest' });
const apiService = () => connectAs(API.username, API.password, { clientId: 'lift-watch-api' });

async function refusalCode(connecting: Promise<unknown>): Promise<number | undefined> {
  const err = await connecting.then(
    () => null,
    (e: unknown) => e as { code?: number },
  );
  expect(err, 'the CONNECT should have been refused').not.toBeNull();
  return err?.code;
}

/** The QoS the broker granted per filter; 128 marks a refused subscription [MQTT-3.9.3]. */
async function granted(client: MqttClient, filter: string): Promise<number[]> {
  return client.subscribeAsync(filter, { qos: 1 }).then(
    (grants) => grants.map((g) => g.qos),
    (err: { packet?: { granted?: number[] } }) => {
      if (!err.packet?.granted) throw err;
      return err.packet.granted;
    },
  );
}

function closed(client: MqttClient): Promise<void> {
  return new Promise((resolve) => client.once('close', () => resolve()));
}

interface Received {
  topic: string;
  payload: string;
  retain: boolean;
}

/** Messages in arrival order; `next()` waits for the next one. */
function inbox(client: MqttClient) {
  const queue: Received[] = [];
  const waiting: ((m: Received) => void)[] = [];
  client.on('message', (topic, payload, packet) => {
    const message = { topic, payload: payload.toString(), retain: packet.retain };
    const waiter = waiting.shift();
    if (waiter) waiter(message);
    else queue.push(message);
  });
  return {
    next: () =>
      queue.length > 0 ? Promise.resolve(queue.shift()!) : new Promise<Received>((r) => waiting.push(r)),
    get size() {
      return queue.length;
    },
  };
}

const telemetry = (marker: string) => JSON.stringify({ ...telemetrySample(), marker });

describe('authentication', () => {
  it('a device with valid credentials connects and its telemetry reaches the ingest', async () => {
    const ingest = await ingestService();
    await ingest.subscribeAsync(topics.allDevices, { qos: 1 });
    const received = inbox(ingest);
    const dev = await device(1);
    await dev.publishAsync(topics.telemetry('t-e1'), telemetry('ok'), { qos: 1 });
    expect(await received.next()).toMatchObject({ topic: 'elevators/t-e1/telemetry', retain: false });
  });

  it('a wrong password is refused with "bad username or password"', async () => {
    expect(await refusalCode(connectAs('dev-t-e1', 'device-secret-2-0123456789'))).toBe(4);
    expect(await refusalCode(connectAs('nobody', 'whatever-secret-0123456789'))).toBe(4);
  });

  it('an anonymous client is refused', async () => {
    expect(await refusalCode(connectAs(undefined, undefined, { clientId: 'anon' }))).toBe(5);
  });

  it("a device cannot use another client id, so it cannot take over the ingest's session", async () => {
    const ingest = await ingestService();
    expect(await refusalCode(device(1, { clientId: 'lift-watch-ingest' }))).toBe(2);
    expect(await refusalCode(device(1, { clientId: 'dev-t-e2' }))).toBe(2);
    // The ingest still answers on its session.
    await ingest.subscribeAsync(topics.allAlerts, { qos: 1 });
    expect(ingest.connected).toBe(true);
  });

  it("a second connection with a connected device's client id takes its session over, and says so in the log", async () => {
    const first = await device(3);
    const firstClosed = closed(first);
    const takeovers = () => logged.lines.filter((line) => line['msg'] === 'device session taken over');
    expect(takeovers()).toEqual([]);
    const second = await device(3);
    await firstClosed;
    expect(second.connected).toBe(true);
    expect(takeovers()).toEqual([
      expect.objectContaining({
        module: 'broker',
        level: 40,
        clientId: 'dev-t-e3',
        username: 'dev-t-e3',
        kind: 'device',
        remoteAddress: '127.0.0.1',
        previousRemoteAddress: '127.0.0.1',
      }),
    ]);
  });

  it('a new connection that sends no CONNECT is closed after the connect timeout', async () => {
    const socket = connectTcp(Number(new URL(url).port), '127.0.0.1');
    await new Promise<void>((resolve) => socket.once('close', () => resolve()));
    expect(socket.destroyed).toBe(true);
  });
});

describe('device publishing', () => {
  it("publishing to another device's topic closes the connection and is never forwarded", async () => {
    const ingest = await ingestService();
    await ingest.subscribeAsync(topics.allDevices, { qos: 1 });
    const received = inbox(ingest);
    const forger = await device(1);
    const forgerClosed = closed(forger);
    forger.publish(topics.telemetry('t-e2'), telemetry('forged'), { qos: 1 });
    await forgerClosed;

    const genuine = await device(2);
    await genuine.publishAsync(topics.telemetry('t-e2'), telemetry('genuine'), { qos: 1 });
    const first = await received.next();
    expect(first.topic).toBe('elevators/t-e2/telemetry');
    expect(JSON.parse(first.payload).marker).toBe('genuine');
  });

  it('publishing to $SYS closes the connection and cannot kick another client (aedes#597)', async () => {
    const ingest = await ingestService();
    await ingest.subscribeAsync(topics.allDevices, { qos: 1 });
    const received = inbox(ingest);
    const published: string[] = [];
    const onPublish = (packet: { topic: string }) => published.push(packet.topic);
    broker.aedes.on('publish', onPublish);

    const forger = await device(1);
    const forgerClosed = closed(forger);
    // Aedes closes the client named in another broker's `new/clients` announcement.
    forger.publish('$SYS/another-broker/new/clients', 'lift-watch-ingest', { qos: 1 });
    await forgerClosed;

    const genuine = await device(2);
    await genuine.publishAsync(topics.telemetry('t-e2'), telemetry('after'), { qos: 1 });
    expect(JSON.parse((await received.next()).payload).marker).toBe('after');
    expect(ingest.connected).toBe(true);
    broker.aedes.off('publish', onPublish);
    expect(published).not.toContain('$SYS/another-broker/new/clients');
  });

  it("a Will on another device's topic refuses the CONNECT; a device's own Will is published", async () => {
    const will = (elevatorId: string) => ({
      topic: topics.status(elevatorId),
      payload: Buffer.from(JSON.stringify({ v: 1, ts: 0, seq: 0, state: 'offline' })),
      qos: 1 as const,
      retain: false,
    });
    expect(await refusalCode(device(1, { will: will('t-e2') }))).toBe(5);

    const ingest = await ingestService();
    await ingest.subscribeAsync(topics.status('t-e1'), { qos: 1 });
    const received = inbox(ingest);
    const dev = await device(1, { will: will('t-e1') });
    const devClosed = closed(dev);
    // An abrupt drop (no DISCONNECT) is what makes the broker publish the Will.
    dev.stream.destroy();
    await devClosed;
    const message = await received.next();
    expect(message.topic).toBe('elevators/t-e1/status');
    expect(JSON.parse(message.payload).state).toBe('offline');
  });

  it('a device may subscribe to nothing: SUBACK 128, the connection stays', async () => {
    const dev = await device(1);
    expect(await granted(dev, topics.status('t-e1'))).toEqual([128]);
    await dev.publishAsync(topics.telemetry('t-e1'), telemetry('still-here'), { qos: 1 });
    expect(dev.connected).toBe(true);
  });

  it('an oversized packet closes the connection; one within the bound passes', async () => {
    const ingest = await ingestService();
    await ingest.subscribeAsync(topics.event('t-e1'), { qos: 1 });
    const received = inbox(ingest);
    const dev = await device(1);
    const fits = JSON.stringify({ v: 1, ts: 0, seq: 1, code: 'alarm_button', detail: 'x'.repeat(3000) });
    await dev.publishAsync(topics.event('t-e1'), fits, { qos: 1 });
    expect((await received.next()).payload).toBe(fits);

    const devClosed = closed(dev);
    dev.publish(topics.event('t-e1'), 'x'.repeat(MAX_PACKET_BYTES), { qos: 1 });
    await devClosed;
  });
});

describe('services', () => {
  it('the ingest publishes alerts the api reads; the api may not publish visits', async () => {
    const api = await apiService();
    await api.subscribeAsync([topics.allAlerts, topics.allVisits], { qos: 1 });
    const received = inbox(api);
    const ingest = await ingestService();
    await ingest.publishAsync(topics.alert('t-e1'), '{"state":"open"}', { qos: 1 });
    expect((await received.next()).topic).toBe('alerts/t-e1');

    expect(await granted(api, topics.elevatorTree)).toEqual([128]);
    const apiClosed = closed(api);
    api.publish(topics.visit('t-e1'), '{}', { qos: 1 });
    await apiClosed;
  });

  it('a retained status is delivered to a reader and never to a client not allowed to read it', async () => {
    const dev = await device(3);
    await dev.publishAsync(topics.status('t-e3'), '{"state":"online"}', { qos: 1, retain: true });

    const other = await device(2);
    const otherInbox = inbox(other);
    expect(await granted(other, topics.status('t-e3'))).toEqual([128]);

    const api = await apiService();
    const apiInbox = inbox(api);
    expect(await granted(api, topics.elevatorTree)).toEqual([128]);
    await api.subscribeAsync(topics.status('t-e3'), { qos: 1 });
    expect(await apiInbox.next()).toMatchObject({ topic: 'elevators/t-e3/status', retain: true });

    // Round trips on the refused client after its SUBACK: anything forwarded would be here by now.
    await other.publishAsync(topics.telemetry('t-e2'), telemetry('barrier'), { qos: 1 });
    await other.publishAsync(topics.telemetry('t-e2'), telemetry('barrier'), { qos: 1 });
    expect(otherInbox.size).toBe(0);
    expect(apiInbox.size).toBe(0);

    // Clear the retained status so later subscribers start clean [MQTT-3.3.1-10].
    await dev.publishAsync(topics.status('t-e3'), '', { qos: 1, retain: true });
  });
});

describe('retain', () => {
  /** Settles on whichever comes first: the PUBACK or the broker closing the connection. */
  function ackedOrClosed(client: MqttClient, publishing: Promise<unknown>): Promise<'acked' | 'closed'> {
    return Promise.race([
      publishing.then(() => 'acked' as const),
      closed(client).then(() => 'closed' as const),
    ]);
  }

  async function retainedIn(topic: string): Promise<string[]> {
    const kept: string[] = [];
    // What the broker would hand a new subscriber: its retained store, asked directly.
    const { persistence } = broker.aedes as unknown as {
      persistence: { createRetainedStream(pattern: string): AsyncIterable<unknown> };
    };
    for await (const packet of persistence.createRetainedStream(topic)) {
      kept.push((packet as { topic: string }).topic);
    }
    return kept;
  }

  it('retained telemetry closes the connection and is kept for no one; a retained status still is', async () => {
    const before = broker.metrics().publishesRefused.retain;
    const dev = await device(1);
    const outcome = await ackedOrClosed(
      dev,
      dev.publishAsync(topics.telemetry('t-e1'), telemetry('retained'), { qos: 1, retain: true }),
    );
    expect(outcome).toBe('closed');
    expect(broker.metrics().publishesRefused.retain).toBe(before + 1);
    expect(await retainedIn(topics.telemetry('t-e1'))).toEqual([]);

    const again = await device(1);
    await again.publishAsync(topics.status('t-e1'), '{"state":"online"}', { qos: 1, retain: true });
    const api = await apiService();
    const apiInbox = inbox(api);
    await api.subscribeAsync('elevators/t-e1/+', { qos: 1 });
    expect(await apiInbox.next()).toMatchObject({ topic: 'elevators/t-e1/status', retain: true });
    // Round trips after the retained status: retained telemetry would be here by now.
    await api.publishAsync(topics.alert('t-e1'), '{}', { qos: 1 });
    await api.publishAsync(topics.alert('t-e1'), '{}', { qos: 1 });
    expect(apiInbox.size).toBe(0);

    await again.publishAsync(topics.status('t-e1'), '', { qos: 1, retain: true });
  });

  it('a retained event, alert or QoS 0 telemetry is refused the same way', async () => {
    const dev = await device(2);
    expect(
      await ackedOrClosed(dev, dev.publishAsync(topics.event('t-e2'), '{}', { qos: 1, retain: true })),
    ).toBe('closed');
    const ingest = await ingestService();
    expect(
      await ackedOrClosed(ingest, ingest.publishAsync(topics.alert('t-e2'), '{}', { qos: 1, retain: true })),
    ).toBe('closed');
    const quiet = await device(2);
    const quietClosed = closed(quiet);
    quiet.publish(topics.telemetry('t-e2'), telemetry('qos0'), { qos: 0, retain: true });
    await quietClosed;
    expect(await retainedIn('elevators/t-e2/#')).toEqual([]);
    expect(await retainedIn('alerts/#')).toEqual([]);
  });

  it('a retained Will on telemetry refuses the CONNECT; a retained status Will is accepted', async () => {
    const will = (topic: string) => ({
      will: { topic, payload: Buffer.from('offline'), qos: 1 as const, retain: true },
    });
    expect(await refusalCode(device(3, will(topics.telemetry('t-e3'))))).toBe(5);
    await device(3, will(topics.status('t-e3')));
  });
});

describe('protocol version', () => {
  it('MQTT 5 is refused with CONNACK 1 (unacceptable protocol version); 3.1.1 and 3.1 connect, as the protocol says', async () => {
    const transport = readFileSync(new URL('../../docs/protocol.md', import.meta.url), 'utf8').split(
      '## Topics',
    )[0]!;
    expect(transport).toMatch(/MQTT 3\.1\.1 over TCP/);
    expect(transport).toMatch(/MQTT 3\.1 is accepted/);
    expect(transport).toMatch(/MQTT 5 is not supported/);

    expect(await refusalCode(device(1, { protocolVersion: 5 }))).toBe(1);
    const v311 = await device(1, { protocolVersion: 4 });
    await v311.publishAsync(topics.telemetry('t-e1'), telemetry('3.1.1'), { qos: 1 });
    const v31 = await device(2, { protocolVersion: 3, protocolId: 'MQIsdp' });
    await v31.publishAsync(topics.telemetry('t-e2'), telemetry('3.1'), { qos: 1 });
  });
});

describe('lifecycle', () => {
  it('a busy port gives PORT_IN_USE naming MQTT_PORT and MQTT_URL', async () => {
    const second = brokerFor(Number(new URL(url).port));
    const err = await second.start().then(
      () => null,
      (e: unknown) => e,
    );
    expect(err).toBeInstanceOf(LiftWatchError);
    expect((err as LiftWatchError).code).toBe('PORT_IN_USE');
    expect((err as LiftWatchError).message).toMatch(/MQTT_PORT.*MQTT_URL/s);
    expect(second.aedes.closed).toBe(true);
  });

  it('stop() closes connected clients, half-open connections and the server', async () => {
    const own = brokerFor(0);
    const { port } = await own.start();
    const dev = await connectAsync(`mqtt://127.0.0.1:${port}`, {
      username: 'dev-t-e1',
      password: 'device-secret-1-0123456789',
      clientId: 'dev-t-e1',
      reconnectPeriod: 0,
    });
    dev.on('error', () => {});
    const devClosed = closed(dev);
    const silent = connectTcp(port, '127.0.0.1');
    await new Promise<void>((resolve) => silent.once('connect', () => resolve()));
    const silentClosed = new Promise<void>((resolve) => silent.once('close', () => resolve()));

    await own.stop();
    await Promise.all([devClosed, silentClosed]);
    await dev.endAsync(true);
    const refused = await new Promise<string>((resolve) => {
      const probe = connectTcp(port, '127.0.0.1');
      probe.once('error', (e: NodeJS.ErrnoException) => resolve(e.code ?? ''));
      probe.once('connect', () => resolve('connected'));
    });
    expect(refused).toBe('ECONNREFUSED');
  });
});
