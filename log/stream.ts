/**
 * The log's stream and its per-partition consumers, created or brought up to date at start
 * (idempotent: every part that needs them may call these, in any order).
 *
 * - Stream: file storage, limits retention (kept by age and size, so a consumer that was away,
 *   or a later reader such as an API node, can read again), and DiscardPolicy.New: a full log
 *   refuses new messages (the device gets no PUBACK and keeps its message) instead of deleting
 *   old ones that may not have been written yet.
 * - Consumers: one durable pull consumer per partition, filtered on its subject, explicit ack,
 *   a bound on messages delivered and not yet acknowledged, redelivered forever.
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
import { LOG_STREAM, LOG_SUBJECTS, partitionDurable, partitionFilter } from './subjects.ts';

export interface LogStreamOptions {
  replicas: number;
  maxAgeMs: number;
  maxBytes: number;
}

/** Creates the stream, or updates its limits to these. */
export async function ensureLogStream(jsm: JetStreamManager, options: LogStreamOptions): Promise<void> {
  const config = {
    name: LOG_STREAM,
    subjects: [LOG_SUBJECTS],
    storage: StorageType.File,
    retention: RetentionPolicy.Limits,
    discard: DiscardPolicy.New,
    num_replicas: options.replicas,
    max_age: nanos(options.maxAgeMs),
    max_bytes: options.maxBytes,
  };
  const existing = await jsm.streams.info(LOG_STREAM).catch(() => null);
  if (existing) await jsm.streams.update(LOG_STREAM, config);
  else await jsm.streams.add(config);
}

export interface PartitionConsumerOptions {
  maxAckPending: number;
  /** How long a delivered message may stay unacknowledged before it is delivered again. */
  ackWaitMs: number;
}

/** Creates (or updates) the durable consumer of one partition. */
export async function ensurePartitionConsumer(
  jsm: JetStreamManager,
  partition: number,
  options: PartitionConsumerOptions,
): Promise<string> {
  const durable = partitionDurable(partition);
  const config = {
    durable_name: durable,
    filter_subject: partitionFilter(partition),
    ack_policy: AckPolicy.Explicit,
    deliver_policy: DeliverPolicy.All,
    max_ack_pending: options.maxAckPending,
    ack_wait: nanos(options.ackWaitMs),
    max_deliver: -1,
  };
  const existing = await jsm.consumers.info(LOG_STREAM, durable).catch(() => null);
  if (existing) {
    await jsm.consumers.update(LOG_STREAM, durable, {
      max_ack_pending: config.max_ack_pending,
      ack_wait: config.ack_wait,
    });
  } else await jsm.consumers.add(LOG_STREAM, config);
  return durable;
}
