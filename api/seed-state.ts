/**
 * Fills the state store with what was already true before the API subscribed: open
 * alerts and open visits from their repositories, and the fleet
 * file's per-elevator silence before "offline". MQTT carries only transitions after that.
 */
import { alertResource } from '../alerts/resource.ts';
import { deviceOfflineOverrideS, listElevators } from '../store/directory.ts';
import type { Store } from '../store/store.ts';
import type { ElevatorStateStore } from './state-source.ts';

export async function seedStateFromRegistry(source: Store, store: ElevatorStateStore): Promise<void> {
  // The fleet still comes through the query builder until the fleet repository lands.
  const { db } = source;
  for (const elevator of await listElevators(db)) {
    const overrideS = deviceOfflineOverrideS(elevator);
    if (overrideS !== undefined) store.setOfflineAfter(elevator.id, overrideS * 1000);
  }
  for (const row of await source.alerts.unresolved()) store.applyAlert(alertResource(row));
  const visits = await source.visits.open();
  for (const v of visits) {
    store.restoreOpenVisit(v.elevator_id, {
      id: v.id,
      kind: v.kind,
      companyId: v.company_id,
      checkInAt: v.check_in_at,
    });
  }
}
