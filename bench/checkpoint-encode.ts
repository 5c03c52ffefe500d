/**
 * `npx tsx bench/checkpoint-encode.ts <nats store dir>`: what serializing a worker's partition
 * checkpoints costs, on real ones. Starts nats-server on the store a `BENCH_KEEP=1` run of
 * `bench:durable` left (its `nats/` directory), reads the 64 checkpoints (LW_CHECKPOINTS), and
 * times, over the same per-elevator states, the way before (a JSON round trip per elevator at
 * capture, then the whole document stringified and encoded at save) against log/checkpoints.ts
 * (each elevator stringified once, the texts joined): CPU ms per capture and save of every
 * partition, three rounds each, alternating.
 */
import { Kvm } from '@nats-io/kv';
import { connect } from '@nats-io/transport-node';
import { startNatsServer } from '../lib/natsd.ts';
import { type Checkpoint, checkpointText, type EncodedCheckpoint } from '../log/checkpoints.ts';

const storeDir = process.argv[2];
if (!storeDir) throw new Error('usage: bench/checkpoint-encode.ts <nats store dir of a kept bench run>');
const nats = await startNatsServer({ dir: storeDir });
const docs: Checkpoint<unknown>[] = [];
try {
  const nc = await connect({ servers: nats.url });
  const kv = await new Kvm(nc).open('LW_CHECKPOINTS');
  for (let p = 0; p < 64; p++) {
    const entry = await kv.get(`p.${p}`);
    if (entry?.operation === 'PUT') docs.push(entry.json<Checkpoint<unknown>>());
  }
  await nc.close();
} finally {
  await nats.stop();
}
const states: [number, string, unknown][] = [];
for (const doc of docs)
  for (const [id, state] of Object.entries(doc.elevators)) states.push([doc.partition, id, state]);
const header = { epoch: 1, worker: 'w', writtenAt: 1 };
const encoder = new TextEncoder();

function before(): number {
  const byPartition = new Map<number, Checkpoint<unknown>>();
  for (const [partition, id, state] of states) {
    let doc = byPartition.get(partition);
    if (!doc) {
      doc = { partition, ...header, elevators: {} };
      byPartition.set(partition, doc);
    }
    doc.elevators[id] = JSON.parse(JSON.stringify(state));
  }
  let bytes = 0;
  for (const doc of byPartition.values()) bytes += encoder.encode(JSON.stringify(doc)).length;
  return bytes;
}

function now(): number {
  const byPartition = new Map<number, EncodedCheckpoint>();
  for (const [partition, id, state] of states) {
    let doc = byPartition.get(partition);
    if (!doc) {
      doc = { partition, ...header, elevators: new Map() };
      byPartition.set(partition, doc);
    }
    doc.elevators.set(id, JSON.stringify(state));
  }
  let bytes = 0;
  for (const doc of byPartition.values()) bytes += encoder.encode(checkpointText(doc)).length;
  return bytes;
}

for (let round = 0; round < 3; round++) {
  for (const [way, run] of [
    ['before', before],
    ['log/checkpoints.ts', now],
  ] as const) {
    const start = process.cpuUsage();
    let bytes = 0;
    for (let i = 0; i < 10; i++) bytes = run();
    const cpu = process.cpuUsage(start);
    console.log(
      JSON.stringify({
        way,
        partitions: docs.length,
        elevators: states.length,
        bytes,
        cpu_ms_per_round: Number(((cpu.user + cpu.system) / 10_000).toFixed(1)),
      }),
    );
  }
}
