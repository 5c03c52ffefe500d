/**
 * Builds the API as a Fastify instance from explicit deps: no process.*, no listen.
 * api/main.ts owns the environment, the port and shutdown; tests call buildApi and
 * use inject() or listen on port 0.
 */
import { randomUUID } from 'node:crypto';
import type { TypeBoxTypeProvider } from '@fastify/type-provider-typebox';
import Fastify, { type FastifyInstance, LogController } from 'fastify';
import type { ApiDeps } from './deps.ts';
import auth from './plugins/auth.ts';
import businessMetrics from './plugins/business-metrics.ts';
import context from './plugins/context.ts';
import docs from './plugins/docs.ts';
import errors from './plugins/errors.ts';
import metrics from './plugins/metrics.ts';
import regulator from './plugins/regulator.ts';
import requestLog from './plugins/request-log.ts';
import security from './plugins/security.ts';
import socket from './plugins/socket.ts';
import strictInput from './plugins/strict-input.ts';
import webhooks from './plugins/webhooks.ts';
import authRoutes from './routes/auth.ts';
import consoleRoutes from './routes/console/index.ts';
import opsRoutes from './routes/ops.ts';
import residentRoutes from './routes/resident/index.ts';
import { ErrorResponse } from './schemas.ts';

export async function buildApi(deps: ApiDeps): Promise<FastifyInstance> {
  const app = Fastify({
    loggerInstance: deps.log.child({ module: 'api' }),
    bodyLimit: deps.config.API_BODY_LIMIT_BYTES,
    trustProxy: deps.config.API_TRUST_PROXY,
    genReqId: () => randomUUID(),
    // Per-request lines come from plugins/request-log.ts: writes, errors and slow answers only.
    logController: new LogController({ disableRequestLogging: true }),
    // Bodies are validated as sent (no `"100"` or `true` for an amount); the URL's parts are
    // converted from text per route by plugins/strict-input.ts.
    ajv: { customOptions: { allErrors: false, coerceTypes: false } },
  }).withTypeProvider<TypeBoxTypeProvider>();

  await app.register(context, deps);
  await app.register(errors);
  await app.register(strictInput);
  await app.register(requestLog);
  await app.register(security);
  await app.register(auth);
  await app.register(metrics, { providers: deps.metrics ?? [] });
  await app.register(docs);
  app.addSchema(ErrorResponse);

  await app.register(opsRoutes, { readiness: deps.readiness ?? {} });
  await app.register(residentRoutes);
  await app.register(authRoutes, { prefix: '/api/v1/auth' });
  await app.register(consoleRoutes, { prefix: '/api/v1' });
  await app.register(import('./routes/fund.ts'), { prefix: '/api/v1' });
  await app.register(socket);
  await app.register(webhooks, deps);
  await app.register(businessMetrics);
  await app.register(regulator, deps);
  await app.register(import('./plugins/dashboard.ts'));
  return app as unknown as FastifyInstance;
}
