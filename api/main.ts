/**
 * Runs the API alone (`npm run start:api`): opens the store, subscribes to MQTT with the
 * API's service credential and listens. lib/run-main.ts starts these in order and stops them
 * in reverse on SIGINT/SIGTERM (HTTP first, so no request sees a closed database). The
 * dashboard it serves at /app/ is built beforehand (`npm run build:dashboard`).
 */
import { existsSync } from 'node:fs';
import { resolve } from 'node:path';
import { resource } from '../lib/component.ts';
import type { Config } from '../lib/config.ts';
import { LiftWatchError } from '../lib/errors.ts';
import { runMain } from '../lib/run-main.ts';
import { readFleetFile } from '../store/fleet-loader.ts';
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
    const api = resource(
      'api',
      async () => {
        const service = await startApiService(config, {
          store: store.value,
          log,
          mqtt: { url: config.MQTT_URL ?? `mqtt://127.0.0.1:${config.MQTT_PORT}`, ...mqttCredential(config) },
          // Run alone, the API reads history from the InfluxDB the ingest was pointed at.
          influxUrl: config.INFLUX_URL ?? `http://127.0.0.1:${config.INFLUX_PORT}`,
        });
        log.info({ publicBaseUrl: service.publicBaseUrl }, 'api ready');
        return service;
      },
      (service) => service.stop(),
    );
    return [store, api];
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
