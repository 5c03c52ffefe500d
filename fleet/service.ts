/**
 * The fleet as a process runs it: the directory over the fleet repository, and the one way
 * the fleet changes while running: a fleet file validated (fleet/fleet-file.ts), stored by
 * the repository in one transaction, the directory refreshed (every part of this process
 * hears the change events) and the change announced to the other processes.
 */
import { type Logger, silentLogger } from '../lib/logger.ts';
import type { FleetLoadSummary, FleetRepository } from '../store/repositories/fleet.ts';
import type { FleetChangeFeed } from './change-feed.ts';
import { type FleetChanges, FleetDirectory } from './directory.ts';
import { readFleetFile } from './fleet-file.ts';

export interface FleetReload {
  path: string;
  loaded: FleetLoadSummary;
  changes: FleetChanges;
}

export interface Fleet {
  readonly repository: FleetRepository;
  readonly directory: FleetDirectory;
  /** Announces this process's changes to the others; set once the process has an MQTT link. */
  feed: FleetChangeFeed | null;
  /** Reads, validates and stores a fleet file, refreshes the directory, announces the change. */
  reloadFile(path: string): Promise<FleetReload>;
}

export function createFleet(
  deps: { repository: FleetRepository; log: Logger },
  options: { refreshMs?: number } = {},
): Fleet {
  const log = deps.log.child({ module: 'fleet' });
  const { repository } = deps;
  const directory = new FleetDirectory(
    { source: repository, log: deps.log },
    options.refreshMs !== undefined ? { refreshMs: options.refreshMs } : {},
  );
  const fleet: Fleet = {
    repository,
    directory,
    feed: null,
    async reloadFile(path) {
      // Validation throws a coded error (FLEET_INVALID, FLEET_REFERENCE) before anything is stored.
      const file = readFleetFile(path);
      const loaded = await repository.load(file);
      const changes = await directory.refresh();
      log.info({ path, ...loaded, added: changes.added.map((e) => e.id) }, 'fleet file reloaded');
      if (fleet.feed) {
        await fleet.feed.announce(changes, 'fleet_file').catch((error: unknown) => {
          // The store holds the change; other processes still catch up on their timer.
          log.error({ err: error }, 'could not announce the fleet change');
        });
      }
      return { path, loaded, changes };
    },
  };
  return fleet;
}

/** A directory read once from the store, for a tool or a test that needs the fleet as it is. */
export async function loadedDirectory(
  repository: FleetRepository,
  log: Logger = silentLogger,
): Promise<FleetDirectory> {
  const directory = new FleetDirectory({ source: repository, log });
  await directory.refresh();
  return directory;
}
