/**
 * Kept for callers not yet moved: the fleet file is parsed in fleet/fleet-file.ts and
 * stored by the fleet repository (store/repositories/fleet.ts). New code uses those.
 */
import type { FleetFile } from '../protocol/index.ts';
import type { RegistryDb } from './db.ts';
import { createFleetRepository, type FleetLoadSummary } from './repositories/fleet.ts';

export { parseFleet, readFleetFile } from '../fleet/fleet-file.ts';
export type { FleetLoadSummary } from './repositories/fleet.ts';

export function loadFleet(db: RegistryDb, fleet: FleetFile): Promise<FleetLoadSummary> {
  return createFleetRepository(db).load(fleet);
}
