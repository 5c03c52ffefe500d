/**
 * Fills the state store with what was already true before the API subscribed: open
 * alerts and open visits from the store, and the fleet file's per-elevator silence
 * before "offline". MQTT carries only transitions after that.
 */
import { deviceOfflineOverrideS, listElevators } from '../store/directory.ts';
import type { Store } from '../store/store.ts';
import type { ElevatorStateStore } from './state-source.ts';

export async function seedStateFromRegistry(source: Store, store: ElevatorStateStore): Promise<void> {
  // The fleet and the alerts still come through the query builder: their repositories are
  // another branch of issue 13 item 1.
  const { db } = source;
  for (const elevator of await listElevators(db)) {
    const overrideS = deviceOfflineOverrideS(elevator);
    if (overrideS !== undefined) store.setOfflineAfter(elevator.id, overrideS * 1000);
  }
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
  const visits = await source.visits.open();
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
