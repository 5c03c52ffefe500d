/**
 * The parts wired in one process: the Aedes broker (unless an MQTT URL is given), the
 * ingest with detection and the API, sharing one alert lifecycle. `main.ts` (npm start,
 * npm run demo) and the e2e suites' live system start exactly this wiring. The parts still
 * talk over MQTT and HTTP as they would on separate machines.
 *
 * Each part that starts is pushed onto `stops` at once, so a caller stopping in reverse
 * order also stops what came up before a later part failed.
 */
import { type ApiService, startApiService } from './api/service.ts';
import { type Broker, brokerOptionsFrom, createBroker } from './broker/broker.ts';
import { brokerMetricSamples } from './broker/metrics-samples.ts';
import { ingestMetricSamples } from './ingest/metrics-samples.ts';
import { createIngestService, type IngestService } from './ingest/service.ts';
import type { Config } from './lib/config.ts';
import type { Logger } from './lib/logger.ts';
import { processSamples } from './lib/prometheus.ts';
import type { RegistryDb } from './registry/db.ts';
import { authenticateMachine } from './registry/directory.ts';
import { issueInternalCredential } from './registry/internal-credentials.ts';

export type Stop = { name: string; stop: () => Promise<unknown> };

export interface SystemDeps {
  db: RegistryDb;
  log: Logger;
  influxUrl: string;
  /** An external broker; without one the embedded broker listens on MQTT_PORT. */
  mqttUrl?: string;
}

export interface SystemParts {
  mqttUrl: string;
  /** The embedded broker; null when an external one is used. */
  broker: Broker | null;
  ingest: IngestService;
  api: ApiService;
}

export async function startParts(config: Config, deps: SystemDeps, stops: Stop[]): Promise<SystemParts> {
  const { db, log, influxUrl } = deps;
  let mqttUrl = deps.mqttUrl;
  let broker: Broker | null = null;
  if (!mqttUrl) {
    const embedded = createBroker(brokerOptionsFrom(config), {
      log,
      authenticate: (username, password) => authenticateMachine(db, username, password),
    });
    const { port } = await embedded.start();
    stops.push({ name: 'broker', stop: () => embedded.stop() });
    broker = embedded;
    mqttUrl = `mqtt://127.0.0.1:${port}`;
  }

  // In one process the ingest and the API get fresh internal credentials on every start:
  // nothing to configure, and no service secret written anywhere in clear.
  const ingest = await createIngestService(config, {
    db,
    log,
    influxUrl,
    mqtt: { url: mqttUrl, ...(await issueInternalCredential(db, 'ingest')) },
  });
  await ingest.start();
  stops.push({ name: 'ingest', stop: () => ingest.stop() });

  const api = await startApiService(config, {
    db,
    log,
    mqtt: { url: mqttUrl, ...(await issueInternalCredential(db, 'api')) },
    influxUrl,
    readiness: { ingest: () => ingest.ingest.metrics().mqttConnected },
    metrics: [
      () => [
        ...ingestMetricSamples(ingest.ingest.metrics()),
        ...(broker ? brokerMetricSamples(broker.metrics()) : []),
        ...processSamples('liftwatch'),
      ],
    ],
    // One process, one alert lifecycle: people's acknowledgements and the rules' findings
    // go through the same serialised queue.
    ...(ingest.detection ? { alertActions: ingest.detection.lifecycle } : {}),
  });
  stops.push({ name: 'api', stop: () => api.stop() });
  return { mqttUrl, broker, ingest, api };
}
