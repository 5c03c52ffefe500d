/**
 * Every part in one process, the embedded default (`npm start`, `npm run demo`): the
 * registry loaded from the fleet file, a local influxd unless INFLUX_URL is set, the Aedes
 * broker unless MQTT_URL is set, the ingest with detection, the API, and the demo traffic
 * simulator. The parts still talk over MQTT and HTTP as they would on separate machines;
 * this file only wires and orders them. Stops in reverse order on SIGINT/SIGTERM.
 */
import { join } from 'node:path';
import { startApiService } from './api/service.ts';
import { brokerOptionsFrom, createBroker } from './broker/broker.ts';
import { ingestMetricSamples } from './ingest/metrics-samples.ts';
import { createIngestService } from './ingest/service.ts';
import { loadConfig } from './lib/config.ts';
import { LiftWatchError } from './lib/errors.ts';
import { type InfluxdHandle, influxAnswers, startInfluxd } from './lib/influxd.ts';
import { createLogger } from './lib/logger.ts';
import { processSamples } from './lib/prometheus.ts';
import { openRegistry } from './registry/db.ts';
import { authenticateMachine } from './registry/directory.ts';
import { loadFleet, readFleetFile } from './registry/fleet-loader.ts';
import { issueInternalCredential } from './registry/internal-credentials.ts';
import { ensureDemoFleetFile } from './simulators/demo-fleet.ts';
import { runSimulation, type Simulation } from './simulators/main.ts';

type Stop = { name: string; stop: () => Promise<unknown> };

const config = loadConfig(process.env);
const log = createLogger(config.LOG_LEVEL);
const stops: Stop[] = [];

async function start(): Promise<void> {
  const demo = config.FLEET_FILE === undefined;
  const fleetPath = config.FLEET_FILE ?? ensureDemoFleetFile(join(config.DATA_DIR, 'demo-fleet.json')).path;
  const fleet = readFleetFile(fleetPath);

  const db = await openRegistry(config.DATABASE_FILE);
  stops.push({ name: 'registry', stop: () => db.destroy() });
  const loaded = await loadFleet(db, fleet);
  log.info({ fleet: fleetPath, ...loaded }, 'fleet loaded');

  const influxUrl = await ensureInflux();

  let mqttUrl = config.MQTT_URL;
  if (!mqttUrl) {
    const broker = createBroker(brokerOptionsFrom(config), {
      log,
      authenticate: (username, password) => authenticateMachine(db, username, password),
    });
    const { port } = await broker.start();
    stops.push({ name: 'broker', stop: () => broker.stop() });
    mqttUrl = `mqtt://127.0.0.1:${port}`;
  }

  // In one process the ingest and the API get fresh internal credentials on every start:
  // nothing to configure, and no service secret written anywhere in clear.
  const ingestCredential = await issueInternalCredential(db, 'ingest');
  const service = await createIngestService(config, {
    db,
    log,
    influxUrl,
    mqtt: { url: mqttUrl, ...ingestCredential },
  });
  await service.start();
  stops.push({ name: 'ingest', stop: () => service.stop() });

  const api = await startApiService(config, {
    db,
    log,
    mqtt: { url: mqttUrl, ...(await issueInternalCredential(db, 'api')) },
    influxUrl,
    readiness: { ingest: () => service.ingest.metrics().mqttConnected },
    metrics: [() => [...ingestMetricSamples(service.ingest.metrics()), ...processSamples('liftwatch')]],
    // One process, one alert lifecycle: people's acknowledgements and the rules' findings
    // go through the same serialised queue.
    ...(service.detection ? { alertActions: service.detection.lifecycle } : {}),
  });
  stops.push({ name: 'api', stop: () => api.stop() });
  const { publicBaseUrl } = api;

  let simulation: Simulation | null = null;
  if (config.SIMULATE) {
    simulation = await runSimulation({ fleet, mqttUrl, speedup: config.SIM_SPEEDUP });
    stops.push({ name: 'simulator', stop: () => simulation!.stop() });
  }

  const token = await db
    .selectFrom('elevators')
    .select(['id', 'public_token'])
    .orderBy('id')
    .executeTakeFirst();
  const accounts = demo ? fleet.users.map((u) => `${u.username} (${u.role})`).join(', ') : null;
  const password = demo ? fleet.users[0]?.password : undefined;
  const lines = [
    '',
    'Lift Watch is running.',
    `  Dashboard        ${publicBaseUrl}/app/`,
    token ? `  QR page (${token.id})  ${publicBaseUrl}/e/${token.public_token}` : '',
    `  API docs         ${publicBaseUrl}/docs`,
    `  Health, metrics  ${publicBaseUrl}/readyz  ${publicBaseUrl}/metrics`,
    `  MQTT broker      ${mqttUrl}`,
    `  InfluxDB         ${influxUrl} (database ${config.INFLUX_DATABASE})`,
    `  Fleet            ${loaded.estates} estates, ${loaded.elevators} elevators from ${fleetPath}`,
    simulation ? `  Simulator        demo traffic at ${config.SIM_SPEEDUP}x real time` : '',
    accounts ? `  Demo accounts    ${accounts}` : '',
    password
      ? `  Demo password    ${password}   (in ${fleetPath}; never use the demo fleet in production)`
      : '',
    '  Stop with Ctrl-C.',
    '',
  ];
  process.stdout.write(`${lines.filter((l) => l !== '').join('\n')}\n`);
}

/** INFLUX_URL if set; else one already answering on INFLUX_PORT; else start one under DATA_DIR. */
async function ensureInflux(): Promise<string> {
  if (config.INFLUX_URL) return config.INFLUX_URL;
  const local = `http://127.0.0.1:${config.INFLUX_PORT}`;
  if (await influxAnswers(local)) {
    log.info({ url: local }, 'using the InfluxDB already running');
    return local;
  }
  const handle: InfluxdHandle = await startInfluxd({
    dir: join(config.DATA_DIR, 'influxdb'),
    port: config.INFLUX_PORT,
    logFile: join(config.DATA_DIR, 'influxd.log'),
  });
  stops.push({ name: 'influxd', stop: () => handle.stop() });
  log.info({ url: handle.url }, 'started a local influxd');
  return handle.url;
}

let stopping = false;
async function shutdown(signal: string, code = 0): Promise<void> {
  if (stopping) return;
  stopping = true;
  log.info({ signal }, 'stopping');
  for (const part of stops.reverse()) {
    try {
      await part.stop();
    } catch (error) {
      log.error({ err: error, part: part.name }, 'stop failed');
    }
  }
  process.exit(code);
}
process.once('SIGINT', () => void shutdown('SIGINT'));
process.once('SIGTERM', () => void shutdown('SIGTERM'));

try {
  await start();
} catch (error) {
  const message = error instanceof LiftWatchError ? `${error.code}: ${error.message}` : String(error);
  log.fatal({ err: error }, 'Lift Watch could not start');
  process.stderr.write(`\nLift Watch could not start: ${message}\n`);
  await shutdown('startup failure', 1);
}
