/**
 * Test fixtures shared by the suites: temp dirs, a real influxd per suite, a registry
 * loaded with a fleet, and well-formed protocol messages to vary from.
 */
import { mkdtempSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { Writable } from 'node:stream';
import pino from 'pino';
import { FleetDirectory } from '../../fleet/directory.ts';
import type { ElevatorInfo } from '../../fleet/types.ts';
import { type InfluxdHandle, startInfluxd } from '../../lib/influxd.ts';
import type { Logger } from '../../lib/logger.ts';
import type { FleetFile, Telemetry } from '../../protocol/index.ts';
import { openRegistry, type RegistryDb, type RegistryTarget } from '../../store/db.ts';
import type { FleetLoadSummary } from '../../store/repositories/fleet.ts';
import { type Store, storeOver } from '../../store/store.ts';
import { createTestDatabase, TEST_STORE } from './postgres.ts';

export function tempDir(prefix = 'liftwatch-test-'): { path: string; remove(): void } {
  const path = mkdtempSync(join(tmpdir(), prefix));
  return { path, remove: () => rmSync(path, { recursive: true, force: true }) };
}

/** A real influxd on a free port in a temp dir; `stop()` also removes the dir. */
export async function startTestInflux(): Promise<InfluxdHandle & { cleanup(): Promise<void> }> {
  const dir = tempDir('liftwatch-influx-');
  const handle = await startInfluxd({ dir: dir.path });
  return {
    ...handle,
    async cleanup() {
      await handle.stop();
      dir.remove();
    },
  };
}

/**
 * An empty registry of the run's store (tests/helpers/postgres.ts): a SQLite file in a temp
 * dir, or a fresh PostgreSQL database. `cleanup()` closes and removes it.
 */
export async function testRegistry(): Promise<{
  db: RegistryDb;
  /** What openRegistry takes to open the same store again (another connection or process). */
  target: RegistryTarget;
  cleanup(): Promise<void>;
}> {
  const dir = tempDir('liftwatch-db-');
  const file = join(dir.path, 'registry.sqlite');
  const database = TEST_STORE === 'postgres' ? await createTestDatabase() : null;
  const target: RegistryTarget = { DATABASE_FILE: file, DATABASE_URL: database?.url };
  try {
    const db = await openRegistry(target);
    return {
      db,
      target,
      async cleanup() {
        await db.destroy();
        await database?.drop();
        dir.remove();
      },
    };
  } catch (error) {
    await database?.drop();
    dir.remove();
    throw error;
  }
}

/** Stores a fleet file's estates and cars in an open registry, as the fleet repository does. */
export function loadFleet(db: RegistryDb, fleet: FleetFile): Promise<FleetLoadSummary> {
  return storeOver(db).fleet.load(fleet);
}

/** The settings a child process (a part's main.ts) needs to open the same store. */
export function storeEnv(target: RegistryTarget): Record<string, string> {
  return target.DATABASE_URL
    ? { DATABASE_FILE: target.DATABASE_FILE ?? '', DATABASE_URL: target.DATABASE_URL }
    : { DATABASE_FILE: target.DATABASE_FILE ?? '' };
}

export async function registryWithFleet(
  fleet: FleetFile,
): Promise<{ db: RegistryDb; target: RegistryTarget; cleanup(): Promise<void> }> {
  const registry = await testRegistry();
  await loadFleet(registry.db, fleet);
  return registry;
}

/** A store over a registry loaded with `fleet`, and its fleet directory started: what a detection stage reads. */
export async function storeWithDirectory(fleet: FleetFile): Promise<{
  registry: Awaited<ReturnType<typeof registryWithFleet>>;
  store: Store;
  directory: FleetDirectory;
}> {
  const registry = await registryWithFleet(fleet);
  const store = storeOver(registry.db);
  const directory = new FleetDirectory({ source: store.fleet, log: capturingLogger('error').log });
  await directory.start();
  return { registry, store, directory };
}

/** A pino logger whose JSON lines land in `lines`, parsed, for tests that read what was logged. */
export function capturingLogger(level = 'info'): { log: Logger; lines: Record<string, unknown>[] } {
  const lines: Record<string, unknown>[] = [];
  const sink = new Writable({
    write(chunk, _encoding, done) {
      for (const line of String(chunk).split('\n')) if (line) lines.push(JSON.parse(line));
      done();
    },
  });
  return { log: pino({ level }, sink), lines };
}

/** One car as the ingest's pipeline knows it, for tests that drive the steps directly. */
export const TEST_CAR: ElevatorInfo = {
  id: 't-e1',
  estateId: 'te',
  buildingId: 'tb1',
  name: 'car',
  floors: 10,
  floorHeightM: 3,
  ratedSpeedMps: 1.75,
  ratedLoadKg: 1000,
  thresholds: {},
};

/** A small fleet: one estate, one building, `count` elevators with known secrets. */
export function smallFleet(count = 2): FleetFile {
  const elevators: FleetFile['elevators'] = [];
  for (let i = 1; i <= count; i++) {
    elevators.push({
      id: `t-e${i}`,
      building_id: 'tb1',
      name: `Test car ${i}`,
      registration_code: `TEST${i}`,
      floors: 10,
      floor_height_m: 3,
      rated_speed_mps: 1.75,
      rated_load_kg: 1000,
      device: { username: `dev-t-e${i}`, password: `device-secret-${i}-0123456789` },
    });
  }
  return {
    version: 1,
    maintenance_companies: [{ id: 'mc', name: 'MC', phone: '1' }],
    property_firms: [{ id: 'pf', name: 'PF', phone: '2' }],
    estates: [
      {
        id: 'te',
        name: 'Test estate',
        property_firm_id: 'pf',
        maintenance_company_id: 'mc',
        lat: 22.5,
        lon: 114,
        emergency_phone: '3',
      },
    ],
    buildings: [{ id: 'tb1', estate_id: 'te', name: 'B1' }],
    elevators,
    technicians: [{ id: 'tech-1', company_id: 'mc', name: 'Tech' }],
    service_credentials: [{ username: 'svc-test', role: 'ingest', password: 'service-secret-0123456789' }],
    users: [{ username: 'u-admin', display_name: 'Admin', role: 'admin', password: 'admin-password' }],
  };
}

export function telemetrySample(overrides: Partial<Telemetry> = {}): Telemetry {
  return {
    v: 1,
    ts: 1_700_000_000_000,
    seq: 1,
    mode: 'normal',
    moving: false,
    direction: 'none',
    floor: 1,
    position_m: 0,
    speed_mps: 0,
    door_zone: true,
    door_closed: true,
    occupied: false,
    safety_circuit: true,
    door_lock: true,
    up_limit: false,
    down_limit: false,
    power: 'mains',
    run_count: 1000,
    ...overrides,
  };
}
