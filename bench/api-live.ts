/**
 * `npm run bench:api-live`: what an API node pays to show every car's live state from the log
 * (api/log-state-feed.ts over log/live.ts). Starts a nats-server of its own (temp store), appends
 * for each of BENCH_LIVE_LIFTS elevators one status and BENCH_LIVE_PER telemetry samples to
 * `LW_IN` as the broker fronts would, then starts a node's feed into an empty state store, as a
 * node started late does, and times it until each car's latest status and telemetry (the
 * "last per subject" delivery) are applied. Prints one JSON line: messages in the stream,
 * messages delivered, whether every car shows its latest sample, the catch-up time, and the
 * store's heap per lift after GC (run with --expose-gc, as the npm script does).
 */
import { mkdtempSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { jetstream, jetstreamManager } from '@nats-io/jetstream';
import { connect } from '@nats-io/transport-node';
import { LogStateFeed } from '../api/log-state-feed.ts';
import { ElevatorStateStore } from '../api/state-source.ts';
import { silentLogger } from '../lib/logger.ts';
import { startNatsServer } from '../lib/natsd.ts';
import { ensureLogStream } from '../log/stream.ts';
import { DEFAULT_LAYOUT, DEFAULT_PARTITIONS, deviceSubject, logStreams } from '../log/subjects.ts';
import { topics } from '../protocol/index.ts';

const LIFTS = Number(process.env.BENCH_LIVE_LIFTS ?? 100_000);
const PER = Number(process.env.BENCH_LIVE_PER ?? 2);
/** Appends in flight at once (each waits for its PubAck). */
const WINDOW = 2000;

function telemetry(seq: number, ts: number) {
  return {
    v: 1,
    ts,
    seq,
    mode: 'normal',
    moving: false,
    direction: 'none',
    floor: seq,
    position_m: 3 * (seq - 1),
    speed_mps: 0,
    door_zone: true,
    door_closed: true,
    occupied: false,
    safety_circuit: true,
    door_lock: true,
    up_limit: false,
    down_limit: false,
    power: 'mains',
    run_count: 1000 + seq,
  };
}

const heapAfterGc = () => {
  (globalThis as { gc?: () => void }).gc?.();
  return process.memoryUsage().heapUsed;
};

const dir = mkdtempSync(join(tmpdir(), 'liftwatch-bench-live-'));
const server = await startNatsServer({ dir });
const streamOptions = { replicas: 1, maxAgeMs: 3_600_000, maxBytes: 4 * 2 ** 30 };
const nc = await connect({ servers: server.url });
try {
  const jsm = await jetstreamManager(nc);
  await ensureLogStream(jsm, streamOptions);
  const js = jetstream(nc);
  const now = Date.now();
  let inFlight: Promise<unknown>[] = [];
  const append = async (topic: string, body: unknown) => {
    inFlight.push(js.publish(deviceSubject(topic, DEFAULT_PARTITIONS)!, JSON.stringify(body)));
    if (inFlight.length >= WINDOW) {
      await Promise.all(inFlight);
      inFlight = [];
    }
  };
  for (let i = 0; i < LIFTS; i++) {
    const id = `e-${i}`;
    await append(topics.status(id), { v: 1, ts: now, state: 'online' });
    for (let seq = 1; seq <= PER; seq++) await append(topics.telemetry(id), telemetry(seq, now));
  }
  await Promise.all(inFlight);
  let stored = 0;
  for (const { name } of logStreams(DEFAULT_LAYOUT)) stored += (await jsm.streams.info(name)).state.messages;

  const heapBefore = heapAfterGc();
  const store = new ElevatorStateStore({ offlineAfterMs: 3_600_000 });
  const feed = new LogStateFeed({ ...streamOptions, url: server.url }, { store, log: silentLogger });
  const started = performance.now();
  await feed.start();
  // Polled, not awaited on an event: the figure is the time to the last car, measured to 10 ms.
  while (feed.stats().received < LIFTS * 2) await new Promise((resolve) => setTimeout(resolve, 10));
  const catchupS = (performance.now() - started) / 1000;
  const allCurrent = Array.from({ length: LIFTS }, (_, i) => store.get(`e-${i}`)).every(
    (s) => s?.online === true && s.telemetry?.seq === PER,
  );
  const delivered = feed.stats().received;
  await feed.stop();
  const heapPerLift = Math.round((heapAfterGc() - heapBefore) / LIFTS);
  console.log(
    JSON.stringify({
      lifts: LIFTS,
      stored_in_stream: stored,
      delivered,
      all_current: allCurrent,
      catchup_s: Number(catchupS.toFixed(2)),
      heap_bytes_per_lift: heapPerLift,
    }),
  );
} finally {
  await nc.close();
  await server.stop();
  rmSync(dir, { recursive: true, force: true });
}
