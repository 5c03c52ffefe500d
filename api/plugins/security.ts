/**
 * Transport hygiene for every route: helmet headers (a CSP that allows only our own
 * script), a per-address rate limit with tighter limits set per route, cookies and
 * form bodies for the resident form. CORS stays off: browsers reach us same-origin.
 */
import cookie from '@fastify/cookie';
import formbody from '@fastify/formbody';
import helmet from '@fastify/helmet';
import rateLimit from '@fastify/rate-limit';
import fp from 'fastify-plugin';
import { LiftWatchError } from '../../lib/errors.ts';

export default fp(
  async (app) => {
    const https = app.publicBaseUrl.startsWith('https://');
    await app.register(helmet, {
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
    await app.register(rateLimit, {
      global: true,
      max: app.apiConfig.API_RATE_LIMIT_PER_MIN,
      timeWindow: 60_000,
      errorResponseBuilder: () => new LiftWatchError('RATE_LIMITED'),
    });
    await app.register(cookie);
    await app.register(formbody, { bodyLimit: 4096 });
  },
  { name: 'lift-security', dependencies: ['lift-context'] },
);
