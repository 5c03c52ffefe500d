/**
 * The ingest as a service: the pipeline (ingest.ts) with the detection stage plugged into
 * its `detect` hook, both configured from the validated config. The standalone main and
 * the all-in-one main both start the ingest through here, so they cannot drift apart.
 * The elevators come from the fleet directory the caller hands in; on its change event the
 * pipeline and the detector take the new list (new elevators get their state and slots).
 */
import { randomUUID } from 'node:crypto';
import { hostname } from 'node:os';
import { join } from 'node:path';
import type { FleetDirectory } from '../fleet/directory.ts';
import type { Config } from '../lib/config.ts';
import type { Logger } from '../lib/logger.ts';
import { logConsumerOptionsFrom, transitionLogOptionsFrom } from '../log/config.ts';
import { workerIdOf } from '../log/lease.ts';
import { TransitionRelay } from '../log/transitions.ts';
import type { VisitFinding } from '../protocol/index.ts';
import type { Store } from '../store/store.ts';
import { createDetection, type Detection } from './detection.ts';
import { createIngest, type Ingest } from './ingest.ts';

export interface IngestService {
  ingest: Ingest;
  detection: Detection | null;
  start(): Promise<void>;
  stop(): Promise<void>;
}

export interface IngestServiceDeps {
  store: Store;
  log: Logger;
  /** The process's one fleet directory, loaded (fleet/directory.ts). */
  directory: FleetDirectory;
  mqtt: { url: string; username?: string; password?: string };
  influxUrl: string;
  /** The log's NATS server(s); with LOG_ENABLED the ingest reads device messages there. */
  natsUrl?: string;
}

export async function createIngestService(config: Config, deps: IngestServiceDeps): Promise<IngestService> {
  const { directory } = deps;
  const elevators = [...directory.elevators()];
  // The detection stage publishes through the ingest's connection, which exists only
  // once the ingest does: bind late.
  let detection: Detection | null = null;
  const ingest = createIngest(
    {
      mqtt: {
        url: deps.mqtt.url,
        clientId: config.INGEST_CLIENT_ID,
        connectTimeoutMs: config.MQTT_CONNECT_TIMEOUT_MS,
        ...(deps.mqtt.username !== undefined ? { username: deps.mqtt.username } : {}),
        ...(deps.mqtt.password !== undefined ? { password: deps.mqtt.password } : {}),
      },
      influx: {
        url: deps.influxUrl,
        database: config.INFLUX_DATABASE,
        rawRetention: config.INFLUX_RAW_RETENTION,
      },
      batchSize: config.INGEST_BATCH_SIZE,
      batchMaxAgeMs: config.INGEST_BATCH_MAX_AGE_MS,
      writesInFlight: config.INGEST_WRITES_IN_FLIGHT,
      bufferMaxPoints: config.INGEST_BUFFER_MAX_POINTS,
      spillDir: join(config.DATA_DIR, 'spill'),
      spillMaxBytes: config.INGEST_SPILL_MAX_BYTES,
      keyframeS: config.INGEST_KEYFRAME_S,
      health: config.HEALTH,
      // Every worker takes partitions by lease, one worker or many: one code path. A new id per
      // start: a restarted worker is a new owner with a new epoch.
      ...(config.LOG_ENABLED && deps.natsUrl
        ? {
            log: logConsumerOptionsFrom(
              config,
              deps.natsUrl,
              workerIdOf(hostname(), randomUUID().slice(0, 8)),
            ),
          }
        : {}),
    },
    {
      log: deps.log,
      store: deps.store,
      elevators,
      ...(config.DETECTION
        ? { detect: (message, _elevator, replayed) => detection?.onMessage(message, replayed) }
        : {}),
      settled: async () => detection?.settled(),
      onElevatorsLost: (ids) => detection?.forget(ids),
      exportState: (id) => detection?.exportState(id) ?? null,
      importState: (id, state) => detection?.importState(id, state),
    },
  );
  // With the log, every transition is committed with its row to the store's outbox, and this
  // relay appends it to the log (API nodes read it durably); it is also announced on MQTT as
  // before (other subscribers of alerts/+ and visits/+).
  const transitions =
    config.LOG_ENABLED && deps.natsUrl && config.DETECTION
      ? new TransitionRelay(transitionLogOptionsFrom(config, deps.natsUrl), {
          log: deps.log,
          outbox: deps.store.transitionOutbox,
        })
      : null;
  if (config.DETECTION) {
    detection = await createDetection(
      { deviceOfflineS: config.DEVICE_OFFLINE_AFTER_S },
      {
        store: deps.store,
        log: deps.log,
        directory,
        publish: (topic, payload) => ingest.publish(topic, payload),
        ...(transitions ? { outbox: transitions } : {}),
        leaseOf: (elevatorId) => ingest.leaseOf(elevatorId),
        // The store refused a transition at our epoch: the partition has a newer owner.
        onFenced: (elevatorId) => void ingest.surrenderPartitionOf(elevatorId),
        ...(ingest.health ? { onVisit: (finding: VisitFinding) => ingest.health?.onVisit(finding) } : {}),
      },
    );
  }
  // Fencing: a finding of an elevator whose partition this worker lost is not committed.
  if (config.LOG_ENABLED) detection?.setCommitGate((elevatorId) => ingest.owns(elevatorId));
  let unsubscribe: (() => void) | null = null;
  return {
    ingest,
    detection,
    async start() {
      unsubscribe = directory.on('changed', () => ingest.updateElevators([...directory.elevators()]));
      // The fleet may have changed since the list above was taken.
      ingest.updateElevators([...directory.elevators()]);
      await transitions?.start();
      await ingest.start();
      await detection?.start();
    },
    async stop() {
      unsubscribe?.();
      unsubscribe = null;
      await ingest.stop();
      await detection?.stop();
      await transitions?.stop();
    },
  };
}
