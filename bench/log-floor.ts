/**
 * `npm run bench:log-floor`: what nats-server itself costs per device message on this machine,
 * the part of durability no code of ours can take away. One process appends at a steady rate
 * (BENCH_FLOOR_RATE messages/s over 10,000 elevators and 64 partitions, through
 * log/publisher.ts as the broker does) for BENCH_FLOOR_SECONDS, while the partitions are read
 * in one of three ways; nats-server's CPU over the window is divided by the messages:
 *
 * - `append`: not read at all. The store and the PubAck alone.
 * - `ingest`: log/consumer.ts, as the ingest reads (a pull consumer per partition kept
 *   full, every message acknowledged after an always-durable settle).
 * - `cheapest`: the cheapest reading JetStream offers a partition (consumers with ack policy
 *   none, one no-wait pull of up to 500 messages per partition every BENCH_FLOOR_BURST_MS):
 *   no acknowledgement at all and deliveries in bursts. Not a design (nothing would be
 *   redelivered after a crash), a lower bound.
 *
 * The modes alternate for BENCH_FLOOR_ROUNDS rounds; one JSON line per window, then a last
 * line with each mode's median. docs/scale-out.md ("Durability's cost against the 25% bound")
 * reads the bound against these figures.
 */
import { mkdtempSync, rmSync } from 'node:fs';
import { loadavg, tmpdir } from 'node:os';
import { join } from 'node:path';
import { AckPolicy, DeliverPolicy, type JetStreamManager, jetstreamManager } from '@nats-io/jetstream';
import { connect, createInbox, type Msg } from '@nats-io/transport-node';
import { silentLogger } from '../lib/logger.ts';
import { startNatsServer } from '../lib/natsd.ts';
import { LogConsumer } from '../log/consumer.ts';
import { LogPublisher } from '../log/publisher.ts';
import { allPartitions, logStreamOf, partitionDurable, partitionFilter } from '../log/subjects.ts';
import { treeCpuSeconds } from './processes.ts';

const RATE = Number(process.env.BENCH_FLOOR_RATE ?? 6000);
const SECONDS = Number(process.env.BENCH_FLOOR_SECONDS ?? 15);
const ROUNDS = Number(process.env.BENCH_FLOOR_ROUNDS ?? 3);
const BURST_MS = Number(process.env.BENCH_FLOOR_BURST_MS ?? 100);
const PARTITIONS = 64;
const layout = { partitions: PARTITIONS, streams: 8 };
const PAYLOAD = Buffer.from('{"v":1,"ts":1764000000000,"seq":1,"mode":"normal","moving":true,"floor":3}');
type Mode = 'append' | 'ingest' | 'cheapest';
const MODES: Mode[] = ['append', 'ingest', 'cheapest'];

/** Each partition's consumer made anew at the stream's end: a mode reads only its own window. */
async function freshConsumers(jsm: JetStreamManager, ackPolicy: AckPolicy): Promise<void> {
  for (const p of allPartitions(PARTITIONS)) {
    const stream = logStreamOf(p, layout);
    await jsm.consumers.delete(stream, partitionDurable(p)).catch(() => undefined);
    const last = (await jsm.streams.info(stream)).state.last_seq;
    await jsm.consumers.add(stream, {
      durable_name: partitionDurable(p),
      filter_subject: partitionFilter(p),
      ack_policy: ackPolicy,
      deliver_policy: DeliverPolicy.StartSequence,
      opt_start_seq: last + 1,
      max_ack_pending: 2000,
      ack_wait: 30_000_000_000,
    });
  }
}

const dir = mkdtempSync(join(tmpdir(), 'liftwatch-floor-'));
const nats = await startNatsServer({ dir });
const stream = { replicas: 1, maxAgeMs: 3_600_000, maxBytes: 2 ** 31, layout };
const nc = await connect({ servers: nats.url });
const jsm = await jetstreamManager(nc);
const results: Record<Mode, number[]> = { append: [], ingest: [], cheapest: [] };
let next = 0;
try {
  const publisher = new LogPublisher(
    { ...stream, url: nats.url, partitions: PARTITIONS },
    { log: silentLogger },
  );
  await publisher.start();
  for (let round = 0; round < ROUNDS; round++) {
    for (const mode of MODES) {
      let read = 0;
      let stopReading = async () => {};
      if (mode === 'ingest') {
        await freshConsumers(jsm, AckPolicy.Explicit);
        const consumer = new LogConsumer(
          { ...stream, url: nats.url, partitions: allPartitions(PARTITIONS), maxAckPending: 2000 },
          {
            log: silentLogger,
            onMessage: () => {
              read += 1;
            },
            settle: async () => true,
          },
        );
        await consumer.start();
        stopReading = () => consumer.stop();
      } else if (mode === 'cheapest') {
        await freshConsumers(jsm, AckPolicy.None);
        const reader = await connect({ servers: nats.url });
        const inbox = createInbox();
        reader.subscribe(`${inbox}.*`, {
          callback: (_error, msg: Msg) => {
            if (msg.data.length > 0) read += 1; // not a status (no messages left)
          },
        });
        const request = JSON.stringify({ batch: 500, no_wait: true });
        const timer = setInterval(() => {
          for (const p of allPartitions(PARTITIONS))
            reader.publish(
              `$JS.API.CONSUMER.MSG.NEXT.${logStreamOf(p, layout)}.${partitionDurable(p)}`,
              request,
              { reply: `${inbox}.${p}` },
            );
        }, BURST_MS);
        stopReading = async () => {
          clearInterval(timer);
          await reader.drain();
        };
      }
      const natsStart = treeCpuSeconds(nats.process.pid!);
      const started = performance.now();
      let sent = 0;
      const appends: Promise<void>[] = [];
      // 10 ms ticks: a steady rate, as 10,000 devices make it, not one burst.
      while (performance.now() - started < SECONDS * 1000) {
        const due = Math.floor(((performance.now() - started) / 1000) * RATE);
        for (; sent < due; sent++)
          appends.push(publisher.append(`elevators/e-${next++ % 10_000}/telemetry`, PAYLOAD));
        if (appends.length > 5000) await Promise.all(appends.splice(0));
        await new Promise((resolve) => setTimeout(resolve, 10));
      }
      await Promise.all(appends.splice(0));
      const deadline = performance.now() + 10_000;
      while (mode !== 'append' && read < sent && performance.now() < deadline)
        await new Promise((resolve) => setTimeout(resolve, 20));
      const natsUs = ((treeCpuSeconds(nats.process.pid!) - natsStart) * 1e6) / sent;
      await stopReading();
      results[mode].push(natsUs);
      console.log(
        JSON.stringify({
          mode,
          sent,
          read,
          msgs_per_s: Math.round(sent / SECONDS),
          nats_cpu_us_per_msg: Number(natsUs.toFixed(1)),
          load_1m: loadavg()[0],
        }),
      );
    }
  }
  await publisher.stop();
} finally {
  await nc.close();
  await nats.stop();
  rmSync(dir, { recursive: true, force: true });
}

const median = (values: number[]): number => {
  const sorted = [...values].sort((a, b) => a - b);
  return Number(sorted[Math.floor(sorted.length / 2)]!.toFixed(1));
};
console.log(
  JSON.stringify({
    rate: RATE,
    seconds: SECONDS,
    rounds: ROUNDS,
    nats_cpu_us_per_msg: {
      append: median(results.append),
      ingest: median(results.ingest),
      cheapest: median(results.cheapest),
    },
  }),
);
