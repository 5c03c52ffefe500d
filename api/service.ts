/**
 * The API as a service: its MQTT state source (seeded from the registry), the Fastify app
 * with InfluxDB history and readiness probes, listening on API_PORT. The standalone main
 * and the all-in-one main both start the API through here, so they cannot drift apart.
 */
import { join } from 'node:path';
import type { FastifyInstance } from 'fastify';
import { createAlertLifecycle } from '../alerts/lifecycle.ts';
import type { Config } from '../lib/config.ts';
import { influxAnswers } from '../lib/influxd.ts';
import type { Logger } from '../lib/logger.ts';
import type { RegistryDb } from '../store/db.ts';
import { buildApi } from './app.ts';
import type { AlertActions, MetricsProvider, ReadinessProbe } from './deps.ts';
import { MqttStateSource } from './mqtt-state-source.ts';
import { seedStateFromRegistry } from './seed-state.ts';

export interface ApiServiceDeps {
  db: RegistryDb;
  log: Logger;
  mqtt: { url: string; username: string; password: string };
  influxUrl: string;
  /** In one process, the ingest's lifecycle, so people and rules share one queue. */
  alertActions?: AlertActions;
  metrics?: MetricsProvider[];
  readiness?: Record<string, ReadinessProbe>;
}

export interface ApiService {
  app: FastifyInstance;
  stateSource: MqttStateSource;
  publicBaseUrl: string;
  stop(): Promise<void>;
}

export async function startApiService(config: Config, deps: ApiServiceDeps): Promise<ApiService> {
  const { db, log } = deps;
  const stateSource = new MqttStateSource({
    ...deps.mqtt,
    clientId: config.API_MQTT_CLIENT_ID,
    log,
    offlineAfterMs: config.DEVICE_OFFLINE_AFTER_S * 1000,
    connectTimeoutMs: config.MQTT_CONNECT_TIMEOUT_MS,
  });
  await seedStateFromRegistry(db, stateSource);
  await stateSource.start();
  const publicBaseUrl = config.PUBLIC_BASE_URL ?? `http://localhost:${config.API_PORT}`;
  try {
    const app = await buildApi({
      db,
      log,
      config,
      stateSource,
      publicBaseUrl,
      influx: { url: deps.influxUrl, database: config.INFLUX_DATABASE },
      ...(config.REGULATOR_PUSH_URL && config.REGULATOR_PUSH_SECRET
        ? {
            regulatorPush: {
              url: config.REGULATOR_PUSH_URL,
              secret: config.REGULATOR_PUSH_SECRET,
              platformId: config.REGULATOR_PLATFORM_ID,
              outboxDir: join(config.DATA_DIR, 'regulator-outbox'),
              statusIntervalMs: config.REGULATOR_STATUS_INTERVAL_S * 1000,
            },
          }
        : {}),
      readiness: {
        broker: () => stateSource.connected,
        influxdb: () => influxAnswers(deps.influxUrl, 500),
        ...deps.readiness,
      },
      ...(deps.metrics ? { metrics: deps.metrics } : {}),
      // Alone, the API applies people's decisions itself and announces them on MQTT.
      alertActions:
        deps.alertActions ??
        createAlertLifecycle({
          db,
          clock: Date.now,
          publish: (topic, payload) => stateSource.publish(topic, payload),
        }),
    });
    await app.listen({ port: config.API_PORT, host: config.API_HOST });
    return {
      app,
      stateSource,
      publicBaseUrl,
      async stop() {
        await app.close();
        await stateSource.stop();
      },
    };
  } catch (error) {
    await stateSource.stop();
    throw error;
  }
}
