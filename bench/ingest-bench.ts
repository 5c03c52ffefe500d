/**
 * `npm run bench`: the spine's throughput on this machine. Starts a real influxd and
 * measures its raw write capacity first; then runs the broker, the ingest (with detection)
 * and the simulator fleet as separate processes, as a deployment would; drives the fleet at
 * a target rate for a fixed window; counts what reached InfluxDB; prints one JSON line.
 *
 * Settings (env): BENCH_ELEVATORS (10000), BENCH_RATE msgs/s (24000), BENCH_MAX_IN_FLIGHT (2000
 * unacknowledged messages at most across the fleet), BENCH_SECONDS (60),
 * BENCH_RAW_SECONDS (15), BENCH_DETECTION (true), BENCH_LOG (false: true runs the durable path, a
 * nats-server of its own and LOG_ENABLED for the broker and the ingest, docs/scale-out.md), BENCH_PROFILE (broker, ingest, simulator, comma-separated: a V8
 * CPU profile of each part named, in the kept directory's profile/), BENCH_KEEP (keep the directory),
 * BENCH_YARDSTICK (false: true then runs the bare relay through Mosquitto over BENCH_ELEVATORS
 * connections for BENCH_YARDSTICK_SECONDS, default min(BENCH_SECONDS, 20), and prints both in the
 * last line; `npm run bench:durable` sets it with BENCH_LOG).
 */
import { mkdirSync, mkdtempSync, rmSync, writeFileSync } from 'node:fs';
import { loadavg, tmpdir } from 'node:os';
import { join } from 'node:path';
import { freePort, startInfluxd } from '../lib/influxd.ts';
import { startNatsServer } from '../lib/natsd.ts';
import { INFLUX_DEFAULT_DATABASE } from '../protocol/influx.ts';
import { generateFleet } from '../simulators/demo-fleet.ts';
import { openStore } from '../store/store.ts';
import { measureInfluxRawWrites } from './influx-raw.ts';
import { countStored, ingestMemoryPerElevator, type SimStats } from './measures.ts';
import {
  intervalQuantile,
  lastJsonLine,
  machineCpuSeconds,
  type Part,
  portAccepts,
  scrape,
  startPart,
  treeCpuSeconds,
  waitUntil,
} from './processes.ts';

const ELEVATORS = Number(process.env.BENCH_ELEVATORS ?? 10_000);
const RATE = Number(process.env.BENCH_RATE ?? 24_000);
// The generator's backlog bound: "full speed" is as fast as the broker acknowledges, not faster.
const MAX_IN_FLIGHT = Number(process.env.BENCH_MAX_IN_FLIGHT ?? 2000);
const WINDOW_S = Number(process.env.BENCH_SECONDS ?? 60);
const RAW_S = Number(process.env.BENCH_RAW_SECONDS ?? 15);
const DETECTION = process.env.BENCH_DETECTION ?? 'true';
const LOG = process.env.BENCH_LOG === 'true';
// BENCH_YARDSTICK=true: after the product, the bare relay through Mosquitto over as many
// connections (bench/bare-relay.ts), alone on the machine, so one command prints both.
const YARDSTICK = process.env.BENCH_YARDSTICK === 'true';
const YARDSTICK_S = Number(process.env.BENCH_YARDSTICK_SECONDS ?? Math.min(WINDOW_S, 20));
const DATABASE = INFLUX_DEFAULT_DATABASE;

const parts: Part[] = [];
const cleanups: (() => Promise<void>)[] = [];
async function stopAll(): Promise<void> {
  for (const part of parts.splice(0).reverse()) await part.stop();
  for (const cleanup of cleanups.splice(0).reverse()) await cleanup();
}

const say = (text: string) => process.stderr.write(`bench: ${text}\n`);

async function main(): Promise<void> {
  const loadAtStart = loadavg()[0]!;
  const dir = mkdtempSync(join(tmpdir(), 'liftwatch-bench-'));
  const logDir = join(dir, 'logs');
  mkdirSync(logDir);
  const influx = await startInfluxd({ dir: join(dir, 'influxdb') });
  cleanups.push(() => influx.stop());
  try {
    // BENCH_RAW_SECONDS=0 skips the raw measurement (profiling runs): no ratio then.
    const skipped = { pointsPerSecond: Number.NaN };
    say(`influxd on ${influx.url}; measuring raw write capacity, ${RAW_S} s per point shape`);
    const raw =
      RAW_S > 0 ? await measureInfluxRawWrites(influx.url, { seconds: RAW_S, shape: 'compact' }) : skipped;
    const rawFull =
      RAW_S > 0 ? await measureInfluxRawWrites(influx.url, { seconds: RAW_S, shape: 'full' }) : skipped;
    say(`influxd raw: ${raw.pointsPerSecond} compact points/s, ${rawFull.pointsPerSecond} full points/s`);
    for (const database of ['bench_raw_compact', 'bench_raw_full']) {
      await fetch(`${influx.url}/query?q=${encodeURIComponent(`DROP DATABASE ${database}`)}`, {
        method: 'POST',
      });
    }

    say(`provisioning ${ELEVATORS} elevators`);
    const fleet = generateFleet({ elevators: ELEVATORS });
    const fleetFile = join(dir, 'fleet.json');
    writeFileSync(fleetFile, JSON.stringify(fleet));
    const databaseFile = join(dir, 'registry.sqlite');
    const store = await openStore(databaseFile);
    await store.fleet.load(fleet);
    const credential = await store.credentials.issueInternal('ingest');
    await store.close();

    const mqttPort = await freePort();
    const metricsPort = await freePort();
    const brokerMetricsPort = await freePort();
    // BENCH_LOG=true: PUBACK after JetStream stored the message, the ingest reading the log.
    const nats = LOG
      ? await startNatsServer({ dir: join(dir, 'nats'), logFile: join(logDir, 'nats.log') })
      : null;
    if (nats) cleanups.push(() => nats.stop());
    const common = {
      DATABASE_FILE: databaseFile,
      DATA_DIR: dir,
      MQTT_PORT: String(mqttPort),
      // Without BENCH_LOG the MQTT path, as before the log (whose default is on).
      ...(nats ? { LOG_ENABLED: 'true', NATS_URL: nats.url } : { LOG_ENABLED: 'false' }),
    };
    // BENCH_PROFILE=broker,ingest,simulator writes a V8 CPU profile of each part named, next to the logs.
    const profile = (part: string): Record<string, string> =>
      (process.env.BENCH_PROFILE ?? '').split(',').includes(part)
        ? { CPU_PROFILE_DIR: join(dir, 'profile') }
        : {};
    const broker = startPart(
      'broker',
      'broker/main.ts',
      [],
      { ...common, BROKER_METRICS_PORT: String(brokerMetricsPort), ...profile('broker') },
      logDir,
    );
    const brokerMetricsUrl = `http://127.0.0.1:${brokerMetricsPort}/metrics`;
    const heldByBroker = async () =>
      (await scrape(brokerMetricsUrl)).get('liftwatch_broker_inflow_held_total') ?? 0;
    parts.push(broker);
    await waitUntil('the broker', () => portAccepts(mqttPort), 30_000);
    const ingest = startPart(
      'ingest',
      'ingest/main.ts',
      [],
      {
        ...common,
        INFLUX_URL: influx.url,
        INFLUX_DATABASE: DATABASE,
        INGEST_MQTT_USERNAME: credential.username,
        INGEST_MQTT_PASSWORD: credential.password,
        INGEST_METRICS_PORT: String(metricsPort),
        DETECTION: DETECTION,
        ...profile('ingest'),
      },
      logDir,
    );
    parts.push(ingest);
    const metricsUrl = `http://127.0.0.1:${metricsPort}/metrics`;
    await waitUntil(
      'the ingest',
      async () =>
        (await scrape(metricsUrl).catch(() => new Map())).get('liftwatch_ingest_mqtt_connected') === 1,
      60_000,
    );

    const metricsBeforeDevices = await scrape(metricsUrl);
    say(`connecting ${ELEVATORS} simulated devices, target ${RATE} msgs/s`);
    const sim = startPart(
      'simulator',
      'simulators/main.ts',
      [
        ...['--fleet', fleetFile, '--mqtt', `mqtt://127.0.0.1:${mqttPort}`, '--rate', String(RATE)],
        ...['--max-in-flight', String(MAX_IN_FLIGHT)],
        // Its last line must come before the bench's SIGKILL (15 s): acknowledged is final then.
        ...['--close-grace', '10'],
      ],
      profile('simulator'),
      logDir,
    );
    parts.push(sim);
    await waitUntil(
      'all devices connected',
      () => (lastJsonLine<SimStats>(sim)?.connected ?? 0) >= ELEVATORS,
      300_000,
      500,
    );

    say(`measuring for ${WINDOW_S} s`);
    const written = async () => (await scrape(metricsUrl)).get('liftwatch_ingest_written_total') ?? 0;
    // CPU seconds per part over the window: where the two cores go, per message.
    const cpuOf = (): Record<string, number> => ({
      simulator: treeCpuSeconds(sim.child.pid!),
      broker: treeCpuSeconds(broker.child.pid!),
      ingest: treeCpuSeconds(ingest.child.pid!),
      influxd: treeCpuSeconds(influx.process.pid!),
      ...(nats ? { nats: treeCpuSeconds(nats.process.pid!) } : {}),
    });
    const cpuStart = cpuOf();
    const machineStart = machineCpuSeconds();
    const windowStart = Date.now();
    const metricsAtStart = await scrape(metricsUrl);
    const heldAtStart = await heldByBroker();
    const simLinesAtStart = sim.stdoutLines.length;
    const startWritten = metricsAtStart.get('liftwatch_ingest_written_total') ?? 0;
    const slices: number[] = [];
    let previous = startWritten;
    for (let t = 10; t <= WINDOW_S; t += 10) {
      await new Promise((r) => setTimeout(r, windowStart + t * 1000 - Date.now()));
      const now = await written();
      slices.push(Math.round((now - previous) / 10));
      previous = now;
    }
    const windowSeconds = (Date.now() - windowStart) / 1000;
    const msgsPerS = Math.round((previous - startWritten) / windowSeconds);
    // Latency over the sustained window, from the ingest's histogram (upper bucket bounds).
    const metricsAtEnd = await scrape(metricsUrl);
    const heldInWindow = (await heldByBroker()) - heldAtStart;
    // The simulator's own event-loop delay over the window (its 5 s reports): how late it ran.
    const simLoopDelayP99 = Math.max(
      0,
      ...sim.stdoutLines
        .slice(simLinesAtStart)
        .filter((line) => line.startsWith('{'))
        .map((line) => (JSON.parse(line) as { loop_delay_p99_ms?: number }).loop_delay_p99_ms ?? 0),
    );
    const windowQuantile = (q: number) =>
      intervalQuantile(metricsAtStart, metricsAtEnd, 'liftwatch_ingest_write_latency_ms', q);
    const cpuEnd = cpuOf();
    const machineEnd = machineCpuSeconds();
    const machine = {
      busy: Number(((machineEnd.busy - machineStart.busy) / windowSeconds).toFixed(2)),
      stolen: Number(((machineEnd.steal - machineStart.steal) / windowSeconds).toFixed(2)),
    };
    const windowMessages = Math.max(previous - startWritten, 1);
    const cpuShare: Record<string, number> = {};
    const cpuUsPerMsg: Record<string, number> = {};
    for (const [part, seconds] of Object.entries(cpuEnd)) {
      const used = seconds - (cpuStart[part] ?? 0);
      cpuShare[part] = Number((used / windowSeconds).toFixed(2));
      cpuUsPerMsg[part] = Math.round((used * 1e6) / windowMessages);
    }
    say(`10 s slices (points/s): ${slices.join(', ')}`);
    say(`cores used: ${JSON.stringify(cpuShare)}; CPU µs per stored message: ${JSON.stringify(cpuUsPerMsg)}`);
    say(`machine: ${machine.busy} cores busy, ${machine.stolen} cores stolen by the hypervisor`);

    await sim.stop();
    const simStats = lastJsonLine<SimStats>(sim);
    const sent = simStats?.acked ?? 0;
    say(`simulator: ${JSON.stringify(simStats)}; draining`);
    let stored = 0;
    let stable = 0;
    let checks = 0;
    await waitUntil(
      'the ingest to drain',
      async () => {
        const now = await countStored(influx.url, DATABASE);
        stable = now === stored ? stable + 1 : 0;
        stored = now;
        if (++checks % 10 === 0) {
          const received = (await scrape(metricsUrl)).get('liftwatch_ingest_received_total') ?? 0;
          say(`draining: ${stored} stored of ${sent}; the ingest has received ${received}`);
        }
        // 30 s without progress: the broker may still be absorbing 10,000 disconnects.
        return stored >= sent || stable >= 30;
      },
      300_000,
      1000,
    );
    const metrics = await scrape(metricsUrl);
    const result = {
      sent,
      stored,
      lost: Math.max(sent - stored, 0),
      msgs_per_s: msgsPerS,
      min_10s_msgs_per_s: Math.min(...slices),
      window_s: Math.round(windowSeconds),
      influx_raw_points_per_s: RAW_S > 0 ? raw.pointsPerSecond : null,
      influx_raw_full_points_per_s: RAW_S > 0 ? rawFull.pointsPerSecond : null,
      ratio: RAW_S > 0 ? Number((msgsPerS / raw.pointsPerSecond).toFixed(3)) : null,
      p99_ingest_ms: windowQuantile(0.99),
      p50_ingest_ms: windowQuantile(0.5),
      // Of which before the ingest: device → broker → ingest.
      p99_arrival_ms: intervalQuantile(
        metricsAtStart,
        metricsAtEnd,
        'liftwatch_ingest_arrival_latency_ms',
        0.99,
      ),
      p50_arrival_ms: intervalQuantile(
        metricsAtStart,
        metricsAtEnd,
        'liftwatch_ingest_arrival_latency_ms',
        0.5,
      ),
      // Of which InfluxDB's own time: write request sent → acknowledged.
      p99_influx_request_ms: intervalQuantile(
        metricsAtStart,
        metricsAtEnd,
        'liftwatch_ingest_influx_request_ms',
        0.99,
      ),
      // The same since the ingest started: the devices' first samples and the final drain too.
      p99_ingest_ms_whole_run: metrics.get('liftwatch_ingest_latency_ms{quantile="0.99"}') ?? null,
      rss_mb: Math.round((metrics.get('liftwatch_ingest_process_rss_bytes') ?? 0) / 1048576),
      heap_used_mb: Math.round((metrics.get('liftwatch_ingest_process_heap_used_bytes') ?? 0) / 1048576),
      heap_total_mb: Math.round((metrics.get('liftwatch_ingest_process_heap_total_bytes') ?? 0) / 1048576),
      external_mb: Math.round((metrics.get('liftwatch_ingest_process_external_bytes') ?? 0) / 1048576),
      ...ingestMemoryPerElevator([metricsBeforeDevices], [metrics], ELEVATORS),
      elevators: ELEVATORS,
      target_rate: RATE,
      generator_shortfall: simStats?.shortfall ?? null,
      // Share of the window's messages the broker held before their PUBACK (the ingest was behind).
      inflow_held_share: Number((heldInWindow / windowMessages).toFixed(3)),
      simulator_loop_delay_p99_ms: Math.round(simLoopDelayP99),
      detection: DETECTION === 'true',
      durable_log: LOG,
      invalid: metrics.get('liftwatch_ingest_invalid_total') ?? 0,
      deduplicated: metrics.get('liftwatch_ingest_deduplicated_total') ?? 0,
      gaps: metrics.get('liftwatch_ingest_gaps') ?? 0,
      spilled: metrics.get('liftwatch_ingest_spilled_total') ?? 0,
      spill_points_left: metrics.get('liftwatch_ingest_spill_points') ?? 0,
      buffered_left: metrics.get('liftwatch_ingest_buffered') ?? 0,
      dropped: metrics.get('liftwatch_ingest_dropped_total') ?? 0,
      cores_used: cpuShare,
      cpu_us_per_msg: cpuUsPerMsg,
      machine_cores_busy: machine.busy,
      machine_cores_stolen: machine.stolen,
      machine_load_1m: { start: loadAtStart, end: loadavg()[0]! },
    };
    if (!YARDSTICK) return void console.log(JSON.stringify(result));
    // The parts are stopped first: the yardstick runs alone, on the same machine, right after.
    await stopAll();
    const yardstick = await runYardstick();
    console.log(JSON.stringify({ ...result, yardstick, ...durabilityCost(result, yardstick) }));
  } finally {
    await stopAll();
    if (!process.env.BENCH_KEEP) rmSync(dir, { recursive: true, force: true });
    else say(`kept ${dir}`);
  }
}

interface Yardstick {
  msgs_per_s: number;
  cpu_us_per_msg: Record<string, number>;
  [field: string]: unknown;
}

/** `RELAY_BROKER=mosquitto RELAY_PUBLISHERS=<elevators> RELAY_TICK_MS=100 npm run bench:relay`, bounded. */
async function runYardstick(): Promise<Yardstick | null> {
  say(`yardstick: the bare relay through Mosquitto, ${ELEVATORS} connections, ${YARDSTICK_S} s`);
  const logDir = mkdtempSync(join(tmpdir(), 'liftwatch-yardstick-'));
  try {
    const relay = startPart(
      'relay',
      'bench/bare-relay.ts',
      [],
      {
        RELAY_BROKER: 'mosquitto',
        RELAY_PUBLISHERS: String(ELEVATORS),
        RELAY_TICK_MS: '100',
        RELAY_SECONDS: String(YARDSTICK_S),
        RELAY_MAX_IN_FLIGHT: String(MAX_IN_FLIGHT),
      },
      logDir,
    );
    parts.push(relay);
    const code = await relay.exited;
    const figures = lastJsonLine<Yardstick>(relay);
    if (code !== 0 || !figures) say(`yardstick failed (exit ${code}); see ${logDir}/relay.log`);
    else rmSync(logDir, { recursive: true, force: true });
    return figures;
  } finally {
    await stopAll();
  }
}

/** The durable product beside the yardstick: throughput ratio and CPU per message of each. */
function durabilityCost(
  product: { msgs_per_s: number; cpu_us_per_msg: Record<string, number> },
  yardstick: Yardstick | null,
): Record<string, number | null> {
  if (!yardstick) return { product_vs_yardstick: null };
  const total = (cpu: Record<string, number>) => Object.values(cpu).reduce((a, b) => a + b, 0);
  return {
    product_vs_yardstick: Number((product.msgs_per_s / yardstick.msgs_per_s).toFixed(3)),
    product_cpu_us_per_msg_total: total(product.cpu_us_per_msg),
    yardstick_cpu_us_per_msg_total: total(yardstick.cpu_us_per_msg),
  };
}

// A `timeout` or Ctrl-C must not leave a broker, an ingest or an influxd behind.
for (const signal of ['SIGINT', 'SIGTERM'] as const) {
  process.once(signal, () => {
    say(`${signal}: stopping the parts`);
    void stopAll().finally(() => process.exit(130));
  });
}

main().catch((error: unknown) => {
  console.error(error);
  process.exit(1);
});
