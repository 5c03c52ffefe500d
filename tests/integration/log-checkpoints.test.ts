/**
 * Partition checkpoints past one NATS message (log/checkpoints.ts) against a real nats-server
 * (max_payload 1 MB): a partition of 8,000 elevators, each with its sequence window and a
 * detector state, makes a document of several MB. It is saved in chunks and read back whole by
 * another instance (the next owner); a small one is still one inline value; while one writer
 * replaces a chunked checkpoint again and again, a reader only ever gets a whole one (every
 * elevator of one write, never a mix), and the chunks of replaced writes are purged.
 *
 * Without the chunks the save itself fails (the client refuses a message over max_payload).
 */
import { type KV, Kvm } from '@nats-io/kv';
import { connect, type NatsConnection } from '@nats-io/transport-node';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { CHECKPOINT_BUCKET, type Checkpoint, PartitionCheckpoints } from '../../log/checkpoints.ts';
import { startTestNats, type TestNats } from '../helpers/nats.ts';

interface State {
  seq: { max: number; window: number[]; missing: number; duplicates: number; restarts: number };
  detector: { write: number; rules: Record<string, unknown> };
}

let nats: TestNats;
let nc: NatsConnection;
let kv: KV;

beforeAll(async () => {
  nats = await startTestNats();
  nc = await connect({ servers: nats.url });
}, 60_000);

afterAll(async () => {
  await nc?.close();
  await nats?.cleanup();
});

/** `count` elevators, every value stamped with `write` so a mix of two writes shows. */
function checkpoint(partition: number, write: number, count: number): Checkpoint<State> {
  const elevators: Record<string, State> = {};
  for (let i = 0; i < count; i++) {
    elevators[`estate-${i % 40}-car-${i}`] = {
      seq: {
        max: write * 1000 + i,
        window: Array.from({ length: 32 }, (_, k) => write * 1000 + i - k),
        missing: i % 3,
        duplicates: write,
        restarts: 0,
      },
      detector: { write, rules: { door: { open_since: write * 7 + i, count: i }, hold: null } },
    };
  }
  return { partition, epoch: 40 + write, worker: `w-${write}`, writtenAt: write, elevators };
}

const chunkKeys = async (partition: number) => {
  const keys: string[] = [];
  for await (const key of await kv.keys(`c.${partition}.>`)) keys.push(key);
  return keys;
};

describe('partition checkpoints past the KV value limit', () => {
  it('saves a multi-MB checkpoint in chunks behind a small manifest; the next owner reads it whole', async () => {
    const writer = new PartitionCheckpoints<State>();
    await writer.start(nc);
    kv = await new Kvm(nc).open(CHECKPOINT_BUCKET);
    const big = checkpoint(3, 1, 8000);
    const size = JSON.stringify(big).length;
    expect(size).toBeGreaterThan(2 * (nc.info?.max_payload ?? 1024 * 1024));
    await writer.save(big);
    const manifest = await kv.get('p.3');
    expect(manifest!.value.length).toBeLessThan(4096);
    expect((await chunkKeys(3)).length).toBeGreaterThanOrEqual(3);
    console.log(
      `checkpoints: ${(size / 1e6).toFixed(1)} MB in ${(await chunkKeys(3)).length} chunks, manifest ${manifest!.value.length} B`,
    );

    const next = new PartitionCheckpoints<State>();
    await next.start(nc);
    expect(await next.load(3, { epoch: 60 })).toEqual(big);

    // The next owner's own save replaces it; the chunks it loaded are purged after.
    const before = new Set(await chunkKeys(3));
    const second = checkpoint(3, 2, 8000);
    await next.save(second);
    const after = await chunkKeys(3);
    expect(after.some((key) => before.has(key))).toBe(false);
    expect(await writer.load(3)).toEqual(second);

    // Small again: inline in p.3, as before chunks existed, and no chunk left.
    const small = checkpoint(3, 3, 10);
    await next.save(small);
    expect((await kv.get('p.3'))!.json<Checkpoint<State>>()).toEqual(small);
    expect(await chunkKeys(3)).toEqual([]);
    expect(await writer.load(3)).toEqual(small);
  }, 120_000);

  it('a reader racing a writer gets one whole checkpoint or the other, never a mix', async () => {
    const writer = new PartitionCheckpoints<State>();
    // Smaller chunks: more of them per write, more places for a reader to fall between.
    await writer.start(nc, { chunkBytes: 64 * 1024 });
    const reader = new PartitionCheckpoints<State>();
    await reader.start(nc);
    const count = 1500;
    await writer.save(checkpoint(5, 1, count));
    let writing = true;
    const writes = (async () => {
      for (let write = 2; write <= 8; write++) await writer.save(checkpoint(5, write, count));
      writing = false;
    })();
    const seen = new Set<number>();
    let reads = 0;
    while (writing || reads === 0) {
      const got = await reader.load(5);
      reads += 1;
      expect(got).not.toBeNull();
      const stamps = new Set(Object.values(got!.elevators).map((e) => e.detector.write));
      expect(stamps.size).toBe(1);
      const [write] = stamps;
      expect(got!.writtenAt).toBe(write);
      expect(Object.keys(got!.elevators)).toHaveLength(count);
      seen.add(write!);
    }
    await writes;
    console.log(`checkpoints: ${reads} reads during 7 writes saw writes ${[...seen].sort().join(',')}`);
    expect(await reader.load(5)).toEqual(checkpoint(5, 8, count));
    // Only the last write's chunks are left.
    const keys = await chunkKeys(5);
    const manifest = (await kv.get('p.5'))!.json<{ chunks: { key: string }[] }>();
    expect(keys.sort()).toEqual(manifest.chunks.map((c) => c.key).sort());
  }, 120_000);

  it("an owner that lost the partition cannot write over its successor's checkpoint (inline or chunked)", async () => {
    for (const [partition, count, chunkBytes] of [
      [7, 10, undefined],
      [8, 1500, 64 * 1024],
    ] as const) {
      const old = new PartitionCheckpoints<State>();
      await old.start(nc, chunkBytes ? { chunkBytes } : {});
      expect(await old.load(partition, { epoch: 1 })).toBeNull();
      await old.save({ ...checkpoint(partition, 1, count), epoch: 1 });
      // A new owner takes the partition over and writes; the old one, paused past its lease
      // between its lease check and its write, then writes what it had captured.
      const successor = new PartitionCheckpoints<State>();
      await successor.start(nc, chunkBytes ? { chunkBytes } : {});
      expect((await successor.load(partition, { epoch: 2 }))?.epoch).toBe(1);
      const theirs = { ...checkpoint(partition, 2, count), epoch: 2 };
      await successor.save(theirs);
      await expect(old.save({ ...checkpoint(partition, 3, count), epoch: 1 })).rejects.toMatchObject({
        code: 'LEASE_LOST',
      });
      expect(await successor.load(partition)).toEqual(theirs);
      // The refused write left no chunks behind; the successor goes on writing.
      const named = chunkBytes
        ? (await kv.get(`p.${partition}`))!.json<{ chunks: { key: string }[] }>().chunks
        : [];
      expect((await chunkKeys(partition)).sort()).toEqual(named.map((c) => c.key).sort());
      const next = { ...checkpoint(partition, 4, count), epoch: 2 };
      await successor.save(next);
      expect(await old.load(partition)).toEqual(next);
    }
  }, 120_000);
});
