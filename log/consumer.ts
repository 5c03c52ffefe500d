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
 */
import { type ConsumerMessages, type JsMsg, jetstream, jetstreamManager } from '@nats-io/jetstream';
import type { NatsConnection } from '@nats-io/transport-node';
import type { Logger } from '../lib/logger.ts';
import { connectLog } from './connection.ts';
import { ensureLogStream, ensurePartitionConsumer, type LogStreamOptions } from './stream.ts';
import { LOG_STREAM, topicOfSubject } from './subjects.ts';

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
}

export interface LogConsumerStats {
  delivered: number;
  acked: number;
  /** Delivered and not yet acknowledged (waiting for a settle). */
  unacked: number;
  settleFailures: number;
}

export class LogConsumer {
  private nc: NatsConnection | null = null;
  private readonly readers: ConsumerMessages[] = [];
  private held: JsMsg[] = [];
  private settling: Promise<void> | null = null;
  private stopped = false;
  private readonly counts = { delivered: 0, acked: 0, settleFailures: 0 };
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
    return { ...this.counts, unacked: this.held.length };
  }

  async start(): Promise<void> {
    const { options } = this;
    const nc = await connectLog({ url: options.url, name: options.name ?? 'lift-watch-ingest' }, this.log);
    this.nc = nc;
    const jsm = await jetstreamManager(nc);
    await ensureLogStream(jsm, options);
    const js = jetstream(nc);
    for (const partition of options.partitions) {
      const durable = await ensurePartitionConsumer(jsm, partition, {
        maxAckPending: options.maxAckPending,
        ackWaitMs: options.ackWaitMs ?? 30_000,
      });
      const consumer = await js.consumers.get(LOG_STREAM, durable);
      // The callback form: no promise per message, and onMessage is synchronous anyway.
      const reader = await consumer.consume({
        max_messages: Math.min(options.maxAckPending, 500),
        callback: (msg) => this.receive(msg),
      });
      this.readers.push(reader);
    }
    this.log.info({ partitions: options.partitions.length, url: options.url }, 'consuming the log');
  }

  private receive(msg: JsMsg): void {
    if (this.stopped) return; // not acknowledged: delivered again to the next owner
    this.counts.delivered += 1;
    const topic = topicOfSubject(msg.subject) ?? msg.subject;
    const data = msg.data;
    this.deps.onMessage(topic, Buffer.from(data.buffer, data.byteOffset, data.byteLength), Date.now());
    this.held.push(msg);
    this.settling ??= this.settleLoop().finally(() => {
      this.settling = null;
    });
  }

  /** Acknowledges, batch after batch, what a successful settle covered. */
  private async settleLoop(): Promise<void> {
    while (this.held.length > 0 && !this.stopped) {
      const batch = this.held;
      this.held = [];
      let durable = false;
      try {
        durable = await this.deps.settle();
      } catch (error) {
        this.log.warn({ err: error }, 'settle failed; acknowledging nothing');
      }
      if (durable) {
        for (const msg of batch) msg.ack();
        this.counts.acked += batch.length;
        continue;
      }
      this.counts.settleFailures += 1;
      this.held = batch.concat(this.held);
      for (const msg of this.held) msg.working();
      await new Promise((resolve) => setTimeout(resolve, this.options.settleRetryMs ?? 500));
    }
  }

  /**
   * Stops reading, gives what was handed over one last settle (acknowledging it if durable),
   * and closes. Anything not acknowledged is delivered again to the next owner.
   */
  async stop(): Promise<void> {
    for (const reader of this.readers.splice(0)) reader.stop();
    await this.settling;
    this.stopped = true;
    if (this.held.length > 0 && (await this.deps.settle().catch(() => false))) {
      for (const msg of this.held) msg.ack();
      this.counts.acked += this.held.length;
    }
    this.held = [];
    const nc = this.nc;
    this.nc = null;
    if (nc) await nc.drain().catch(() => nc.close());
  }
}
