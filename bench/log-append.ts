/**
 * `npm run bench:append`: the broker's hand-off to the log alone, in one process against a
 * real nats-server: BENCH_APPEND_DEVICES devices each appending BENCH_APPEND_PER messages one
 * after the other (the next once the previous is stored, as Aedes does per client), each
 * append in a macrotask of its own as a device's publish arrives. Compares the publisher
 * (log/publisher.ts: batched, pipelined) with a `js.publish` per message awaited, as it was:
 * client CPU µs per message and messages per second. Two rounds each, alternating; one JSON
 * line per run.
 */
import { mkdtempSync, rmSync } from 'node:fs';
import { loadavg, tmpdir } from 'node:os';
import { join } from 'node:path';
import { jetstream } from '@nats-io/jetstream';
import { connect } from '@nats-io/transport-node';
import { silentLogger } from '../lib/logger.ts';
import { startNatsServer } from '../lib/natsd.ts';
import { LogPublisher } from '../log/publisher.ts';
import { deviceSubject } from '../log/subjects.ts';

const DEVICES = Number(process.env.BENCH_APPEND_DEVICES ?? 500);
const PER = Number(process.env.BENCH_APPEND_PER ?? 40);
const PARTITIONS = 64;
const PAYLOAD = Buffer.from('{"v":1,"ts":1764000000000,"seq":1,"mode":"normal","moving":true,"floor":3}');

type Append = (topic: string, payload: Buffer) => Promise<unknown>;

async function measure(name: string, append: Append): Promise<void> {
  const cpuStart = process.cpuUsage();
  const started = performance.now();
  await Promise.all(
    Array.from({ length: DEVICES }, async (_, d) => {
      const topic = `elevators/e-${d}/telemetry`;
      for (let i = 0; i < PER; i++) {
        await new Promise((resolve) => setImmediate(resolve));
        await append(topic, PAYLOAD);
      }
    }),
  );
  const cpu = process.cpuUsage(cpuStart);
  const seconds = (performance.now() - started) / 1000;
  const messages = DEVICES * PER;
  console.log(
    JSON.stringify({
      hand_off: name,
      messages,
      client_cpu_us_per_msg: Number(((cpu.user + cpu.system) / messages).toFixed(1)),
      msgs_per_s: Math.round(messages / seconds),
      load_1m: loadavg()[0],
    }),
  );
}

const dir = mkdtempSync(join(tmpdir(), 'liftwatch-append-'));
const nats = await startNatsServer({ dir });
try {
  const options = {
    url: nats.url,
    partitions: PARTITIONS,
    replicas: 1,
    maxAgeMs: 3_600_000,
    maxBytes: 2 ** 30,
  };
  const publisher = new LogPublisher(options, { log: silentLogger });
  await publisher.start(); // creates the stream
  const nc = await connect({ servers: nats.url });
  const js = jetstream(nc);
  const perMessage: Append = (topic, payload) => js.publish(deviceSubject(topic, PARTITIONS)!, payload);
  for (let round = 0; round < 2; round++) {
    await measure('js.publish per message', perMessage);
    await measure('log/publisher.ts', (topic, payload) => publisher.append(topic, payload));
  }
  await nc.close();
  await publisher.stop();
} finally {
  await nats.stop();
  rmSync(dir, { recursive: true, force: true });
}
