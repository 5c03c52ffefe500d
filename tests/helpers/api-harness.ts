/**
 * Test harness for the API suites (tests/integration/api-*.test.ts): a real SQLite
 * registry with the demo fleet, seeded alerts, visits and reports in two firms, an
 * in-memory state store the test drives, the real alert lifecycle (alerts/lifecycle.ts,
 * the one production runs), and helpers to log in. What the lifecycle publishes goes to the
 * state store as bytes through its service-message validators, as MQTT would carry it, and
 * is kept in `published`. Not used in production.
 */
import type { FastifyInstance } from 'fastify';
import { type AlertLifecycle, createAlertLifecycle } from '../../alerts/lifecycle.ts';
import { buildApi } from '../../api/app.ts';
import type { ApiDeps } from '../../api/deps.ts';
import { ElevatorStateStore } from '../../api/state-source.ts';
import { type Config, loadConfig } from '../../lib/config.ts';
import { silentLogger } from '../../lib/logger.ts';
import type { AlertMessage, VisitMessage } from '../../protocol/index.ts';
import { generateFleet } from '../../simulators/demo-fleet.ts';
import type { RegistryDb, RegistryTarget } from '../../store/db.ts';
import type { AlertTable, MaintenanceVisitTable } from '../../store/schema.ts';
import { storeOver } from '../../store/store.ts';
import { registryWithFleet } from './fixtures.ts';

export const TEST_PASSWORD = 'test-password-1';
/** The API's public origin in the harness; a browser sends it as Origin on its own writes. */
export const SAME_ORIGIN = 'http://lift.test';
export const NOW = Date.UTC(2025, 4, 20, 4, 0, 0);
const MIN = 60_000;
const DAY = 86_400_000;

/** anju-pm owns lianhua and longgang; hexin-pm owns xiangmi. */
export const ANJU_ELEVATOR = 'lianhua-b1-e1';
export const HEXIN_ELEVATOR = 'xiangmi-b1-e1';

export interface TestApi {
  app: FastifyInstance;
  db: RegistryDb;
  /** What openRegistry takes to open the same database again (another writer's connection). */
  target: RegistryTarget;
  store: ElevatorStateStore;
  /** The lifecycle the API's routes use. */
  lifecycle: AlertLifecycle;
  /** Every service message the lifecycle published, in order. */
  published: { topic: string; payload: AlertMessage | VisitMessage }[];
  clock: { now: number };
  tokenOf(elevatorId: string): Promise<string>;
  /** Session cookie header value for a demo user. */
  login(username: string): Promise<string>;
  close(): Promise<void>;
}

export function alertRow(
  overrides: Partial<AlertTable> & Pick<AlertTable, 'id' | 'elevator_id' | 'estate_id'>,
): AlertTable {
  return {
    lease_epoch: null,
    code: 'passenger_trapped',
    severity: 'critical',
    state: 'open',
    opened_at: NOW - 2 * DAY,
    last_seen_at: NOW - 2 * DAY,
    count: 1,
    acknowledged_by: null,
    acknowledged_at: null,
    ack_note: null,
    resolved_by: null,
    resolved_at: null,
    resolve_note: null,
    resolution: null,
    evidence_json: '{"stopped_s":45}',
    escalated_at: null,
    escalation_reason: null,
    arrived_at: null,
    arrived_by: null,
    arrive_note: null,
    sources: 'detector',
    ...overrides,
  };
}

export function visitRow(
  overrides: Partial<MaintenanceVisitTable> & Pick<MaintenanceVisitTable, 'id' | 'elevator_id' | 'estate_id'>,
): MaintenanceVisitTable {
  return {
    technician_id: 'tech-wang',
    company_id: 'huaxia-lift',
    kind: 'half_monthly',
    method: 'nfc',
    check_in_at: NOW - 3 * DAY,
    check_out_at: NOW - 3 * DAY + 52 * MIN,
    status: 'closed',
    location_json: null,
    items_json: '[1,2,3]',
    evidence_score: 92,
    verdict: 'verified',
    reasons_json: '[{"points":40,"reason":"52 min in inspection"}]',
    evidence_json: '{"inspection_minutes":52,"shaft_coverage":1,"pit_stop_tests":1,"car_top_stop_tests":1}',
    ...overrides,
  };
}

/** One alert, one visit and one report per firm, so every route has a foreign id to try. */
async function seed(db: RegistryDb): Promise<void> {
  await db
    .insertInto('alerts')
    .values([
      alertRow({ id: 'alert-anju-1', elevator_id: ANJU_ELEVATOR, estate_id: 'lianhua' }),
      alertRow({
        id: 'alert-anju-2',
        elevator_id: 'lianhua-b2-e1',
        estate_id: 'lianhua',
        code: 'door_close_fault',
        severity: 'major',
        opened_at: NOW - 10 * DAY,
        last_seen_at: NOW - 10 * DAY,
      }),
      alertRow({ id: 'alert-hexin-1', elevator_id: HEXIN_ELEVATOR, estate_id: 'xiangmi' }),
    ])
    .execute();
  await db
    .insertInto('maintenance_visits')
    .values([
      visitRow({ id: 'visit-anju-1', elevator_id: ANJU_ELEVATOR, estate_id: 'lianhua' }),
      visitRow({
        id: 'visit-hexin-1',
        elevator_id: HEXIN_ELEVATOR,
        estate_id: 'xiangmi',
        verdict: 'fake',
        evidence_score: 10,
      }),
    ])
    .execute();
  const report = (id: string, elevator: string, estate: string) => ({
    id,
    receipt: id === 'report-anju-1' ? 'ANJU2-TEST2' : 'HEXN2-TEST2',
    elevator_id: elevator,
    estate_id: estate,
    category: 'door',
    description: 'door bounces',
    status: 'received' as const,
    created_at: NOW - DAY,
    updated_at: NOW - DAY,
    handled_by: null,
    reply: null,
    alert_id: null,
    feedback: null,
    feedback_at: null,
    rating: null,
    reopen_count: 0,
  });
  await db
    .insertInto('resident_reports')
    .values([
      report('report-anju-1', ANJU_ELEVATOR, 'lianhua'),
      report('report-hexin-1', HEXIN_ELEVATOR, 'xiangmi'),
    ])
    .execute();
}

export async function startTestApi(
  options: {
    config?: Record<string, string>;
    deps?: Partial<ApiDeps>;
    /** The query builder the API's store runs on, e.g. with a plugin that steps in mid-request. */
    wrapDb?: (db: RegistryDb) => RegistryDb;
  } = {},
): Promise<TestApi> {
  const registry = await registryWithFleet(generateFleet({ userPassword: TEST_PASSWORD }));
  await seed(registry.db);
  const clock = { now: NOW };
  const config: Config = loadConfig({ LOG_LEVEL: 'silent', ...options.config });
  const store = new ElevatorStateStore({
    offlineAfterMs: config.DEVICE_OFFLINE_AFTER_S * 1000,
    clock: () => clock.now,
  });
  const apiStore = storeOver(options.wrapDb ? options.wrapDb(registry.db) : registry.db);
  const published: TestApi['published'] = [];
  const lifecycle = createAlertLifecycle({
    alerts: apiStore.alerts,
    clock: () => clock.now,
    publish: (topic, payload) => {
      published.push({ topic, payload });
      store.receiveServiceMessage(topic, Buffer.from(JSON.stringify(payload)));
    },
  });
  const app = await buildApi({
    store: apiStore,
    log: silentLogger,
    config,
    stateSource: store,
    publicBaseUrl: SAME_ORIGIN,
    clock: () => clock.now,
    ...options.deps,
    alertActions: options.deps?.alertActions ?? lifecycle,
  });
  await app.ready();
  const cookies = new Map<string, string>();
  return {
    app,
    db: registry.db,
    target: registry.target,
    store,
    lifecycle,
    published,
    clock,
    async tokenOf(elevatorId) {
      const row = await registry.db
        .selectFrom('elevators')
        .select('public_token')
        .where('id', '=', elevatorId)
        .executeTakeFirstOrThrow();
      return row.public_token;
    },
    async login(username) {
      const cached = cookies.get(username);
      if (cached) return cached;
      const res = await app.inject({
        method: 'POST',
        url: '/api/v1/auth/login',
        payload: { username, password: TEST_PASSWORD },
        remoteAddress: `10.9.${cookies.size}.1`,
      });
      if (res.statusCode !== 200) throw new Error(`login ${username}: ${res.statusCode} ${res.body}`);
      const cookie = res.cookies.find((c) => c.name === 'lw_session');
      if (!cookie) throw new Error('no session cookie');
      const header = `lw_session=${cookie.value}`;
      cookies.set(username, header);
      return header;
    },
    async close() {
      await app.close();
      await registry.cleanup();
    },
  };
}

/** Listens on a free loopback port; returns the base URL. */
export async function listenOnFreePort(t: TestApi): Promise<string> {
  await t.app.listen({ port: 0, host: '127.0.0.1' });
  const address = t.app.server.address();
  if (!address || typeof address === 'string') throw new Error('no address');
  return `http://127.0.0.1:${address.port}`;
}
