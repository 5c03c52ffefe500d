/**
 * The whole system as `main.ts` wires it, for the e2e suites: a fleet file in a temp dir
 * loaded into a SQLite registry, a real influxd on a free port, the Aedes broker with the
 * registry's device credentials, the ingest with detection and the API (socket.io and the
 * dashboard) sharing one alert lifecycle, each part on a port of its own choosing. The
 * parts still talk over MQTT and HTTP; nothing is stubbed. `close()` stops them in reverse
 * order and removes the temp dir, also after a failed start.
 */
import { writeFileSync } from 'node:fs';
import { join } from 'node:path';
import { type ApiService, startApiService } from '../../api/service.ts';
import { type Broker, brokerOptionsFrom, createBroker } from '../../broker/broker.ts';
import { ingestMetricSamples } from '../../ingest/metrics-samples.ts';
import { createIngestService, type IngestService } from '../../ingest/service.ts';
import { type Config, loadConfig } from '../../lib/config.ts';
import { startInfluxd } from '../../lib/influxd.ts';
import { createLogger } from '../../lib/logger.ts';
import type { FleetFile } from '../../protocol/index.ts';
import { openRegistry, type RegistryDb } from '../../registry/db.ts';
import { authenticateMachine } from '../../registry/directory.ts';
import { loadFleet, readFleetFile } from '../../registry/fleet-loader.ts';
import { issueInternalCredential } from '../../registry/internal-credentials.ts';
import { tempDir } from './fixtures.ts';

export interface LiveSystem {
  config: Config;
  db: RegistryDb;
  /** The fleet as read back from the fleet file (validated by the loader). */
  fleet: FleetFile;
  mqttUrl: string;
  influxUrl: string;
  broker: Broker;
  ingest: IngestService;
  api: ApiService;
  /** http://127.0.0.1:port of the API and the dashboard (/app/). */
  baseUrl: string;
  close(): Promise<void>;
}

type Stop = { name: string; stop: () => Promise<unknown> };

/** Starts every part on free ports; `env` adds settings (LOG_LEVEL=debug to see the logs). */
export async function startLiveSystem(
  fleet: FleetFile,
  env: Record<string, string> = {},
): Promise<LiveSystem> {
  const dir = tempDir('liftwatch-live-');
  const stops: Stop[] = [{ name: 'temp dir', stop: async () => dir.remove() }];
  const close = async () => {
    const errors: unknown[] = [];
    for (const part of stops.splice(0).reverse()) {
      try {
        await part.stop();
      } catch (error) {
        errors.push(new Error(`stopping ${part.name} failed`, { cause: error }));
      }
    }
    if (errors.length > 0) throw new AggregateError(errors, 'the live system did not stop cleanly');
  };
  try {
    const fleetFile = join(dir.path, 'fleet.json');
    writeFileSync(fleetFile, JSON.stringify(fleet));
    const config = loadConfig({
      LOG_LEVEL: 'silent',
      DATA_DIR: dir.path,
      FLEET_FILE: fleetFile,
      MQTT_PORT: '0',
      MQTT_HOST: '127.0.0.1',
      API_PORT: '0',
      API_HOST: '127.0.0.1',
      SIMULATE: 'false',
      ...env,
    });
    const log = createLogger(config.LOG_LEVEL);
    const loaded = readFleetFile(fleetFile);

    const db = await openRegistry(config.DATABASE_FILE);
    stops.push({ name: 'registry', stop: () => db.destroy() });
    await loadFleet(db, loaded);

    const influx = await startInfluxd({ dir: join(dir.path, 'influxdb') });
    stops.push({ name: 'influxd', stop: () => influx.stop() });

    const broker = createBroker(brokerOptionsFrom(config), {
      log,
      authenticate: (username, password) => authenticateMachine(db, username, password),
    });
    const { port: mqttPort } = await broker.start();
    stops.push({ name: 'broker', stop: () => broker.stop() });
    const mqttUrl = `mqtt://127.0.0.1:${mqttPort}`;

    const ingest = await createIngestService(config, {
      db,
      log,
      influxUrl: influx.url,
      mqtt: { url: mqttUrl, ...(await issueInternalCredential(db, 'ingest')) },
    });
    await ingest.start();
    stops.push({ name: 'ingest', stop: () => ingest.stop() });

    const api = await startApiService(config, {
      db,
      log,
      mqtt: { url: mqttUrl, ...(await issueInternalCredential(db, 'api')) },
      influxUrl: influx.url,
      readiness: { ingest: () => ingest.ingest.metrics().mqttConnected },
      metrics: [() => ingestMetricSamples(ingest.ingest.metrics())],
      ...(ingest.detection ? { alertActions: ingest.detection.lifecycle } : {}),
    });
    stops.push({ name: 'api', stop: () => api.stop() });
    const address = api.app.server.address();
    if (!address || typeof address === 'string') throw new Error('the API is not listening on a port');

    return {
      config,
      db,
      fleet: loaded,
      mqttUrl,
      influxUrl: influx.url,
      broker,
      ingest,
      api,
      baseUrl: `http://127.0.0.1:${address.port}`,
      close,
    };
  } catch (error) {
    await close().catch(() => undefined);
    throw error;
  }
}
