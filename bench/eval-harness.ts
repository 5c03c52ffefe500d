/**
 * The eval harness: replays scenario files through the real parts and scores what the
 * detector raised. One influxd for the run; per scenario a fresh SQLite registry loaded
 * with the demo fleet, an Aedes broker on a free port, the ingest with its detection stage,
 * and the simulator's devices (mqtt.js, the fleet's own passwords) publishing the scenario
 * at max speed. Alerts and verdicts are collected as a service (`monitor`) subscriber sees
 * them on `alerts/+` and `visits/+`, and checked against the SQLite rows.
 *
 * Device time, not wall time: the replay runs in lockstep chunks (REPLAY_CHUNK_MS, 300 s of device
 * time). After each chunk every message is acknowledged and has passed the ingest; the
 * detector then sees the chunk's messages in device-time order with a tick every 1 s of
 * device time between them (DetectorFeed). So wall-clock logic behaves as it
 * would live: a silent device goes `device_offline` after 120 s of device time, "held
 * longer than T" rules fire between sparse samples, and escalations age on device time.
 * Each message's receive time is its device timestamp (a zero-latency link).
 */
import { mkdirSync, mkdtempSync, readdirSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { connectAsync } from 'mqtt';
import { createBroker } from '../broker/broker.ts';
import { loadedDirectory } from '../fleet/service.ts';
import { createDetection, type Detection } from '../ingest/detection.ts';
import { createIngest } from '../ingest/ingest.ts';
import { startInfluxd } from '../lib/influxd.ts';
import { silentLogger } from '../lib/logger.ts';
import {
  type AlertMessage,
  type DeviceMessage,
  decodeServiceMessage,
  type FleetFile,
  topics,
  type VisitMessage,
} from '../protocol/index.ts';
import { generateFleet } from '../simulators/demo-fleet.ts';
import { runScenario } from '../simulators/fleet.ts';
import { loadScenario, type Scenario, startMs } from '../simulators/scenario.ts';
import { SCENARIO_DIR } from '../simulators/scenarios/generate.ts';
import { openStore, type Store } from '../store/store.ts';
import {
  type JudgedVisit,
  type RaisedAlert,
  type ScenarioScore,
  type SuiteSummary,
  scoreScenario,
  summarise,
} from './eval-score.ts';

export interface EvalOptions {
  suite?: 'short' | 'full';
  /** One scenario by name (any suite); overrides `suite`. */
  scenario?: string;
  /** Device time per lockstep chunk, ms (default REPLAY_CHUNK_MS, which the ground truth was generated with). */
  chunkMs?: number;
  /** Device time between detector ticks, ms (live: the 1 s tick timer). */
  tickMs?: number;
  /** Progress lines (stderr in the CLI). */
  progress?: (line: string) => void;
}

export interface ScenarioRunInfo {
  scenario: string;
  wallMs: number;
  messages: number;
  alerts: number;
  /** Alert rows in SQLite that no `opened` message on `alerts/+` matched (should be 0). */
  unpublished: number;
}

export interface EvalResult {
  summary: SuiteSummary;
  scores: ScenarioScore[];
  runs: ScenarioRunInfo[];
}

const INFLUX_DATABASE = 'liftwatch_eval';
const CATCH_UP_TIMEOUT_MS = 30_000;
const ESCALATION_CHECK_MS = 10_000;
const DEFAULT_TICK_MS = 1000;

export function selectScenarios(options: Pick<EvalOptions, 'suite' | 'scenario'>): Scenario[] {
  const all = readdirSync(SCENARIO_DIR)
    .filter((f) => f.endsWith('.json'))
    .sort()
    .map((f) => loadScenario(join(SCENARIO_DIR, f)));
  if (options.scenario) {
    const one = all.filter((s) => s.name === options.scenario);
    if (one.length === 0) throw new Error(`no scenario named ${options.scenario}`);
    return one;
  }
  const suite = options.suite ?? 'full';
  // The full suite includes the short one: `short` scenarios are part of every run.
  return all.filter((s) => suite === 'full' || s.suite === 'short');
}

export async function runEval(options: EvalOptions = {}): Promise<EvalResult> {
  const scenarios = selectScenarios(options);
  const dir = mkdtempSync(join(tmpdir(), 'liftwatch-eval-'));
  const influx = await startInfluxd({ dir: join(dir, 'influxdb') });
  try {
    const fleet = generateFleet();
    const scores: ScenarioScore[] = [];
    const runs: ScenarioRunInfo[] = [];
    for (const scenario of scenarios) {
      const work = join(dir, scenario.name);
      mkdirSync(work);
      const { alerts, visits, info } = await replayScenario(scenario, fleet, influx.url, work, options);
      const score = scoreScenario(scenario, alerts, visits);
      scores.push(score);
      runs.push(info);
      options.progress?.(
        `${scenario.name}: ${info.messages} messages in ${(info.wallMs / 1000).toFixed(1)} s, ${info.alerts} alerts, ${score.mismatches.length} mismatches`,
      );
    }
    return { summary: summarise(scores), scores, runs };
  } finally {
    await influx.stop();
    rmSync(dir, { recursive: true, force: true });
  }
}

interface Replay {
  alerts: RaisedAlert[];
  visits: JudgedVisit[];
  info: ScenarioRunInfo;
}

async function replayScenario(
  scenario: Scenario,
  fleet: FleetFile,
  influxUrl: string,
  work: string,
  options: EvalOptions,
): Promise<Replay> {
  const began = performance.now();
  const store = await openStore(join(work, 'registry.sqlite'));
  const stops: (() => Promise<unknown>)[] = [() => store.close()];
  try {
    await store.fleet.load(fleet);
    const ingestCredential = await store.credentials.issueInternal('ingest');
    const monitorCredential = await store.credentials.issueInternal('monitor');
    const broker = createBroker(
      { port: 0, host: '127.0.0.1', maxPacketBytes: 256 * 1024, connectTimeoutMs: 10_000 },
      { log: silentLogger, authenticate: (u, p) => store.credentials.authenticateMachine(u, p) },
    );
    const mqttUrl = `mqtt://127.0.0.1:${(await broker.start()).port}`;
    stops.push(() => broker.stop());

    const directory = await loadedDirectory(store.fleet);
    const elevators = [...directory.elevators()];
    const tickMs = options.tickMs ?? DEFAULT_TICK_MS;
    const feed = new DetectorFeed(startMs(scenario), tickMs);
    const ingest = createIngest(
      {
        mqtt: { url: mqttUrl, clientId: 'eval-ingest', ...ingestCredential, connectTimeoutMs: 10_000 },
        influx: { url: influxUrl, database: INFLUX_DATABASE, rawRetention: 'INF' },
        batchSize: 5000,
        batchMaxAgeMs: 250,
        spillDir: join(work, 'spill'),
      },
      { log: silentLogger, store: store, elevators, detect: (message) => feed.receive(message) },
    );
    const detection = await createDetection(
      { tickMs: 0, escalationCheckMs: 0 },
      {
        store: store,
        log: silentLogger,
        directory,
        publish: (topic, payload) => ingest.publish(topic, payload),
        clock: () => feed.now,
      },
    );
    await ingest.start();
    await detection.start();
    stops.push(async () => {
      await detection.stop();
      await ingest.stop();
    });
    const watcher = await watchAlerts(mqttUrl, monitorCredential);
    stops.push(() => watcher.close());

    let lastEscalationCheck = feed.now;
    const stats = await runScenario({
      scenario,
      fleet,
      mqttUrl,
      ...(options.chunkMs ? { chunkMs: options.chunkMs } : {}),
      afterChunk: async (deviceMs, sim) => {
        await feed.caughtUp(sim.sent, () => ingest.metrics().invalid, scenario.name);
        feed.replayUntil(deviceMs, detection);
        if (deviceMs - lastEscalationCheck >= ESCALATION_CHECK_MS) {
          lastEscalationCheck = deviceMs;
          await detection.lifecycle.checkEscalations();
        }
        await detection.settled();
      },
    });
    await detection.settled();

    const rows = await store.alerts.list({ estateIds: null, limit: 1_000_000, offset: 0 });
    await until(() => rows.every((r) => watcher.opened.has(r.id)), 5000);
    const alerts = rows.map((r) => ({ elevator: r.elevator_id, code: r.code, openedAt: r.opened_at }));
    const visits = await judgedVisits(store, watcher.visits);
    return {
      alerts,
      visits,
      info: {
        scenario: scenario.name,
        wallMs: Math.round(performance.now() - began),
        messages: stats.sent,
        alerts: alerts.length,
        unpublished: rows.filter((r) => !watcher.opened.has(r.id)).length,
      },
    };
  } finally {
    for (const stop of stops.reverse()) await stop();
  }
}

/**
 * What the detector sees, in device-time order: the ingest's detect hook hands each
 * accepted message here; at the end of a chunk they are replayed to the detection stage,
 * each received at its own device time, interleaved with a tick every `tickMs` of device
 * time, exactly as a live detector on a zero-latency link with a 1 s tick timer would see
 * them. (Across devices, MQTT delivery within a chunk is not in device-time order.)
 */
class DetectorFeed {
  received = 0;
  private inbox: { at: number; message: DeviceMessage }[] = [];
  private readonly lastTs = new Map<string, number>();
  private tickAt: number;

  constructor(
    private deviceNow: number,
    private readonly tickMs: number,
  ) {
    this.tickAt = deviceNow;
  }

  get now(): number {
    return this.deviceNow;
  }

  private waiter: { target: number; resolve: () => void } | null = null;

  /** Resolves once `sent` device messages have passed the ingest: accepted (here) or rejected. */
  async caughtUp(sent: number, rejected: () => number, what: string): Promise<void> {
    const deadline = Date.now() + CATCH_UP_TIMEOUT_MS;
    // Rejections are rare and costly to read (the ingest's metrics): only on the slow path.
    let missing = 0;
    while (this.received + missing < sent) {
      if (Date.now() > deadline)
        throw new Error(`${what}: the ingest saw ${this.received} of ${sent} messages`);
      // Woken by the message that completes the chunk; a rejected one is caught by the poll.
      const woken = await new Promise<boolean>((resolve) => {
        const timer = setTimeout(() => resolve(false), 50);
        this.waiter = {
          target: sent - missing,
          resolve: () => {
            clearTimeout(timer);
            resolve(true);
          },
        };
      });
      this.waiter = null;
      if (!woken) missing = rejected();
    }
  }

  receive(message: DeviceMessage): void {
    // A status (Will, online) carries the time of its connect: place it after the device's last message.
    let at: number;
    if (message.channel === 'status') at = this.lastTs.get(message.elevatorId) ?? this.tickAt;
    else {
      this.received += 1;
      at = message.payload.ts;
      this.lastTs.set(message.elevatorId, at);
    }
    this.inbox.push({ at, message });
    if (this.waiter && this.received >= this.waiter.target) this.waiter.resolve();
  }

  replayUntil(deviceMs: number, detection: Detection): void {
    const inbox = this.inbox.sort((a, b) => a.at - b.at); // stable: per-device order kept on ties
    this.inbox = [];
    let i = 0;
    for (let t = this.tickAt + this.tickMs; t <= deviceMs; t += this.tickMs) {
      for (; i < inbox.length && inbox[i]!.at <= t; i++) this.deliver(inbox[i]!, detection);
      this.deviceNow = t;
      detection.tick(t);
      this.tickAt = t;
    }
    for (; i < inbox.length; i++) this.deliver(inbox[i]!, detection);
    this.deviceNow = Math.max(this.deviceNow, deviceMs);
  }

  private deliver(entry: { at: number; message: DeviceMessage }, detection: Detection): void {
    this.deviceNow = Math.max(this.deviceNow, entry.at);
    detection.onMessage({ ...entry.message, receivedAt: entry.at });
  }
}

/** The verdicts as stored, each checked to have been published on `visits/+`. */
async function judgedVisits(store: Store, published: Map<string, VisitMessage>): Promise<JudgedVisit[]> {
  const rows = await store.visits.list({ estateIds: null, limit: 1_000_000, offset: 0 });
  return rows.map((r) => ({
    id: r.id,
    elevator: r.elevator_id,
    verdict: (published.get(r.id)?.verdict ?? r.verdict) as JudgedVisit['verdict'],
  }));
}

interface AlertWatcher {
  /** Alert ids seen with transition `opened`. */
  opened: Map<string, AlertMessage>;
  /** Latest message per visit id. */
  visits: Map<string, VisitMessage>;
  close(): Promise<void>;
}

async function watchAlerts(
  url: string,
  credential: { username: string; password: string },
): Promise<AlertWatcher> {
  const client = await connectAsync(url, {
    ...credential,
    clientId: 'eval-monitor',
    clean: true,
    reconnectPeriod: 0,
  });
  const opened = new Map<string, AlertMessage>();
  const visits = new Map<string, VisitMessage>();
  client.on('message', (topic, payload) => {
    // Through the protocol's validators, as the API reads them: a message out of contract fails the run.
    const decoded = decodeServiceMessage(topic, payload);
    if (!decoded.ok) throw new Error(`${decoded.code} on ${topic}: ${decoded.reason}`);
    if (decoded.kind === 'alert') {
      if (decoded.message.transition === 'opened') opened.set(decoded.message.id, decoded.message);
    } else visits.set(decoded.message.id, decoded.message);
  });
  await client.subscribeAsync([topics.allAlerts, topics.allVisits], { qos: 1 });
  return { opened, visits, close: () => client.endAsync() };
}

/** Polls every 10 ms until `condition` holds or `timeoutMs` passes. */
async function until(condition: () => boolean, timeoutMs: number): Promise<void> {
  const deadline = Date.now() + timeoutMs;
  while (!condition() && Date.now() < deadline) await new Promise((resolve) => setTimeout(resolve, 10));
}
