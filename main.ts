/**
 * Every part in one process, the embedded default (`npm start`, `npm run demo`): the
 * registry loaded from the fleet file, a local influxd unless INFLUX_URL is set, the Aedes
 * broker unless MQTT_URL is set, the ingest with detection, the API, and the demo traffic
 * simulator. The parts are wired in `system.ts`; this file reads the config, finds or
 * starts InfluxDB, prints where to look, and stops in reverse order on SIGINT/SIGTERM.
 */
import { join } from 'node:path';
import { loadConfig } from './lib/config.ts';
import { installCrashPolicy } from './lib/crash-policy.ts';
import { LiftWatchError } from './lib/errors.ts';
import { type InfluxdHandle, influxAnswers, startInfluxd } from './lib/influxd.ts';
import { createLogger } from './lib/logger.ts';
import { openRegistry } from './registry/db.ts';
import { loadFleet, readFleetFile } from './registry/fleet-loader.ts';
import { ensureDemoFleetFile } from './simulators/demo-fleet.ts';
import { runSimulation, type Simulation } from './simulators/main.ts';
import { type Stop, startParts } from './system.ts';

const config = loadConfig(process.env);
const log = createLogger(config.LOG_LEVEL);
installCrashPolicy(log, { part: 'lift-watch' });
const stops: Stop[] = [];

async function start(): Promise<void> {
  const demo = config.FLEET_FILE === undefined;
  const fleetPath = config.FLEET_FILE ?? ensureDemoFleetFile(join(config.DATA_DIR, 'demo-fleet.json')).path;
  const fleet = readFleetFile(fleetPath);

  const db = await openRegistry(config);
  stops.push({ name: 'registry', stop: () => db.destroy() });
  const loaded = await loadFleet(db, fleet);
  log.info({ fleet: fleetPath, ...loaded }, 'fleet loaded');

  const influxUrl = await ensureInflux();

  const { mqttUrl, api } = await startParts(
    config,
    { db, log, influxUrl, ...(config.MQTT_URL ? { mqttUrl: config.MQTT_URL } : {}) },
    stops,
  );
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
