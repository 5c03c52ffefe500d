/**
 * The API as a service: its state store (seeded from the registry) and the live feeds that keep
 * it current, the Fastify app with InfluxDB history and readiness probes, listening on API_PORT.
 * The feeds are chosen here, and only here: alone (LOG_ENABLED=false) the MQTT client subscribes
 * to the devices and the lifecycle on its one broker; with LOG_ENABLED device messages come from
 * the log every broker front writes to (log-state-feed.ts: each car's latest message, then new
 * ones) and alert and visit transitions from the transitions stream (log/transitions.ts), the
 * MQTT client only publishing; with REDIS_URL
 * pushes and rate limits are shared with the other API nodes (shared-redis.ts). The standalone main
 * and the all-in-one main both start the API through here, so they cannot drift apart.
 * The fleet (directory, file reload) is the caller's: one per process, shared with the ingest
 * when they run together.
 */
import { join } from 'node:path';
import type { FastifyInstance } from 'fastify';
import { createAlertLifecycle, type Publish } from '../alerts/lifecycle.ts';
import type { Fleet } from '../fleet/service.ts';
import type { Config } from '../lib/config.ts';
import { influxAnswers } from '../lib/influxd.ts';
import type { Logger } from '../lib/logger.ts';
import { logStreamOptionsFrom, transitionLogOptionsFrom } from '../log/config.ts';
import { TransitionReader, TransitionRelay } from '../log/transitions.ts';
import { topics } from '../protocol/index.ts';
import type { Store } from '../store/store.ts';
import { buildApi } from './app.ts';
import type { AlertActions, MetricsProvider, ReadinessProbe } from './deps.ts';
import { LogStateFeed } from './log-state-feed.ts';
import { MqttStateSource } from './mqtt-state-source.ts';
import { applyOfflineOverrides, seedStateFromStore } from './seed-state.ts';
import { connectSharedRedis } from './shared-redis.ts';

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
  /** The log's NATS server(s); with LOG_ENABLED device messages and alert and visit transitions are read there. */
  natsUrl?: string;
}

export interface ApiService {
  app: FastifyInstance;
  stateSource: MqttStateSource;
  /** With LOG_ENABLED: this node's reading of the transitions (its durable consumer); else null. */
  transitions: TransitionReader | null;
  /** With LOG_ENABLED: this node's reading of the device log (the store's device feed); else null. */
  liveFeed: LogStateFeed | null;
  publicBaseUrl: string;
  stop(): Promise<void>;
}

export async function startApiService(config: Config, deps: ApiServiceDeps): Promise<ApiService> {
  const { store, log } = deps;
  const natsUrl = config.LOG_ENABLED ? deps.natsUrl : undefined;
  const stateSource = new MqttStateSource({
    ...deps.mqtt,
    clientId: config.API_MQTT_CLIENT_ID,
    log,
    offlineAfterMs: config.DEVICE_OFFLINE_AFTER_S * 1000,
    connectTimeoutMs: config.MQTT_CONNECT_TIMEOUT_MS,
    // With the log, device messages and transitions come from there, not from one broker's MQTT.
    subscribe: natsUrl === undefined,
  });
  const liveFeed = natsUrl
    ? new LogStateFeed({ ...logStreamOptionsFrom(config), url: natsUrl }, { store: stateSource, log })
    : null;
  const { directory } = deps.fleet;
  // Before the store is read: a node reading the log for the first time starts from here.
  const seededAt = new Date();
  await seedStateFromStore(store, stateSource, directory.elevators());
  const offlineMs = config.DEVICE_OFFLINE_AFTER_S * 1000;
  /** What is started so far, stopped in reverse if a later step fails, and by `stop()`. */
  const started: (() => Promise<unknown> | unknown)[] = [];
  const stopStarted = async () => {
    for (const stop of started.reverse()) await stop();
  };
  started.push(
    directory.on('changed', (changes) =>
      applyOfflineOverrides(stateSource, [...changes.added, ...changes.changed], offlineMs),
    ),
  );
  try {
    await stateSource.start();
    started.push(() => stateSource.stop());
    if (liveFeed) {
      await liveFeed.start();
      started.push(() => liveFeed.stop());
    }
    const transitions = natsUrl ? await startTransitions(config, deps, natsUrl, stateSource, seededAt) : null;
    if (transitions) started.push(() => transitions.stop());
    const sharedRedis = config.REDIS_URL
      ? await connectSharedRedis(
          {
            url: config.REDIS_URL,
            keyPrefix: config.REDIS_KEY_PREFIX,
            connectTimeoutMs: config.MQTT_CONNECT_TIMEOUT_MS,
          },
          log,
        )
      : null;
    if (sharedRedis) started.push(() => sharedRedis.close());
    const publicBaseUrl = config.PUBLIC_BASE_URL ?? `http://localhost:${config.API_PORT}`;
    // Alone, the API applies people's decisions itself and announces them on MQTT; with the log,
    // each is committed with its row to the store's outbox and the relay appends it there.
    const publish: Publish = (topic, payload) => stateSource.publish(topic, payload);
    const app = await buildApi({
      store,
      log,
      directory,
      fleetReload: deps.fleetFile ? { reload: () => deps.fleet.reloadFile(deps.fleetFile!) } : null,
      config,
      stateSource,
      publicBaseUrl,
      influx: { url: deps.influxUrl, database: config.INFLUX_DATABASE },
      ...(sharedRedis ? { sharedRedis } : {}),
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
        ...(transitions ? { log: () => transitions.connected && (liveFeed?.connected ?? true) } : {}),
        ...(sharedRedis ? { redis: () => sharedRedis.ready } : {}),
        ...deps.readiness,
      },
      metrics: [
        serviceRefusalSamples(stateSource),
        ...(transitions ? [transitionSamples(transitions.reader)] : []),
        ...(liveFeed ? [liveFeedSamples(liveFeed)] : []),
        ...(deps.metrics ?? []),
      ],
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
          publish,
          log,
          ...(transitions?.writer ? { outbox: transitions.writer } : {}),
        }),
    });
    // Closed first: no request or socket sees the state source or Redis gone.
    started.push(() => app.close());
    await app.listen({ port: config.API_PORT, host: config.API_HOST });
    return {
      app,
      stateSource,
      transitions: transitions?.reader ?? null,
      liveFeed,
      publicBaseUrl,
      stop: stopStarted,
    };
  } catch (error) {
    await stopStarted();
    throw error;
  }
}

interface Transitions {
  reader: TransitionReader;
  /** The outbox's relay; null when the caller's lifecycle writes (one process: the ingest's relay). */
  writer: TransitionRelay | null;
  readonly connected: boolean;
  stop(): Promise<void>;
}

/**
 * LOG_ENABLED: this node reads every alert and visit transition from the log through its own
 * durable consumer (API_NODE_ID), validated by the state source like an MQTT one, and (when
 * its lifecycle is its own) appends the transitions people make here.
 */
async function startTransitions(
  config: Config,
  deps: ApiServiceDeps,
  natsUrl: string,
  stateSource: MqttStateSource,
  seededAt: Date,
): Promise<Transitions> {
  const writer = deps.alertActions
    ? null
    : new TransitionRelay(transitionLogOptionsFrom(config, natsUrl), {
        log: deps.log,
        outbox: deps.store.transitionOutbox,
      });
  await writer?.start();
  const reader = new TransitionReader(
    { ...transitionLogOptionsFrom(config, natsUrl), nodeId: config.API_NODE_ID, firstStartAt: seededAt },
    {
      log: deps.log,
      onTransition: (topic, payload) => {
        stateSource.receiveServiceMessage(topic, payload);
      },
    },
  );
  try {
    await reader.start();
  } catch (error) {
    await writer?.stop();
    throw error;
  }
  return {
    reader,
    writer,
    get connected() {
      return reader.connected && (writer?.connected ?? true);
    },
    async stop() {
      await reader.stop();
      await writer?.stop();
    },
  };
}

/** Transitions this node read from the log: it stops moving when the node's feed does. */
function transitionSamples(reader: TransitionReader): MetricsProvider {
  return () => [
    {
      name: 'liftwatch_api_log_transitions_total',
      help: 'Alert and visit transitions this API node read from the log',
      type: 'counter' as const,
      value: reader.stats().received,
    },
  ];
}

/** Device messages this API node read from the log: it stops moving when the node's live feed does. */
function liveFeedSamples(feed: LogStateFeed): MetricsProvider {
  return () => [
    {
      name: 'liftwatch_api_log_device_messages_total',
      help: 'Device messages this API node read from the log for its live state',
      type: 'counter' as const,
      value: feed.stats().received,
    },
  ];
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
