/**
 * The API's own counters (requests by route and status class, time spent) and the
 * text format Prometheus scrapes, merged with what other parts provide.
 */
import fp from 'fastify-plugin';
import { formatPrometheus, type MetricSample, type MetricsProvider } from '../../lib/prometheus.ts';

declare module 'fastify' {
  interface FastifyInstance {
    renderMetrics(): Promise<string>;
    /** Adds samples to `/metrics` (a plugin's own, e.g. business-metrics.ts). */
    addMetrics(provider: MetricsProvider): void;
  }
}

interface RouteCounter {
  method: string;
  route: string;
  status: string;
  count: number;
  seconds: number;
}

export default fp(
  async (app, options: { providers: MetricsProvider[] }) => {
    const counters = new Map<string, RouteCounter>();
    const started = app.clock();
    /** Per method and route pattern, one counter per status class: no string built per request. */
    const byRoute = new Map<string, Map<string, RouteCounter[]>>();

    function counterFor(method: string, route: string, statusCode: number): RouteCounter {
      let routes = byRoute.get(method);
      if (!routes) {
        routes = new Map();
        byRoute.set(method, routes);
      }
      let classes = routes.get(route);
      if (!classes) {
        classes = [];
        routes.set(route, classes);
      }
      const cls = Math.floor(statusCode / 100);
      let c = classes[cls];
      if (!c) {
        const status = `${cls}xx`;
        c = { method, route, status, count: 0, seconds: 0 };
        classes[cls] = c;
        counters.set(`${method} ${route} ${status}`, c);
      }
      return c;
    }

    // A sync hook: an async one costs a promise per request on the QR hot path.
    app.addHook('onResponse', (request, reply, done) => {
      // The route pattern, not the URL: a QR token must not become a label.
      const c = counterFor(request.method, request.routeOptions.url ?? 'unmatched', reply.statusCode);
      c.count++;
      c.seconds += reply.elapsedTime / 1000;
      done();
    });

    const providers = [...options.providers];
    app.decorate('addMetrics', (provider: MetricsProvider) => {
      providers.push(provider);
    });
    app.decorate('renderMetrics', async () => {
      const samples: MetricSample[] = [
        {
          name: 'liftwatch_api_uptime_seconds',
          help: 'Seconds since the API started',
          type: 'gauge',
          value: (app.clock() - started) / 1000,
        },
      ];
      for (const c of counters.values()) {
        const labels = { method: c.method, route: c.route, status: c.status };
        samples.push(
          {
            name: 'liftwatch_api_requests_total',
            help: 'HTTP requests answered',
            type: 'counter',
            value: c.count,
            labels,
          },
          {
            name: 'liftwatch_api_request_seconds_total',
            help: 'Time spent answering',
            type: 'counter',
            value: c.seconds,
            labels,
          },
        );
      }
      for (const provider of providers) {
        try {
          samples.push(...(await provider()));
        } catch (error) {
          app.log.warn({ err: error }, 'a metrics provider failed');
        }
      }
      return formatPrometheus(samples);
    });
  },
  { name: 'lift-metrics', dependencies: ['lift-context'] },
);
