/**
 * Runs the API alone: reads the config, opens the registry, subscribes to MQTT with the
 * API's service credential, listens, and on SIGINT/SIGTERM closes in reverse order
 * (HTTP first, so no request sees a closed database).
 */
import { existsSync } from 'node:fs';
import { resolve } from 'node:path';
import { loadConfig } from '../lib/config.ts';
import { influxAnswers } from '../lib/influxd.ts';
import { createLogger } from '../lib/logger.ts';
import { createAlertLifecycle } from '../registry/alert-lifecycle.ts';
import { openRegistry } from '../registry/db.ts';
import { readFleetJson } from '../simulators/demo-fleet.ts';
import { buildApi } from './app.ts';
import { MqttStateSource } from './mqtt-state-source.ts';
import { seedStateFromRegistry } from './seed-state.ts';

const config = loadConfig(process.env);
const log = createLogger(config.LOG_LEVEL);

/** Env first; for the demo, the `api` service credential of the generated fleet file. */
function mqttCredential(): { username: string; password: string } {
  if (config.API_MQTT_USERNAME && config.API_MQTT_PASSWORD)
    return { username: config.API_MQTT_USERNAME, password: config.API_MQTT_PASSWORD };
  const demo = config.FLEET_FILE ?? resolve(config.DATA_DIR, 'demo-fleet.json');
  const service = existsSync(demo)
    ? readFleetJson(demo).service_credentials.find((s) => s.role === 'api' && s.password)
    : undefined;
  if (!service?.password)
    throw new Error('Set API_MQTT_USERNAME and API_MQTT_PASSWORD (a service credential with role api)');
  return { username: service.username, password: service.password };
}

const db = await openRegistry(config.DATABASE_FILE);
const stateSource = new MqttStateSource({
  url: config.MQTT_URL ?? `mqtt://127.0.0.1:${config.MQTT_PORT}`,
  ...mqttCredential(),
  clientId: config.API_MQTT_CLIENT_ID,
  log,
  offlineAfterMs: config.DEVICE_OFFLINE_AFTER_S * 1000,
  connectTimeoutMs: config.MQTT_CONNECT_TIMEOUT_MS,
});
await seedStateFromRegistry(db, stateSource);
await stateSource.start();

const publicBaseUrl = config.PUBLIC_BASE_URL ?? `http://localhost:${config.API_PORT}`;
// Run alone, the API reads history from the InfluxDB the ingest was pointed at.
const influxUrl = config.INFLUX_URL ?? `http://127.0.0.1:${config.INFLUX_PORT}`;
const app = await buildApi({
  db,
  log,
  config,
  stateSource,
  publicBaseUrl,
  influx: { url: influxUrl, database: config.INFLUX_DATABASE },
  readiness: { broker: () => stateSource.connected, influx: () => influxAnswers(influxUrl) },
  // The detection issue's lifecycle: same row update, and the transition goes out on MQTT.
  alertActions: createAlertLifecycle({
    db,
    clock: Date.now,
    publish: (topic, payload) => stateSource.publish(topic, payload),
  }),
});
await app.listen({ port: config.API_PORT, host: config.API_HOST });
log.info({ publicBaseUrl }, 'api ready');

let closing = false;
async function shutdown(signal: string): Promise<void> {
  if (closing) return;
  closing = true;
  log.info({ signal }, 'api shutting down');
  try {
    await app.close();
    await stateSource.stop();
    await db.destroy();
    process.exit(0);
  } catch (error) {
    log.error({ err: error }, 'api shutdown failed');
    process.exit(1);
  }
}
process.once('SIGINT', () => void shutdown('SIGINT'));
process.once('SIGTERM', () => void shutdown('SIGTERM'));
