/**
 * The parts wired in one process: the Aedes broker (unless an MQTT URL is given), the
 * fleet directory, the ingest with detection and the API, sharing one fleet directory and
 * one alert lifecycle, and the fleet change feed that hears other processes' fleet changes. `main.ts` (npm start,
 * npm run demo) and the e2e suites' live system start exactly this wiring. The parts still
 * talk over MQTT and HTTP as they would on separate machines.
 *
 * `systemComponents` returns them as components (lib/component.ts) in start order, for
 * lib/run-main.ts to start and stop; `startParts` starts the same components for a test
 * harness and pushes each onto `stops` as soon as it is up, so a caller stopping in reverse
 * order also stops what came up before a later part failed.
 */

import { type ApiService, startApiService } from './api/service.ts';
import { type Broker, brokerOptionsFrom, createBroker } from './broker/broker.ts';
import { brokerMetricSamples } from './broker/metrics-samples.ts';
import { createFleetChangeFeed } from './fleet/change-feed.ts';
import { createFleet, type Fleet } from './fleet/service.ts';
import { ingestMetricSamples } from './ingest/metrics-samples.ts';
import { createIngestService, type IngestService } from './ingest/service.ts';
import { type Component, resource } from './lib/component.ts';
import type { Config } from './lib/config.ts';
import { LiftWatchError } from './lib/errors.ts';
import type { Logger } from './lib/logger.ts';
import { processSamples } from './lib/prometheus.ts';
import { logPublisherOptionsFrom } from './log/config.ts';
import { LogPublisher } from './log/publisher.ts';
import type { Store } from './store/store.ts';

export type Stop = { name: string; stop: () => Promise<unknown> };

export interface SystemDeps {
  store: Store;
  log: Logger;
  influxUrl: string;
  /** An external broker; without one the embedded broker listens on MQTT_PORT. */
  mqttUrl?: string;
  /** The fleet, its directory loaded; without one the system loads its own from the store. */
  fleet?: Fleet;
  /** The log's NATS server(s), used with LOG_ENABLED. */
  natsUrl?: string;
}

/** What the components need from components started before them: read in `start()`, never before. */
export interface LateSystemDeps {
  store: () => Store;
  log: Logger;
  influxUrl: () => string;
  mqttUrl?: string;
  /** The main's fleet (it reloads the fleet file on SIGHUP); without one, a `fleet` component is added. */
  fleet?: () => Fleet;
  /** The log's NATS server(s) (started before these components); required with LOG_ENABLED. */
  natsUrl?: () => string;
}

export interface SystemParts {
  mqttUrl: string;
  /** The embedded broker; null when an external one is used. */
  broker: Broker | null;
  fleet: Fleet;
  ingest: IngestService;
  api: ApiService;
}

export interface SystemComponents {
  /** broker (unless an external one), ingest, api: start in this order. */
  components: Component[];
  /** The running parts; throws before every component started. */
  parts(): SystemParts;
}

export function systemComponents(config: Config, deps: LateSystemDeps): SystemComponents {
  const { log } = deps;
  const logUrl = (): string | undefined => {
    if (!config.LOG_ENABLED) return undefined;
    if (!deps.natsUrl) throw new Error('LOG_ENABLED needs a NATS server started before the system');
    return deps.natsUrl();
  };
  const external = deps.mqttUrl;
  // The log is fed by the embedded broker's hand-off; an external broker acknowledges on its
  // own, so with the log on the ingest would wait on a log nothing writes to.
  if (external && config.LOG_ENABLED)
    throw new LiftWatchError(
      'CONFIG_INVALID',
      'MQTT_URL names an external broker, which cannot hold its PUBACKs until the log stored a message: set LOG_ENABLED=false to use it (the ingest then subscribes over MQTT), or unset MQTT_URL',
    );
  const broker = external
    ? null
    : resource(
        'broker',
        async () => {
          // With the log, a device's PUBACK waits until JetStream stored its message.
          const publisher = logUrl()
            ? new LogPublisher(logPublisherOptionsFrom(config, logUrl()!), { log })
            : null;
          await publisher?.start();
          const embedded = createBroker(brokerOptionsFrom(config), {
            log,
            authenticate: (username, password) =>
              deps.store().credentials.authenticateMachine(username, password),
            ...(publisher
              ? { handOff: (topic: string, payload: Buffer) => publisher.append(topic, payload) }
              : {}),
          });
          try {
            const { port } = await embedded.start();
            return { broker: embedded, publisher, url: `mqtt://127.0.0.1:${port}` };
          } catch (error) {
            await publisher?.stop();
            throw error;
          }
        },
        async ({ broker, publisher }) => {
          await broker.stop();
          await publisher?.stop();
        },
      );
  const mqttUrl = () => external ?? broker!.value.url;

  const ownFleet = deps.fleet
    ? null
    : resource(
        'fleet',
        async () => {
          const fleet = createFleet(
            { repository: deps.store().fleet, log },
            { refreshMs: config.FLEET_REFRESH_S * 1000 },
          );
          await fleet.directory.start();
          return fleet;
        },
        (fleet) => fleet.directory.stop(),
      );
  const fleet = () => (deps.fleet ? deps.fleet() : ownFleet!.value);

  // One secret per role per start: issuing a role's credential again would lock out the
  // connection that used the first one when it reconnects.
  const issued = new Map<string, Promise<{ username: string; password: string }>>();
  const credential = (role: 'ingest' | 'api') => {
    let pending = issued.get(role);
    if (!pending) {
      pending = deps.store().credentials.issueInternal(role);
      issued.set(role, pending);
    }
    return pending;
  };

  // In one process the ingest and the API get fresh internal credentials on every start:
  // nothing to configure, and no service secret written anywhere in clear.
  const ingest = resource(
    'ingest',
    async () => {
      const service = await createIngestService(config, {
        store: deps.store(),
        log,
        directory: fleet().directory,
        influxUrl: deps.influxUrl(),
        mqtt: { url: mqttUrl(), ...(await credential('ingest')) },
        ...(logUrl() ? { natsUrl: logUrl()! } : {}),
      });
      await startOrStop(service);
      return service;
    },
    (service) => service.stop(),
  );

  const api = resource(
    'api',
    async () => {
      const store = deps.store();
      const embedded = broker?.value.broker ?? null;
      const { ingest: pipeline, detection } = ingest.value;
      return startApiService(config, {
        store,
        log,
        fleet: fleet(),
        ...(config.FLEET_FILE ? { fleetFile: config.FLEET_FILE } : {}),
        mqtt: { url: mqttUrl(), ...(await credential('api')) },
        influxUrl: deps.influxUrl(),
        // With the log the API reads alert and visit transitions there (its own durable consumer).
        ...(logUrl() ? { natsUrl: logUrl()! } : {}),
        readiness: {
          ingest: () => {
            const metrics = pipeline.metrics();
            return metrics.mqttConnected && (metrics.log?.connected ?? true);
          },
        },
        metrics: [
          () => [
            ...ingestMetricSamples(pipeline.metrics()),
            ...(embedded ? brokerMetricSamples(embedded.metrics()) : []),
            ...processSamples('liftwatch'),
          ],
        ],
        // One process, one alert lifecycle: people's acknowledgements and the rules' findings
        // go through the same serialised queue.
        ...(detection ? { alertActions: detection.lifecycle } : {}),
      });
    },
    (service) => service.stop(),
  );

  // In one process the parts share the directory, so they hear a change as its event; the
  // feed carries changes to and from processes run apart (another API, a standalone ingest).
  const feed = resource(
    'fleet change feed',
    async () => {
      const changeFeed = createFleetChangeFeed(
        {
          url: mqttUrl(),
          part: 'lift-watch',
          ...(await credential('api')),
          connectTimeoutMs: config.MQTT_CONNECT_TIMEOUT_MS,
        },
        { directory: fleet().directory, log },
      );
      await changeFeed.start();
      fleet().feed = changeFeed;
      return changeFeed;
    },
    async (changeFeed) => {
      if (fleet().feed === changeFeed) fleet().feed = null;
      await changeFeed.stop();
    },
  );

  return {
    components: [...(broker ? [broker] : []), ...(ownFleet ? [ownFleet] : []), ingest, api, feed],
    parts: () => ({
      mqttUrl: mqttUrl(),
      fleet: fleet(),
      broker: broker?.value.broker ?? null,
      ingest: ingest.value,
      api: api.value,
    }),
  };
}

/** Starts the system's components in order for a harness, pushing each onto `stops` once up. */
export async function startParts(config: Config, deps: SystemDeps, stops: Stop[]): Promise<SystemParts> {
  const system = systemComponents(config, {
    store: () => deps.store,
    log: deps.log,
    influxUrl: () => deps.influxUrl,
    ...(deps.mqttUrl ? { mqttUrl: deps.mqttUrl } : {}),
    ...(deps.fleet ? { fleet: () => deps.fleet! } : {}),
    ...(deps.natsUrl ? { natsUrl: () => deps.natsUrl! } : {}),
  });
  for (const component of system.components) {
    await component.start();
    stops.push({ name: component.name, stop: () => component.stop() });
  }
  return system.parts();
}

/** A component whose start fails half-way undoes its own half: nobody else will stop it. */
async function startOrStop(service: { start(): Promise<void>; stop(): Promise<void> }): Promise<void> {
  try {
    await service.start();
  } catch (error) {
    await service.stop().catch(() => undefined);
    throw error;
  }
}
