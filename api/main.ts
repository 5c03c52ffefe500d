/**
 * Runs the API alone (`npm run start:api`): opens the registry, loads the fleet directory,
 * connects to MQTT with the API's service credential (with LOG_ENABLED, reads the devices' live
 * state and the alert and visit transitions from the log, and only publishes on MQTT; with
 * REDIS_URL, shares pushes and rate limits with other API nodes) and listens. Fleet changes made
 * elsewhere arrive on fleet/changed; POST /api/v1/fleet/reload (admin) or SIGHUP re-reads
 * FLEET_FILE here and announces the change to the other processes. lib/run-main.ts starts these in order and stops them
 * in reverse on SIGINT/SIGTERM (HTTP first, so no request sees a closed database). The
 * dashboard it serves at /app/ is built beforehand (`npm run build:dashboard`).
 */
import { existsSync } from 'node:fs';
import { resolve } from 'node:path';
import { createFleetChangeFeed } from '../fleet/change-feed.ts';
import { readFleetFile } from '../fleet/fleet-file.ts';
import { createFleet } from '../fleet/service.ts';
import { resource } from '../lib/component.ts';
import type { Config } from '../lib/config.ts';
import { LiftWatchError } from '../lib/errors.ts';
import { reloadOnHangup } from '../lib/hangup.ts';
import { runMain } from '../lib/run-main.ts';
import { openStore } from '../store/store.ts';
import { startApiService } from './service.ts';

await runMain({
  part: 'api',
  build: ({ config, log }) => {
    const store = resource(
      'store',
      () => openStore(config),
      (opened) => opened.close(),
    );
    const mqttUrl = config.MQTT_URL ?? `mqtt://127.0.0.1:${config.MQTT_PORT}`;
    const fleet = resource(
      'fleet',
      async () => {
        const running = createFleet(
          { repository: store.value.fleet, log },
          { refreshMs: config.FLEET_REFRESH_S * 1000 },
        );
        await running.directory.start();
        return running;
      },
      (running) => running.directory.stop(),
    );
    const api = resource(
      'api',
      async () => {
        const service = await startApiService(config, {
          store: store.value,
          log,
          fleet: fleet.value,
          ...(config.FLEET_FILE ? { fleetFile: config.FLEET_FILE } : {}),
          mqtt: { url: mqttUrl, ...mqttCredential(config) },
          // Run alone, the API reads history from the InfluxDB the ingest was pointed at.
          influxUrl: config.INFLUX_URL ?? `http://127.0.0.1:${config.INFLUX_PORT}`,
          // LOG_ENABLED: live device state (every front's) and alert and visit transitions come from the log.
          natsUrl: config.NATS_URL ?? `nats://127.0.0.1:${config.NATS_PORT}`,
        });
        log.info({ publicBaseUrl: service.publicBaseUrl }, 'api ready');
        return service;
      },
      (service) => service.stop(),
    );
    const changeFeed = resource(
      'fleet change feed',
      async () => {
        const feed = createFleetChangeFeed(
          {
            url: mqttUrl,
            part: 'api',
            ...mqttCredential(config),
            connectTimeoutMs: config.MQTT_CONNECT_TIMEOUT_MS,
          },
          { directory: fleet.value.directory, log },
        );
        await feed.start();
        fleet.value.feed = feed;
        return feed;
      },
      (feed) => feed.stop(),
    );
    const fleetFile = config.FLEET_FILE;
    const hangup = fleetFile
      ? [reloadOnHangup('fleet file', () => fleet.value.reloadFile(fleetFile), log)]
      : [];
    return [store, fleet, api, changeFeed, ...hangup];
  },
});

/** Env first; for the demo, the `api` service credential of the generated fleet file. */
function mqttCredential(config: Config): { username: string; password: string } {
  if (config.API_MQTT_USERNAME && config.API_MQTT_PASSWORD)
    return { username: config.API_MQTT_USERNAME, password: config.API_MQTT_PASSWORD };
  const demo = config.FLEET_FILE ?? resolve(config.DATA_DIR, 'demo-fleet.json');
  const service = existsSync(demo)
    ? readFleetFile(demo).service_credentials.find((s) => s.role === 'api' && s.password)
    : undefined;
  if (!service?.password)
    throw new LiftWatchError(
      'CONFIG_INVALID',
      'Set API_MQTT_USERNAME and API_MQTT_PASSWORD (a service credential with role api)',
    );
  return { username: service.username, password: service.password };
}
