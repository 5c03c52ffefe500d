/**
 * Standalone ingest (`npm run start:ingest`): reads config, opens the registry, connects to
 * the broker (MQTT_URL, else the local embedded broker's port) with the ingest's service
 * credential, writes to INFLUX_URL, and serves /metrics on INGEST_METRICS_PORT if set.
 * Owns signals and closes in reverse order.
 */
import type { Server } from 'node:http';
import { loadConfig } from '../lib/config.ts';
import { installCrashPolicy } from '../lib/crash-policy.ts';
import { LiftWatchError } from '../lib/errors.ts';
import { influxAnswers } from '../lib/influxd.ts';
import { createLogger } from '../lib/logger.ts';
import { processSamples, serveMetrics } from '../lib/prometheus.ts';
import { openRegistry } from '../registry/db.ts';
import { listElevators } from '../registry/directory.ts';
import { ingestMetricSamples } from './metrics-samples.ts';
import { createIngestService } from './service.ts';

const DIRECTORY_REFRESH_MS = 60_000;

const config = loadConfig(process.env);
const log = createLogger(config.LOG_LEVEL);
installCrashPolicy(log, { part: 'ingest' });
const mqttUrl = config.MQTT_URL ?? `mqtt://127.0.0.1:${config.MQTT_PORT}`;
const influxUrl = config.INFLUX_URL ?? `http://127.0.0.1:${config.INFLUX_PORT}`;

if (!config.MQTT_URL && !(config.INGEST_MQTT_USERNAME && config.INGEST_MQTT_PASSWORD)) {
  throw new LiftWatchError(
    'CONFIG_INVALID',
    'The embedded broker authenticates every client: set INGEST_MQTT_USERNAME and INGEST_MQTT_PASSWORD to a service credential of role ingest (or MQTT_URL for an external broker)',
  );
}
if (!(await influxAnswers(influxUrl))) {
  log.warn({ influxUrl }, 'InfluxDB does not answer yet; points are buffered until it does (set INFLUX_URL)');
}

const db = await openRegistry(config);
const service = await createIngestService(config, {
  db,
  log,
  influxUrl,
  mqtt: {
    url: mqttUrl,
    ...(config.INGEST_MQTT_USERNAME ? { username: config.INGEST_MQTT_USERNAME } : {}),
    ...(config.INGEST_MQTT_PASSWORD ? { password: config.INGEST_MQTT_PASSWORD } : {}),
  },
});

// A fleet reload elsewhere adds elevators; pick them up without a restart.
const refresh = setInterval(() => {
  listElevators(db)
    .then((elevators) => service.ingest.updateElevators(elevators))
    .catch((error: unknown) => log.error({ err: error }, 'elevator directory refresh failed'));
}, DIRECTORY_REFRESH_MS);
refresh.unref();

let metricsServer: Server | null = null;
let stopping = false;
async function shutdown(signal: string): Promise<void> {
  if (stopping) return;
  stopping = true;
  log.info({ signal }, 'stopping ingest');
  clearInterval(refresh);
  try {
    metricsServer?.close();
    await service.stop();
    await db.destroy();
  } finally {
    process.exit(0);
  }
}
process.on('SIGINT', () => void shutdown('SIGINT'));
process.on('SIGTERM', () => void shutdown('SIGTERM'));

try {
  await service.start();
  if (config.INGEST_METRICS_PORT !== undefined) {
    metricsServer = await serveMetrics(config.INGEST_METRICS_PORT, '127.0.0.1', () => [
      ...ingestMetricSamples(service.ingest.metrics()),
      ...processSamples('liftwatch_ingest'),
    ]);
  }
  log.info({ mqttUrl, influxUrl, database: config.INFLUX_DATABASE }, 'ingest running');
} catch (error) {
  log.fatal({ err: error }, 'ingest could not start');
  await service.stop().catch(() => undefined);
  await db.destroy();
  process.exit(1);
}
