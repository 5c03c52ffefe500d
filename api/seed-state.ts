/**
 * Fills the state store with what was already true before the API subscribed: open
 * alerts and open visits from the registry, and the fleet file's per-elevator silence
 * before "offline". MQTT carries only transitions after that.
 */
import { deviceOfflineOverrideS, type ElevatorInfo } from '../fleet/types.ts';
import type { RegistryDb } from '../store/db.ts';
import type { ElevatorStateStore } from './state-source.ts';

export async function seedStateFromRegistry(
  db: RegistryDb,
  store: ElevatorStateStore,
  elevators: Iterable<ElevatorInfo>,
): Promise<void> {
  applyOfflineOverrides(store, elevators);
  const alerts = await db.selectFrom('alerts').selectAll().where('state', '!=', 'resolved').execute();
  for (const a of alerts) {
    store.applyAlert({
      id: a.id,
      elevatorId: a.elevator_id,
      code: a.code,
      severity: a.severity,
      state: a.state,
      openedAt: a.opened_at,
      lastSeenAt: a.last_seen_at,
    });
  }
  const visits = await db.selectFrom('maintenance_visits').selectAll().where('status', '=', 'open').execute();
  for (const v of visits) {
    store.applyVisit({
      id: v.id,
      elevatorId: v.elevator_id,
      status: 'open',
      verdict: null,
      score: null,
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
