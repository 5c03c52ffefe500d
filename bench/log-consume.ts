/**
 * `npm run bench:consume`: the ingest's reading of the log alone, in one process against a real
 * nats-server: BENCH_CONSUME_MESSAGES device messages appended over 64 partitions once, then
 * read from the start by `LogConsumer` (every partition, acks after a settle that is always
 * durable and a checkpoint every 2 s that saves nothing, as a worker's cadence) until every
 * message is acknowledged; the partition consumers are deleted between rounds. Prints per round
 * the CPU µs per message of this process and of nats-server: what reading and acknowledging
 * costs, without the pipeline, InfluxDB or the devices. BENCH_CONSUME_FROM names other
 * checkouts (comma-separated) whose log/consumer.ts is measured too, alternating with this one
 * (ack policy "all" was compared this way: docs/scale-out.md, "One ack per message, measured").
 * BENCH_CONSUME_STREAMS (8) is how many streams the 64 partitions are spread over: 1 is the
 * layout before LOG_STREAMS, every partition consumer filtering one stream of all of them.
 */
import { mkdtempSync, rmSync } from 'node:fs';
import { loadavg, tmpdir } from 'node:os';
import { join, resolve } from 'node:path';
import { jetstreamManager } from '@nats-io/jetstream';
import { connect } from '@nats-io/transport-node';
import { silentLogger } from '../lib/logger.ts';
import { startNatsServer } from '../lib/natsd.ts';
import type { LogConsumer } from '../log/consumer.ts';
import { LogPublisher } from '../log/publisher.ts';
import { allPartitions, logStreamOf, partitionDurable } from '../log/subjects.ts';
import { treeCpuSeconds } from './processes.ts';

const MESSAGES = Number(process.env.BENCH_CONSUME_MESSAGES ?? 100_000);
const ROUNDS = Number(process.env.BENCH_CONSUME_ROUNDS ?? 2);
const PARTITIONS = 64;
// BENCH_CONSUME_STREAMS=1 puts every partition in one stream, as before LOG_STREAMS (default 8).
const STREAMS = Number(process.env.BENCH_CONSUME_STREAMS ?? 8);
const layout = { partitions: PARTITIONS, streams: STREAMS };
const PAYLOAD = Buffer.from('{"v":1,"ts":1764000000000,"seq":1,"mode":"normal","moving":true,"floor":3}');
const here = resolve(import.meta.dirname, '..');
const checkouts = [
  here,
  ...(process.env.BENCH_CONSUME_FROM ?? '')
    .split(',')
    .filter(Boolean)
    .map((dir) => resolve(dir)),
];

const dir = mkdtempSync(join(tmpdir(), 'liftwatch-consume-'));
const nats = await startNatsServer({ dir });
const stream = { replicas: 1, maxAgeMs: 3_600_000, maxBytes: 2 ** 30, layout };
try {
  const publisher = new LogPublisher(
    { ...stream, url: nats.url, partitions: PARTITIONS },
    { log: silentLogger },
  );
  await publisher.start();
  const appends: Promise<void>[] = [];
  for (let i = 0; i < MESSAGES; i++) {
    appends.push(publisher.append(`elevators/e-${i % 10_000}/telemetry`, PAYLOAD));
    if (appends.length >= 2000) await Promise.all(appends.splice(0));
  }
  await Promise.all(appends);
  await publisher.stop();
  const nc = await connect({ servers: nats.url });
  const jsm = await jetstreamManager(nc);
  for (let round = 0; round < ROUNDS; round++) {
    for (const checkout of checkouts) {
      for (const p of allPartitions(PARTITIONS))
        await jsm.consumers.delete(logStreamOf(p, layout), partitionDurable(p)).catch(() => undefined);
      const module = (await import(join(checkout, 'log/consumer.ts'))) as {
        LogConsumer: new (...args: ConstructorParameters<typeof LogConsumer>) => LogConsumer;
      };
      let handed = 0;
      const consumer = new module.LogConsumer(
        {
          ...stream,
          url: nats.url,
          partitions: allPartitions(PARTITIONS),
          maxAckPending: 2000,
          ackWaitMs: 30_000,
        },
        {
          log: silentLogger,
          onMessage: () => {
            handed += 1;
          },
          settle: async () => true,
          checkpoint: { everyMs: 2000, capture: () => [], save: async () => undefined },
        },
      );
      const cpuStart = process.cpuUsage();
      const natsStart = treeCpuSeconds(nats.process.pid!);
      const started = performance.now();
      await consumer.start();
      while (consumer.stats().acked < MESSAGES) await new Promise((r) => setTimeout(r, 100));
      const seconds = (performance.now() - started) / 1000;
      const cpu = process.cpuUsage(cpuStart);
      const natsCpu = treeCpuSeconds(nats.process.pid!) - natsStart;
      await consumer.stop();
      console.log(
        JSON.stringify({
          consumer: checkout,
          streams: STREAMS,
          messages: MESSAGES,
          handed,
          reader_cpu_us_per_msg: Number(((cpu.user + cpu.system) / MESSAGES).toFixed(1)),
          nats_cpu_us_per_msg: Number(((natsCpu * 1e6) / MESSAGES).toFixed(1)),
          seconds: Number(seconds.toFixed(1)),
          load_1m: loadavg()[0],
        }),
      );
    }
  }
  await nc.close();
} finally {
  await nats.stop();
  rmSync(dir, { recursive: true, force: true });
}
