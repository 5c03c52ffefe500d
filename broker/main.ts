/**
 * `npm run start:broker`: the broker alone, for deployments that spread the parts over
 * machines. The store (device credentials), the log publisher (LOG_ENABLED), the broker, and its /metrics when
 * BROKER_METRICS_PORT is set, run by lib/run-main.ts: started in this order, stopped in
 * reverse on SIGINT/SIGTERM.
 */
import { resource } from '../lib/component.ts';
import { processSamples, serveMetrics, stopMetrics } from '../lib/prometheus.ts';
import { runMain } from '../lib/run-main.ts';
import { logPublisherOptionsFrom } from '../log/config.ts';
import { LogPublisher } from '../log/publisher.ts';
import { openStore } from '../store/store.ts';
import { brokerOptionsFrom, createBroker } from './broker.ts';
import { brokerMetricSamples } from './metrics-samples.ts';

await runMain({
  part: 'broker',
  build: ({ config, log }) => {
    const store = resource(
      'store',
      () => openStore(config),
      (opened) => opened.close(),
    );
    // LOG_ENABLED: a device's PUBACK waits until the log (NATS_URL, else the local port) stored it.
    const natsUrl = config.NATS_URL ?? `nats://127.0.0.1:${config.NATS_PORT}`;
    const publisher = config.LOG_ENABLED
      ? new LogPublisher(logPublisherOptionsFrom(config, natsUrl), { log })
      : null;
    const broker = createBroker(brokerOptionsFrom(config), {
      log,
      authenticate: (username, password) => store.value.credentials.authenticateMachine(username, password),
      ...(publisher ? { handOff: (topic: string, payload: Buffer) => publisher.append(topic, payload) } : {}),
    });
    const metricsPort = config.BROKER_METRICS_PORT;
    return [
      store,
      ...(publisher
        ? [{ name: 'log publisher', start: () => publisher.start(), stop: () => publisher.stop() }]
        : []),
      { name: 'broker', start: async () => void (await broker.start()), stop: () => broker.stop() },
      ...(metricsPort === undefined
        ? []
        : [
            resource(
              'metrics',
              async () => {
                const server = await serveMetrics(metricsPort, '127.0.0.1', () => [
                  ...brokerMetricSamples(broker.metrics()),
                  ...processSamples('liftwatch_broker'),
                ]);
                log.info({ port: metricsPort }, 'broker metrics on /metrics');
                return server;
              },
              stopMetrics,
            ),
          ]),
    ];
  },
});
