/**
 * A @fastify/rate-limit store over the `redis` client (api/shared-redis.ts), so every API node
 * counts one client's requests against one limit. The plugin's own Redis store needs ioredis
 * (`defineCommand`); this is the same fixed window, with the same script semantics (INCR, the
 * window's expiry set by the first request), run with EVAL on node-redis.
 */
import type {
  FastifyRateLimitOptions,
  FastifyRateLimitStore,
  FastifyRateLimitStoreCtor,
} from '@fastify/rate-limit';
import type { RedisConnection } from '../shared-redis.ts';

/** KEYS[1] the counter; ARGV: window ms, max, continueExceeding, exponentialBackoff. Returns {count, ttl ms}. */
const INCREMENT = `
local current = redis.call('INCR', KEYS[1])
local window = tonumber(ARGV[1])
local max = tonumber(ARGV[2])
if current == 1 or (ARGV[3] == 'true' and current > max) then
  redis.call('PEXPIRE', KEYS[1], window)
elseif ARGV[4] == 'true' and current > max then
  window = math.min(window * (2 ^ (current - max - 1)), 9007199254740991)
  redis.call('PEXPIRE', KEYS[1], window)
else
  window = redis.call('PTTL', KEYS[1])
end
return {current, window}
`;

/** KEYS[1] the counter, read without counting. */
const READ = `
local current = redis.call('GET', KEYS[1])
if not current then return {0, 0} end
local ttl = redis.call('PTTL', KEYS[1])
if ttl < 0 then ttl = 0 end
return {tonumber(current), ttl}
`;

/** What the plugin hands a store: its merged options, with the route (`routeInfo`) for a route's own limit. */
type StoreOptions = FastifyRateLimitOptions & {
  continueExceeding?: boolean;
  exponentialBackoff?: boolean;
  routeInfo?: { method?: string; url?: string };
};

type Callback = (error: Error | null, result?: { current: number; ttl: number }) => void;

/** The store class @fastify/rate-limit instantiates (its `store` option), bound to a connection and a key prefix. */
export function sharedRateStore(redis: RedisConnection, keyPrefix: string): FastifyRateLimitStoreCtor {
  class SharedRateStore implements FastifyRateLimitStore {
    readonly #continueExceeding: boolean;
    readonly #exponentialBackoff: boolean;
    readonly #prefix: string;

    constructor(options: StoreOptions, prefix = `${keyPrefix}rate:`) {
      this.#continueExceeding = options.continueExceeding === true;
      this.#exponentialBackoff = options.exponentialBackoff === true;
      this.#prefix = prefix;
    }

    incr(key: string, callback: Callback, timeWindow: number, max: number): void {
      const args = [
        String(timeWindow),
        String(max),
        String(this.#continueExceeding),
        String(this.#exponentialBackoff),
      ];
      answer(redis.eval(INCREMENT, { keys: [this.#prefix + key], arguments: args }), callback);
    }

    read(key: string, callback: Callback): void {
      answer(redis.eval(READ, { keys: [this.#prefix + key] }), callback);
    }

    /** A route with its own limit (login, the resident report) counts in its own keys. */
    child(routeOptions: Parameters<FastifyRateLimitStore['child']>[0]): FastifyRateLimitStore {
      const route = routeOptions as unknown as StoreOptions;
      const { method = '', url = '' } = route.routeInfo ?? {};
      return new SharedRateStore(route, `${this.#prefix}${method}${url}-`);
    }
  }
  return SharedRateStore as unknown as FastifyRateLimitStoreCtor;
}

function answer(reply: Promise<unknown>, callback: Callback): void {
  reply.then(
    (result) => {
      const [current, ttl] = result as [number, number];
      callback(null, { current: Number(current), ttl: Number(ttl) });
    },
    (error: unknown) => callback(error instanceof Error ? error : new Error(String(error))),
  );
}
