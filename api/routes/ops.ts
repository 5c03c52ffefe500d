/** Operations: liveness, readiness of what the API depends on, Prometheus metrics. */
import type { FastifyPluginAsyncTypebox } from '@fastify/type-provider-typebox';
import { Type } from '@sinclair/typebox';
import type { ReadinessProbe } from '../deps.ts';

const PROBE_TIMEOUT_MS = 2000;

async function runProbe(probe: ReadinessProbe): Promise<boolean> {
  let timer: NodeJS.Timeout | undefined;
  const timeout = new Promise<boolean>((resolve) => {
    timer = setTimeout(() => resolve(false), PROBE_TIMEOUT_MS);
  });
  try {
    return await Promise.race([Promise.resolve().then(probe), timeout]);
  } catch {
    return false;
  } finally {
    clearTimeout(timer);
  }
}

const Checks = Type.Record(Type.String(), Type.Union([Type.Literal('ok'), Type.Literal('failing')]));

const opsRoutes: FastifyPluginAsyncTypebox<{ readiness: Record<string, ReadinessProbe> }> = async (
  app,
  options,
) => {
  const probes: Record<string, ReadinessProbe> = {
    db: async () => {
      await app.store.ping();
      return true;
    },
    ...options.readiness,
  };

  app.get(
    '/healthz',
    {
      config: { rateLimit: false },
      schema: {
        tags: ['operations'],
        summary: 'The process is alive',
        response: { 200: Type.Object({ status: Type.Literal('ok') }) },
      },
    },
    async () => ({ status: 'ok' as const }),
  );

  app.get(
    '/readyz',
    {
      config: { rateLimit: false },
      schema: {
        tags: ['operations'],
        summary: 'Broker, InfluxDB and database reachable',
        response: {
          200: Type.Object({ status: Type.Literal('ready'), checks: Checks }),
          503: Type.Object({ status: Type.Literal('not_ready'), checks: Checks }),
        },
      },
    },
    async (_request, reply) => {
      const names = Object.keys(probes);
      const results = await Promise.all(names.map((n) => runProbe(probes[n]!)));
      const checks = Object.fromEntries(
        names.map((n, i) => [n, results[i] ? ('ok' as const) : ('failing' as const)]),
      );
      if (results.every(Boolean)) return reply.code(200).send({ status: 'ready' as const, checks });
      return reply.code(503).send({ status: 'not_ready' as const, checks });
    },
  );

  app.get(
    '/metrics',
    {
      config: { rateLimit: false },
      schema: {
        tags: ['operations'],
        summary: 'Prometheus text format',
        produces: ['text/plain'],
        response: { 200: Type.String() },
      },
    },
    async (_request, reply) => reply.type('text/plain; version=0.0.4').send(await app.renderMetrics()),
  );
};

export default opsRoutes;
