/**
 * Transport hygiene for every route: helmet headers (a CSP that allows only our own
 * script), a per-address rate limit with tighter limits set per route, cookies, and the
 * same-origin test for cookie-authenticated writes (`app.sameOrigin`, used by
 * plugins/auth.ts). CORS stays off: browsers reach us same-origin. Form bodies are parsed
 * only where a route is a form (`app.acceptForms`: the resident report and login); every
 * other route answers 415 to one, so a cross-site HTML form cannot reach a JSON route.
 *
 * Hot-path notes (the QR page answers thousands of scans a second from memory):
 * - The helmet headers depend only on configuration, so they are computed once at start
 *   with helmet itself (the engine inside @fastify/helmet, which rebuilds and re-parses
 *   its whole policy on every request) and copied onto each reply by one sync hook.
 * - Read-only resident pages opt out of @fastify/rate-limit (an async hook, a promise and
 *   three headers per answer) and use `app.readLimit`, a sync fixed-window counter per
 *   address with the same ceiling. Writes (the report form, login) keep the plugin.
 * - With REDIS_URL the plugin counts in Redis (plugins/rate-store.ts), so N API nodes share one
 *   limit per client; `readLimit` stays per node (a ceiling on cheap reads, nothing to guard
 *   across nodes).
 */
import type { IncomingMessage, ServerResponse } from 'node:http';
import cookie from '@fastify/cookie';
import formbody from '@fastify/formbody';
import rateLimit, { normalizeIP } from '@fastify/rate-limit';
import type { FastifyInstance, FastifyReply, FastifyRequest, onRequestHookHandler } from 'fastify';
import fp from 'fastify-plugin';
import helmet, { type HelmetOptions } from 'helmet';
import { LiftWatchError } from '../../lib/errors.ts';
import { sharedRateStore } from './rate-store.ts';

declare module 'fastify' {
  interface FastifyInstance {
    /** onRequest hook for read-only public routes: a cheap per-address ceiling. */
    readLimit: onRequestHookHandler;
    /**
     * Whether the request says it comes from one of our own pages: its Origin (or, without
     * one, its Referer) is PUBLIC_BASE_URL's origin or the origin the request was sent to.
     * Null when it carries neither header (not a browser, or one that hides both).
     */
    sameOrigin(request: OriginContext): boolean | null;
    /** Registers the form-body parser in the calling plugin's scope only (form routes). */
    acceptForms(scope: FastifyInstance): Promise<void>;
  }
}

/** What the same-origin test reads of a request (a Fastify request, or a socket.io handshake). */
export interface OriginContext {
  headers: { origin?: string; referer?: string };
  protocol: string;
  host: string;
}

/** Methods that change something; a browser may send them cross-site with our cookie. */
export const UNSAFE_METHODS: ReadonlySet<string> = new Set(['POST', 'PUT', 'PATCH', 'DELETE']);

/** scheme://host[:port] of a URL, default port dropped; null when it is not an http(s) URL. */
export function originOf(url: string): string | null {
  try {
    const parsed = new URL(url);
    return parsed.protocol === 'http:' || parsed.protocol === 'https:' ? parsed.origin : null;
  } catch {
    return null;
  }
}

/**
 * The origin a browser says the request comes from: Origin, or Referer's origin when
 * Origin is absent; '' for `Origin: null` or an unreadable value (never ours); undefined
 * when both are absent.
 */
export function claimedOrigin(headers: { origin?: string; referer?: string }): string | undefined {
  if (headers.origin !== undefined) return originOf(headers.origin) ?? '';
  if (headers.referer !== undefined) return originOf(headers.referer) ?? '';
  return undefined;
}

/** Runs helmet once against a recording response and keeps the headers it sets. */
export function helmetHeaders(options: Readonly<HelmetOptions>): Readonly<Record<string, string>> {
  const headers: Record<string, string> = {};
  const recorder = {
    setHeader(name: string, value: string | number | readonly string[]) {
      headers[name.toLowerCase()] = Array.isArray(value) ? value.join(', ') : String(value);
    },
    removeHeader(name: string) {
      delete headers[name.toLowerCase()];
    },
  };
  // No directive is a function of the request (no nonces), so one run serves every request.
  helmet(options)({} as IncomingMessage, recorder as unknown as ServerResponse, (error?: unknown) => {
    if (error) throw error;
  });
  return Object.freeze(headers);
}

/**
 * Requests per address in fixed windows. A window boundary can let through up to twice
 * the ceiling in a burst; for a page served from memory that is harmless, and it keeps
 * the check to one Map lookup. The map is cleared each window and capped, so a flood of
 * addresses costs bounded memory (beyond the cap new addresses are not counted).
 */
export class WindowLimiter {
  readonly #counts = new Map<string, number>();
  readonly #max: number;
  readonly #windowMs: number;
  readonly #maxKeys: number;
  #windowStart = Number.NEGATIVE_INFINITY;

  constructor(options: { max: number; windowMs: number; maxKeys?: number }) {
    this.#max = options.max;
    this.#windowMs = options.windowMs;
    this.#maxKeys = options.maxKeys ?? 100_000;
  }

  /** Counts one request; false when the address is over the ceiling in this window. */
  allow(key: string, now: number): boolean {
    if (now - this.#windowStart >= this.#windowMs) {
      this.#counts.clear();
      this.#windowStart = now;
    }
    const count = (this.#counts.get(key) ?? 0) + 1;
    if (count === 1 && this.#counts.size >= this.#maxKeys) return true;
    this.#counts.set(key, count);
    return count <= this.#max;
  }

  /** Seconds until the current window ends, for Retry-After. */
  retryAfterS(now: number): number {
    return Math.max(1, Math.ceil((this.#windowStart + this.#windowMs - now) / 1000));
  }
}

/** The same key as @fastify/rate-limit: IPv4 as is, IPv6 by its /64. */
const addressKey = (ip: string) => (ip.includes(':') ? normalizeIP(ip) : ip);

export default fp(
  async (app) => {
    const https = app.publicBaseUrl.startsWith('https://');
    const headers = helmetHeaders({
      contentSecurityPolicy: {
        directives: {
          // A demo on a LAN address over plain HTTP must still load its own script.
          upgradeInsecureRequests: https ? [] : null,
          scriptSrc: ["'self'"],
          connectSrc: ["'self'"],
        },
      },
      hsts: https,
    });
    // onRequest, as @fastify/helmet did: error answers carry the headers too, and a route
    // (the docs UI's own CSP) can still override one later.
    app.addHook('onRequest', (_request: FastifyRequest, reply: FastifyReply, done: () => void) => {
      reply.headers(headers);
      done();
    });

    await app.register(rateLimit, {
      global: true,
      max: app.apiConfig.API_RATE_LIMIT_PER_MIN,
      timeWindow: 60_000,
      errorResponseBuilder: () => new LiftWatchError('RATE_LIMITED'),
      // Several API nodes: one count per client across them all. A Redis that stops answering
      // lets requests through (the limits protect capacity; a console down with Redis would not).
      ...(app.sharedRedis
        ? {
            store: sharedRateStore(app.sharedRedis.commands, app.sharedRedis.keyPrefix),
            skipOnError: true,
          }
        : {}),
    });
    const reads = new WindowLimiter({ max: app.apiConfig.API_RATE_LIMIT_PER_MIN, windowMs: 60_000 });
    app.decorate('readLimit', function readLimit(request, reply, done) {
      const now = app.clock();
      if (reads.allow(addressKey(request.ip), now)) return done();
      reply.header('retry-after', reads.retryAfterS(now));
      done(new LiftWatchError('RATE_LIMITED'));
    } as onRequestHookHandler);
    await app.register(cookie);

    const publicOrigin = originOf(app.publicBaseUrl);
    app.decorate('sameOrigin', (request: OriginContext) => {
      const claimed = claimedOrigin(request.headers);
      if (claimed === undefined) return null;
      if (claimed === '') return false;
      // The origin the browser addressed (a LAN address, a second name): Host, or
      // X-Forwarded-Host/-Proto behind a trusted proxy. A page on another port or another
      // subdomain of the same site is another origin, and refused.
      return claimed === publicOrigin || claimed === originOf(`${request.protocol}://${request.host}`);
    });
    app.decorate('acceptForms', async (scope: FastifyInstance) => {
      await scope.register(formbody, { bodyLimit: 4096 });
    });
  },
  { name: 'lift-security', dependencies: ['lift-context'] },
);
