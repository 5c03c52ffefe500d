/**
 * Two API nodes (api/service.ts, the wiring `npm run start:api` runs) over one store, one
 * nats-server of the suite's own (LOG_ENABLED) and the machine's Redis (REDIS_URL, a key prefix
 * of this run's own):
 * - a browser's socket on node B hears an alert transition that node A's lifecycle made (from
 *   the log), and a resident's report filed on A (through the Redis adapter), with the session
 *   A issued (sessions are rows in the store);
 * - node B stopped, a transition made on A, node B started again with the same API_NODE_ID:
 *   its durable consumer delivers exactly what it missed;
 * - one rate limit across both nodes;
 * - Redis not answering at start is REDIS_UNREACHABLE.
 */
import { randomUUID } from 'node:crypto';
import { jetstreamManager } from '@nats-io/jetstream';
import { connect as connectNats } from '@nats-io/transport-node';
import { createClient } from 'redis';
import { connect, type Socket } from 'socket.io-client';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { type ApiService, startApiService } from '../../api/service.ts';
import { createFleet, type Fleet } from '../../fleet/service.ts';
import { loadConfig } from '../../lib/config.ts';
import { silentLogger } from '../../lib/logger.ts';
import { TRANSITIONS_STREAM, transitionsDurable } from '../../log/subjects.ts';
import type { Alert } from '../../protocol/index.ts';
import { generateFleet } from '../../simulators/demo-fleet.ts';
import { openStore, type Store } from '../../store/store.ts';
import { ANJU_ELEVATOR, alertRow, NOW, SAME_ORIGIN, TEST_PASSWORD } from '../helpers/api-harness.ts';
import { registryWithFleet, tempDir } from '../helpers/fixtures.ts';
import { until } from '../helpers/ingest-harness.ts';
import { startTestNats, type TestNats } from '../helpers/nats.ts';
import { type PlainBroker, startPlainBroker } from '../helpers/plain-broker.ts';

const REDIS_URL = 'redis://127.0.0.1:6379';
const RATE_LIMIT = 60;

interface Node {
  id: string;
  service: ApiService;
  url: string;
  stop(): Promise<void>;
}

let nats: TestNats;
let broker: PlainBroker;
let registry: Awaited<ReturnType<typeof registryWithFleet>>;
const dataDir = tempDir('liftwatch-nodes-');
const keyPrefix = `lwtest-${randomUUID().slice(0, 8)}:`;
const nodes = new Set<Node>();
const sockets: Socket[] = [];
let clientSeq = 0;

function nodeConfig(id: string, overrides: Record<string, string> = {}) {
  return loadConfig({
    LOG_LEVEL: 'silent',
    LOG_ENABLED: 'true',
    API_NODE_ID: id,
    API_PORT: '0',
    API_HOST: '127.0.0.1',
    // Two nodes on one broker: one MQTT client id each, or they would take turns.
    API_MQTT_CLIENT_ID: `lw-api-${id}-${clientSeq++}`,
    PUBLIC_BASE_URL: SAME_ORIGIN,
    DATA_DIR: dataDir.path,
    REDIS_URL,
    REDIS_KEY_PREFIX: keyPrefix,
    API_RATE_LIMIT_PER_MIN: String(RATE_LIMIT),
    ...overrides,
  });
}

/** One API node as api/main.ts starts it: its own store connection, fleet directory and service. */
async function startNode(id: string, overrides: Record<string, string> = {}): Promise<Node> {
  const store: Store = await openStore(registry.target);
  const fleet: Fleet = createFleet({ repository: store.fleet, log: silentLogger }, { refreshMs: 60_000 });
  await fleet.directory.start();
  const stopDeps = async () => {
    await fleet.directory.stop();
    await store.close();
  };
  let service: ApiService;
  try {
    service = await startApiService(nodeConfig(id, overrides), {
      store,
      log: silentLogger,
      fleet,
      mqtt: { url: broker.url, username: `svc-api-${id}`, password: 'unused-by-the-plain-broker' },
      influxUrl: 'http://127.0.0.1:9',
      natsUrl: nats.url,
    });
  } catch (error) {
    await stopDeps();
    throw error;
  }
  const address = service.app.server.address();
  if (!address || typeof address === 'string') throw new Error('no address');
  const node: Node = {
    id,
    service,
    url: `http://127.0.0.1:${address.port}`,
    async stop() {
      nodes.delete(node);
      await service.stop();
      await stopDeps();
    },
  };
  nodes.add(node);
  return node;
}

async function login(node: Node, username: string): Promise<string> {
  const res = await fetch(`${node.url}/api/v1/auth/login`, {
    method: 'POST',
    headers: { 'content-type': 'application/json' },
    body: JSON.stringify({ username, password: TEST_PASSWORD }),
  });
  expect(res.status).toBe(200);
  const cookie = res.headers.getSetCookie().find((c) => c.startsWith('lw_session='));
  if (!cookie) throw new Error('no session cookie');
  return cookie.split(';')[0]!;
}

async function openSocket(node: Node, cookie: string): Promise<Socket> {
  const socket = connect(node.url, {
    transports: ['websocket'],
    extraHeaders: { cookie },
    reconnection: false,
  });
  sockets.push(socket);
  await new Promise<void>((resolve, reject) => {
    socket.once('connect', () => resolve());
    socket.once('connect_error', (error) => reject(error));
  });
  return socket;
}

function nextEvent<T>(socket: Socket, event: string, match: (payload: T) => boolean): Promise<T> {
  return new Promise((resolve) => {
    const handler = (payload: T) => {
      if (!match(payload)) return;
      socket.off(event, handler);
      resolve(payload);
    };
    socket.on(event, handler);
  });
}

function post(node: Node, path: string, cookie: string, body: object): Promise<Response> {
  return fetch(`${node.url}${path}`, {
    method: 'POST',
    headers: { 'content-type': 'application/json', cookie, origin: SAME_ORIGIN },
    body: JSON.stringify(body),
  });
}

/** The stream's last sequence and where a node's durable consumer stands. */
async function logPositions(nodeId: string): Promise<{ last: number; acked: number; pending: number }> {
  const nc = await connectNats({ servers: nats.url });
  try {
    const jsm = await jetstreamManager(nc);
    const stream = await jsm.streams.info(TRANSITIONS_STREAM);
    const consumer = await jsm.consumers.info(TRANSITIONS_STREAM, transitionsDurable(nodeId));
    return {
      last: stream.state.last_seq,
      acked: consumer.ack_floor.stream_seq,
      pending: consumer.num_pending + consumer.num_ack_pending,
    };
  } finally {
    await nc.close();
  }
}

beforeAll(async () => {
  nats = await startTestNats();
  broker = await startPlainBroker();
  registry = await registryWithFleet(generateFleet({ userPassword: TEST_PASSWORD }));
  await registry.db
    .insertInto('alerts')
    .values([
      alertRow({ id: 'alert-nodes-1', elevator_id: ANJU_ELEVATOR, estate_id: 'lianhua' }),
      alertRow({
        id: 'alert-nodes-2',
        elevator_id: 'lianhua-b2-e1',
        estate_id: 'lianhua',
        code: 'door_close_fault',
        severity: 'major',
        opened_at: NOW,
        last_seen_at: NOW,
      }),
    ])
    .execute();
}, 60_000);

afterAll(async () => {
  for (const socket of sockets) socket.disconnect();
  for (const node of [...nodes].reverse()) await node.stop().catch(() => undefined);
  await broker?.stop();
  await nats?.cleanup();
  await registry?.cleanup();
  dataDir.remove();
  const redis = createClient({ url: REDIS_URL });
  await redis.connect();
  for await (const keys of redis.scanIterator({ MATCH: `${keyPrefix}*` }))
    if (keys.length) await redis.del(keys);
  await redis.close();
});

describe('two API nodes over the log and Redis', () => {
  let a: Node;
  let b: Node;

  beforeAll(async () => {
    a = await startNode('a');
    b = await startNode('b');
  }, 60_000);

  it("pushes node A's alert transition and A's route push to a browser on node B, with A's session", async () => {
    const cookie = await login(a, 'duty-anju');
    const socket = await openSocket(b, cookie);

    const acknowledged = nextEvent<Alert>(socket, 'alert', (x) => x.id === 'alert-nodes-1');
    const ack = await post(a, '/api/v1/alerts/alert-nodes-1/acknowledge', cookie, { note: '已派人' });
    expect(ack.status).toBe(200);
    expect(await acknowledged).toMatchObject({ id: 'alert-nodes-1', state: 'acknowledged' });
    // Node B heard it from the log (its MQTT state source does not subscribe to alerts/+ then).
    expect(b.service.transitions?.stats().received).toBeGreaterThanOrEqual(1);

    // A resident's report filed on A is pushed by A's route: only the Redis adapter brings it to B.
    const row = await registry.db
      .selectFrom('elevators')
      .select('public_token')
      .where('id', '=', ANJU_ELEVATOR)
      .executeTakeFirstOrThrow();
    const reported = nextEvent<{ description: string }>(
      socket,
      'report',
      (r) => r.description === '门一直反复开关',
    );
    const form = await fetch(`${a.url}/e/${row.public_token}/reports`, {
      method: 'POST',
      headers: { 'content-type': 'application/x-www-form-urlencoded' },
      body: new URLSearchParams({ category: 'door', description: '门一直反复开关', website: '' }).toString(),
      redirect: 'manual',
    });
    expect(form.status).toBe(303);
    expect(await reported).toMatchObject({ description: '门一直反复开关', elevator_id: ANJU_ELEVATOR });
  }, 30_000);

  it('a node that was stopped reads the transitions it missed from where it left off', async () => {
    const before = await logPositions('b');
    expect(before.pending).toBe(0);
    await b.stop();

    const cookie = await login(a, 'duty-anju');
    const resolved = await post(a, '/api/v1/alerts/alert-nodes-2/resolve', cookie, {
      note: '门机已调整',
      resolution: 'fault',
    });
    expect(resolved.status).toBe(200);
    await until(
      async () => (await logPositions('b')).last > before.last,
      10_000,
      'the transition in the log',
    );
    const whileDown = await logPositions('b');
    // Stored, and waiting for node B (nobody else reads its consumer).
    expect(whileDown.acked).toBe(before.acked);
    expect(whileDown.pending).toBe(whileDown.last - before.last);

    b = await startNode('b');
    const reader = b.service.transitions!;
    await until(() => reader.stats().received >= whileDown.pending, 15_000, 'node B catching up');
    expect(reader.stats()).toMatchObject({ received: whileDown.pending, lastStreamSeq: whileDown.last });
    expect(b.service.stateSource.get('lianhua-b2-e1')?.openAlerts.has('door_close_fault')).toBe(false);
    await until(async () => (await logPositions('b')).acked === whileDown.last, 10_000, 'acknowledged');
  }, 60_000);

  it('counts one client against one limit across both nodes', async () => {
    const cookie = await login(b, 'duty-anju');
    const hit = (node: Node) => fetch(`${node.url}/api/v1/alerts`, { headers: { cookie } });
    const first = await hit(a);
    expect(first.status).toBe(200);
    let remaining = Number(first.headers.get('x-ratelimit-remaining'));
    expect(remaining).toBeGreaterThan(4);
    // Alternate the nodes until the shared count is spent: each node alone has seen about half.
    for (let i = 0; remaining > 0; i++) {
      const res = await hit(i % 2 === 0 ? b : a);
      expect(res.status).toBe(200);
      const next = Number(res.headers.get('x-ratelimit-remaining'));
      expect(next).toBe(remaining - 1);
      remaining = next;
    }
    expect((await hit(b)).status).toBe(429);
    expect((await hit(a)).status).toBe(429);
  }, 30_000);

  it('refuses to start when Redis does not answer', async () => {
    await expect(startNode('c', { REDIS_URL: 'redis://127.0.0.1:9' })).rejects.toMatchObject({
      code: 'REDIS_UNREACHABLE',
    });
  }, 30_000);
});
