/**
 * A reader's acks never cover a message it did not receive and make durable, whoever else held
 * it: a reader that died holding messages (the next reader gets them back after the ack wait
 * and acknowledges them), a stray pull on the partition's consumer before the reader started or
 * while it reads. Every message must reach the live reader and the consumer end with nothing
 * pending. With one explicit ack per message this holds by construction; the test is here for
 * any batching of acks. Ack policy "all" (one ack of the newest message per partition per batch)
 * was built and measured on this machine (`npm run bench:consume`, docs/scale-out.md): it failed
 * all three of these until the reader compared the consumer's pending count with what it
 * received, and then saved nothing measurable, so the consumer kept explicit acks.
 */
import { type JetStreamClient, jetstream, jetstreamManager } from '@nats-io/jetstream';
import { connect, type NatsConnection } from '@nats-io/transport-node';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { silentLogger } from '../../lib/logger.ts';
import { LogConsumer, type LogConsumerDeps } from '../../log/consumer.ts';
import { ensureLogStream } from '../../log/stream.ts';
import {
  DEFAULT_LAYOUT,
  deviceSubject,
  logStreamOf,
  partitionDurable,
  partitionOf,
} from '../../log/subjects.ts';
import { topics } from '../../protocol/index.ts';
import { until } from '../helpers/ingest-harness.ts';
import { startTestNats, type TestNats } from '../helpers/nats.ts';

const PARTITIONS = 64;
const stream = { replicas: 1, maxAgeMs: 3_600_000, maxBytes: 64 * 1024 * 1024 };
const ACK_WAIT_MS = 1500;
let nats: TestNats;
let nc: NatsConnection;
let js: JetStreamClient;

beforeAll(async () => {
  nats = await startTestNats();
  nc = await connect({ servers: nats.url });
  await ensureLogStream(await jetstreamManager(nc), stream);
  js = jetstream(nc);
});

afterAll(async () => {
  await nc?.close();
  await nats?.cleanup();
});

/** Appends `count` messages of one elevator, numbered from `from`; returns its partition. */
async function append(elevatorId: string, from: number, count: number): Promise<number> {
  const subject = deviceSubject(topics.device(elevatorId, 'telemetry'), PARTITIONS)!;
  for (let n = from; n < from + count; n++) await js.publish(subject, JSON.stringify({ n }));
  return partitionOf(elevatorId, PARTITIONS);
}

/**
 * A reader of one partition that hands each message's number to `seen` (a Set, or a list to
 * count repeats); `more` adds a checkpoint, or starts it with no partition (`addPartition` later).
 */
function reader(
  partition: number,
  seen: Set<number> | number[],
  settle: () => Promise<boolean>,
  more: { checkpoint?: LogConsumerDeps['checkpoint']; partitions?: number[]; replayed?: number[] } = {},
): LogConsumer {
  const hand = (n: number) => (Array.isArray(seen) ? seen.push(n) : seen.add(n));
  return new LogConsumer(
    {
      ...stream,
      url: nats.url,
      partitions: more.partitions ?? [partition],
      maxAckPending: 1000,
      ackWaitMs: ACK_WAIT_MS,
      settleRetryMs: 100,
    },
    {
      log: silentLogger,
      onMessage: (_topic, payload, _at, replayed) => {
        hand(numberOf(payload));
        if (replayed) more.replayed?.push(numberOf(payload));
      },
      settle,
      ...(more.checkpoint ? { checkpoint: more.checkpoint } : {}),
    },
  );
}

const numberOf = (data: Uint8Array): number =>
  (JSON.parse(new TextDecoder().decode(data)) as { n: number }).n;

async function pendingOf(partition: number): Promise<{ pending: number; floor: number; last: number }> {
  const jsm = await jetstreamManager(nc);
  const stream = logStreamOf(partition, DEFAULT_LAYOUT);
  const info = await jsm.consumers.info(stream, partitionDurable(partition));
  // The tests append one partition at a time: the stream's last message is this partition's.
  const last = (await jsm.streams.info(stream)).state.last_seq;
  return { pending: info.num_ack_pending, floor: info.ack_floor.stream_seq, last };
}

describe('acks cover only what the reader received', () => {
  it("waits for a dead reader's unacknowledged messages to come back before acknowledging past them", async () => {
    const partition = await append('e-acks-dead', 1, 5);
    const seenByDead = new Set<number>();
    // Never durable: it handles and holds, then its connection goes, as with kill -9.
    const dead = reader(partition, seenByDead, () => new Promise<boolean>(() => undefined));
    await dead.start();
    await until(() => seenByDead.size === 5, 10_000, 'the first reader to take 5 messages');
    await dead.connection!.close();

    await append('e-acks-dead', 6, 5);
    const seen = new Set<number>();
    const live = reader(partition, seen, async () => true);
    await live.start();
    await until(() => seen.size >= 5, 10_000, 'the new messages at the live reader');
    // Handled and durable, but an ack now would cover messages 1–5, which it has not seen.
    expect((await pendingOf(partition)).pending).toBeGreaterThan(0);
    await until(
      async () => {
        const state = await pendingOf(partition);
        return seen.size === 10 && state.pending === 0 && state.floor === state.last;
      },
      ACK_WAIT_MS * 6,
      'every message at the live reader, all acknowledged',
    );
    expect([...seen].sort((a, b) => a - b)).toEqual([1, 2, 3, 4, 5, 6, 7, 8, 9, 10]);
    await live.stop();
  });

  it('does not acknowledge past a message a stray pull took before the reader started', async () => {
    const partition = await append('e-acks-stray', 1, 3);
    const seen = new Set<number>();
    const live = reader(partition, seen, async () => true);
    await live.start();
    await until(
      async () => seen.size === 3 && (await pendingOf(partition)).pending === 0,
      10_000,
      'the first messages acknowledged',
    );
    await live.stop();
    // A stray pull takes the next message and never acknowledges it…
    await append('e-acks-stray', 4, 1);
    const stray = await (
      await js.consumers.get(logStreamOf(partition, DEFAULT_LAYOUT), partitionDurable(partition))
    ).next({
      expires: 5000,
    });
    expect(stray).not.toBeNull();
    // …while the reader goes on with the partition: it must get message 4 back before its ack.
    const again = reader(partition, seen, async () => true);
    await again.start();
    await append('e-acks-stray', 5, 3);
    await until(
      async () => {
        const state = await pendingOf(partition);
        return seen.size === 7 && state.pending === 0 && state.floor === state.last;
      },
      ACK_WAIT_MS * 6,
      'every message at the reader, all acknowledged',
    );
    await again.stop();
  });

  it('does not acknowledge past a delivery a stray pull took while the reader reads (a gap in its deliveries)', async () => {
    const partition = await append('e-acks-gap', 1, 2);
    const seen = new Set<number>();
    const live = reader(partition, seen, async () => true);
    await live.start();
    await until(() => seen.size === 2, 10_000, 'the first messages at the reader');
    // Pull requests wait in turn: the stray's is served among the reader's.
    const consumer = await js.consumers.get(
      logStreamOf(partition, DEFAULT_LAYOUT),
      partitionDurable(partition),
    );
    const strayTook = consumer.next({ expires: 10_000 });
    for (let n = 3; n <= 30; n++) await append('e-acks-gap', n, 1);
    const stray = await strayTook;
    expect(stray).not.toBeNull();
    await until(
      async () => {
        const state = await pendingOf(partition);
        return seen.size === 30 && state.pending === 0 && state.floor === state.last;
      },
      ACK_WAIT_MS * 6,
      'every message at the reader, all acknowledged',
    );
    await live.stop();
  });

  it('lets go of a settling batch whose partition was lost and taken back meanwhile (handed again, not acked)', async () => {
    const partition = await append('e-acks-regained', 1, 3);
    const handed: number[] = [];
    let firstSettle: ((durable: boolean) => void) | null = null;
    let settles = 0;
    // The first settle waits for the test; every later one is durable at once.
    const live = reader(partition, handed, () => {
      settles += 1;
      if (settles > 1) return Promise.resolve(true);
      return new Promise<boolean>((resolve) => {
        firstSettle = resolve;
      });
    });
    await live.start();
    await until(() => handed.length === 3 && firstSettle !== null, 10_000, 'the batch of 3 in its settle');
    // The lease went and came back (onLost, then onGained) while the batch was being written:
    // the state built from it was dropped, so the new reading must be handed it again.
    live.removePartition(partition);
    await live.addPartition(partition);
    firstSettle!(true);
    // Naked, so handed again (some after the ack wait: a nak can go to the stopped reader's
    // last pull request); acknowledged only then. Acked at once, they would be handed once.
    const twice = () => [1, 2, 3].every((n) => handed.filter((h) => h === n).length >= 2);
    await until(
      async () => {
        const state = await pendingOf(partition);
        return twice() && state.pending === 0 && state.floor === state.last;
      },
      ACK_WAIT_MS * 6,
      'the batch handed again to the new reading, then acknowledged',
    );
    await live.stop();
  });
});

describe("a partition's next owner reads on from its checkpoint", () => {
  it('replays what the previous owner acknowledged after its last checkpoint (marked replayed), and nothing before it', async () => {
    const partition = await append('e-acks-replay', 1, 4);
    const handedToFirst: number[] = [];
    let covered: ReadonlyMap<number, number> | null = null;
    // The first owner checkpoints once (at its first batch), then only acknowledges.
    const first = reader(partition, handedToFirst, async () => true, {
      checkpoint: {
        everyMs: 0,
        capture: (partitions) => (covered === null ? new Map(partitions) : null),
        save: async (captured) => {
          covered ??= captured as ReadonlyMap<number, number> | null;
        },
      },
    });
    await first.start();
    await until(() => covered !== null && handedToFirst.length === 4, 10_000, 'the first checkpoint');
    const coveredSeq = covered!.get(partition)!;
    // The message the checkpoint ends with (the first batch may have held fewer than all 4).
    const jsm = await jetstreamManager(nc);
    const last = await jsm.streams.getMessage(logStreamOf(partition, DEFAULT_LAYOUT), { seq: coveredSeq });
    const coveredUpTo = numberOf(last!.data);
    expect(coveredUpTo).toBeGreaterThanOrEqual(1);
    expect(coveredUpTo).toBeLessThanOrEqual(4);

    await append('e-acks-replay', 5, 4);
    await until(
      async () => {
        const state = await pendingOf(partition);
        return handedToFirst.length === 8 && state.pending === 0 && state.floor === state.last;
      },
      10_000,
      'all 8 acknowledged by the first owner, 5–8 after its checkpoint',
    );
    await first.connection!.close(); // dies, as with kill -9

    // Two more that nobody acknowledged yet (appended while the partition has no reader).
    await append('e-acks-replay', 9, 2);

    // The next owner loads that checkpoint: everything after it comes again, acknowledged or
    // not; nothing it covers does. Without the position, the consumer would hand nothing.
    // What the first owner acknowledged (up to 8) is marked replayed; 9 and 10 are not.
    const seen: number[] = [];
    const replayed: number[] = [];
    const next = reader(partition, seen, async () => true, { partitions: [], replayed });
    await next.start();
    await next.addPartition(partition, coveredSeq);
    const expected = Array.from({ length: 10 - coveredUpTo }, (_, i) => coveredUpTo + 1 + i);
    await until(() => seen.length >= expected.length, 10_000, 'the replay at the next owner');
    await until(async () => (await pendingOf(partition)).pending === 0, 10_000, 'the replay acknowledged');
    expect(seen).toEqual(expected);
    expect(replayed).toEqual(expected.filter((n) => n <= 8));
    expect(next.stats().replayed).toBe(8 - coveredUpTo);
    await next.stop();
  });
});
