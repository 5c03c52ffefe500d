/**
 * `npm run bench:cluster`: the scale-out layout on this machine, each part its own process as
 * on separate machines: BENCH_CLUSTER_FRONTS broker fronts (Aedes, sharing nothing but the log
 * and the store), BENCH_CLUSTER_WORKERS ingest workers, one nats-server (JetStream, file
 * storage), a scratch PostgreSQL database (the registry and alerts, dropped afterwards), one
 * influxd, and the simulated fleet split evenly over the fronts (one simulator per front).
 * Drives the fleet for a window, stops it, waits for the drain, counts per channel in InfluxDB
 * and prints one JSON line.
 *
 * Workers share the log's partitions by lease (log/lease.ts). With more than one, the last
 * worker is killed with SIGKILL halfway through the window: `reown_s` is the time from the kill
 * until the survivors' `liftwatch_ingest_log_partitions_owned` add up to every partition again,
 * and `lost` must stay 0 (its unacknowledged messages are delivered again to the new owners).
 * Memory per elevator: the workers run with --expose-gc and are scraped with `/metrics?gc=1`
 * (a full GC first) before the devices connect and after the drain; the survivors' heap growth
 * over the fleet is `ingest_heap_growth_per_elevator_bytes` (goal ≤ 2 KB).
 *
 * Settings (env): BENCH_CLUSTER_DEVICES (2000), BENCH_CLUSTER_RATE msgs/s asked (4000),
 * BENCH_CLUSTER_SECONDS (20), BENCH_CLUSTER_FRONTS (2), BENCH_CLUSTER_WORKERS (3),
 * BENCH_CLUSTER_LEASE_S (10: LOG_LEASE_S and LOG_ACK_WAIT_S of the workers),
 * BENCH_MAX_IN_FLIGHT (2000 per simulator), BENCH_KEEP (keep the directory and its logs).
 */
import { mkdirSync, mkdtempSync, rmSync, writeFileSync } from 'node:fs';
import { loadavg, tmpdir } from 'node:os';
import { join } from 'node:path';
import { freePort, startInfluxd } from '../lib/influxd.ts';
import { startNatsServer } from '../lib/natsd.ts';
import { INFLUX_DEFAULT_DATABASE } from '../protocol/influx.ts';
import { generateFleet } from '../simulators/demo-fleet.ts';
import { openStore } from '../store/store.ts';
import {
  countStored,
  ingestMemoryPerElevator,
  intervalQuantileOver,
  type SimStats,
  sumOver,
} from './measures.ts';
import {
  lastJsonLine,
  machineCpuSeconds,
  type Part,
  portAccepts,
  scrape,
  startPart,
  treeCpuSeconds,
  waitUntil,
} from './processes.ts';
import { createScratchDatabase } from './scratch-postgres.ts';

const DEVICES = Number(process.env.BENCH_CLUSTER_DEVICES ?? 2000);
const RATE = Number(process.env.BENCH_CLUSTER_RATE ?? 4000);
const WINDOW_S = Number(process.env.BENCH_CLUSTER_SECONDS ?? 20);
const FRONTS = Number(process.env.BENCH_CLUSTER_FRONTS ?? 2);
const WORKERS = Number(process.env.BENCH_CLUSTER_WORKERS ?? 3);
const LEASE_S = Number(process.env.BENCH_CLUSTER_LEASE_S ?? 10);
const PARTITIONS = 64;
const MAX_IN_FLIGHT = Number(process.env.BENCH_MAX_IN_FLIGHT ?? 2000);
const DATABASE = INFLUX_DEFAULT_DATABASE;

const say = (text: string) => process.stderr.write(`bench:cluster: ${text}\n`);
const parts: Part[] = [];
const cleanups: (() => Promise<void>)[] = [];
async function stopAll(): Promise<void> {
  for (const part of parts.splice(0).reverse()) await part.stop();
  for (const cleanup of cleanups.splice(0).reverse()) await cleanup().catch(() => undefined);
}

async function main(): Promise<void> {
  const loadAtStart = loadavg()[0]!;
  const dir = mkdtempSync(join(tmpdir(), 'liftwatch-cluster-'));
  const logDir = join(dir, 'logs');
  mkdirSync(logDir);
  cleanups.push(async () => {
    if (!process.env.BENCH_KEEP) rmSync(dir, { recursive: true, force: true });
    else say(`kept ${dir}`);
  });
  const influx = await startInfluxd({ dir: join(dir, 'influxdb') });
  cleanups.push(() => influx.stop());
  const nats = await startNatsServer({ dir: join(dir, 'nats'), logFile: join(logDir, 'nats.log') });
  cleanups.push(() => nats.stop());
  const scratch = await createScratchDatabase('liftwatch_cluster');
  cleanups.push(() => scratch.drop());
  say(
    `influxd ${influx.url}, nats ${nats.url}, PostgreSQL scratch database; provisioning ${DEVICES} elevators`,
  );

  const fleet = generateFleet({ elevators: DEVICES });
  const store = await openStore({ DATABASE_FILE: join(dir, 'unused.sqlite'), DATABASE_URL: scratch.url });
  await store.fleet.load(fleet);
  const credential = await store.credentials.issueInternal('ingest');
  await store.close();
  const common = {
    DATABASE_FILE: join(dir, 'unused.sqlite'),
    DATABASE_URL: scratch.url,
    DATA_DIR: dir,
    LOG_ENABLED: 'true',
    NATS_URL: nats.url,
  };

  const frontPorts: number[] = [];
  const fronts: Part[] = [];
  for (let f = 0; f < FRONTS; f++) {
    const port = await freePort();
    const front = startPart(
      `front-${f}`,
      'broker/main.ts',
      [],
      { ...common, MQTT_PORT: String(port) },
      logDir,
    );
    parts.push(front);
    fronts.push(front);
    frontPorts.push(port);
  }
  for (const port of frontPorts) await waitUntil(`the front on ${port}`, () => portAccepts(port), 60_000);

  const workerMetrics: string[] = [];
  const workers: Part[] = [];
  for (let w = 0; w < WORKERS; w++) {
    const metricsPort = await freePort();
    const worker = startPart(
      `ingest-${w}`,
      'ingest/main.ts',
      [],
      {
        ...common,
        // Its own spill directory; a dead worker's unacknowledged messages come back to the
        // new owners one lease later (LOG_ACK_WAIT_S ≤ LOG_LEASE_S, log/README.md).
        DATA_DIR: join(dir, `ingest-${w}`),
        LOG_PARTITIONS: String(PARTITIONS),
        LOG_LEASE_S: String(LEASE_S),
        LOG_ACK_WAIT_S: String(LEASE_S),
        // Alerts and visits go out over MQTT through a front, as a device's messages come in.
        MQTT_PORT: String(frontPorts[w % FRONTS]),
        INFLUX_URL: influx.url,
        INFLUX_DATABASE: DATABASE,
        INGEST_MQTT_USERNAME: credential.username,
        INGEST_MQTT_PASSWORD: credential.password,
        INGEST_CLIENT_ID: `lift-watch-ingest-${w}`,
        INGEST_METRICS_PORT: String(metricsPort),
      },
      logDir,
      ['--expose-gc'],
    );
    parts.push(worker);
    workers.push(worker);
    workerMetrics.push(`http://127.0.0.1:${metricsPort}/metrics`);
  }
  /** The workers still alive (a killed one is left out), in start order. */
  const alive = new Set(workers.map((_, w) => w));
  const scrapeWorkers = (query = '') =>
    Promise.all([...alive].map((w) => scrape(`${workerMetrics[w]}${query}`)));
  const owned = async () =>
    sumOver(
      await Promise.all(
        [...alive].map((w) => scrape(workerMetrics[w]!).catch(() => new Map<string, number>())),
      ),
      'liftwatch_ingest_log_partitions_owned',
    );
  await waitUntil(
    'the ingest workers',
    async () =>
      (
        await Promise.all(workerMetrics.map((url) => scrape(url).catch(() => new Map<string, number>())))
      ).every((m) => m.get('liftwatch_ingest_mqtt_connected') === 1),
    120_000,
  );
  await waitUntil('every partition owned', async () => (await owned()) === PARTITIONS, 120_000, 500);
  const metricsBeforeDevices = await scrapeWorkers('?gc=1');

  // The fleet split over the fronts: elevator i connects to front i mod FRONTS.
  const sims: Part[] = [];
  for (let f = 0; f < FRONTS; f++) {
    const share = { ...fleet, elevators: fleet.elevators.filter((_, i) => i % FRONTS === f) };
    const file = join(dir, `fleet-${f}.json`);
    writeFileSync(file, JSON.stringify(share));
    const sim = startPart(
      `simulator-${f}`,
      'simulators/main.ts',
      [
        ...['--fleet', file, '--mqtt', `mqtt://127.0.0.1:${frontPorts[f]}`],
        ...['--rate', String(Math.round(RATE / FRONTS)), '--max-in-flight', String(MAX_IN_FLIGHT)],
        ...['--close-grace', '10'],
      ],
      {},
      logDir,
    );
    parts.push(sim);
    sims.push(sim);
  }
  say(
    `${FRONTS} fronts on ports ${frontPorts.join(', ')}; connecting ${DEVICES} devices, asking ${RATE} msgs/s`,
  );
  const connected = () => sims.reduce((sum, sim) => sum + (lastJsonLine<SimStats>(sim)?.connected ?? 0), 0);
  await waitUntil('all devices connected', () => connected() >= DEVICES, 300_000, 500);

  /** CPU seconds of a worker at its death (its process tree is gone afterwards). */
  const cpuAtDeath = new Map<Part, number>();
  const cpuOf = (): Record<string, number> => {
    const sumTree = (group: Part[]) =>
      group.reduce((s, p) => s + (cpuAtDeath.get(p) ?? treeCpuSeconds(p.child.pid!)), 0);
    return {
      simulator: sumTree(sims),
      broker: sumTree(fronts),
      nats: treeCpuSeconds(nats.process.pid!),
      ingest: sumTree(workers),
      influxd: treeCpuSeconds(influx.process.pid!),
    };
  };
  say(`measuring for ${WINDOW_S} s`);
  const cpuStart = cpuOf();
  const machineStart = machineCpuSeconds();
  const atStart = await scrapeWorkers();
  const started = Date.now();
  // Halfway: SIGKILL the last worker, then time until the survivors own every partition again.
  let reownS: number | null = null;
  let killedWrites = 0;
  let reowned: Promise<void> = Promise.resolve();
  if (WORKERS > 1) {
    await new Promise((r) => setTimeout(r, (WINDOW_S * 1000) / 2));
    const w = WORKERS - 1;
    const victim = workers[w]!;
    killedWrites = sumOver([await scrape(workerMetrics[w]!)], 'liftwatch_ingest_written_total');
    cpuAtDeath.set(victim, treeCpuSeconds(victim.child.pid!));
    const killedAt = Date.now();
    victim.child.kill('SIGKILL');
    await victim.exited;
    alive.delete(w);
    say(`killed ingest-${w} (SIGKILL) at ${Math.round((killedAt - started) / 1000)} s`);
    reowned = waitUntil(
      "the killed worker's partitions owned again",
      async () => (await owned()) === PARTITIONS,
      120_000,
      250,
    ).then(() => {
      reownS = Number(((Date.now() - killedAt) / 1000).toFixed(1));
      say(`every partition owned again ${reownS} s after the kill`);
    });
  }
  await new Promise((r) => setTimeout(r, Math.max(0, WINDOW_S * 1000 - (Date.now() - started))));
  await reowned;
  const atEnd = await scrapeWorkers();
  const windowSeconds = (Date.now() - started) / 1000;
  const cpuEnd = cpuOf();
  const machineEnd = machineCpuSeconds();
  // The killed worker's writes up to its death count; its start figure is in atStart.
  const windowMessages = Math.max(
    sumOver(atEnd, 'liftwatch_ingest_written_total') +
      killedWrites -
      sumOver(atStart, 'liftwatch_ingest_written_total'),
    1,
  );
  const cpuUsPerMsg: Record<string, number> = {};
  for (const [part, seconds] of Object.entries(cpuEnd))
    cpuUsPerMsg[part] = Math.round(((seconds - cpuStart[part]!) * 1e6) / windowMessages);

  await Promise.all(sims.map((sim) => sim.stop()));
  const sent = sims.reduce((sum, sim) => sum + (lastJsonLine<SimStats>(sim)?.acked ?? 0), 0);
  say(`devices stopped: ${sent} acknowledged; draining`);
  let stored = 0;
  let stable = 0;
  await waitUntil(
    'the workers to drain',
    async () => {
      const now = await countStored(influx.url, DATABASE);
      stable = now === stored ? stable + 1 : 0;
      stored = now;
      return stored >= sent || stable >= 30;
    },
    300_000,
    1000,
  );
  const final = await scrapeWorkers('?gc=1');
  const survivorsBefore = metricsBeforeDevices.filter((_, w) => alive.has(w));
  const result = {
    sent,
    stored,
    // Stored counts every point written, so a message stored twice (resent after a lost PUBACK)
    // hides a loss only when dedup failed; `deduplicated` says how many the workers dropped.
    lost: Math.max(sent - stored, 0),
    msgs_per_s: Math.round(windowMessages / windowSeconds),
    p99_ingest_ms: intervalQuantileOver(atStart, atEnd, 'liftwatch_ingest_write_latency_ms', 0.99),
    p50_ingest_ms: intervalQuantileOver(atStart, atEnd, 'liftwatch_ingest_write_latency_ms', 0.5),
    reown_s: reownS,
    cpu_us_per_msg: cpuUsPerMsg,
    // Both scrapes came after a full GC (`?gc=1`): the heap growth is the surviving workers'
    // live heap grown between "no device yet" and the end, over the whole fleet they now hold.
    ...ingestMemoryPerElevator(survivorsBefore, final, DEVICES),
    deduplicated: sumOver(final, 'liftwatch_ingest_deduplicated_total'),
    fronts: FRONTS,
    workers: WORKERS,
    devices: DEVICES,
    asked_rate: RATE,
    window_s: Math.round(windowSeconds),
    machine_cores_busy: Number(((machineEnd.busy - machineStart.busy) / windowSeconds).toFixed(2)),
    machine_load_1m: { start: loadAtStart, end: loadavg()[0]! },
  };
  console.log(JSON.stringify(result));
}

for (const signal of ['SIGINT', 'SIGTERM'] as const) {
  process.once(signal, () => {
    say(`${signal}: stopping the parts`);
    void stopAll().finally(() => process.exit(130));
  });
}

try {
  await main();
} catch (error) {
  console.error(error);
  process.exitCode = 1;
} finally {
  await stopAll();
}
