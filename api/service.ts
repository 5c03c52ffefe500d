/**
 * The API as a service: its MQTT state source (seeded from the registry), the Fastify app
 * with InfluxDB history and readiness probes, listening on API_PORT. The standalone main
 * and the all-in-one main both start the API through here, so they cannot drift apart.
 * The fleet (directory, file reload) is the caller's: one per process, shared with the ingest
 * when they run together.
 */
import { join } from 'node:path';
import type { FastifyInstance } from 'fastify';
import { createAlertLifecycle } from '../alerts/lifecycle.ts';
import type { Fleet } from '../fleet/service.ts';
import type { Config } from '../lib/config.ts';
import { influxAnswers } from '../lib/influxd.ts';
import type { Logger } from '../lib/logger.ts';
import { topics } from '../protocol/index.ts';
import type { Store } from '../store/store.ts';
import { buildApi } from './app.ts';
import type { AlertActions, MetricsProvider, ReadinessProbe } from './deps.ts';
import { MqttStateSource } from './mqtt-state-source.ts';
import { applyOfflineOverrides, seedStateFromStore } from './seed-state.ts';

export interface ApiServiceDeps {
  store: Store;
  log: Logger;
  /** The process's fleet, its directory loaded (fleet/service.ts). */
  fleet: Fleet;
  /** The fleet file POST /api/v1/fleet/reload re-reads; without one that route answers 409. */
  fleetFile?: string;
  mqtt: { url: string; username: string; password: string };
  influxUrl: string;
  /** In one process, the ingest's lifecycle (the same code; one instance is enough). */
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
  const { store, log } = deps;
  const stateSource = new MqttStateSource({
    ...deps.mqtt,
    clientId: config.API_MQTT_CLIENT_ID,
    log,
    offlineAfterMs: config.DEVICE_OFFLINE_AFTER_S * 1000,
    connectTimeoutMs: config.MQTT_CONNECT_TIMEOUT_MS,
  });
  const { directory } = deps.fleet;
  await seedStateFromStore(store, stateSource, directory.elevators());
  const offlineMs = config.DEVICE_OFFLINE_AFTER_S * 1000;
  const unsubscribe = directory.on('changed', (changes) =>
    applyOfflineOverrides(stateSource, [...changes.added, ...changes.changed], offlineMs),
  );
  try {
    await stateSource.start();
  } catch (error) {
    unsubscribe();
    throw error;
  }
  const publicBaseUrl = config.PUBLIC_BASE_URL ?? `http://localhost:${config.API_PORT}`;
  try {
    const app = await buildApi({
      store,
      log,
      directory,
      fleetReload: deps.fleetFile ? { reload: () => deps.fleet.reloadFile(deps.fleetFile!) } : null,
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
      metrics: [serviceRefusalSamples(stateSource), ...(deps.metrics ?? [])],
      // The phone's check-in/out go to the car's maintenance channel, as a device's would.
      visitClaims: {
        claim: (elevatorId, message) => stateSource.publish(topics.maintenance(elevatorId), message),
      },
      // Alone, the API applies people's decisions itself and announces them on MQTT.
      alertActions:
        deps.alertActions ??
        createAlertLifecycle({
          alerts: store.alerts,
          clock: Date.now,
          estateOf: (elevatorId) => directory.estateOf(elevatorId),
          publish: (topic, payload) => stateSource.publish(topic, payload),
        }),
    });
    await app.listen({ port: config.API_PORT, host: config.API_HOST });
    return {
      app,
      stateSource,
      publicBaseUrl,
      async stop() {
        unsubscribe();
        await app.close();
        await stateSource.stop();
      },
    };
  } catch (error) {
    unsubscribe();
    await stateSource.stop();
    throw error;
  }
}

/** Service messages the state source refused, by code: a non-zero count means a producer out of contract. */
function serviceRefusalSamples(source: MqttStateSource): MetricsProvider {
  return () =>
    Object.entries(source.serviceMessagesRefused).map(([code, value]) => ({
      name: 'liftwatch_api_service_messages_refused_total',
      help: 'alerts/ and visits/ messages refused by the API (not JSON, out of schema, wrong elevator)',
      type: 'counter' as const,
      value,
      labels: { code },
    }));
}
