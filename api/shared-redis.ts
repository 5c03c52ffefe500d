/**
 * What N API nodes share through Redis (REDIS_URL): socket.io pushes made on one node reach
 * browsers connected to the others (@socket.io/redis-adapter over a publishing and a
 * subscribing connection), and the request rate limits count one client's requests to every
 * node together (plugins/rate-store.ts). Sessions need no Redis: they are rows in the store.
 *
 * Redis not answering at start is a coded error (REDIS_UNREACHABLE) rather than a node that
 * runs alone without saying so; once running, the connections reconnect by themselves.
 */
import { createClient } from 'redis';
import { LiftWatchError } from '../lib/errors.ts';
import type { Logger } from '../lib/logger.ts';

/** What Lift Watch uses of a connection (the adapter takes the client as it is). */
export interface RedisConnection {
  readonly isReady: boolean;
  eval(script: string, options: { keys?: string[]; arguments?: string[] }): Promise<unknown>;
  close(): Promise<void>;
}

export interface SharedRedis {
  /** Commands (rate-limit counters) and the adapter's publishes. */
  commands: RedisConnection;
  /** The adapter's subscriptions (a subscribed connection takes no other commands). */
  subscriber: RedisConnection;
  /** Every key and channel starts with it (REDIS_KEY_PREFIX). */
  keyPrefix: string;
  /** Both connections up. */
  readonly ready: boolean;
  close(): Promise<void>;
}

export interface SharedRedisOptions {
  url: string;
  keyPrefix: string;
  connectTimeoutMs?: number;
}

export async function connectSharedRedis(options: SharedRedisOptions, log: Logger): Promise<SharedRedis> {
  const redisLog = log.child({ module: 'redis' });
  let started = false;
  const commands = createClient({
    url: options.url,
    socket: {
      connectTimeout: options.connectTimeoutMs ?? 5000,
      // At start a refusal is an answer (REDIS_UNREACHABLE); later, keep trying, a little slower each time.
      reconnectStrategy: (retries: number, cause: Error) =>
        started ? Math.min(5000, 100 * 2 ** Math.min(retries, 6)) : cause,
    },
  });
  const errors = (name: string) => (error: unknown) => {
    if (started) redisLog.warn({ err: error, connection: name }, 'Redis error');
  };
  commands.on('error', errors('commands'));
  const subscriber = commands.duplicate();
  subscriber.on('error', errors('subscriber'));
  try {
    await Promise.all([commands.connect(), subscriber.connect()]);
  } catch (error) {
    await Promise.allSettled([commands.destroy(), subscriber.destroy()]);
    throw new LiftWatchError(
      'REDIS_UNREACHABLE',
      `Redis ${redactedUrl(options.url)}: ${(error as Error).message}`,
      {
        cause: error,
      },
    );
  }
  started = true;
  redisLog.info(
    { url: redactedUrl(options.url), keyPrefix: options.keyPrefix },
    'sharing pushes and rate limits',
  );
  return {
    commands,
    subscriber,
    keyPrefix: options.keyPrefix,
    get ready() {
      return commands.isReady && subscriber.isReady;
    },
    async close() {
      await Promise.allSettled([commands.close(), subscriber.close()]);
    },
  };
}

/** The URL as logged: a password in it stays out of the logs. */
function redactedUrl(url: string): string {
  try {
    const parsed = new URL(url);
    if (parsed.password) parsed.password = '***';
    return parsed.toString();
  } catch {
    return 'REDIS_URL';
  }
}
