/**
 * The simulator CLI and `runSimulation`, the one entry the main process, the benchmark
 * and the eval harness share. `tsx simulators/main.ts --help`.
 */
import { join } from 'node:path';
import { monitorEventLoopDelay } from 'node:perf_hooks';
import { fileURLToPath } from 'node:url';
import { parseArgs } from 'node:util';
import type { FleetFile } from '../protocol/index.ts';
import { ensureDemoFleetFile, generateFleet, readFleetJson } from './demo-fleet.ts';
import type { SimStats } from './devices.ts';
import { createFleetSimulator, runScenario } from './fleet.ts';
import { type Injection, loadScenario, type Scenario } from './scenario.ts';

export interface SimulationOptions {
  fleet: FleetFile;
  mqttUrl: string;
  scenario?: Scenario;
  /** Plain traffic only: injections at seconds from the devices' connect (fleet.ts). */
  injections?: Injection[];
  /** Device time runs this many times faster than wall time; Infinity = as fast as acked (scenarios). */
  speedup?: number;
  seed?: number;
  rate?: number;
  /** With `rate`: bound on unacknowledged QoS 1 messages across the fleet (fleet.ts). */
  maxInFlight?: number;
  telemetryQos?: 0 | 1;
  elevators?: string[];
  /** Live runs: on stop, how long to wait for acknowledgements before cutting the links. */
  closeGraceMs?: number;
}

export interface Simulation {
  /** Resolves when a max-speed scenario has been replayed and acknowledged; never for live runs. */
  readonly finished: Promise<SimStats>;
  stats(): SimStats;
  stop(): Promise<void>;
}

export async function runSimulation(options: SimulationOptions): Promise<Simulation> {
  if (options.scenario && !Number.isFinite(options.speedup ?? Number.POSITIVE_INFINITY)) {
    const abort = new AbortController();
    let last: SimStats = { devices: 0, connected: 0, sent: 0, acked: 0, failed: 0 };
    const finished = runScenario({ ...options, scenario: options.scenario, signal: abort.signal }).then(
      (s) => {
        last = s;
        return s;
      },
    );
    return {
      finished,
      stats: () => last,
      async stop() {
        abort.abort();
        await finished.catch(() => undefined);
      },
    };
  }
  const sim = createFleetSimulator(options);
  await sim.start();
  return { finished: new Promise(() => {}), stats: () => sim.stats(), stop: () => sim.stop() };
}

const USAGE = `tsx simulators/main.ts [options]
  --fleet FILE      fleet file (default .data/demo-fleet.json, created if missing)
  --mqtt URL        broker (default $MQTT_URL or mqtt://127.0.0.1:1883)
  --speedup N       device time per wall time (default 1; scenarios default: max speed)
  --scenario FILE   run a scenario file
  --seed N          traffic seed
  --elevators N     fleet mode: drive a generated load fleet of N elevators
  --rate N          target total messages per second
  --max-in-flight N with --rate: no extra sample while N messages await PUBACK
  --duration S      stop after S wall-clock seconds
  --close-grace S   on stop, wait at most S seconds for acknowledgements (default: all)
  --qos0            telemetry at QoS 0`;

async function main(): Promise<void> {
  const { values } = parseArgs({
    options: {
      fleet: { type: 'string' },
      mqtt: { type: 'string' },
      speedup: { type: 'string' },
      scenario: { type: 'string' },
      seed: { type: 'string' },
      elevators: { type: 'string' },
      rate: { type: 'string' },
      'max-in-flight': { type: 'string' },
      duration: { type: 'string' },
      'close-grace': { type: 'string' },
      qos0: { type: 'boolean' },
      help: { type: 'boolean' },
    },
  });
  if (values.help) return void console.log(USAGE);
  const num = (v: string | undefined) => (v === undefined ? undefined : Number(v));
  const fleet = values.elevators
    ? generateFleet({ elevators: num(values.elevators)! })
    : readFleetJson(
        values.fleet ?? ensureDemoFleetFile(join(process.cwd(), '.data', 'demo-fleet.json')).path,
      );
  const scenario = values.scenario ? loadScenario(values.scenario) : undefined;
  const sim = await runSimulation({
    fleet,
    mqttUrl: values.mqtt ?? process.env.MQTT_URL ?? 'mqtt://127.0.0.1:1883',
    speedup: num(values.speedup) ?? (scenario ? Number.POSITIVE_INFINITY : 1),
    telemetryQos: values.qos0 ? 0 : 1,
    ...(scenario ? { scenario } : {}),
    ...(values.seed ? { seed: Number(values.seed) } : {}),
    ...(values.rate ? { rate: Number(values.rate) } : {}),
    ...(values['max-in-flight'] ? { maxInFlight: Number(values['max-in-flight']) } : {}),
    ...(values['close-grace'] ? { closeGraceMs: Number(values['close-grace']) * 1000 } : {}),
  });
  // How late this process's timers run: a load generator behind its own schedule stamps
  // samples late, which a latency measured from device time would count as the system's.
  const loopDelay = monitorEventLoopDelay({ resolution: 10 });
  loopDelay.enable();
  const report = setInterval(() => {
    const delay = {
      loop_delay_p50_ms: loopDelay.percentile(50) / 1e6,
      loop_delay_p99_ms: loopDelay.percentile(99) / 1e6,
    };
    loopDelay.reset();
    console.log(JSON.stringify({ ...sim.stats(), ...delay }));
  }, 5000);
  const shutdown = async () => {
    clearInterval(report);
    await sim.stop();
    console.log(JSON.stringify(sim.stats()));
    process.exit(0);
  };
  process.once('SIGINT', shutdown);
  process.once('SIGTERM', shutdown);
  if (values.duration) setTimeout(shutdown, Number(values.duration) * 1000);
  await sim.finished;
  await shutdown();
}

if (process.argv[1] === fileURLToPath(import.meta.url)) {
  main().catch((err: unknown) => {
    console.error(err);
    process.exit(1);
  });
}
