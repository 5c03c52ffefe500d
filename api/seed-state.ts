/**
 * Fills the state store with what was already true before the API subscribed: open
 * alerts and open visits from their repositories, and the fleet
 * file's per-elevator silence before "offline". MQTT carries only transitions after that.
 */
import { alertResource } from '../alerts/resource.ts';
import { deviceOfflineOverrideS, type ElevatorInfo } from '../fleet/types.ts';
import type { Store } from '../store/store.ts';
import type { ElevatorStateStore } from './state-source.ts';

export async function seedStateFromStore(
  store: Store,
  states: ElevatorStateStore,
  elevators: Iterable<ElevatorInfo>,
): Promise<void> {
  applyOfflineOverrides(states, elevators);
  for (const row of await store.alerts.unresolved()) states.applyAlert(alertResource(row));
  const visits = await store.visits.open();
  for (const v of visits) {
    states.restoreOpenVisit(v.elevator_id, {
      id: v.id,
      kind: v.kind,
      companyId: v.company_id,
      checkInAt: v.check_in_at,
    });
  }
}

/** The fleet file's per-elevator "offline after" (the directory's elevators, at start and on change). */
export function applyOfflineOverrides(
  store: ElevatorStateStore,
  elevators: Iterable<ElevatorInfo>,
  defaultMs?: number,
): void {
  for (const elevator of elevators) {
    const overrideS = deviceOfflineOverrideS(elevator);
    if (overrideS !== undefined) store.setOfflineAfter(elevator.id, overrideS * 1000);
    else if (defaultMs !== undefined) store.setOfflineAfter(elevator.id, defaultMs);
  }
}
