/**
 * The console's shared state: who is logged in, the fleet, the live (not resolved)
 * alerts and the connection. Views read it and subscribe; only loaders and the socket
 * write it. Small on purpose: a firm sees tens of elevators, not thousands.
 */
import { api } from './api.ts';
import type { Alert, Elevator, Estate, Me, StateEvent, Visit, VisitEvent } from './types.ts';

export type Connection = 'connecting' | 'live' | 'lost';
/** `fund`: a ledger change pushed live (an emergency expenditure); fund screens redraw. */
type Topic = 'fleet' | 'alerts' | 'connection' | 'me' | 'fund';

class Store {
  me: Me | null = null;
  estates: Estate[] = [];
  elevators = new Map<string, Elevator>();
  /** Open and acknowledged alerts by id; resolved ones leave. */
  liveAlerts = new Map<string, Alert>();
  /** First check-in after each live critical alert opened, by alert id. */
  arrivals = new Map<string, number>();
  connection: Connection = 'connecting';
  readonly #listeners = new Map<Topic, Set<() => void>>();
  /** Who wants each pushed alert itself (a report linked to it shows its step). */
  readonly #alertListeners = new Set<(alert: Alert) => void>();

  /** Each alert pushed over the socket, resolved ones included. Returns how to stop. */
  onAlertPushed(listener: (alert: Alert) => void): () => void {
    this.#alertListeners.add(listener);
    return () => this.#alertListeners.delete(listener);
  }

  on(topic: Topic, listener: () => void): () => void {
    let set = this.#listeners.get(topic);
    if (!set) {
      set = new Set();
      this.#listeners.set(topic, set);
    }
    set.add(listener);
    return () => set.delete(listener);
  }

  emit(topic: Topic): void {
    for (const listener of this.#listeners.get(topic) ?? []) listener();
  }

  canWrite(): boolean {
    return this.me?.role === 'admin' || this.me?.role === 'property_manager';
  }

  elevatorLabel(id: string): string {
    const e = this.elevators.get(id);
    if (!e) return id;
    // Demo names already carry the building ("1栋1号梯"); do not say it twice.
    return e.name.startsWith(e.building_name) ? e.name : `${e.building_name} ${e.name}`;
  }

  async loadFleet(): Promise<void> {
    const [estates, elevators] = await Promise.all([
      api.get<Estate[]>('/estates'),
      api.all<Elevator>('/elevators'),
    ]);
    this.estates = estates;
    this.elevators = new Map(elevators.map((e) => [e.id, e]));
    this.emit('fleet');
  }

  async loadLiveAlerts(): Promise<void> {
    const [open, acked] = await Promise.all([
      api.all<Alert>('/alerts', { state: 'open' }),
      api.all<Alert>('/alerts', { state: 'acknowledged' }),
    ]);
    this.liveAlerts = new Map([...open, ...acked].map((a) => [a.id, a]));
    await Promise.all([...this.liveAlerts.values()].map((a) => this.loadArrival(a)));
    this.emit('alerts');
  }

  /**
   * An alert pushed over the socket: the whole resource, as GET /alerts/{id} would answer,
   * so it is shown at once with no request. Its arrival clock is fed by visit pushes.
   */
  applyAlert(alert: Alert): void {
    this.putAlert(alert);
    this.emit('alerts');
    for (const listener of this.#alertListeners) listener(alert);
  }

  /**
   * A visit pushed over the socket: a check-in at an elevator with live critical alerts is
   * the arrival their SLA clocks wait for (the first one after each opened), with no request.
   */
  applyVisit(visit: VisitEvent): void {
    let changed = false;
    for (const alert of this.liveAlerts.values()) {
      if (alert.elevator_id !== visit.elevator_id || alert.severity !== 'critical') continue;
      if (visit.check_in_at < alert.opened_at) continue;
      const known = this.arrivals.get(alert.id);
      if (known !== undefined && known <= visit.check_in_at) continue;
      this.arrivals.set(alert.id, visit.check_in_at);
      changed = true;
    }
    if (changed) this.emit('alerts');
  }

  putAlert(alert: Alert): void {
    if (alert.state === 'resolved') this.liveAlerts.delete(alert.id);
    else this.liveAlerts.set(alert.id, alert);
  }

  async loadArrival(alert: Alert): Promise<void> {
    if (alert.severity !== 'critical') return;
    const visits = await api.get<{ items: Visit[] }>('/visits', {
      elevator: alert.elevator_id,
      from: alert.opened_at,
      limit: 200,
    });
    const first = visits.items.reduce<number | null>(
      (min, v) => (min === null || v.check_in_at < min ? v.check_in_at : min),
      null,
    );
    if (first !== null) this.arrivals.set(alert.id, first);
  }

  async refreshElevator(id: string): Promise<void> {
    const e = await api.get<Elevator>(`/elevators/${encodeURIComponent(id)}`);
    this.elevators.set(e.id, e);
    this.emit('fleet');
  }

  /** The condition arrives first in the event; details follow from the API. */
  applyState(event: StateEvent): void {
    const e = this.elevators.get(event.elevator_id);
    if (!e) return;
    this.elevators.set(e.id, { ...e, state: { ...e.state, condition: event.condition } });
    this.emit('fleet');
    void this.refreshElevator(e.id).catch(() => {});
  }

  setConnection(next: Connection): void {
    if (this.connection === next) return;
    this.connection = next;
    this.emit('connection');
  }

  reset(): void {
    this.me = null;
    this.estates = [];
    this.elevators.clear();
    this.liveAlerts.clear();
    this.arrivals.clear();
  }
}

export const store = new Store();
