/**
 * The request log, replacing Fastify's two lines per request (`disableRequestLogging` in
 * app.ts). At thousands of QR scans a second those lines were the API's busiest output,
 * and each carried a resident's address, which we have no use for. What is still logged,
 * one line each, with the request id: every write (any method but GET/HEAD/OPTIONS),
 * every answer of 400 and above, and anything slower than SLOW_MS; each with its method,
 * route pattern, URL (query credentials cut, `hideQuerySecrets`), status and milliseconds.
 * Volumes per route
 * live in /metrics; who changed what lives in the audit log.
 */
import fp from 'fastify-plugin';
import { hideQuerySecrets } from '../../lib/logger.ts';

const SLOW_MS = 1000;
/** Enough for every route and query the API has; a longer URL is cut, not logged whole. */
const MAX_URL_CHARS = 512;
const READS = new Set(['GET', 'HEAD', 'OPTIONS']);

export default fp(
  async (app) => {
    app.addHook('onResponse', (request, reply, done) => {
      const status = reply.statusCode;
      const ms = reply.elapsedTime;
      if (status < 400 && ms < SLOW_MS && READS.has(request.method)) return done();
      const url = hideQuerySecrets(request.url);
      const line = {
        method: request.method,
        route: request.routeOptions.url ?? 'unmatched',
        // What was asked for, so an operator can search the log for one page or one id; a
        // credential a client put in the query stays out of the log.
        url: url.length > MAX_URL_CHARS ? `${url.slice(0, MAX_URL_CHARS)}…` : url,
        status,
        ms: Math.round(ms),
        ip: request.ip,
      };
      if (status >= 500 || ms >= SLOW_MS) request.log.warn(line, 'request answered');
      else request.log.info(line, 'request answered');
      done();
    });
  },
  { name: 'lift-request-log' },
);
