/**
 * An API node's live state with two broker fronts (LOG_ENABLED): two `broker/main.ts` processes
 * (separate Aedes, sharing nothing but nats-server and the registry), devices on each, and API
 * nodes (api/service.ts, as `npm run start:api` runs them) whose MQTT client is on front b only.
 * - a browser's socket and the QR page of the node see the cars of both fronts: condition,
 *   position and door from their telemetry, online from their status;
 * - a device's connection killed: front a publishes its Will, and the node shows the car offline;
 * - a node started after the devices published shows each car's last state (position, online,
 *   the Will's offline), not blanks.
 * Before the log fed the node, the cars of front a were never seen (the node heard front b alone).
 * Waits are on events and counts, never on sleeps.
 */
import { join } from 'node:path';
import { connectAsync, type MqttClient } from 'mqtt';
import { connect, type Socket } from 'socket.io-client';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { type ApiService, startApiService } from '../../api/service.ts';
import { createFleet } from '../../fleet/service.ts';
import { loadConfig } from '../../lib/config.ts';
import { freePort } from '../../lib/influxd.ts';
import { silentLogger } from '../../lib/logger.ts';
import { type ElevatorCondition, topics } from '../../protocol/index.ts';
import { CONDITION_WORDS } from '../../protocol/words.ts';
import { openStore } from '../../store/store.ts';
import { type ChildPart, startChildPart } from '../helpers/child-part.ts';
import { registryWithFleet, smallFleet, storeEnv, telemetrySample, tempDir } from '../helpers/fixtures.ts';
import { until } from '../helpers/ingest-harness.ts';
import { startTestNats, type TestNats } from '../helpers/nats.ts';

/** t-e1 and t-e3 connect to front a, t-e2 and t-e4 to front b; t-e3 is the one whose connection dies. */
const CARS = ['t-e1', 't-e2', 't-e3', 't-e4'] as const;
const frontOf = (n: number) => (n % 2 === 1 ? 0 : 1);
const WILL_CAR = 't-e3';
const API_USER = { username: 'svc-api', password: 'api-service-secret-0123456789' };
const ADMIN = { username: 'u-admin', password: 'admin-password' };
const ORIGIN = 'http://lift.test';

const dir = tempDir('liftwatch-api-live-');
let nats: TestNats;
let registry: Awaited<ReturnType<typeof registryWithFleet>>;
const fronts: { part: ChildPart; port: number }[] = [];
const devices = new Map<string, MqttClient>();
const nodes: Node[] = [];
const sockets: Socket[] = [];

interface Node {
  service: ApiService;
  url: string;
  stop(): Promise<void>;
}

function fleet() {
  const file = smallFleet(CARS.length);
  file.service_credentials = [
    ...(file.service_credentials ?? []),
    { username: API_USER.username, role: 'api', password: API_USER.password },
  ];
  return file;
}

/** One API node as api/main.ts starts it, its MQTT client on front b. */
async function startNode(id: string): Promise<Node> {
  const store = await openStore(registry.target);
  const fleetService = createFleet({ repository: store.fleet, log: silentLogger }, { refreshMs: 60_000 });
  await fleetService.directory.start();
  const config = loadConfig({
    LOG_LEVEL: 'silent',
    LOG_ENABLED: 'true',
    API_NODE_ID: id,
    API_PORT: '0',
    API_HOST: '127.0.0.1',
    API_MQTT_CLIENT_ID: `lw-api-live-${id}`,
    PUBLIC_BASE_URL: ORIGIN,
    DATA_DIR: join(dir.path, `api-${id}`),
  });
  const service = await startApiService(config, {
    store,
    log: silentLogger,
    fleet: fleetService,
    mqtt: { url: `mqtt://127.0.0.1:${fronts[1]!.port}`, ...API_USER },
    influxUrl: 'http://127.0.0.1:9',
    natsUrl: nats.url,
  });
  const address = service.app.server.address();
  if (!address || typeof address === 'string') throw new Error('no address');
  const node: Node = {
    service,
    url: `http://127.0.0.1:${address.port}`,
    async stop() {
      await service.stop();
      await fleetService.directory.stop();
      await store.close();
    },
  };
  nodes.push(node);
  return node;
}

async function openSocket(node: Node): Promise<Socket> {
  const res = await fetch(`${node.url}/api/v1/auth/login`, {
    method: 'POST',
    headers: { 'content-type': 'application/json' },
    body: JSON.stringify(ADMIN),
  });
  expect(res.status).toBe(200);
  const cookie = res.headers
    .getSetCookie()
    .find((c) => c.startsWith('lw_session='))
    ?.split(';')[0];
  const socket = connect(node.url, {
    transports: ['websocket'],
    extraHeaders: { cookie: cookie ?? '', origin: ORIGIN },
    reconnection: false,
  });
  sockets.push(socket);
  await new Promise<void>((resolve, reject) => {
    socket.once('connect', () => resolve());
    socket.once('connect_error', reject);
  });
  return socket;
}

interface StatePush {
  elevator_id: string;
  condition: ElevatorCondition;
}

/** Resolves with the first `elevator:state` push for `elevatorId` with `condition`. */
function statePush(socket: Socket, elevatorId: string, condition: ElevatorCondition): Promise<StatePush> {
  return new Promise((resolve) => {
    const handler = (push: StatePush) => {
      if (push.elevator_id !== elevatorId || push.condition !== condition) return;
      socket.off('elevator:state', handler);
      resolve(push);
    };
    socket.on('elevator:state', handler);
  });
}

async function qrPage(node: Node, elevatorId: string): Promise<string> {
  const row = await registry.db
    .selectFrom('elevators')
    .select('public_token')
    .where('id', '=', elevatorId)
    .executeTakeFirstOrThrow();
  const res = await fetch(`${node.url}/e/${row.public_token}`);
  expect(res.status).toBe(200);
  return res.text();
}

/** The floor each car reports: distinct per car, so a view cannot pass with another car's state. */
const floorOf = (n: number) => 2 + n;

/** A device on its front, online (retained status, Will set to offline) with one telemetry sample. */
async function startDevice(n: number): Promise<void> {
  const id = `t-e${n}`;
  const offline = JSON.stringify({ v: 1, ts: Date.now(), state: 'offline' });
  const client = await connectAsync({
    host: '127.0.0.1',
    port: fronts[frontOf(n)]!.port,
    clientId: `dev-t-e${n}`,
    username: `dev-t-e${n}`,
    password: `device-secret-${n}-0123456789`,
    protocolVersion: 4,
    clean: true,
    reconnectPeriod: 0,
    will: { topic: topics.status(id), payload: Buffer.from(offline), qos: 1, retain: true },
  });
  client.on('error', () => {});
  devices.set(id, client);
  const online = JSON.stringify({ v: 1, ts: Date.now(), state: 'online' });
  await client.publishAsync(topics.status(id), online, { qos: 1, retain: true });
  const sample = telemetrySample({ seq: 1, ts: Date.now(), floor: floorOf(n), door_closed: false });
  await client.publishAsync(topics.telemetry(id), JSON.stringify(sample), { qos: 1 });
}

beforeAll(async () => {
  [nats, registry] = await Promise.all([startTestNats(), registryWithFleet(fleet())]);
  for (const name of ['front-a', 'front-b']) {
    const port = await freePort();
    const part = startChildPart(
      name,
      'broker/main.ts',
      {
        ...storeEnv(registry.target),
        LOG_ENABLED: 'true',
        NATS_URL: nats.url,
        MQTT_HOST: '127.0.0.1',
        MQTT_PORT: String(port),
        DATA_DIR: join(dir.path, name),
      },
      dir.path,
    );
    fronts.push({ part, port });
  }
  await Promise.all(fronts.map((f) => f.part.printed('MQTT broker listening', 60_000)));
}, 120_000);

afterAll(async () => {
  for (const socket of sockets) socket.disconnect();
  await Promise.all([...devices.values()].map((d) => d.endAsync(true)));
  for (const node of nodes.reverse()) await node.stop().catch(() => undefined);
  for (const front of fronts) await front.part.stop();
  await nats?.cleanup();
  await registry?.cleanup();
  dir.remove();
});

describe("an API node's live state with two broker fronts", () => {
  let node: Node;
  let socket: Socket;

  it("a browser's socket and the QR page see the cars of both fronts", async () => {
    node = await startNode('live-a');
    socket = await openSocket(node);
    const normal = new Set<string>();
    for (const id of CARS) void statePush(socket, id, 'normal').then((push) => normal.add(push.elevator_id));
    for (let n = 1; n <= CARS.length; n++) await startDevice(n);
    // Named on failure: before the log fed the node, front a's cars (t-e1, t-e3) never came.
    await until(() => normal.size === CARS.length, 30_000, 'a normal push for the cars of both fronts').catch(
      (error: Error) => {
        throw new Error(`${error.message}; pushed: ${[...normal].sort().join(', ') || 'none'}`);
      },
    );

    for (let n = 1; n <= CARS.length; n++) {
      const state = node.service.stateSource.get(`t-e${n}`);
      expect(state).toMatchObject({ online: true, telemetry: { floor: floorOf(n), door_closed: false } });
      expect(await qrPage(node, `t-e${n}`)).toContain(CONDITION_WORDS.zh.normal);
    }
    // The console's view of the fleet carries each car's position from its own front.
    const cookie = (socket.io.opts.extraHeaders as Record<string, string>).cookie!;
    const res = await fetch(`${node.url}/api/v1/elevators`, { headers: { cookie } });
    expect(res.status).toBe(200);
    const { items } = (await res.json()) as {
      items: { id: string; state: { condition: string; telemetry: { floor: number } | null } }[];
    };
    expect(
      Object.fromEntries(items.map((e) => [e.id, [e.state.condition, e.state.telemetry?.floor ?? null]])),
    ).toEqual(Object.fromEntries(CARS.map((id, i) => [id, ['normal', floorOf(i + 1)]])));
  }, 90_000);

  it("a device's connection killed: its front's Will turns the car offline on the node", async () => {
    const offline = statePush(socket, WILL_CAR, 'offline');
    // The connection drops without DISCONNECT: front a publishes the Will [MQTT-3.1.2-8].
    devices.get(WILL_CAR)!.stream.destroy();
    await offline;
    expect(node.service.stateSource.get(WILL_CAR)?.online).toBe(false);
    const page = await qrPage(node, WILL_CAR);
    expect(page).toContain(CONDITION_WORDS.zh.offline);
    expect(page).not.toContain(CONDITION_WORDS.zh.normal);
  }, 60_000);

  it('a node started after the devices published shows their last states, not blanks', async () => {
    const late = await startNode('live-late');
    // Each car's latest status and telemetry (the latest per subject) come first.
    await until(
      () => CARS.every((id) => late.service.stateSource.get(id)?.online != null),
      30_000,
      'the last status of every car on the late node',
    );
    for (let n = 1; n <= CARS.length; n++) {
      const id = `t-e${n}`;
      const state = late.service.stateSource.get(id);
      expect(state?.telemetry?.floor).toBe(floorOf(n));
      expect(state?.online).toBe(id !== WILL_CAR);
      const page = await qrPage(late, id);
      expect(page).toContain(CONDITION_WORDS.zh[id === WILL_CAR ? 'offline' : 'normal']);
    }
  }, 60_000);
});
