/**
 * Fleet mode and scenario runs against a real broker. One timer drives every model (not
 * one per elevator); device time comes from a VirtualClock at `speedup`×. A target rate
 * tops the models' own traffic up with extra telemetry samples, round-robin, for load
 * tests. `runScenario` instead replays a scenario as fast as the broker acknowledges,
 * in virtual time, with a bound on unacknowledged messages.
 */
import type { FleetFile } from '../protocol/index.ts';
import { VirtualClock } from './clock.ts';
import { DeviceSet, type SimStats } from './devices.ts';
import type { ElevatorModel } from './elevator-model.ts';
import type { Injection, Scenario } from './scenario.ts';
import { REPLAY_CHUNK_MS, type ScenarioOutput, ScenarioRun } from './scenario-runner.ts';

export interface FleetSimulatorOptions {
  fleet: FleetFile;
  mqttUrl: string;
  /** Subset of the fleet's elevators; default all. */
  elevators?: string[];
  /** Injections and traffic settings; without one, plain traffic runs until stopped. */
  scenario?: Scenario;
  /** Plain traffic only: injections at seconds from the devices' connect (the demo's live events). */
  injections?: Injection[];
  seed?: number;
  /** Device epoch at start; default now. */
  startMs?: number;
  speedup?: number;
  traffic?: number;
  noise?: 'none' | 'realistic';
  telemetryQos?: 0 | 1;
  /** Target total messages per second (wall clock), topped up with telemetry samples. */
  rate?: number;
  /**
   * With `rate`: no top-up sample while this many QoS 1 messages await PUBACK (default: no
   * bound). A load test then runs as fast as the system takes messages, not faster: past
   * saturation an unbounded generator only grows queues, and latency measures the queues.
   */
  maxInFlight?: number;
  tickMs?: number;
  connectConcurrency?: number;
  /** On stop, how long to wait for acknowledgements before cutting the links; default: for all. */
  closeGraceMs?: number;
}

export interface FleetSimulator {
  start(): Promise<void>;
  stop(): Promise<void>;
  /** The devices' counters, and `shortfall`: messages a target rate asked for that were not offered. */
  stats(): SimStats & { shortfall: number };
  /** Device time and the models; for plain live traffic, made when `start()` has connected. */
  readonly clock: VirtualClock;
  readonly run: ScenarioRun;
}

const FOREVER_S = 10 * 365 * 86400;

export function plainScenario(options: FleetSimulatorOptions, elevators: string[]): Scenario {
  return {
    name: 'traffic',
    description: 'plain traffic',
    suite: 'full',
    seed: options.seed ?? 1,
    start: new Date(options.startMs ?? Date.now()).toISOString(),
    duration_s: FOREVER_S,
    elevators,
    traffic: options.traffic ?? 1,
    noise: options.noise ?? 'realistic',
    injections: options.injections ?? [],
    ground_truth: { clean: (options.injections ?? []).length === 0, findings: [], visits: [] },
  };
}

export function createFleetSimulator(options: FleetSimulatorOptions): FleetSimulator {
  const elevators =
    options.scenario?.elevators ?? options.elevators ?? options.fleet.elevators.map((e) => e.id);
  // Plain traffic with no start time given runs on the wall clock from the moment the
  // devices are connected: built before connecting 10,000 devices, device time would lag the
  // wall clock by the seconds that took, and every latency measured from it with it.
  const liveFromStart = !options.scenario && options.startMs === undefined;
  let run!: ScenarioRun;
  let clock!: VirtualClock;
  let models: [string, ElevatorModel][] = [];
  const build = (startMs?: number) => {
    const scenario =
      options.scenario ?? plainScenario({ ...options, ...(startMs ? { startMs } : {}) }, elevators);
    run = new ScenarioRun(scenario, options.fleet);
    clock = new VirtualClock({ startMs: run.startMs, speedup: options.speedup ?? 1 });
    models = [...run.models()];
  };
  if (!liveFromStart) build();
  const devices = new DeviceSet({ ...options, elevators, now: () => (clock ? clock.now() : Date.now()) });
  const tickMs = options.tickMs ?? 100;
  // Top-ups run more often than the models advance: with a bound on unacknowledged messages,
  // a round can offer at most that many, so rounds of 100 ms would cap the rate at ten
  // times the bound. Advancing 10,000 models every 20 ms would cost more than it offers.
  const topUpMs = Math.min(tickMs, 20);
  let timer: NodeJS.Timeout | null = null;
  let cursor = 0;
  let lastTick = 0;
  let lastAdvance = Number.NEGATIVE_INFINITY;
  let shortfall = 0;
  const maxInFlight = options.maxInFlight ?? Number.POSITIVE_INFINITY;

  const tick = () => {
    const wall = performance.now();
    let offered = 0;
    if (wall - lastAdvance >= tickMs - 1) {
      lastAdvance = wall;
      const outputs = run.advanceTo(clock.now());
      devices.dispatch(outputs);
      offered = outputs.length;
    }
    if (!options.rate) return;
    const due = (options.rate * (wall - lastTick)) / 1000;
    lastTick = wall;
    // A late round (the process was busy) does not send what it missed in one burst: a burst
    // blocks this process's own I/O (acknowledgements wait), and a late round is late again.
    // The rate is a target; what could not be offered is counted as a shortfall.
    const cap = (2 * options.rate * topUpMs) / 1000;
    if (due > cap) shortfall += Math.round(due - cap);
    let budget = Math.floor(Math.min(due, cap)) - offered;
    // Extra samples, round-robin, one per car per round at most.
    for (let visited = 0; budget > 0 && visited < models.length; visited++) {
      if (devices.inFlight() >= maxInFlight) {
        shortfall += budget;
        break;
      }
      const [id, model] = models[cursor]!;
      cursor = (cursor + 1) % models.length;
      if (model.silent) continue;
      // Bring the car to the present first: between model ticks its clock stands still, and
      // a sample stamped up to a tick late would count that as latency. (A scenario's
      // injection then lands on the car's next tick, a few ms late.)
      const behind = clock.now() - model.now;
      if (behind > 0) devices.dispatch(model.step(behind).map((output) => ({ elevatorId: id, output })));
      if (model.sampledThisMs) continue;
      model.sampleNow();
      budget--;
      devices.dispatch(model.step(0).map((output) => ({ elevatorId: id, output })));
    }
  };

  return {
    get clock() {
      return clock;
    },
    get run() {
      return run;
    },
    async start() {
      await devices.connectAll();
      if (liveFromStart) build(Date.now());
      clock.start();
      lastTick = performance.now();
      timer = setInterval(tick, options.rate ? topUpMs : tickMs);
    },
    async stop() {
      if (timer) clearInterval(timer);
      timer = null;
      clock?.stop();
      await devices.closeAll(options.closeGraceMs);
    },
    stats: () => ({ ...devices.stats(), shortfall }),
  };
}

export interface RunScenarioOptions {
  scenario: Scenario;
  fleet: FleetFile;
  mqttUrl: string;
  telemetryQos?: 0 | 1;
  /** Device ms simulated per batch; other than REPLAY_CHUNK_MS, onsets drift from the ground truth. */
  chunkMs?: number;
  /** Pause the simulation while more than this many QoS 1 messages await PUBACK. */
  maxInFlight?: number;
  signal?: AbortSignal;
  /**
   * Lockstep: after each chunk that published something, wait for every QoS 1 message to
   * be acknowledged, then call this with the device time reached (a scorer lets the
   * consumer catch up and ticks its clock to that device time). Called for silent chunks too.
   */
  afterChunk?: (deviceMs: number, stats: SimStats) => Promise<void> | void;
}

/** Replays a scenario in virtual time as fast as the broker acknowledges; resolves when all is acked. */
export async function runScenario(options: RunScenarioOptions): Promise<SimStats & { deviceEndMs: number }> {
  const run = new ScenarioRun(options.scenario, options.fleet);
  const devices = new DeviceSet({
    fleet: options.fleet,
    elevators: options.scenario.elevators,
    mqttUrl: options.mqttUrl,
    telemetryQos: options.telemetryQos ?? 1,
    now: () => run.now,
  });
  const chunkMs = options.chunkMs ?? REPLAY_CHUNK_MS;
  const maxInFlight = options.maxInFlight ?? 2000;
  await devices.connectAll();
  try {
    while (!run.done && !options.signal?.aborted) {
      const outputs = run.advanceTo(run.now + chunkMs);
      if (options.afterChunk) {
        await dispatchInLockstep(devices, outputs);
        await options.afterChunk(run.now, devices.stats());
        continue;
      }
      devices.dispatch(outputs);
      if (devices.inFlight() > maxInFlight) await devices.drained();
      else await new Promise<void>((resolve) => setImmediate(resolve));
    }
    await devices.drained();
    return { ...devices.stats(), deviceEndMs: run.now };
  } finally {
    await devices.closeAll();
  }
}

/**
 * Dispatches and waits for every acknowledgement; a link going down waits for what was
 * published before it, which would otherwise sit in the outbox until the link returns.
 */
async function dispatchInLockstep(devices: DeviceSet, outputs: ScenarioOutput[]): Promise<void> {
  let from = 0;
  for (let i = 0; i < outputs.length; i++) {
    const { output } = outputs[i]!;
    if (output.channel !== 'link' || output.up) continue;
    devices.dispatch(outputs.slice(from, i));
    await devices.drained();
    from = i;
  }
  devices.dispatch(outputs.slice(from));
  if (outputs.length > 0) await devices.drained();
}
