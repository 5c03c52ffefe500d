/**
 * The log's settings from the validated config (lib/config.ts), in the shapes the publisher
 * and the consumer take, so the broker, the ingest and the mains cannot read them differently.
 */
import type { Config } from '../lib/config.ts';
import type { LogConsumerOptions } from './consumer.ts';
import type { LogPublisherOptions } from './publisher.ts';
import type { LogStreamOptions } from './stream.ts';
import { allPartitions } from './subjects.ts';
import type { TransitionRelayOptions } from './transitions.ts';

type LogConfig = Pick<
  Config,
  | 'LOG_PARTITIONS'
  | 'LOG_STREAMS'
  | 'LOG_REPLICAS'
  | 'LOG_MAX_AGE_H'
  | 'LOG_MAX_BYTES'
  | 'LOG_MAX_ACK_PENDING'
  | 'LOG_ACK_WAIT_S'
  | 'LOG_LEASE_S'
  | 'LOG_CHECKPOINT_S'
>;

export function logStreamOptionsFrom(config: LogConfig): LogStreamOptions {
  return {
    replicas: config.LOG_REPLICAS,
    maxAgeMs: config.LOG_MAX_AGE_H * 3_600_000,
    maxBytes: config.LOG_MAX_BYTES,
    layout: { partitions: config.LOG_PARTITIONS, streams: config.LOG_STREAMS },
  };
}

export function logPublisherOptionsFrom(config: LogConfig, url: string): LogPublisherOptions {
  return { ...logStreamOptionsFrom(config), url, partitions: config.LOG_PARTITIONS };
}

/**
 * A worker's reading of the log: every partition, or with `workerId` the partitions its leases
 * hold (log/lease.ts), shared with the other workers by the leases' fair share.
 */
export function logConsumerOptionsFrom(
  config: LogConfig,
  url: string,
  workerId?: string,
): Omit<LogConsumerOptions, 'name'> & {
  lease?: { ttlMs: number; workerId: string; partitions: number; checkpointMs: number };
} {
  return {
    ...logStreamOptionsFrom(config),
    url,
    partitions: allPartitions(config.LOG_PARTITIONS),
    maxAckPending: config.LOG_MAX_ACK_PENDING,
    ackWaitMs: config.LOG_ACK_WAIT_S * 1000,
    ...(workerId
      ? {
          lease: {
            ttlMs: config.LOG_LEASE_S * 1000,
            workerId,
            partitions: config.LOG_PARTITIONS,
            // A checkpoint's cost is per elevator, not per message (all of a partition's
            // elevators, every time); acks do not wait for it, a next owner replays from it.
            checkpointMs: config.LOG_CHECKPOINT_S * 1000,
          },
        }
      : {}),
  };
}

/** The transitions stream (log/transitions.ts) keeps the device log's age, replicas and size bound. */
export function transitionLogOptionsFrom(config: LogConfig, url: string): TransitionRelayOptions {
  return { ...logStreamOptionsFrom(config), url };
}
