/**
 * Appends device messages to the log: the broker's hand-off. `append` resolves only once
 * JetStream acknowledged the message, i.e. stored it (on every replica the stream asks for),
 * and rejects otherwise (server away, stream full, timeout): the caller then must not
 * acknowledge the message to its device. One connection; appends are sent in call order, so
 * one elevator's messages are stored in the order they arrived.
 */
import { type JetStreamClient, jetstream, jetstreamManager } from '@nats-io/jetstream';
import type { NatsConnection } from '@nats-io/transport-node';
import { LiftWatchError } from '../lib/errors.ts';
import type { Logger } from '../lib/logger.ts';
import { connectLog } from './connection.ts';
import { ensureLogStream, type LogStreamOptions } from './stream.ts';
import { deviceSubject } from './subjects.ts';

export interface LogPublisherOptions extends LogStreamOptions {
  url: string;
  partitions: number;
  /** How long one append waits for JetStream's acknowledgement. */
  appendTimeoutMs?: number;
  name?: string;
}

export class LogPublisher {
  private nc: NatsConnection | null = null;
  private js: JetStreamClient | null = null;
  private counts = { appended: 0, failed: 0 };

  constructor(
    private readonly options: LogPublisherOptions,
    private readonly deps: { log: Logger },
  ) {}

  get stats(): Readonly<{ appended: number; failed: number }> {
    return { ...this.counts };
  }

  /** Connects and makes sure the stream exists. */
  async start(): Promise<void> {
    const log = this.deps.log.child({ module: 'log-publisher' });
    const nc = await connectLog(
      { url: this.options.url, name: this.options.name ?? 'lift-watch-broker' },
      log,
    );
    try {
      await ensureLogStream(await jetstreamManager(nc), this.options);
    } catch (error) {
      await nc.close();
      throw new LiftWatchError('LOG_UNREACHABLE', `NATS ${this.options.url}: no JetStream stream`, {
        cause: error,
      });
    }
    this.nc = nc;
    this.js = jetstream(nc, { timeout: this.options.appendTimeoutMs ?? 5000 });
    log.info({ url: this.options.url, partitions: this.options.partitions }, 'log publisher connected');
  }

  /** Resolves once the log stored the message; rejects when it did not (then nothing was acknowledged). */
  async append(topic: string, payload: Buffer): Promise<void> {
    const js = this.js;
    if (!js) throw new LiftWatchError('LOG_UNREACHABLE', 'the log publisher is not connected');
    const subject = deviceSubject(topic, this.options.partitions);
    if (subject === null) throw new Error(`not a device topic: ${topic}`);
    try {
      await js.publish(subject, payload);
      this.counts.appended += 1;
    } catch (error) {
      this.counts.failed += 1;
      throw error;
    }
  }

  async stop(): Promise<void> {
    const nc = this.nc;
    this.nc = null;
    this.js = null;
    if (nc) await nc.drain().catch(() => nc.close());
  }
}
