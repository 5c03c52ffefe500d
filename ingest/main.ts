/**
 * Standalone ingest (`npm run start:ingest`): opens the registry, connects to the broker
 * (MQTT_URL, else the local embedded broker's port) with the ingest's service credential,
 * writes to INFLUX_URL, keeps its fleet directory current (a fleet-changed message from
 * another process at once, FLEET_REFRESH_S as a safety net), and serves /metrics on
 * INGEST_METRICS_PORT if set. lib/run-main.ts starts these in order and stops them in
 * reverse on SIGINT/SIGTERM.
 */
import { createFleetChangeFeed } from '../fleet/change-feed.ts';
import { createFleet } from '../fleet/service.ts';
import { resource, step } from '../lib/component.ts';
import { LiftWatchError } from '../lib/errors.ts';
import { influxAnswers } from '../lib/influxd.ts';
import { processSamples, serveMetrics, stopMetrics } from '../lib/prometheus.ts';
import { runMain } from '../lib/run-main.ts';
import { openStore } from '../store/store.ts';
import { ingestMetricSamples } from './metrics-samples.ts';
import { createIngestService } from './service.ts';

await runMain({
  part: 'ingest',
  build: ({ config, log }) => {
    const mqttUrl = config.MQTT_URL ?? `mqtt://127.0.0.1:${config.MQTT_PORT}`;
    const influxUrl = config.INFLUX_URL ?? `http://127.0.0.1:${config.INFLUX_PORT}`;
    if (!config.MQTT_URL && !(config.INGEST_MQTT_USERNAME && config.INGEST_MQTT_PASSWORD)) {
      throw new LiftWatchError(
        'CONFIG_INVALID',
        'The embedded broker authenticates every client: set INGEST_MQTT_USERNAME and INGEST_MQTT_PASSWORD to a service credential of role ingest (or MQTT_URL for an external broker)',
      );
    }

    const influxCheck = step('influxdb check', async () => {
      if (!(await influxAnswers(influxUrl)))
        log.warn(
          { influxUrl },
          'InfluxDB does not answer yet; points are buffered until it does (set INFLUX_URL)',
        );
    });
    const registry = resource(
      'registry',
      () => openStore(config),
      (store) => store.close(),
    );
    const credential = {
      ...(config.INGEST_MQTT_USERNAME ? { username: config.INGEST_MQTT_USERNAME } : {}),
      ...(config.INGEST_MQTT_PASSWORD ? { password: config.INGEST_MQTT_PASSWORD } : {}),
    };
    const fleet = resource(
      'fleet',
      async () => {
        const running = createFleet(
          { repository: registry.value.fleet, log },
          { refreshMs: config.FLEET_REFRESH_S * 1000 },
        );
        await running.directory.start();
        return running;
      },
      (running) => running.directory.stop(),
    );
    const ingest = resource(
      'ingest',
      async () => {
        const service = await createIngestService(config, {
          store: registry.value,
          log,
          directory: fleet.value.directory,
          influxUrl,
          // LOG_ENABLED: device messages come from the log (NATS_URL, else the local port).
          natsUrl: config.NATS_URL ?? `nats://127.0.0.1:${config.NATS_PORT}`,
          mqtt: { url: mqttUrl, ...credential },
        });
        try {
          await service.start();
        } catch (error) {
          // Half started (connected, detection failed): undo that half, nobody else will.
          await service.stop().catch(() => undefined);
          throw error;
        }
        log.info({ mqttUrl, influxUrl, database: config.INFLUX_DATABASE }, 'ingest running');
        return service;
      },
      (service) => service.stop(),
    );
    // A fleet reload elsewhere (npm start's SIGHUP, the API's reload route) says so on
    // fleet/changed: the directory refreshes and the pipeline and detector take the new list.
    const changeFeed = resource(
      'fleet change feed',
      async () => {
        const feed = createFleetChangeFeed(
          { url: mqttUrl, part: 'ingest', ...credential, connectTimeoutMs: config.MQTT_CONNECT_TIMEOUT_MS },
          { directory: fleet.value.directory, log },
        );
        await feed.start();
        fleet.value.feed = feed;
        return feed;
      },
      (feed) => feed.stop(),
    );
    const metricsPort = config.INGEST_METRICS_PORT;
    const metrics =
      metricsPort === undefined
        ? null
        : resource(
            'metrics',
            () =>
              serveMetrics(metricsPort, '127.0.0.1', () => [
                ...ingestMetricSamples(ingest.value.ingest.metrics()),
                ...processSamples('liftwatch_ingest'),
              ]),
            stopMetrics,
          );
    return [influxCheck, registry, fleet, ingest, changeFeed, ...(metrics ? [metrics] : [])];
  },
});
