/**
 * Alert and visit transitions on the log (stream `LW_SVC`, subjects `lw.svc.{alerts|visits}.{id}`):
 * the lifecycle's writers append every transition they made (`TransitionLog`, wherever the
 * lifecycle runs: an ingest worker, an API node, the one process), and every API node reads
 * all of them through a durable consumer of its own (`TransitionReader`, `api-{API_NODE_ID}`),
 * so a node that was stopped reads what it missed from where it left off instead of losing it.
 *
 * The payload is the protocol's service message (`AlertMessage`, `VisitMessage`) exactly as it
 * travels on MQTT; the reader hands it on with the MQTT-style topic its subject names, and the
 * API validates it with the protocol's compiled validators (`decodeServiceMessage`). Nothing
 * here looks into a payload.
 */
import { randomUUID } from 'node:crypto';
import { setTimeout as delay } from 'node:timers/promises';
import {
  AckPolicy,
  type ConsumerMessages,
  DeliverPolicy,
  DiscardPolicy,
  type JetStreamClient,
  type JetStreamManager,
  type JsMsg,
  jetstream,
  jetstreamManager,
  RetentionPolicy,
  StorageType,
} from '@nats-io/jetstream';
import { type NatsConnection, nanos } from '@nats-io/transport-node';
import { backoffMs, waitUnlessAborted } from '../lib/backoff.ts';
import { LiftWatchError } from '../lib/errors.ts';
import type { Logger } from '../lib/logger.ts';
import { connectLog } from './connection.ts';
import type { LogStreamOptions } from './stream.ts';
import {
  TRANSITION_SUBJECTS,
  TRANSITIONS_STREAM,
  topicOfTransitionSubject,
  transitionSubject,
  transitionsDurable,
} from './subjects.ts';

/**
 * Creates the transitions stream, or updates its limits. Discard *old* here, unlike `LW_IN`:
 * every transition is already in the store when it is appended, so a full stream should drop
 * the oldest (which a node that was away longer than that reloads from the store at start)
 * rather than refuse new ones.
 */
export async function ensureTransitionStream(
  jsm: JetStreamManager,
  options: LogStreamOptions,
): Promise<void> {
  const config = {
    name: TRANSITIONS_STREAM,
    subjects: [TRANSITION_SUBJECTS],
    storage: StorageType.File,
    retention: RetentionPolicy.Limits,
    discard: DiscardPolicy.Old,
    num_replicas: options.replicas,
    max_age: nanos(options.maxAgeMs),
    max_bytes: options.maxBytes,
  };
  const existing = await jsm.streams.info(TRANSITIONS_STREAM).catch(() => null);
  if (existing) await jsm.streams.update(TRANSITIONS_STREAM, config);
  else await jsm.streams.add(config);
}

export interface TransitionLogOptions extends LogStreamOptions {
  url: string;
  /** Shown in the server's connection list. */
  name?: string;
  /** How long one append waits for JetStream's PubAck before it is tried again (default 5 s). */
  appendTimeoutMs?: number;
}

const encoder = new TextEncoder();

/**
 * The writer. `append` resolves once JetStream stored the transition; while NATS is away it
 * retries (with a back-off, the same message id, so a PubAck lost on the way does not store it
 * twice) until it is stored or the log is stopped. Appends are stored in call order: one
 * elevator's "opened" never lands after its "resolved".
 */
export class TransitionLog {
  #nc: NatsConnection | null = null;
  #js: JetStreamClient | null = null;
  #tail: Promise<void> = Promise.resolve();
  readonly #stopping = new AbortController();
  readonly #log: Logger;
  readonly #counts = { appended: 0, retries: 0 };

  constructor(
    private readonly options: TransitionLogOptions,
    deps: { log: Logger },
  ) {
    this.#log = deps.log.child({ module: 'transition-log' });
  }

  get connected(): boolean {
    return this.#nc !== null && !this.#nc.isClosed();
  }

  stats(): { appended: number; retries: number } {
    return { ...this.#counts };
  }

  async start(): Promise<void> {
    const nc = await connectLog(
      { url: this.options.url, name: this.options.name ?? 'lift-watch-transitions' },
      this.#log,
    );
    try {
      await ensureTransitionStream(await jetstreamManager(nc), this.options);
    } catch (error) {
      await nc.close();
      throw error;
    }
    this.#nc = nc;
    this.#js = jetstream(nc);
  }

  /** Stores one `alerts/{id}` or `visits/{id}` message; rejects only for another topic or when stopped. */
  append(topic: string, payload: string | Uint8Array): Promise<void> {
    const subject = transitionSubject(topic);
    if (!subject) return Promise.reject(new Error(`not a service topic: ${topic}`));
    const bytes = typeof payload === 'string' ? encoder.encode(payload) : payload;
    const msgID = randomUUID();
    const stored = this.#tail.then(() => this.#store(subject, bytes, msgID));
    this.#tail = stored.catch(() => undefined);
    return stored;
  }

  /**
   * For a lifecycle's `publish`: appends, and waits for the log at most `waitMs` (default 5 s).
   * Past that the append goes on in the background, in order, while the caller moves on: the
   * transition is already in the store, and a person's click or a detection commit must not
   * hang (nor hold a stop) for as long as NATS is away. Never rejects; a transition given up
   * at stop is logged.
   */
  async announce(topic: string, payload: string | Uint8Array, waitMs = 5000): Promise<void> {
    const stored = this.append(topic, payload).catch((error: unknown) => {
      this.#log.error({ err: error, topic }, 'an alert or visit transition did not reach the log');
    });
    const timer = new AbortController();
    const waited = delay(waitMs, undefined, { ref: false, signal: timer.signal }).catch(() => undefined);
    await Promise.race([stored, waited]);
    timer.abort();
  }

  async #store(subject: string, bytes: Uint8Array, msgID: string): Promise<void> {
    const signal = this.#stopping.signal;
    for (let attempt = 1; ; attempt++) {
      const js = this.#js;
      if (signal.aborted || !js)
        throw new LiftWatchError(
          'LOG_UNREACHABLE',
          `transition on ${subject} not stored: the log is stopped`,
        );
      try {
        await js.publish(subject, bytes, { msgID, timeout: this.options.appendTimeoutMs ?? 5000 });
        this.#counts.appended += 1;
        return;
      } catch (error) {
        this.#counts.retries += 1;
        this.#log.warn({ err: error, subject, attempt }, 'transition not stored yet; trying again');
        await waitUnlessAborted(backoffMs(attempt, 250, 5000), signal);
      }
    }
  }

  /** Gives pending appends up (they reject), then closes the connection. */
  async stop(): Promise<void> {
    this.#stopping.abort();
    await this.#tail;
    const nc = this.#nc;
    this.#nc = null;
    this.#js = null;
    if (nc) await nc.drain().catch(() => nc.close());
  }
}

export interface TransitionReaderOptions extends LogStreamOptions {
  url: string;
  /** API_NODE_ID: names the durable consumer, so a restarted node resumes where it stopped. */
  nodeId: string;
  /**
   * Where a node that has never read starts (its first start): the moment it began loading the
   * open alerts from the store, so nothing committed between that read and the consumer's
   * creation is missed. Later starts resume from the consumer's own position.
   */
  firstStartAt: Date;
  /** How long a delivered transition may stay unacknowledged before it is delivered again (default 30 s). */
  ackWaitMs?: number;
}

export interface TransitionReaderDeps {
  log: Logger;
  /**
   * One stored transition with the topic its subject names, in stream order. Synchronous: it
   * is acknowledged when this returns (a throw is logged and the message acknowledged too, so
   * one bad message cannot stop a node's feed).
   */
  onTransition(topic: string, payload: Uint8Array): void;
}

/** One API node's reading of the transitions stream. */
export class TransitionReader {
  #nc: NatsConnection | null = null;
  #messages: ConsumerMessages | null = null;
  readonly #log: Logger;
  readonly #counts = { received: 0, unreadable: 0, redelivered: 0, lastStreamSeq: 0 };

  constructor(
    private readonly options: TransitionReaderOptions,
    private readonly deps: TransitionReaderDeps,
  ) {
    this.#log = deps.log.child({ module: 'transition-reader' });
  }

  get connected(): boolean {
    return this.#nc !== null && !this.#nc.isClosed();
  }

  /** Transitions handed on since start, redeliveries skipped, and the stream sequence of the last one handed on. */
  stats(): { received: number; unreadable: number; redelivered: number; lastStreamSeq: number } {
    return { ...this.#counts };
  }

  get durable(): string {
    return transitionsDurable(this.options.nodeId);
  }

  async start(): Promise<void> {
    const { options } = this;
    const nc = await connectLog({ url: options.url, name: `lift-watch-${this.durable}` }, this.#log);
    let resumed = false;
    try {
      const jsm = await jetstreamManager(nc);
      await ensureTransitionStream(jsm, options);
      const existing = await jsm.consumers.info(TRANSITIONS_STREAM, this.durable).catch(() => null);
      resumed = existing !== null;
      if (!existing)
        await jsm.consumers.add(TRANSITIONS_STREAM, {
          durable_name: this.durable,
          filter_subject: TRANSITION_SUBJECTS,
          ack_policy: AckPolicy.Explicit,
          deliver_policy: DeliverPolicy.StartTime,
          opt_start_time: options.firstStartAt.toISOString(),
          ack_wait: nanos(options.ackWaitMs ?? 30_000),
          max_deliver: -1,
        });
      const consumer = await jetstream(nc).consumers.get(TRANSITIONS_STREAM, this.durable);
      this.#messages = await consumer.consume({ max_messages: 256, callback: (msg) => this.#receive(msg) });
    } catch (error) {
      await nc.close();
      throw error;
    }
    this.#nc = nc;
    this.#log.info({ durable: this.durable, resumed }, 'reading alert and visit transitions');
  }

  /**
   * One consumer delivers in stream order, so a sequence at or below the last one handed on is
   * a redelivery (an ack lost when the server died: `kill -9` of nats-server in
   * log-transitions.test.ts brought one back): acknowledged again, not handed on twice.
   */
  #receive(msg: JsMsg): void {
    if (msg.seq <= this.#counts.lastStreamSeq) {
      this.#counts.redelivered += 1;
      msg.ack();
      return;
    }
    const topic = topicOfTransitionSubject(msg.subject);
    try {
      if (topic) this.deps.onTransition(topic, msg.data);
      else {
        this.#counts.unreadable += 1;
        this.#log.warn({ subject: msg.subject }, 'ignored a message on an unknown transition subject');
      }
    } catch (error) {
      this.#log.error({ err: error, subject: msg.subject }, 'a transition could not be applied');
    }
    this.#counts.received += 1;
    this.#counts.lastStreamSeq = msg.seq;
    msg.ack();
  }

  async stop(): Promise<void> {
    this.#messages?.stop();
    this.#messages = null;
    const nc = this.#nc;
    this.#nc = null;
    if (nc) await nc.drain().catch(() => nc.close());
  }
}
