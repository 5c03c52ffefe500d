/**
 * Reads the log for a worker: one durable pull consumer per partition it is given (all of
 * them while there is one worker; a subset once leases hand partitions out), every message
 * handed synchronously to `onMessage`, and acknowledged only after `settle()` said that
 * everything handed over so far is durable (written to InfluxDB, alert transitions committed).
 *
 * Acks are batched: while a settle runs, newly handed messages wait for the next one, so a
 * settle covers whatever arrived during the previous write. A settle that fails or times out
 * acknowledges nothing; the held messages are told `working()` (their redelivery timer starts
 * again) and the settle is tried again. If the process dies, every unacknowledged message is
 * delivered again after `ackWaitMs`, to whoever consumes the partition then; the ingest's
 * dedup by (elevator, seq) and InfluxDB's overwrite of identical points make that harmless.
 *
 * With leases (log/lease.ts) the partitions change while running: `addPartition` and
 * `removePartition` (which naks what it held of the partition, so the next owner gets it at
 * once), and `fence` is asked after each settle which of the batch's partitions are still
 * ours at our epoch; only their messages are acknowledged.
 */
import { type ConsumerMessages, type JsMsg, jetstream, jetstreamManager } from '@nats-io/jetstream';
import type { NatsConnection } from '@nats-io/transport-node';
import type { Logger } from '../lib/logger.ts';
import { connectLog } from './connection.ts';
import { ensureLogStream, ensurePartitionConsumer, type LogStreamOptions } from './stream.ts';
import { DEFAULT_LAYOUT, logStreamOf, partitionOfSubject, topicOfSubject } from './subjects.ts';

export interface LogConsumerOptions extends LogStreamOptions {
  url: string;
  /** The partitions this worker reads. */
  partitions: readonly number[];
  maxAckPending: number;
  /** Redelivery after this long without an ack (default 30 s). */
  ackWaitMs?: number;
  /** Pause after a failed settle before the next try (default 500 ms). */
  settleRetryMs?: number;
  name?: string;
}

export interface LogConsumerDeps {
  log: Logger;
  /** One message, synchronously; must not throw (the ingest's `handle` guards every step). */
  onMessage(topic: string, payload: Buffer, receivedAt: number): void;
  /** Resolves true once everything handed to `onMessage` so far is durable; false if not (yet). */
  settle(): Promise<boolean>;
  /** Of these partitions, the ones still ours (leases); without it every partition is. */
  fence?(partitions: readonly number[]): Promise<ReadonlySet<number>>;
  /**
   * Checkpoints (log/checkpoints.ts): every `everyMs`, `capture` (synchronous, at a batch
   * boundary, so it holds the state of exactly what was handed over so far) the state of these
   * partitions; once that settle succeeded, `save` it. Messages are acknowledged only when a
   * saved checkpoint covers them, so a new owner that loads it finds every message after it
   * unacknowledged (delivered again) and every message in it a duplicate (dropped).
   */
  checkpoint?: {
    everyMs: number;
    capture(partitions: readonly number[]): unknown;
    save(captured: unknown): Promise<void>;
  };
}

export interface LogConsumerStats {
  delivered: number;
  acked: number;
  /** Delivered and not yet acknowledged (waiting for a settle). */
  unacked: number;
  settleFailures: number;
  /** Messages not acknowledged because their partition was no longer ours. */
  fenced: number;
  partitions: number[];
}

export class LogConsumer {
  private nc: NatsConnection | null = null;
  private readonly readers = new Map<number, ConsumerMessages>();
  /** Partitions to read: added before their reader exists, so a removal meanwhile is seen. */
  private readonly wanted = new Set<number>();
  private held: JsMsg[] = [];
  /** Settled (durable) and waiting for a checkpoint that covers them before the ack. */
  private settled: JsMsg[] = [];
  private lastCheckpoint = 0;
  private settling: Promise<void> | null = null;
  /**
   * Bumped each time a partition is let go, and the value stamped on it: a message taken out of
   * `held` before that stamp (a batch in a settle, a list in a fence) belongs to a reading that
   * ended. Its partition's state was dropped, so it is not acknowledged even if the partition
   * is ours again by then (lost and taken back during one settle): it is let go, and delivered
   * again to the new reading.
   */
  private releases = 0;
  private readonly releasedAt = new Map<number, number>();
  private stopped = false;
  private readonly counts = { delivered: 0, acked: 0, settleFailures: 0, fenced: 0 };
  private readonly log: Logger;

  constructor(
    private readonly options: LogConsumerOptions,
    private readonly deps: LogConsumerDeps,
  ) {
    this.log = deps.log.child({ module: 'log-consumer' });
  }

  get connected(): boolean {
    return this.nc !== null && !this.nc.isClosed();
  }

  stats(): LogConsumerStats {
    return {
      ...this.counts,
      unacked: this.held.length + this.settled.length,
      partitions: [...this.readers.keys()].sort((a, b) => a - b),
    };
  }

  /** The connection, once started (the leases share it). */
  get connection(): NatsConnection | null {
    return this.nc;
  }

  async start(): Promise<void> {
    const { options } = this;
    const nc = await connectLog({ url: options.url, name: options.name ?? 'lift-watch-ingest' }, this.log);
    this.nc = nc;
    const jsm = await jetstreamManager(nc);
    await ensureLogStream(jsm, options);
    for (const partition of options.partitions) await this.addPartition(partition);
    this.log.info({ partitions: options.partitions.length, url: options.url }, 'consuming the log');
  }

  /** Starts reading a partition (its durable consumer is created if missing). */
  async addPartition(partition: number): Promise<void> {
    const nc = this.nc;
    if (!nc || this.wanted.has(partition) || this.stopped) return;
    this.wanted.add(partition);
    const { options } = this;
    let reader: ConsumerMessages;
    try {
      const jsm = await jetstreamManager(nc);
      const layout = options.layout ?? DEFAULT_LAYOUT;
      const durable = await ensurePartitionConsumer(jsm, partition, {
        maxAckPending: options.maxAckPending,
        ackWaitMs: options.ackWaitMs ?? 30_000,
        layout,
      });
      const consumer = await jetstream(nc).consumers.get(logStreamOf(partition, layout), durable);
      // The callback form: no promise per message, and onMessage is synchronous anyway.
      reader = await consumer.consume({
        max_messages: Math.min(options.maxAckPending, 500),
        callback: (msg) => this.receive(msg, partition),
      });
    } catch (error) {
      this.wanted.delete(partition);
      throw error;
    }
    // Removed (lease lost) or stopped while the reader was being made: it reads nothing.
    if (!this.wanted.has(partition) || this.stopped) reader.stop();
    else this.readers.set(partition, reader);
  }

  /**
   * Stops reading a partition and lets go of what it held of it unacknowledged (nak: delivered
   * again at once, to the partition's next owner).
   */
  removePartition(partition: number): number {
    this.wanted.delete(partition);
    this.releasedAt.set(partition, ++this.releases);
    const reader = this.readers.get(partition);
    if (reader) {
      this.readers.delete(partition);
      reader.stop();
    }
    let released = 0;
    const drop = (list: JsMsg[]): JsMsg[] =>
      list.filter((msg) => {
        if (partitionOfSubject(msg.subject) !== partition) return true;
        msg.nak();
        released += 1;
        return false;
      });
    this.held = drop(this.held);
    this.settled = drop(this.settled);
    this.counts.fenced += released;
    return released;
  }

  private receive(msg: JsMsg, partition: number): void {
    // Not ours (any more): not handled, not acknowledged; delivered again to the next owner.
    if (this.stopped || !this.readers.has(partition)) {
      msg.nak();
      return;
    }
    this.counts.delivered += 1;
    const topic = topicOfSubject(msg.subject) ?? msg.subject;
    const data = msg.data;
    this.deps.onMessage(topic, Buffer.from(data.buffer, data.byteOffset, data.byteLength), Date.now());
    this.held.push(msg);
    this.settling ??= this.settleLoop().finally(() => {
      this.settling = null;
    });
  }

  /** Acknowledges, batch after batch, what a successful settle (and checkpoint) covered. */
  private async settleLoop(): Promise<void> {
    const retryMs = this.options.settleRetryMs ?? 500;
    const checkpoint = this.deps.checkpoint;
    while ((this.held.length > 0 || this.settled.length > 0) && !this.stopped) {
      const wait = checkpoint ? this.lastCheckpoint + checkpoint.everyMs - Date.now() : 0;
      if (this.held.length === 0 && wait > 0) {
        await pause(Math.min(wait, retryMs));
        continue;
      }
      let batch = this.held;
      this.held = [];
      const takenAt = this.releases;
      const captured = checkpoint && wait <= 0 ? checkpoint.capture(this.partitionsOf(batch)) : undefined;
      let durable = false;
      try {
        durable = await this.deps.settle();
      } catch (error) {
        this.log.warn({ err: error }, 'settle failed; acknowledging nothing');
      }
      batch = this.letGoReleased(batch, takenAt);
      if (!durable) {
        this.counts.settleFailures += 1;
        this.held = batch.concat(this.held);
        for (const msg of this.held) msg.working();
        for (const msg of this.settled) msg.working();
        await pause(retryMs);
        continue;
      }
      if (!checkpoint) {
        // Held back by an unconfirmed fence: ask again after a pause, not in a tight loop.
        if ((await this.acknowledge(batch)) > 0) await pause(retryMs);
        continue;
      }
      this.settled.push(...batch);
      if (captured === undefined) continue;
      try {
        await checkpoint.save(captured);
      } catch (error) {
        this.log.warn({ err: error }, 'checkpoint not saved; acknowledging nothing yet');
        for (const msg of this.settled) msg.working();
        await pause(retryMs);
        continue;
      }
      this.lastCheckpoint = Date.now();
      const covered = this.settled;
      this.settled = [];
      if ((await this.acknowledge(covered)) > 0) await pause(retryMs);
    }
  }

  /** The partitions of the messages waiting for a checkpoint, and of `batch`. */
  private partitionsOf(batch: readonly JsMsg[]): number[] {
    const partitions = new Set<number>();
    for (const msg of this.settled) partitions.add(partitionOfSubject(msg.subject));
    for (const msg of batch) partitions.add(partitionOfSubject(msg.subject));
    return [...partitions];
  }

  /**
   * Acks the batch's messages whose partition is still ours; the rest are let go (nak). Returns
   * how many were held back for the next settle (partition still read, fence not confirmed).
   */
  private async acknowledge(taken: JsMsg[]): Promise<number> {
    let heldBack = 0;
    let ours: ReadonlySet<number> | null = null;
    let batch = taken;
    if (this.deps.fence) {
      const takenAt = this.releases;
      const partitions = new Set<number>();
      for (const msg of batch) partitions.add(partitionOfSubject(msg.subject));
      ours = await this.deps.fence([...partitions]).catch(() => new Set<number>());
      batch = this.letGoReleased(batch, takenAt);
    }
    for (const msg of batch) {
      if (ours === null || ours.has(partitionOfSubject(msg.subject))) {
        msg.ack();
        this.counts.acked += 1;
      } else if (this.readers.has(partitionOfSubject(msg.subject))) {
        // Still reading it but the fence could not confirm (a renewal raced it): next settle.
        this.held.push(msg);
        heldBack += 1;
      } else {
        msg.nak();
        this.counts.fenced += 1;
      }
    }
    return heldBack;
  }

  /** `list` without the messages of partitions let go since `takenAt`, which are nak'ed. */
  private letGoReleased(list: JsMsg[], takenAt: number): JsMsg[] {
    if (this.releases === takenAt) return list;
    return list.filter((msg) => {
      if ((this.releasedAt.get(partitionOfSubject(msg.subject)) ?? 0) <= takenAt) return true;
      msg.nak();
      this.counts.fenced += 1;
      return false;
    });
  }

  /**
   * Stops reading and gives what was handed over one last settle (acknowledging it if durable
   * and still ours). Anything not acknowledged is delivered again to the next owner. The
   * connection stays open (the leases give their partitions back over it afterwards).
   */
  async finish(): Promise<void> {
    for (const reader of this.readers.values()) reader.stop();
    await this.settling;
    this.stopped = true;
    const last = this.held;
    const captured = this.deps.checkpoint?.capture(this.partitionsOf(last));
    this.held = [];
    const takenAt = this.releases;
    const all = this.settled.concat(last);
    this.settled = [];
    if (all.length > 0 && (await this.deps.settle().catch(() => false))) {
      const saved =
        captured === undefined ||
        (await this.deps.checkpoint!.save(captured).then(
          () => true,
          () => false,
        ));
      if (saved) await this.acknowledge(this.letGoReleased(all, takenAt));
      else for (const msg of all) msg.nak();
    } else for (const msg of all) msg.nak();
    for (const msg of this.held) msg.nak();
    this.held = [];
    this.readers.clear();
    this.wanted.clear();
  }

  /** `finish()`, then closes the connection. */
  async stop(): Promise<void> {
    if (!this.stopped) await this.finish();
    const nc = this.nc;
    this.nc = null;
    if (nc) await nc.drain().catch(() => nc.close());
  }
}

function pause(ms: number): Promise<void> {
  return new Promise((resolve) => setTimeout(resolve, ms));
}
