/**
 * One NATS connection per process part that uses the log, reconnecting forever: while the
 * server is away the publisher's appends fail (the broker then holds the PUBACK) and the
 * consumer's acks wait; nothing is given up. Status changes are logged, not thrown.
 */
import { connect, type NatsConnection } from '@nats-io/transport-node';
import { LiftWatchError } from '../lib/errors.ts';
import type { Logger } from '../lib/logger.ts';

export interface LogConnectionOptions {
  /** One URL or several, comma-separated (a cluster's seed servers). */
  url: string;
  /** Shown in the server's connection list: `lift-watch-broker`, `lift-watch-ingest`. */
  name: string;
  connectTimeoutMs?: number;
}

export async function connectLog(options: LogConnectionOptions, log: Logger): Promise<NatsConnection> {
  const servers = options.url.split(',').map((s) => s.trim());
  let nc: NatsConnection;
  try {
    nc = await connect({
      servers,
      name: options.name,
      timeout: options.connectTimeoutMs ?? 5000,
      maxReconnectAttempts: -1,
      reconnectTimeWait: 250,
      // Appends queued while reconnecting would be answered late or not at all: the
      // publisher's request times out and it tries again, so nothing needs buffering here.
      pingInterval: 10_000,
    });
  } catch (error) {
    throw new LiftWatchError('LOG_UNREACHABLE', `NATS ${options.url}: ${(error as Error).message}`, {
      cause: error,
    });
  }
  void (async () => {
    for await (const status of nc.status()) {
      if (status.type === 'disconnect') log.warn({ url: options.url }, 'NATS unreachable; reconnecting');
      else if (status.type === 'reconnect') log.info({ url: options.url }, 'NATS reconnected');
      else if (status.type === 'error') log.error({ err: status.error }, 'NATS error');
    }
  })();
  return nc;
}
