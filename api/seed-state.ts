/**
 * Fills the state store with what was already true before the API subscribed: open
 * alerts (from the alerts repository) and open visits from the registry, and the fleet
 * file's per-elevator silence before "offline". MQTT carries only transitions after that.
 */
import { alertResource } from '../alerts/resource.ts';
import type { RegistryDb } from '../store/db.ts';
import { deviceOfflineOverrideS, listElevators } from '../store/directory.ts';
import { createAlertRepository } from '../store/repositories/alerts.ts';
import type { ElevatorStateStore } from './state-source.ts';

export async function seedStateFromRegistry(db: RegistryDb, store: ElevatorStateStore): Promise<void> {
  for (const elevator of await listElevators(db)) {
    const overrideS = deviceOfflineOverrideS(elevator);
    if (overrideS !== undefined) store.setOfflineAfter(elevator.id, overrideS * 1000);
  }
  for (const row of await createAlertRepository(db).unresolved()) store.applyAlert(alertResource(row));
  const visits = await db.selectFrom('maintenance_visits').selectAll().where('status', '=', 'open').execute();
  for (const v of visits) {
    store.restoreOpenVisit(v.elevator_id, {
      id: v.id,
      kind: v.kind,
      companyId: v.company_id,
      checkInAt: v.check_in_at,
    });
  }
}
