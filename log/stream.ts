/**
 * The log's streams and its per-partition consumers, created or brought up to date at start
 * (idempotent: every part that needs them may call these, in any order).
 *
 * - Streams (`LW_IN_{n}`, the partitions spread over them: log/subjects.ts): file storage, limits retention (kept by age and size, so a consumer that was away,
 *   or a later reader such as an API node, can read again), and DiscardPolicy.New: a full log
 *   refuses new messages (the device gets no PUBACK and keeps its message) instead of deleting
 *   old ones that may not have been written yet.
 * - Consumers: one durable pull consumer per partition, filtered on its subject, explicit ack,
 *   a bound on messages delivered and not yet acknowledged, redelivered forever; made anew
 *   at a checkpoint's position when a new owner takes the partition over.
 */
import {
  AckPolicy,
  DeliverPolicy,
  DiscardPolicy,
  type JetStreamManager,
  RetentionPolicy,
  StorageType,
} from '@nats-io/jetstream';
import { nanos } from '@nats-io/transport-node';
import { LiftWatchError } from '../lib/errors.ts';
import {
  DEFAULT_LAYOUT,
  LEGACY_LOG_STREAM,
  type LogLayout,
  logStreamOf,
  logStreams,
  partitionDurable,
  partitionFilter,
} from './subjects.ts';

export interface LogStreamOptions {
  replicas: number;
  maxAgeMs: number;
  /** Bytes of the whole device log, shared evenly by its streams. */
  maxBytes: number;
  /** Partitions and streams (default 64 over 8); fixed for the life of the log. */
  layout?: LogLayout;
}

/**
 * Creates the device streams, or updates their limits to these. A stream whose subjects are not
 * this layout's (other LOG_PARTITIONS or LOG_STREAMS), or the single stream of earlier versions,
 * is refused with LOG_LAYOUT_CHANGED while it holds unread messages; the old single stream is
 * deleted once every partition consumer on it has read and acknowledged everything.
 */
export async function ensureLogStream(jsm: JetStreamManager, options: LogStreamOptions): Promise<void> {
  const layout = options.layout ?? DEFAULT_LAYOUT;
  await retireLegacyStream(jsm);
  const streams = logStreams(layout);
  for (const { name, subjects } of streams) {
    const config = {
      name,
      subjects,
      storage: StorageType.File,
      retention: RetentionPolicy.Limits,
      discard: DiscardPolicy.New,
      num_replicas: options.replicas,
      max_age: nanos(options.maxAgeMs),
      max_bytes: Math.floor(options.maxBytes / streams.length),
    };
    const existing = await jsm.streams.info(name).catch(() => null);
    if (!existing) {
      await jsm.streams.add(config);
      continue;
    }
    const had = [...(existing.config.subjects ?? [])].sort().join(' ');
    if (had !== [...subjects].sort().join(' '))
      throw new LiftWatchError(
        'LOG_LAYOUT_CHANGED',
        `stream ${name} holds ${had}, this layout wants ${subjects.join(' ')}`,
      );
    await jsm.streams.update(name, config);
  }
}

/** The one stream of versions before the partitions were spread: deleted once read, else refused. */
async function retireLegacyStream(jsm: JetStreamManager): Promise<void> {
  const legacy = await jsm.streams.info(LEGACY_LOG_STREAM).catch(() => null);
  if (!legacy) return;
  let unread = 0;
  if (legacy.state.messages > 0) {
    const consumers = await jsm.consumers.list(LEGACY_LOG_STREAM).next();
    const partitionConsumers = consumers.filter((c) => c.name.startsWith('ingest-p'));
    // Never read by a worker: every message is unread.
    if (partitionConsumers.length === 0) unread = legacy.state.messages;
    for (const c of partitionConsumers) unread += c.num_pending + c.num_ack_pending;
  }
  if (unread > 0)
    throw new LiftWatchError(
      'LOG_LAYOUT_CHANGED',
      `stream ${LEGACY_LOG_STREAM} (one stream for every partition, from an earlier version) has ${unread} messages the ingest has not acknowledged`,
    );
  await jsm.streams.delete(LEGACY_LOG_STREAM);
}

export interface PartitionConsumerOptions {
  maxAckPending: number;
  /** How long a delivered message may stay unacknowledged before it is delivered again. */
  ackWaitMs: number;
  layout?: LogLayout;
  /**
   * A new owner's position from the partition's checkpoint: the consumer is made anew to
   * deliver from the message after this stream sequence (what earlier owners acknowledged
   * past it is replayed).
   */
  startAfter?: number;
}

export interface PartitionConsumer {
  durable: string;
  /**
   * With `startAfter`: the stream sequence up to which the consumer made anew had every
   * message acknowledged (its ack floor; 0 when there was none). Those messages were written
   * and their findings committed by an earlier owner, so reading them again only rebuilds
   * state (log/consumer.ts hands them over as replayed).
   */
  acknowledgedThrough: number;
}

/** Creates (or updates) the durable consumer of one partition, on the stream that holds it. */
export async function ensurePartitionConsumer(
  jsm: JetStreamManager,
  partition: number,
  options: PartitionConsumerOptions,
): Promise<PartitionConsumer> {
  const durable = partitionDurable(partition);
  const stream = logStreamOf(partition, options.layout ?? DEFAULT_LAYOUT);
  const config = {
    durable_name: durable,
    filter_subject: partitionFilter(partition),
    ack_policy: AckPolicy.Explicit,
    deliver_policy: DeliverPolicy.All,
    max_ack_pending: options.maxAckPending,
    ack_wait: nanos(options.ackWaitMs),
    max_deliver: -1,
  };
  const existing = await jsm.consumers.info(stream, durable).catch(() => null);
  if (options.startAfter !== undefined) {
    // Deleting it also cuts off an earlier owner still pulling from it (paused past its lease).
    if (existing) await jsm.consumers.delete(stream, durable);
    await jsm.consumers.add(stream, {
      ...config,
      deliver_policy: DeliverPolicy.StartSequence,
      opt_start_seq: options.startAfter + 1,
    });
    return { durable, acknowledgedThrough: existing?.ack_floor.stream_seq ?? 0 };
  } else if (existing) {
    await jsm.consumers.update(stream, durable, {
      max_ack_pending: config.max_ack_pending,
      ack_wait: config.ack_wait,
    });
  } else await jsm.consumers.add(stream, config);
  return { durable, acknowledgedThrough: 0 };
}
