/**
 * Alert and visit transitions on the log (stream `LW_SVC`, subjects `lw.svc.{alerts|visits}.{id}`):
 * the lifecycle's writers commit every transition with a row in the store's outbox, and a relay
 * (`TransitionRelay`, wherever the lifecycle runs: an ingest worker, an API node, the one
 * process) appends those rows to the stream; every API node reads
 * all of them through a durable consumer of its own (`TransitionReader`, `api-{API_NODE_ID}`),
 * so a node that was stopped reads what it missed from where it left off instead of losing it.
 *
 * The payload is the protocol's service message (`AlertMessage`, `VisitMessage`) exactly as it
 * travels on MQTT; the reader hands it on with the MQTT-style topic its subject names, and the
 * API validates it with the protocol's compiled validators (`decodeServiceMessage`). Nothing
 * here looks into a payload.
 */
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

const DUPLICATE_WINDOW_MS = 10 * 60_000;

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
    // Relays over one outbox may append the same row; its message id makes the second a
    // duplicate within this window (a relay would have to stall this long between reading a
    // row and appending it for both to be stored).
    duplicate_window: nanos(Math.min(DUPLICATE_WINDOW_MS, options.maxAgeMs)),
  };
  const existing = await jsm.streams.info(TRANSITIONS_STREAM).catch(() => null);
  if (existing) await jsm.streams.update(TRANSITIONS_STREAM, config);
  else await jsm.streams.add(config);
}

export interface TransitionRelayOptions extends LogStreamOptions {
  url: string;
  /** Shown in the server's connection list. */
  name?: string;
  /** How long one append waits for JetStream's PubAck before the round is tried again (default 5 s). */
  appendTimeoutMs?: number;
  /** How often the outbox is read without a `notify` (rows another, dead, writer left; default 1 s). */
  pollMs?: number;
  /** Rows read per round (default 100). */
  batch?: number;
  /** Sent rows are deleted after this long (default 24 h). */
  keepSentMs?: number;
}

/** The store's transition outbox as the relay uses it (store/repositories/transition-outbox.ts). */
export interface TransitionOutbox {
  pending(limit: number): Promise<readonly { id: number; msgId: string; topic: string; payload: string }[]>;
  markSent(ids: readonly number[], at: number): Promise<void>;
  prune(sentBefore: number): Promise<number>;
}

const encoder = new TextEncoder();
const PRUNE_EVERY_MS = 10 * 60_000;

/**
 * The relay of the transactional outbox: appends the transitions the lifecycle committed to
 * the store's outbox (in the transaction of the alert or visit row) to the log, oldest first,
 * each with its row's message id, waiting for each PubAck before the next (so they are stored
 * in that order), and stamps them sent. While NATS is away the round fails and is tried again
 * with a back-off; the rows stay pending in the store, where a relay in any process finds
 * them, so a writer that died after its commit loses nothing. Any number of relays may run over
 * one store: two that read the same pending row append it with the same message id and
 * JetStream stores it once (`duplicate_window`, 10 min on `LW_SVC`).
 */
export class TransitionRelay {
  #nc: NatsConnection | null = null;
  #js: JetStreamClient | null = null;
  #running: Promise<void> | null = null;
  #notified = false;
  #wake: (() => void) | null = null;
  #prunedAt = 0;
  readonly #stopping = new AbortController();
  readonly #log: Logger;
  readonly #counts = { appended: 0, duplicates: 0, retries: 0 };

  constructor(
    private readonly options: TransitionRelayOptions,
    private readonly deps: { log: Logger; outbox: TransitionOutbox },
  ) {
    this.#log = deps.log.child({ module: 'transition-relay' });
  }

  get connected(): boolean {
    return this.#nc !== null && !this.#nc.isClosed();
  }

  /** Appended (stored new), duplicates (another relay had stored the row), failed rounds. */
  stats(): { appended: number; duplicates: number; retries: number } {
    return { ...this.#counts };
  }

  async start(): Promise<void> {
    const nc = await connectLog(
      { url: this.options.url, name: this.options.name ?? 'lift-watch-transition-relay' },
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
    this.#running = this.#run();
  }

  /** A transition was committed to the outbox: read it now rather than at the next poll. */
  notify(): void {
    this.#notified = true;
    this.#wake?.();
  }

  async #run(): Promise<void> {
    const signal = this.#stopping.signal;
    let failures = 0;
    while (!signal.aborted) {
      this.#notified = false;
      let more = false;
      try {
        more = await this.#round();
        failures = 0;
      } catch (error) {
        failures += 1;
        this.#counts.retries += 1;
        if (signal.aborted) break;
        this.#log.warn(
          { err: error, attempt: failures },
          'transitions not relayed to the log yet; trying again',
        );
        await waitUnlessAborted(backoffMs(failures, 250, 5000), signal);
        continue;
      }
      if (!more && !this.#notified) await this.#idle(this.options.pollMs ?? 1000);
    }
  }

  #idle(ms: number): Promise<void> {
    return new Promise((resolve) => {
      const done = () => {
        clearTimeout(timer);
        this.#wake = null;
        this.#stopping.signal.removeEventListener('abort', done);
        resolve();
      };
      const timer = setTimeout(done, ms);
      this.#wake = done;
      this.#stopping.signal.addEventListener('abort', done, { once: true });
    });
  }

  /** One batch of pending rows, in order; true when there may be more. */
  async #round(): Promise<boolean> {
    const { outbox } = this.deps;
    const batch = this.options.batch ?? 100;
    const rows = await outbox.pending(batch);
    const sent: number[] = [];
    try {
      for (const row of rows) {
        const js = this.#js;
        if (this.#stopping.signal.aborted || !js) return false;
        const subject = transitionSubject(row.topic);
        if (subject) {
          const ack = await js.publish(subject, encoder.encode(row.payload), {
            msgID: row.msgId,
            timeout: this.options.appendTimeoutMs ?? 5000,
          });
          if (ack.duplicate) this.#counts.duplicates += 1;
          else this.#counts.appended += 1;
        } else {
          // Never appendable: stamped so it does not hold up every row behind it.
          this.#log.error(
            { topic: row.topic, id: row.id },
            'an outbox row with a topic that is not a service topic',
          );
        }
        sent.push(row.id);
      }
    } finally {
      if (sent.length) await outbox.markSent(sent, Date.now());
    }
    const now = Date.now();
    if (now - this.#prunedAt > PRUNE_EVERY_MS) {
      this.#prunedAt = now;
      await outbox.prune(now - (this.options.keepSentMs ?? 24 * 3_600_000));
    }
    return rows.length === batch;
  }

  /** Stops after the append in flight (rows not appended stay pending in the store), then closes. */
  async stop(): Promise<void> {
    this.#stopping.abort();
    await this.#running;
    this.#running = null;
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
