/**
 * The whole system as `main.ts` wires it (`system.ts`), for the e2e suites: a fleet file in a temp dir
 * loaded into a registry (SQLite, or PostgreSQL when the run asks for it), a real influxd on a free port, the Aedes broker with the
 * registry's device credentials, the ingest with detection and the API (socket.io and the
 * dashboard) sharing one alert lifecycle, each part on a port of its own choosing. The
 * parts still talk over MQTT and HTTP; nothing is stubbed. `close()` stops them in reverse
 * order and removes the temp dir, also after a failed start.
 */
import { writeFileSync } from 'node:fs';
import { join } from 'node:path';
import { readFleetFile } from '../../fleet/fleet-file.ts';
import { type Config, loadConfig } from '../../lib/config.ts';
import { startInfluxd } from '../../lib/influxd.ts';
import { createLogger } from '../../lib/logger.ts';
import { startNatsServer } from '../../lib/natsd.ts';
import type { FleetFile } from '../../protocol/index.ts';
import { openRegistry, type RegistryDb } from '../../store/db.ts';
import { storeOver } from '../../store/store.ts';
import { type Stop, type SystemParts, startParts } from '../../system.ts';
import { loadFleet, tempDir } from './fixtures.ts';
import { createTestDatabase, TEST_STORE } from './postgres.ts';

export interface LiveSystem {
  config: Config;
  db: RegistryDb;
  /** The fleet as read back from the fleet file (validated by the loader). */
  fleet: FleetFile;
  mqttUrl: string;
  influxUrl: string;
  broker: NonNullable<SystemParts['broker']>;
  ingest: SystemParts['ingest'];
  api: SystemParts['api'];
  /** http://127.0.0.1:port of the API and the dashboard (/app/). */
  baseUrl: string;
  close(): Promise<void>;
}

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
    let config = loadConfig({
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

    // The run's store: on PostgreSQL a fresh database, dropped after the parts stopped.
    if (TEST_STORE === 'postgres' && !config.DATABASE_URL) {
      const database = await createTestDatabase();
      stops.push({ name: 'test database', stop: () => database.drop() });
      config = Object.freeze({ ...config, DATABASE_URL: database.url });
    }
    const db = await openRegistry(config);
    stops.push({ name: 'registry', stop: () => db.destroy() });
    await loadFleet(db, loaded);

    const influx = await startInfluxd({ dir: join(dir.path, 'influxdb') });
    stops.push({ name: 'influxd', stop: () => influx.stop() });

    // LOG_ENABLED (passed in `env`): the log on a nats-server of its own, as npm start runs it.
    let natsUrl = config.NATS_URL;
    if (config.LOG_ENABLED && !natsUrl) {
      const nats = await startNatsServer({ dir: join(dir.path, 'nats') });
      stops.push({ name: 'nats-server', stop: () => nats.stop() });
      natsUrl = nats.url;
    }

    const { mqttUrl, broker, ingest, api } = await startParts(
      config,
      { store: storeOver(db), log, influxUrl: influx.url, ...(natsUrl ? { natsUrl } : {}) },
      stops,
    );
    if (!broker) throw new Error('the live system runs the embedded broker (MQTT_URL must not be set)');
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
