/**
 * `npm run bench:api`: the API against a 10,000-elevator fleet. Builds the registry in a temp
 * dir, starts the real broker (broker/broker.ts) and the API with its MQTT state source,
 * feeds a state for every elevator, then loads the QR page (random tokens) and the alerts
 * list (a logged-in property manager) with autocannon in a child process, so the load
 * generator does not share the server's event loop. alert_push_p99_ms is a device's
 * fault telemetry published on MQTT → the socket.io `elevator:state` event in a client;
 * the ingest-style `alerts/{id}` path is reported as alert_topic_push_p99_ms.
 *
 * Both dialects by default, one after the other, each on a fresh store holding the same
 * fleet: a SQLite file, then a PostgreSQL database created for the run and dropped after
 * (bench/scratch-postgres.ts); `--db sqlite` or `--db postgres` runs one. The last line
 * printed is one JSON object with the figures per dialect and, when both ran, the alert
 * list's p99 on PostgreSQL over SQLite's (issue 13's target: within 2×).
 * Knobs: BENCH_API_ELEVATORS, BENCH_API_SECONDS (each autocannon run), BENCH_API_CONNECTIONS,
 * BENCH_API_PUSH_SAMPLES.
 */
import { fork } from 'node:child_process';
import { mkdtempSync, readFileSync, rmSync, writeFileSync } from 'node:fs';
import { loadavg, tmpdir } from 'node:os';
import { join } from 'node:path';
import autocannon from 'autocannon';
import mqtt from 'mqtt';
import { io as ioClient } from 'socket.io-client';
import { createAlertLifecycle } from '../alerts/lifecycle.ts';
import { alertMessage } from '../alerts/resource.ts';
import { buildApi } from '../api/app.ts';
import { MqttStateSource } from '../api/mqtt-state-source.ts';
import { createBroker } from '../broker/broker.ts';
import { loadConfig } from '../lib/config.ts';
import { silentLogger } from '../lib/logger.ts';
import { type AlertMessage, type Telemetry, topics } from '../protocol/index.ts';
import { generateFleet } from '../simulators/demo-fleet.ts';
import { openStore, type Store } from '../store/store.ts';
import { alertRow } from '../tests/helpers/api-harness.ts';
import { telemetrySample } from '../tests/helpers/fixtures.ts';
import { createScratchDatabase } from './scratch-postgres.ts';

const ELEVATORS = Number(process.env.BENCH_API_ELEVATORS ?? 10_000);
const DURATION_S = Number(process.env.BENCH_API_SECONDS ?? 10);
const CONNECTIONS = Number(process.env.BENCH_API_CONNECTIONS ?? 32);
const PUSH_SAMPLES = Number(process.env.BENCH_API_PUSH_SAMPLES ?? 200);
const PASSWORD = 'bench-password-1';
/** Issue 13: the alert list on PostgreSQL within 2× of SQLite's p99. */
const ALERTS_P99_RATIO_TARGET = 2;

type Dialect = 'sqlite' | 'postgres';

/** `--db sqlite` or `--db postgres` runs one dialect; without it, both, one after the other. */
function dialectsAsked(argv: string[]): Dialect[] {
  const at = argv.indexOf('--db');
  if (at === -1) return ['sqlite', 'postgres'];
  const asked = argv[at + 1];
  if (asked === 'sqlite' || asked === 'postgres') return [asked];
  throw new Error(`--db takes sqlite or postgres, not ${asked ?? 'nothing'}`);
}

interface LoadJob {
  url: string;
  paths: string[];
  headers: Record<string, string>;
}

/** Child role: one autocannon run, the summary sent back to the parent. */
async function runLoad(jobFile: string): Promise<void> {
  const job = JSON.parse(readFileSync(jobFile, 'utf8')) as LoadJob;
  const result = await autocannon({
    url: job.url,
    connections: CONNECTIONS,
    duration: DURATION_S,
    headers: job.headers,
    requests: [
      {
        setupRequest: (req) => ({ ...req, path: job.paths[Math.floor(Math.random() * job.paths.length)]! }),
      },
    ],
  });
  process.send!({
    rps: result.requests.average,
    p99: result.latency.p99,
    non2xx: result.non2xx,
    errors: result.errors,
    total: result.requests.total,
  });
}

function load(dir: string, name: string, job: LoadJob) {
  const file = join(dir, `${name}.json`);
  writeFileSync(file, JSON.stringify(job));
  return new Promise<{ rps: number; p99: number; non2xx: number; errors: number; total: number }>(
    (resolve, reject) => {
      const child = fork(import.meta.filename, ['--load', file], { stdio: 'inherit' });
      child.once('message', (m) => resolve(m as never));
      child.once('error', reject);
      child.once('exit', (code) => code !== 0 && reject(new Error(`load child exited ${code}`)));
    },
  );
}

/** A car at rest (the tests' sample), stamped now. */
const telemetry = (seq: number, overrides: Partial<Telemetry> = {}): Telemetry =>
  telemetrySample({ ts: Date.now(), seq, ...overrides });

const p99 = (samples: number[]) => {
  const sorted = [...samples].sort((a, b) => a - b);
  return Number(sorted[Math.min(sorted.length - 1, Math.ceil(sorted.length * 0.99) - 1)]!.toFixed(1));
};

interface DialectFigures {
  qr_rps: number;
  qr_p99_ms: number;
  alerts_rps: number;
  alerts_p99_ms: number;
  alert_push_p99_ms: number;
  alert_topic_push_p99_ms: number;
}

const log = (msg: string) => process.stderr.write(`[bench:api] ${msg}\n`);

async function main(): Promise<void> {
  const dialects = dialectsAsked(process.argv.slice(2));
  const loadAtStart = Number(loadavg()[0]!.toFixed(2));
  const dir = mkdtempSync(join(tmpdir(), 'liftwatch-api-bench-'));
  try {
    // One fleet for both dialects, so their figures differ only by the store.
    const fleet = generateFleet({ elevators: ELEVATORS, userPassword: PASSWORD });
    const figures: Partial<Record<Dialect, DialectFigures>> = {};
    for (const dialect of dialects) figures[dialect] = await benchDialect(dialect, fleet, dir);
    const { sqlite, postgres } = figures;
    const ratio =
      sqlite && postgres
        ? Number((postgres.alerts_p99_ms / Math.max(sqlite.alerts_p99_ms, 0.1)).toFixed(2))
        : null;
    console.log(
      JSON.stringify({
        ...figures,
        ...(ratio === null
          ? {}
          : {
              alerts_p99_postgres_over_sqlite: ratio,
              alerts_p99_ratio_target: ALERTS_P99_RATIO_TARGET,
              alerts_p99_ratio_within_target: ratio <= ALERTS_P99_RATIO_TARGET,
            }),
        elevators: ELEVATORS,
        connections: CONNECTIONS,
        duration_s: DURATION_S,
        // The machine is shared: a figure means little without the load it was taken under.
        load_avg_1m_at_end: Number(loadavg()[0]!.toFixed(2)),
        load_avg_1m_at_start: loadAtStart,
      }),
    );
  } finally {
    rmSync(dir, { recursive: true, force: true });
  }
}

/**
 * One dialect on a fresh store: a SQLite file in the run's temp dir, or a PostgreSQL
 * database created for the run and dropped after it.
 */
async function benchDialect(
  dialect: Dialect,
  fleet: ReturnType<typeof generateFleet>,
  dir: string,
): Promise<DialectFigures> {
  const scratch = dialect === 'postgres' ? await createScratchDatabase('liftwatch_bench') : undefined;
  try {
    const store = await openStore(
      scratch
        ? { DATABASE_FILE: join(dir, 'unused.sqlite'), DATABASE_URL: scratch.url }
        : join(dir, 'registry.sqlite'),
    );
    try {
      return await benchStore(dialect, store, fleet, dir);
    } finally {
      await store.close();
    }
  } finally {
    await scratch?.drop();
  }
}

async function benchStore(
  dialect: Dialect,
  store: Store,
  fleet: ReturnType<typeof generateFleet>,
  dir: string,
): Promise<DialectFigures> {
  const say = (msg: string) => log(`${dialect}: ${msg}`);
  await store.fleet.load(fleet);
  say(`registry loaded: ${fleet.elevators.length} elevators in ${fleet.estates.length} estates`);
  await seedAlerts(store, fleet);

  const broker = createBroker(
    { port: 0, host: '127.0.0.1', maxPacketBytes: 65536, connectTimeoutMs: 10_000 },
    { log: silentLogger, authenticate: (u, p) => store.credentials.authenticateMachine(u, p) },
  );
  const { port: mqttPort } = await broker.start();
  const mqttUrl = `mqtt://127.0.0.1:${mqttPort}`;
  const config = loadConfig({ LOG_LEVEL: 'silent', API_RATE_LIMIT_PER_MIN: '100000000' });
  const api = fleet.service_credentials.find((s) => s.role === 'api')!;
  const stateSource = new MqttStateSource({
    url: mqttUrl,
    username: api.username,
    password: api.password!,
    clientId: 'bench-api',
    log: silentLogger,
    offlineAfterMs: config.DEVICE_OFFLINE_AFTER_S * 1000,
  });
  await stateSource.start();
  // Every car online and normal, as the MQTT feed leaves them: the QR page has a state to show.
  fleet.elevators.forEach((e, i) => {
    stateSource.applyStatus(e.id, { v: 1, ts: Date.now(), state: 'online' } as never);
    stateSource.applyTelemetry(e.id, telemetry(i + 1));
  });
  const app = await buildApi({
    store: store,
    log: silentLogger,
    config,
    stateSource,
    publicBaseUrl: 'http://bench.test',
    alertActions: createAlertLifecycle({
      alerts: store.alerts,
      clock: Date.now,
      publish: (topic, payload) => stateSource.publish(topic, payload),
    }),
  });
  await app.listen({ port: 0, host: '127.0.0.1' });
  const address = app.server.address();
  const base = `http://127.0.0.1:${typeof address === 'object' && address ? address.port : 0}`;

  const loginRes = await app.inject({
    method: 'POST',
    url: '/api/v1/auth/login',
    payload: { username: 'duty-anju', password: PASSWORD },
  });
  const cookie = `lw_session=${loginRes.cookies.find((c) => c.name === 'lw_session')!.value}`;

  const push = await measurePush(fleet, mqttUrl, base, cookie);
  say(`push: telemetry→socket p99 ${push.telemetry} ms, alerts topic→socket p99 ${push.alertTopic} ms`);

  const tokens = (await store.fleet.snapshot()).elevators.map((e) => `/e/${e.publicToken}`);
  // Steady state: every car's card read once, as a minute of real scans would leave it.
  for (const path of tokens) await app.inject({ url: path });
  const qr = await load(dir, `${dialect}-qr`, { url: base, paths: tokens, headers: {} });
  say(`QR page: ${JSON.stringify(qr)}`);
  const alerts = await load(dir, `${dialect}-alerts`, {
    url: base,
    paths: ['/api/v1/alerts?limit=50', '/api/v1/alerts?state=open&limit=50'],
    headers: { cookie },
  });
  say(`alerts list: ${JSON.stringify(alerts)}`);
  if (qr.non2xx || alerts.non2xx) say(`warning: non-2xx answers qr=${qr.non2xx} alerts=${alerts.non2xx}`);

  await app.close();
  await stateSource.stop();
  await broker.stop();
  return {
    qr_rps: Math.round(qr.rps),
    qr_p99_ms: qr.p99,
    alerts_rps: Math.round(alerts.rps),
    alerts_p99_ms: alerts.p99,
    alert_push_p99_ms: push.telemetry,
    alert_topic_push_p99_ms: push.alertTopic,
  };
}

/** Two alerts per ten cars, a third of them open: a year of a busy firm's list. */
async function seedAlerts(store: Store, fleet: ReturnType<typeof generateFleet>): Promise<void> {
  const ids = fleet.elevators.map((e) => e.id);
  const estateOfBuilding = new Map(fleet.buildings.map((b) => [b.id, b.estate_id]));
  const estateOf = new Map(fleet.elevators.map((e) => [e.id, estateOfBuilding.get(e.building_id)!]));
  const now = Date.now();
  const rows = ids
    .filter((_, i) => i % 5 === 0)
    .flatMap((id, i) =>
      [0, 1].map((k) =>
        alertRow({
          id: `bench-${i}-${k}`,
          elevator_id: id,
          estate_id: estateOf.get(id)!,
          code: k ? 'door_close_fault' : 'passenger_trapped',
          severity: k ? 'major' : 'critical',
          state: i % 3 === 0 ? 'open' : 'resolved',
          opened_at: now - (i * 2 + k) * 60_000,
          last_seen_at: now - (i * 2 + k) * 60_000,
          evidence_json: '{}',
        }),
      ),
    );
  await store.alerts.importMany(rows);
}

/**
 * Publish → socket.io event, one at a time so each latency is its own: a device's fault
 * telemetry (safety circuit open) turning its car `fault`, then healthy telemetry turning
 * it back; and the ingest's alert transitions on alerts/{id}.
 */
async function measurePush(
  fleet: ReturnType<typeof generateFleet>,
  mqttUrl: string,
  base: string,
  cookie: string,
): Promise<{ telemetry: number; alertTopic: number }> {
  const socket = ioClient(base, { extraHeaders: { cookie }, transports: ['websocket'] });
  await new Promise<void>((resolve, reject) => {
    socket.once('connect', resolve);
    socket.once('connect_error', reject);
  });
  const waiting = new Map<string, () => void>();
  const arrived = (key: string) => {
    waiting.get(key)?.();
    waiting.delete(key);
  };
  socket.on('elevator:state', (e: { elevator_id: string; condition: string }) =>
    arrived(`state:${e.elevator_id}:${e.condition}`),
  );
  socket.on('alert', (a: { id: string; state: string }) => arrived(`alert:${a.id}:${a.state}`));
  const timed = async (key: string, publish: () => void): Promise<number> => {
    const event = new Promise<void>((resolve, reject) => {
      const timer = setTimeout(() => reject(new Error(`no socket event ${key} within 5 s`)), 5000);
      waiting.set(key, () => {
        clearTimeout(timer);
        resolve();
      });
    });
    const start = performance.now();
    publish();
    await event;
    return performance.now() - start;
  };

  // The property manager's first estate (load-0 belongs to anju-pm).
  const cars = fleet.elevators.filter((e) => e.building_id.startsWith('load-0-')).slice(0, 10);
  const devices = await Promise.all(
    cars.map((car) =>
      mqtt.connectAsync(mqttUrl, {
        username: car.device.username,
        password: car.device.password!,
        clientId: car.device.username,
      }),
    ),
  );
  const ingestCred = fleet.service_credentials.find((s) => s.role === 'ingest')!;
  const ingest = await mqtt.connectAsync(mqttUrl, {
    username: ingestCred.username,
    password: ingestCred.password!,
    clientId: 'bench-ingest',
  });
  const telemetryMs: number[] = [];
  const alertMs: number[] = [];
  let seq = 1_000_000;
  for (let i = 0; i < PUSH_SAMPLES; i++) {
    const car = cars[i % cars.length]!;
    const device = devices[i % cars.length]!;
    const topic = topics.telemetry(car.id);
    const send = (t: Telemetry) => () => void device.publish(topic, JSON.stringify(t));
    telemetryMs.push(await timed(`state:${car.id}:fault`, send(telemetry(seq++, { safety_circuit: false }))));
    telemetryMs.push(await timed(`state:${car.id}:normal`, send(telemetry(seq++))));
    const id = `bench-push-${i}`;
    const opened = alertRow({
      id,
      elevator_id: car.id,
      estate_id: fleet.buildings.find((b) => b.id === car.building_id)!.estate_id,
      opened_at: Date.now(),
      last_seen_at: Date.now(),
    });
    const transition = (message: AlertMessage) => () =>
      void ingest.publish(topics.alert(car.id), JSON.stringify(message), { qos: 1 });
    alertMs.push(await timed(`alert:${id}:open`, transition(alertMessage(opened, 'opened'))));
    const resolved = { ...opened, state: 'resolved' as const, resolved_by: 'auto', resolved_at: Date.now() };
    alertMs.push(await timed(`alert:${id}:resolved`, transition(alertMessage(resolved, 'resolved'))));
  }
  socket.close();
  await Promise.all([...devices, ingest].map((c) => c.endAsync()));
  return { telemetry: p99(telemetryMs), alertTopic: p99(alertMs) };
}

if (process.argv[2] === '--load') await runLoad(process.argv[3]!);
else await main();
