/**
 * Auth for the whole console subtree in one place: every route under /api/v1 except
 * /auth is reached only with a session cookie or a bearer token. Role and tenancy are
 * then checked per route (scope.ts), before any lookup by id.
 */
import type { FastifyInstance } from 'fastify';

export function consoleAutohooks(app: FastifyInstance): void {
  app.addHook('onRequest', async (request) => {
    await app.authenticate(request);
  });
}
