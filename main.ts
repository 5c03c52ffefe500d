/**
 * Every part in one process, the embedded default (`npm start`, `npm run demo`): the
 * registry loaded from the fleet file, a local influxd unless INFLUX_URL is set, the Aedes
 * broker unless MQTT_URL is set, the ingest with detection, the API, and the demo traffic
 * simulator, then a banner saying where to look. The parts are wired in `system.ts`;
 * lib/run-main.ts starts these components in order and stops them in reverse on
 * SIGINT/SIGTERM. SIGHUP reloads the fleet file while everything runs (a new elevator is
 * stored, every part hears it, no restart); a file that does not validate changes nothing.
 */
import type { AddressInfo } from 'node:net';
import { join } from 'node:path';
import {
  demoReportsComponent,
  demoSeedComponent,
  demoTechnicianComponent,
  REPORTED_CARS,
} from './demo/components.ts';
import {
  demoLiveInjections,
  FIRST_ALARM_ABOUT_S,
  REPORT_EVERY_S,
  TRAPPED_EVERY_S,
  VISIT_EVERY_S,
} from './demo/live.ts';
import {
  FIELD_TECHNICIAN,
  FIELD_VISIT_EVERY_S,
  FIELD_VISIT_OPEN_S,
  FIRST_FIELD_VISIT_S,
} from './demo/technician.ts';
import type { FleetDirectory } from './fleet/directory.ts';
import { readFleetFile } from './fleet/fleet-file.ts';
import { createFleet } from './fleet/service.ts';
import { resource, step } from './lib/component.ts';
import type { Config } from './lib/config.ts';
import { reloadOnHangup } from './lib/hangup.ts';
import { influxAnswers, startInfluxd } from './lib/influxd.ts';
import type { Logger } from './lib/logger.ts';
import { jetStreamAnswers, startNatsServer } from './lib/natsd.ts';
import { runMain } from './lib/run-main.ts';
import { ensureDemoFleetFile } from './simulators/demo-fleet.ts';
import { runSimulation } from './simulators/main.ts';
import { openStore } from './store/store.ts';
import { systemComponents } from './system.ts';

await runMain({
  part: 'lift-watch',
  build: ({ config, log }) => {
    const demo = config.FLEET_FILE === undefined;
    const fleetFile = resource('fleet file', () => {
      const path = config.FLEET_FILE ?? ensureDemoFleetFile(join(config.DATA_DIR, 'demo-fleet.json')).path;
      return { path, fleet: readFleetFile(path) };
    });
    const registry = resource(
      'registry',
      () => openStore(config),
      (store) => store.close(),
    );
    const fleet = resource(
      'fleet',
      async () => {
        const running = createFleet(
          { repository: registry.value.fleet, log },
          { refreshMs: config.FLEET_REFRESH_S * 1000 },
        );
        const loaded = await running.repository.load(fleetFile.value.fleet);
        await running.directory.start();
        log.info({ fleet: fleetFile.value.path, ...loaded }, 'fleet loaded');
        return { running, loaded };
      },
      ({ running }) => running.directory.stop(),
    );
    const reloadOnHangupComponent = reloadOnHangup(
      'fleet file',
      () => fleet.value.running.reloadFile(fleetFile.value.path),
      log,
    );
    const influx = resource(
      'influxdb',
      () => ensureInflux(config, log),
      (found) => found.stop(),
    );
    const nats = config.LOG_ENABLED
      ? resource(
          'nats',
          () => ensureNats(config, log),
          (found) => found.stop(),
        )
      : null;
    const system = systemComponents(config, {
      store: () => registry.value,
      log,
      influxUrl: () => influx.value.url,
      ...(config.MQTT_URL ? { mqttUrl: config.MQTT_URL } : {}),
      fleet: () => fleet.value.running,
      ...(nats ? { natsUrl: () => nats.value.url } : {}),
    });
    // The demo fleet's first start seeds weeks of history; its traffic carries live events.
    const seed = demo
      ? demoSeedComponent(() => ({
          store: registry.value,
          directory: fleet.value.running.directory,
          fleet: fleetFile.value.fleet,
          log,
          influx: { url: influx.value.url, database: config.INFLUX_DATABASE },
          publish: (topic, payload) => system.parts().ingest.ingest.publish(topic, payload),
          reloadHealth: () => system.parts().ingest.ingest.restoreHealth(),
        }))
      : null;
    const simulator = config.SIMULATE
      ? resource(
          'simulator',
          () =>
            runSimulation({
              fleet: fleetFile.value.fleet,
              mqttUrl: system.parts().mqttUrl,
              speedup: config.SIM_SPEEDUP,
              ...(demo ? { injections: demoLiveInjections() } : {}),
            }),
          (simulation) => simulation.stop(),
        )
      : null;
    const reports =
      demo && simulator
        ? demoReportsComponent(
            () => `http://127.0.0.1:${(system.parts().api.app.server.address() as AddressInfo).port}`,
            () =>
              REPORTED_CARS.flatMap((id) => fleet.value.running.directory.elevator(id)?.publicToken ?? []),
            log,
          )
        : null;
    const technician =
      demo && simulator
        ? demoTechnicianComponent(
            () => `http://127.0.0.1:${(system.parts().api.app.server.address() as AddressInfo).port}`,
            () => fleetFile.value.fleet.users.find((u) => u.username === FIELD_TECHNICIAN)?.password,
            log,
          )
        : null;
    const banner = step('banner', async () => {
      const { mqttUrl, api } = system.parts();
      const lines = bannerLines(config, fleet.value.running.directory, {
        publicBaseUrl: api.publicBaseUrl,
        mqttUrl,
        influxUrl: influx.value.url,
        natsUrl: nats?.value.url ?? null,
        fleetPath: fleetFile.value.path,
        fleet: demo ? fleetFile.value.fleet : null,
        loaded: fleet.value.loaded,
        simulating: simulator !== null,
        demo: seed !== null && simulator !== null,
      });
      process.stdout.write(`${lines.join('\n')}\n`);
    });
    return [
      fleetFile,
      registry,
      fleet,
      influx,
      ...(nats ? [nats] : []),
      ...system.components,
      reloadOnHangupComponent,
      ...(seed ? [seed] : []),
      ...(simulator ? [simulator] : []),
      ...(reports ? [reports] : []),
      ...(technician ? [technician] : []),
      banner,
    ];
  },
});

/** INFLUX_URL if set; else one already answering on INFLUX_PORT; else start one under DATA_DIR. */
async function ensureInflux(config: Config, log: Logger): Promise<{ url: string; stop(): Promise<void> }> {
  const none = async () => {};
  if (config.INFLUX_URL) return { url: config.INFLUX_URL, stop: none };
  const local = `http://127.0.0.1:${config.INFLUX_PORT}`;
  if (await influxAnswers(local)) {
    log.info({ url: local }, 'using the InfluxDB already running');
    return { url: local, stop: none };
  }
  const handle = await startInfluxd({
    dir: join(config.DATA_DIR, 'influxdb'),
    port: config.INFLUX_PORT,
    logFile: join(config.DATA_DIR, 'influxd.log'),
  });
  log.info({ url: handle.url }, 'started a local influxd');
  return { url: handle.url, stop: () => handle.stop() };
}

/** NATS_URL if set; else one already answering on NATS_PORT; else start one under DATA_DIR (file storage). */
async function ensureNats(config: Config, log: Logger): Promise<{ url: string; stop(): Promise<void> }> {
  const none = async () => {};
  if (config.NATS_URL) return { url: config.NATS_URL, stop: none };
  const local = `nats://127.0.0.1:${config.NATS_PORT}`;
  if (await jetStreamAnswers(local)) {
    log.info({ url: local }, 'using the NATS server already running');
    return { url: local, stop: none };
  }
  const handle = await startNatsServer({
    dir: join(config.DATA_DIR, 'nats'),
    port: config.NATS_PORT,
    logFile: join(config.DATA_DIR, 'nats-server.log'),
  });
  log.info({ url: handle.url }, 'started a local nats-server');
  return { url: handle.url, stop: () => handle.stop() };
}

interface BannerFacts {
  publicBaseUrl: string;
  mqttUrl: string;
  influxUrl: string;
  /** The log's NATS server(s) with LOG_ENABLED; null without the log. */
  natsUrl: string | null;
  fleetPath: string;
  /** The demo fleet (accounts and password are printed); null for an operator's fleet file. */
  fleet: ReturnType<typeof readFleetFile> | null;
  loaded: { estates: number; elevators: number };
  simulating: boolean;
  /** The demo fleet with traffic: seeded history and live events. */
  demo: boolean;
}

/** Where to look, printed once everything is up. */
function bannerLines(config: Config, directory: FleetDirectory, facts: BannerFacts): string[] {
  const { publicBaseUrl, mqttUrl, influxUrl, fleetPath, fleet, loaded } = facts;
  const first = directory.elevators().next();
  const token = first.done ? undefined : { id: first.value.id, public_token: first.value.publicToken };
  const accounts = fleet ? fleet.users.map((u) => `${u.username} (${u.role})`).join(', ') : null;
  const password = fleet?.users[0]?.password;
  const lines = [
    '',
    'Lift Watch is running.',
    `  Dashboard        ${publicBaseUrl}/app/`,
    token ? `  QR page (${token.id})  ${publicBaseUrl}/e/${token.public_token}` : '',
    `  API docs         ${publicBaseUrl}/docs`,
    `  Health, metrics  ${publicBaseUrl}/readyz  ${publicBaseUrl}/metrics`,
    `  MQTT broker      ${mqttUrl}`,
    `  InfluxDB         ${influxUrl} (database ${config.INFLUX_DATABASE})`,
    facts.natsUrl ? `  Log (JetStream)  ${facts.natsUrl} (${config.LOG_PARTITIONS} partitions)` : '',
    `  Fleet            ${loaded.estates} estates, ${loaded.elevators} elevators from ${fleetPath}`,
    facts.simulating ? `  Simulator        demo traffic at ${config.SIM_SPEEDUP}x real time` : '',
    facts.demo
      ? `  Demo events      a trapped passenger every ${TRAPPED_EVERY_S / 60} min (the first alarm about ${FIRST_ALARM_ABOUT_S} s after the devices connect), a resident report every ${REPORT_EVERY_S / 60} min, a visit every ${VISIT_EVERY_S / 60} min (every other one fake)`
      : '',
    facts.demo
      ? `  Technician       ${FIELD_TECHNICIAN} checks in from the phone's API every ${FIELD_VISIT_EVERY_S / 60} min (the first about ${FIRST_FIELD_VISIT_S} s after start), ticks the checklist, checks out ${FIELD_VISIT_OPEN_S / 60} min later`
      : '',
    facts.demo
      ? `  Health           ${publicBaseUrl}/app/#/health (weeks of history; three lifts degrading)`
      : '',
    accounts ? `  Demo accounts    ${accounts}` : '',
    password
      ? `  Demo password    ${password}   (in ${fleetPath}; never use the demo fleet in production)`
      : '',
    '  Stop with Ctrl-C.',
    '',
  ];
  return lines.filter((l) => l !== '');
}
