/**
 * Runs the API alone: reads the config, opens the registry, subscribes to MQTT with the
 * API's service credential, listens, and on SIGINT/SIGTERM closes in reverse order
 * (HTTP first, so no request sees a closed database).
 */
import { existsSync } from 'node:fs';
import { resolve } from 'node:path';
import { loadConfig } from '../lib/config.ts';
import { installCrashPolicy } from '../lib/crash-policy.ts';
import { LiftWatchError } from '../lib/errors.ts';
import { createLogger } from '../lib/logger.ts';
import { openRegistry } from '../registry/db.ts';
import { readFleetFile } from '../registry/fleet-loader.ts';
import { startApiService } from './service.ts';

const config = loadConfig(process.env);
const log = createLogger(config.LOG_LEVEL);
installCrashPolicy(log, { part: 'api' });

/** Env first; for the demo, the `api` service credential of the generated fleet file. */
function mqttCredential(): { username: string; password: string } {
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

const db = await openRegistry(config);
const api = await startApiService(config, {
  db,
  log,
  mqtt: { url: config.MQTT_URL ?? `mqtt://127.0.0.1:${config.MQTT_PORT}`, ...mqttCredential() },
  // Run alone, the API reads history from the InfluxDB the ingest was pointed at.
  influxUrl: config.INFLUX_URL ?? `http://127.0.0.1:${config.INFLUX_PORT}`,
});
log.info({ publicBaseUrl: api.publicBaseUrl }, 'api ready');

let closing = false;
async function shutdown(signal: string): Promise<void> {
  if (closing) return;
  closing = true;
  log.info({ signal }, 'api shutting down');
  try {
    await api.stop();
    await db.destroy();
    process.exit(0);
  } catch (error) {
    log.error({ err: error }, 'api shutdown failed');
    process.exit(1);
  }
}
process.once('SIGINT', () => void shutdown('SIGINT'));
process.once('SIGTERM', () => void shutdown('SIGTERM'));
