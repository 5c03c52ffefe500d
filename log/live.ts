/**
 * The live reading of the device log for an API node (`LiveReader`): every device message any
 * broker front stored, as it is stored, for the node's in-memory state of each car (position,
 * motion, door, mode, online/offline from the status channel and the fronts' Wills).
 *
 * An API node subscribed to one front's MQTT sees only the devices connected to that front;
 * every front appends to the device streams (`LW_IN_{n}`), so the log is where all of them meet.
 * The reading is one ordered consumer per stream (ephemeral, in memory on the server, no acknowledgements, recreated from
 * the last sequence seen after a gap or a server restart) that starts with JetStream's "last
 * per subject" delivery on `lw.in.>` and then goes on with new messages: a node that (re)starts
 * gets each car's latest telemetry, status, event and maintenance message first, so it shows
 * current states, not blanks, without reading the stream's whole history. nats-server 2.9
 * supports this delivery with one filter subject (multi-filter consumers are 2.10+).
 *
 * Nothing is durable here, on purpose: the state it feeds is a cache of the latest message per
 * car, which the stream itself keeps (by age and size, `LOG_MAX_AGE_H`); a car silent for longer
 * has no message left and is shown offline by its silence anyway. Nothing here looks into a
 * payload: the reader hands on the MQTT topic the subject names and the time the log stored it.
 */
import {
  type ConsumerMessages,
  DeliverPolicy,
  type JsMsg,
  jetstream,
  jetstreamManager,
} from '@nats-io/jetstream';
import type { NatsConnection } from '@nats-io/transport-node';
import type { Logger } from '../lib/logger.ts';
import { connectLog } from './connection.ts';
import { ensureLogStream, type LogStreamOptions } from './stream.ts';
import { DEFAULT_LAYOUT, LOG_SUBJECTS, logStreams, topicOfSubject } from './subjects.ts';

export interface LiveReaderOptions extends LogStreamOptions {
  url: string;
  /** Shown in the server's connection list. */
  name?: string;
  /** Messages pulled ahead of the callback at most: what the reader buffers (default 1000). */
  maxBuffered?: number;
}

export interface LiveReaderDeps {
  log: Logger;
  /**
   * One stored device message, in stream order, with the MQTT topic it came in on and the
   * wall-clock time (ms) the log stored it. Synchronous; a throw is logged and the reading goes on.
   */
  onMessage(topic: string, payload: Uint8Array, storedAt: number): void;
}

export interface LiveReaderStats {
  /** Messages handed on since start (the latest per subject first, then new ones). */
  received: number;
  /** Messages on a subject that is not a device subject. */
  unreadable: number;
  /** Handed-on messages whose callback threw. */
  failed: number;
  /** The stream sequence of the last message handed on (of whichever stream it came from). */
  lastStreamSeq: number;
}

export class LiveReader {
  #nc: NatsConnection | null = null;
  #messages: ConsumerMessages[] = [];
  readonly #log: Logger;
  readonly #counts: LiveReaderStats = { received: 0, unreadable: 0, failed: 0, lastStreamSeq: 0 };

  constructor(
    private readonly options: LiveReaderOptions,
    private readonly deps: LiveReaderDeps,
  ) {
    this.#log = deps.log.child({ module: 'live-reader' });
  }

  get connected(): boolean {
    return this.#nc !== null && !this.#nc.isClosed();
  }

  stats(): LiveReaderStats {
    return { ...this.#counts };
  }

  async start(): Promise<void> {
    const { options } = this;
    const nc = await connectLog({ url: options.url, name: options.name ?? 'lift-watch-api-live' }, this.#log);
    try {
      const jsm = await jetstreamManager(nc);
      const streams = logStreams(options.layout ?? DEFAULT_LAYOUT);
      // An API node may start before any front: the streams are created with the same settings a
      // front would give them, but never updated from here (their limits are the writers' to set).
      const missing = await Promise.all(
        streams.map((s) =>
          jsm.streams.info(s.name).then(
            () => false,
            () => true,
          ),
        ),
      );
      if (missing.some(Boolean)) await ensureLogStream(jsm, options);
      // One car's messages are all in one stream, in order; the streams' orders do not meet.
      const maxBuffered = Math.max(100, Math.ceil((options.maxBuffered ?? 1000) / streams.length));
      for (const stream of streams) {
        const consumer = await jetstream(nc).consumers.get(stream.name, {
          filter_subjects: LOG_SUBJECTS,
          deliver_policy: DeliverPolicy.LastPerSubject,
        });
        this.#messages.push(
          await consumer.consume({ max_messages: maxBuffered, callback: (msg) => this.#receive(msg) }),
        );
      }
    } catch (error) {
      for (const messages of this.#messages.splice(0)) messages.stop();
      await nc.close();
      throw error;
    }
    this.#nc = nc;
    this.#log.info(
      { streams: this.#messages.length },
      'reading live device messages (the latest per subject, then new)',
    );
  }

  #receive(msg: JsMsg): void {
    const topic = topicOfSubject(msg.subject);
    if (!topic) {
      this.#counts.unreadable += 1;
      return;
    }
    try {
      this.deps.onMessage(topic, msg.data, msg.time.getTime());
    } catch (error) {
      this.#counts.failed += 1;
      this.#log.error({ err: error, subject: msg.subject }, 'a live device message could not be applied');
    }
    this.#counts.received += 1;
    this.#counts.lastStreamSeq = msg.seq;
  }

  async stop(): Promise<void> {
    for (const messages of this.#messages.splice(0)) messages.stop();
    const nc = this.#nc;
    this.#nc = null;
    if (nc) await nc.drain().catch(() => nc.close());
  }
}
