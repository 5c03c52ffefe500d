/**
 * Reads the log for a worker: one durable pull consumer per partition it is given (all of
 * them while there is one worker; a subset once leases hand partitions out), every message
 * handed synchronously to `onMessage`, and acknowledged only after `settle()` said that
 * everything handed over so far is durable (written to InfluxDB, alert transitions committed).
 *
 * Checkpoints (with leases) do not hold acks back: every few seconds the state of the
 * partitions that moved is captured at a batch boundary, with the stream sequence of the last
 * message of each it covers, and saved once that batch is durable. A partition's next owner
 * loads the checkpoint and reads the partition again from the message after that sequence
 * (`addPartition(p, afterSeq)` makes the durable consumer start there), so the messages the
 * previous owner had acknowledged since are replayed onto the state they left off from. They
 * are handed over marked `replayed` (up to the old consumer's ack floor): their points were
 * written and their findings committed by the owner that acknowledged them, so they rebuild
 * state and raise nothing again (an alert opened and cleared in that stretch would otherwise
 * be opened a second time).
 * Holding every ack until a checkpoint covered it worked too, but kept seconds of messages
 * pending in the server and checkpointing every elevator every 2 s was a third of what
 * durability cost the ingest (docs/scale-out.md); this is the Kafka consumer's way (commit
 * the position with the state, replay from it).
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
  /**
   * One message, synchronously; must not throw (the ingest's `handle` guards every step).
   * `replayed`: an earlier owner of the partition acknowledged it (see `addPartition`).
   */
  onMessage(topic: string, payload: Buffer, receivedAt: number, replayed: boolean): void;
  /** Resolves true once everything handed to `onMessage` so far is durable; false if not (yet). */
  settle(): Promise<boolean>;
  /** Of these partitions, the ones still ours (leases); without it every partition is. */
  fence?(partitions: readonly number[]): Promise<ReadonlySet<number>>;
  /**
   * Checkpoints (log/checkpoints.ts): every `everyMs`, `capture` (synchronous, at a batch
   * boundary, so it holds the state of exactly what was handed over so far) the state of the
   * partitions handed messages since their last capture, each with the stream sequence of the
   * last of them (`covered`: partition → sequence); once that batch's settle succeeded, `save`
   * it. The next owner reads on from after that sequence (`addPartition`), so every message
   * in it is in the state and every later one is handed again.
   */
  checkpoint?: {
    everyMs: number;
    capture(covered: ReadonlyMap<number, number>): unknown;
    save(captured: unknown): Promise<void>;
  };
}

export interface LogConsumerStats {
  delivered: number;
  /** Of those, handed over as replayed (acknowledged by an earlier owner). */
  replayed: number;
  acked: number;
  /** Delivered and not yet acknowledged (waiting for a settle). */
  unacked: number;
  settleFailures: number;
  /** Messages not acknowledged because their partition was no longer ours. */
  fenced: number;
  checkpointsSaved: number;
  checkpointFailures: number;
  partitions: number[];
}

export class LogConsumer {
  private nc: NatsConnection | null = null;
  private readonly readers = new Map<number, ConsumerMessages>();
  /** Partitions to read: added before their reader exists, so a removal meanwhile is seen. */
  private readonly wanted = new Set<number>();
  private held: JsMsg[] = [];
  /** Per partition, the last message handed over since its last capture: what a checkpoint would cover. */
  private uncaptured = new Map<number, JsMsg>();
  /** Per partition, the stream sequence its last capture covered (a redelivery never moves it back). */
  private readonly capturedSeq = new Map<number, number>();
  /** Per partition taken over, the stream sequence up to which its messages are replays. */
  private readonly replayThrough = new Map<number, number>();
  private lastCheckpoint = 0;
  /** Set by `finish`: the settle loop stops at the next empty batch instead of waiting for a checkpoint. */
  private finishing = false;
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
  private readonly counts = {
    delivered: 0,
    replayed: 0,
    acked: 0,
    settleFailures: 0,
    fenced: 0,
    checkpointsSaved: 0,
    checkpointFailures: 0,
  };
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
      unacked: this.held.length,
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

  /**
   * Starts reading a partition: its durable consumer is created if missing. With `afterSeq`
   * (the stream sequence the partition's loaded checkpoint covers) the consumer is made anew to
   * deliver from the next message, whatever an earlier owner acknowledged past it; the messages
   * up to the old consumer's ack floor are handed over as replayed.
   */
  async addPartition(partition: number, afterSeq?: number): Promise<void> {
    const nc = this.nc;
    if (!nc || this.wanted.has(partition) || this.stopped) return;
    this.wanted.add(partition);
    const { options } = this;
    let reader: ConsumerMessages;
    let replayUpTo = 0;
    try {
      const jsm = await jetstreamManager(nc);
      const layout = options.layout ?? DEFAULT_LAYOUT;
      const { durable, acknowledgedThrough } = await ensurePartitionConsumer(jsm, partition, {
        maxAckPending: options.maxAckPending,
        ackWaitMs: options.ackWaitMs ?? 30_000,
        layout,
        ...(afterSeq === undefined ? {} : { startAfter: afterSeq }),
      });
      if (afterSeq !== undefined && acknowledgedThrough > afterSeq) replayUpTo = acknowledgedThrough;
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
    else {
      if (replayUpTo > 0) this.replayThrough.set(partition, replayUpTo);
      this.readers.set(partition, reader);
    }
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
    this.uncaptured.delete(partition);
    this.capturedSeq.delete(partition);
    this.replayThrough.delete(partition);
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
    // A partition's messages come in stream order: the first past the mark ends its replay.
    let replayed = false;
    const through = this.replayThrough.get(partition);
    if (through !== undefined) {
      if (msg.seq <= through) {
        replayed = true;
        this.counts.replayed += 1;
      } else this.replayThrough.delete(partition);
    }
    const topic = topicOfSubject(msg.subject) ?? msg.subject;
    const data = msg.data;
    this.deps.onMessage(
      topic,
      Buffer.from(data.buffer, data.byteOffset, data.byteLength),
      Date.now(),
      replayed,
    );
    this.held.push(msg);
    this.uncaptured.set(partition, msg);
    this.settling ??= this.settleLoop().finally(() => {
      this.settling = null;
    });
  }

  /** Acknowledges, batch after batch, what a successful settle covered; checkpoints when due. */
  private async settleLoop(): Promise<void> {
    const retryMs = this.options.settleRetryMs ?? 500;
    const checkpoint = this.deps.checkpoint;
    while (!this.stopped) {
      const wait = checkpoint ? this.lastCheckpoint + checkpoint.everyMs - Date.now() : 0;
      const due = checkpoint !== undefined && this.uncaptured.size > 0 && wait <= 0;
      if (this.held.length === 0) {
        // Nothing to acknowledge; stay only for a checkpoint of what was handed (not when finishing).
        if (!checkpoint || this.uncaptured.size === 0 || this.finishing) break;
        if (!due) {
          await pause(Math.min(wait, retryMs));
          continue;
        }
      }
      let batch = this.held;
      this.held = [];
      const takenAt = this.releases;
      const capture = due ? this.capture() : null;
      let durable = false;
      try {
        durable = await this.deps.settle();
      } catch (error) {
        this.log.warn({ err: error }, 'settle failed; acknowledging nothing');
      }
      batch = this.letGoReleased(batch, takenAt);
      if (!durable) {
        this.counts.settleFailures += 1;
        if (capture) this.uncapture(capture.taken);
        this.held = batch.concat(this.held);
        for (const msg of this.held) msg.working();
        await pause(retryMs);
        continue;
      }
      // Held back by an unconfirmed fence: ask again after a pause, not in a tight loop.
      const heldBack = batch.length > 0 ? await this.acknowledge(batch) : 0;
      if (capture) await this.save(capture);
      if (heldBack > 0) await pause(retryMs);
    }
  }

  /** The checkpoint of every partition handed messages since its last capture (synchronous). */
  private capture(): { captured: unknown; taken: Map<number, JsMsg> } {
    const taken = this.uncaptured;
    this.uncaptured = new Map();
    const covered = new Map<number, number>();
    for (const [partition, msg] of taken) {
      const seq = Math.max(msg.seq, this.capturedSeq.get(partition) ?? 0);
      this.capturedSeq.set(partition, seq);
      covered.set(partition, seq);
    }
    return { captured: this.deps.checkpoint!.capture(covered), taken };
  }

  /** A capture that was not saved: its partitions are captured again next time. */
  private uncapture(taken: Map<number, JsMsg>): void {
    for (const [partition, msg] of taken)
      if (this.readers.has(partition) && !this.uncaptured.has(partition)) this.uncaptured.set(partition, msg);
  }

  private async save(capture: { captured: unknown; taken: Map<number, JsMsg> }): Promise<void> {
    this.lastCheckpoint = Date.now();
    try {
      await this.deps.checkpoint!.save(capture.captured);
      this.counts.checkpointsSaved += 1;
    } catch (error) {
      // Acks do not wait for it: a next owner just replays from the previous checkpoint.
      this.counts.checkpointFailures += 1;
      this.log.warn({ err: error }, 'checkpoint not saved; the next one covers its partitions');
      this.uncapture(capture.taken);
    }
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
    this.finishing = true;
    await this.settling;
    this.stopped = true;
    const last = this.held;
    this.held = [];
    const takenAt = this.releases;
    // The last checkpoint covers everything handed over: the next owner replays nothing.
    const capture = this.deps.checkpoint && this.uncaptured.size > 0 ? this.capture() : null;
    if (last.length === 0 && !capture) {
      // nothing handed since the last settle
    } else if (await this.deps.settle().catch(() => false)) {
      if (last.length > 0) await this.acknowledge(this.letGoReleased(last, takenAt));
      if (capture) await this.save(capture);
    } else for (const msg of last) msg.nak();
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
