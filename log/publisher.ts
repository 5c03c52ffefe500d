/**
 * Appends device messages to the log: the broker's hand-off. `append` resolves only once
 * JetStream acknowledged the message, i.e. stored it (on every replica the stream asks for),
 * and rejects otherwise (server away, stream full, timeout): the caller then must not
 * acknowledge the message to its device.
 *
 * Appends are pipelined and batched, not one request each: the appends of one event-loop turn
 * go out together (one socket write) as plain core-NATS publishes whose reply subject is
 * `{inbox}.{n}`, one subscription takes every JetStream ack, and a bounded window
 * (`maxPendingAcks`) caps the acks outstanding; appends beyond it wait here, in call order. `js.publish` costs a request object, a timer, an empty header block
 * (HPUB) and a TextDecoder per message; at 10,000 devices that was most of the broker's
 * CPU. One connection, one FIFO: messages are sent in call order, so one elevator's messages
 * are stored in the order they arrived (Aedes hands a client's next publish only after this
 * one's PUBACK, so one elevator never has two appends in flight anyway).
 */

import { jetstreamManager } from '@nats-io/jetstream';
import { createInbox, type Msg, type NatsConnection, type Subscription } from '@nats-io/transport-node';
import { LiftWatchError } from '../lib/errors.ts';
import type { Logger } from '../lib/logger.ts';
import { connectLog } from './connection.ts';
import { ensureLogStream, type LogStreamOptions } from './stream.ts';
import { DEFAULT_LOG_STREAMS, deviceSubject } from './subjects.ts';

export interface LogPublisherOptions extends LogStreamOptions {
  url: string;
  partitions: number;
  /** How long one append waits for JetStream's acknowledgement. */
  appendTimeoutMs?: number;
  /** Appends sent and not yet acknowledged by JetStream, at most; the rest wait in order. */
  maxPendingAcks?: number;
  name?: string;
}

/** Enough to keep JetStream's disk writes batched; small enough that a stall fails fast. */
export const DEFAULT_MAX_PENDING_ACKS = 4096;
const DEFAULT_APPEND_TIMEOUT_MS = 5000;
/** How often expired appends are failed: a timer per append is what this file avoids. */
const SWEEP_MS = 250;

interface Append {
  subject: string;
  payload: Uint8Array;
  resolve(): void;
  reject(error: Error): void;
  /** Set when sent: when it fails if no ack came. */
  deadline: number;
}

export class LogPublisher {
  private nc: NatsConnection | null = null;
  private replies: Subscription | null = null;
  private inbox = '';
  private nextId = 0;
  /** Sent, waiting for their ack, by id; a Map keeps send order, so expiry scans from the front. */
  private readonly inFlight = new Map<number, Append>();
  /** Beyond the window: not sent yet, in call order. */
  private readonly queued: Append[] = [];
  private queuedHead = 0;
  private sweepTimer: NodeJS.Timeout | null = null;
  private pumpScheduled = false;
  private readonly scheduledPump = (): void => {
    this.pumpScheduled = false;
    this.pump();
  };
  private counts = { appended: 0, failed: 0 };

  constructor(
    private readonly options: LogPublisherOptions,
    private readonly deps: { log: Logger },
  ) {}

  get stats(): Readonly<{ appended: number; failed: number; inFlight: number; queued: number }> {
    return {
      ...this.counts,
      inFlight: this.inFlight.size,
      queued: this.queued.length - this.queuedHead,
    };
  }

  /** Connects and makes sure the stream exists. */
  async start(): Promise<void> {
    const log = this.deps.log.child({ module: 'log-publisher' });
    const nc = await connectLog(
      { url: this.options.url, name: this.options.name ?? 'lift-watch-broker' },
      log,
    );
    try {
      // The streams of this publisher's partitions (LOG_STREAMS' default when not given).
      const layout = this.options.layout ?? {
        partitions: this.options.partitions,
        streams: DEFAULT_LOG_STREAMS,
      };
      await ensureLogStream(await jetstreamManager(nc), { ...this.options, layout });
    } catch (error) {
      await nc.close();
      throw new LiftWatchError('LOG_UNREACHABLE', `NATS ${this.options.url}: no JetStream stream`, {
        cause: error,
      });
    }
    this.nc = nc;
    this.inbox = createInbox();
    const prefixLength = this.inbox.length + 1;
    this.replies = nc.subscribe(`${this.inbox}.*`, {
      callback: (error, msg) => {
        if (!error) this.settle(Number(msg.subject.slice(prefixLength)), msg);
      },
    });
    this.sweepTimer = setInterval(() => this.expire(Date.now()), SWEEP_MS);
    this.sweepTimer.unref();
    log.info({ url: this.options.url, partitions: this.options.partitions }, 'log publisher connected');
  }

  /** Resolves once the log stored the message; rejects when it did not (then nothing was acknowledged). */
  append(topic: string, payload: Buffer): Promise<void> {
    if (!this.nc)
      return Promise.reject(new LiftWatchError('LOG_UNREACHABLE', 'the log publisher is not connected'));
    const subject = deviceSubject(topic, this.options.partitions);
    if (subject === null) return Promise.reject(new Error(`not a device topic: ${topic}`));
    return new Promise<void>((resolve, reject) => {
      this.queued.push({ subject, payload, resolve, reject, deadline: 0 });
      // Sent once the event loop has read every socket that was ready: all the appends of
      // one turn leave in one write to the NATS socket, not one write (a syscall) each.
      if (!this.pumpScheduled) {
        this.pumpScheduled = true;
        setImmediate(this.scheduledPump);
      }
    });
  }

  async stop(): Promise<void> {
    const nc = this.nc;
    this.nc = null;
    if (this.sweepTimer) clearInterval(this.sweepTimer);
    this.sweepTimer = null;
    const stopped = new LiftWatchError('LOG_UNREACHABLE', 'the log publisher stopped');
    for (const append of this.inFlight.values()) this.fail(append, stopped);
    this.inFlight.clear();
    for (const append of this.queued.splice(0).slice(this.queuedHead)) this.fail(append, stopped);
    this.queuedHead = 0;
    // Every append left has just been failed: answers still on their way have no one to tell.
    this.replies?.unsubscribe();
    this.replies = null;
    if (nc) await nc.drain().catch(() => nc.close());
  }

  private window(): number {
    return this.options.maxPendingAcks ?? DEFAULT_MAX_PENDING_ACKS;
  }

  private send(append: Append): void {
    const id = this.nextId++;
    append.deadline = Date.now() + (this.options.appendTimeoutMs ?? DEFAULT_APPEND_TIMEOUT_MS);
    this.inFlight.set(id, append);
    try {
      this.nc!.publish(append.subject, append.payload, { reply: `${this.inbox}.${id}` });
    } catch (error) {
      this.inFlight.delete(id);
      this.fail(append, error as Error);
    }
  }

  /** JetStream answered append `id`: stored, or an error (stream full, no stream). */
  private settle(id: number, msg: Msg): void {
    const append = this.inFlight.get(id);
    if (!append) return; // already failed by the sweep; the device sends it again
    this.inFlight.delete(id);
    const problem = pubAckProblem(msg);
    if (problem === null) {
      this.counts.appended += 1;
      append.resolve();
    } else
      this.fail(append, new LiftWatchError('LOG_UNREACHABLE', `JetStream refused the append: ${problem}`));
    this.pump();
  }

  /** Fails every append sent before `now - timeout` whose ack never came. */
  private expire(now: number): void {
    for (const [id, append] of this.inFlight) {
      if (append.deadline > now) break; // sent in order, so every later one is younger
      this.inFlight.delete(id);
      this.fail(append, new LiftWatchError('LOG_UNREACHABLE', 'JetStream did not acknowledge in time'));
    }
    this.pump();
  }

  /** Sends what waits, oldest first, while the window has room. */
  private pump(): void {
    const window = this.window();
    while (this.queuedHead < this.queued.length && this.inFlight.size < window && this.nc) {
      const append = this.queued[this.queuedHead]!;
      this.queued[this.queuedHead++] = undefined as unknown as Append;
      this.send(append);
    }
    if (this.queuedHead > 1024 && this.queuedHead * 2 > this.queued.length) {
      this.queued.splice(0, this.queuedHead);
      this.queuedHead = 0;
    }
  }

  private fail(append: Append, error: Error): void {
    this.counts.failed += 1;
    append.reject(error);
  }
}

const ACK_START = Buffer.from('{"stream":');

/**
 * Null when `msg` is JetStream's "stored" (`{"stream":…,"seq":…}`), else what went wrong. The
 * server writes an error as `{"error":{…}}` first, so the common case costs a byte compare, not
 * a JSON parse; a 503 status with no body means no stream listens on the subject.
 */
export function pubAckProblem(msg: Pick<Msg, 'data' | 'headers'>): string | null {
  const data = msg.data;
  if (data.length > ACK_START.length && ACK_START.equals(data.subarray(0, ACK_START.length))) return null;
  if (data.length === 0) return `status ${msg.headers?.code ?? 'none'} (no stream for the subject?)`;
  try {
    const body = JSON.parse(Buffer.from(data).toString('utf8')) as { error?: { description?: string } };
    return body.error?.description ?? 'no stream in the acknowledgement';
  } catch {
    return 'unreadable acknowledgement';
  }
}
