/**
 * The one fleet directory: estates, buildings, elevators (ratings, thresholds, QR token)
 * and technicians, read from the store through the fleet repository and held in memory, so
 * a QR hit, a tenancy check or a message's tags cost a map lookup, not a query. Every part
 * of a process (the ingest pipeline, the detector, the API, the alert lifecycle) reads this
 * one copy; none runs its own fleet query.
 *
 * `refresh()` re-reads the store and tells listeners what changed: `elevatorAdded`,
 * `elevatorChanged`, `elevatorRemoved` per elevator, then `changed` once with the whole
 * difference. An elevator that did not change keeps its object, so a reader can compare by
 * identity. Refreshes run one at a time; calls that arrive during one share the next. A
 * listener that throws is logged and the others still run (one part cannot stop another).
 * What triggers a refresh is the caller's: a fleet file reload, a fleet-changed message
 * (fleet/change-feed.ts), and the timer started here as a safety net.
 */
import type { Logger } from '../lib/logger.ts';
import type { BuildingEntry, ElevatorEntry, EstateEntry, FleetSnapshot, TechnicianEntry } from './types.ts';

export type { BuildingEntry, ElevatorEntry, EstateEntry, TechnicianEntry } from './types.ts';

/** What the directory needs from the store: the fleet repository's read. */
export interface FleetSource {
  snapshot(): Promise<FleetSnapshot>;
}

export interface FleetChanges {
  added: ElevatorEntry[];
  changed: ElevatorEntry[];
  removed: ElevatorEntry[];
  /** Estates, buildings or technicians changed (names, phones, locations). */
  places: boolean;
}

export interface FleetDirectoryEvents {
  elevatorAdded: [elevator: ElevatorEntry];
  elevatorChanged: [elevator: ElevatorEntry, previous: ElevatorEntry];
  elevatorRemoved: [elevator: ElevatorEntry];
  /** Once per refresh that changed anything, after the per-elevator events. */
  changed: [changes: FleetChanges];
}

type Listener<K extends keyof FleetDirectoryEvents> = (...args: FleetDirectoryEvents[K]) => void;

export interface FleetDirectoryOptions {
  /** Safety-net refresh period (FLEET_REFRESH_S); 0 = only on demand. */
  refreshMs?: number;
}

export class FleetDirectory {
  readonly #source: FleetSource;
  readonly #log: Logger;
  readonly #refreshMs: number;
  #elevators = new Map<string, ElevatorEntry>();
  #byToken = new Map<string, ElevatorEntry>();
  #estates = new Map<string, EstateEntry>();
  #buildings = new Map<string, BuildingEntry>();
  #technicians = new Map<string, TechnicianEntry>();
  #placesKey = '';
  #listeners: { [K in keyof FleetDirectoryEvents]: Set<Listener<K>> } = {
    elevatorAdded: new Set(),
    elevatorChanged: new Set(),
    elevatorRemoved: new Set(),
    changed: new Set(),
  };
  #running: Promise<FleetChanges> | null = null;
  #queued: Promise<FleetChanges> | null = null;
  #timer: NodeJS.Timeout | null = null;
  #loaded = false;

  constructor(deps: { source: FleetSource; log: Logger }, options: FleetDirectoryOptions = {}) {
    this.#source = deps.source;
    this.#log = deps.log.child({ module: 'fleet-directory' });
    this.#refreshMs = options.refreshMs ?? 0;
  }

  /** Loads the fleet (if not yet loaded) and starts the safety-net timer. */
  async start(): Promise<void> {
    if (!this.#loaded) await this.refresh();
    if (this.#refreshMs > 0 && !this.#timer) {
      this.#timer = setInterval(() => {
        this.refresh().catch((error: unknown) =>
          this.#log.error({ err: error }, 'periodic fleet refresh failed'),
        );
      }, this.#refreshMs);
      this.#timer.unref();
    }
  }

  async stop(): Promise<void> {
    if (this.#timer) clearInterval(this.#timer);
    this.#timer = null;
    await Promise.allSettled([this.#running, this.#queued]);
  }

  /** Re-reads the store; resolves with what changed once every listener has been told. */
  refresh(): Promise<FleetChanges> {
    if (this.#queued !== null) return this.#queued;
    if (this.#running === null) {
      this.#running = this.#readAndApply().finally(() => {
        this.#running = null;
      });
      return this.#running;
    }
    // A refresh is reading already, perhaps from before the change: read again after it.
    const next = this.#running
      .catch(() => undefined)
      .then(() => {
        this.#queued = null;
        this.#running = this.#readAndApply().finally(() => {
          this.#running = null;
        });
        return this.#running;
      });
    this.#queued = next;
    return next;
  }

  on<K extends keyof FleetDirectoryEvents>(event: K, listener: Listener<K>): () => void {
    const set = this.#listeners[event] as Set<Listener<K>>;
    set.add(listener);
    return () => set.delete(listener);
  }

  async #readAndApply(): Promise<FleetChanges> {
    const snapshot = await this.#source.snapshot();
    const changes = this.#apply(snapshot);
    this.#loaded = true;
    const total = changes.added.length + changes.changed.length + changes.removed.length;
    if (total > 0 || changes.places) {
      this.#log.info(
        {
          elevators: this.#elevators.size,
          added: changes.added.map((e) => e.id),
          changed: changes.changed.map((e) => e.id),
          removed: changes.removed.map((e) => e.id),
          places: changes.places,
        },
        'fleet directory changed',
      );
    }
    return changes;
  }

  #apply(snapshot: FleetSnapshot): FleetChanges {
    const previous = this.#elevators;
    const byId = new Map<string, ElevatorEntry>();
    const byToken = new Map<string, ElevatorEntry>();
    const changes: FleetChanges = { added: [], changed: [], removed: [], places: false };
    const changedPairs: [ElevatorEntry, ElevatorEntry][] = [];
    for (const fresh of snapshot.elevators) {
      const old = previous.get(fresh.id);
      let entry = fresh;
      if (!old) changes.added.push(fresh);
      else if (sameElevator(old, fresh)) entry = old;
      else {
        changes.changed.push(fresh);
        changedPairs.push([fresh, old]);
      }
      byId.set(entry.id, entry);
      byToken.set(entry.publicToken, entry);
    }
    for (const [id, old] of previous) if (!byId.has(id)) changes.removed.push(old);

    const placesKey = JSON.stringify([snapshot.estates, snapshot.buildings, snapshot.technicians]);
    changes.places = placesKey !== this.#placesKey;
    this.#placesKey = placesKey;
    this.#estates = new Map(snapshot.estates.map((e) => [e.id, e]));
    this.#buildings = new Map(snapshot.buildings.map((b) => [b.id, b]));
    this.#technicians = new Map(snapshot.technicians.map((t) => [t.id, t]));
    this.#elevators = byId;
    this.#byToken = byToken;

    for (const e of changes.added) this.#emit('elevatorAdded', e);
    for (const [e, old] of changedPairs) this.#emit('elevatorChanged', e, old);
    for (const e of changes.removed) this.#emit('elevatorRemoved', e);
    const total = changes.added.length + changes.changed.length + changes.removed.length;
    if (total > 0 || changes.places) this.#emit('changed', changes);
    return changes;
  }

  #emit<K extends keyof FleetDirectoryEvents>(event: K, ...args: FleetDirectoryEvents[K]): void {
    for (const listener of this.#listeners[event] as Set<Listener<K>>) {
      try {
        listener(...args);
      } catch (error) {
        this.#log.error({ err: error, event }, 'a fleet directory listener threw');
      }
    }
  }

  get size(): number {
    return this.#elevators.size;
  }

  elevator(id: string): ElevatorEntry | undefined {
    return this.#elevators.get(id);
  }

  elevatorByToken(token: string): ElevatorEntry | undefined {
    return this.#byToken.get(token);
  }

  /** In id order. */
  elevators(): IterableIterator<ElevatorEntry> {
    return this.#elevators.values();
  }

  estate(id: string): EstateEntry | undefined {
    return this.#estates.get(id);
  }

  estates(): IterableIterator<EstateEntry> {
    return this.#estates.values();
  }

  building(id: string): BuildingEntry | undefined {
    return this.#buildings.get(id);
  }

  technician(id: string): TechnicianEntry | undefined {
    return this.#technicians.get(id);
  }

  /** The estate an elevator is in, or null for an elevator the fleet does not have. */
  estateOf(elevatorId: string): string | null {
    return this.#elevators.get(elevatorId)?.estateId ?? null;
  }
}

/** The name the API's modules know the directory by. */
export type Directory = FleetDirectory;

function sameElevator(a: ElevatorEntry, b: ElevatorEntry): boolean {
  return (
    a.estateId === b.estateId &&
    a.buildingId === b.buildingId &&
    a.buildingName === b.buildingName &&
    a.name === b.name &&
    a.floors === b.floors &&
    a.floorHeightM === b.floorHeightM &&
    a.ratedSpeedMps === b.ratedSpeedMps &&
    a.ratedLoadKg === b.ratedLoadKg &&
    a.registrationCode === b.registrationCode &&
    a.inspectionDue === b.inspectionDue &&
    a.publicToken === b.publicToken &&
    JSON.stringify(a.thresholds) === JSON.stringify(b.thresholds)
  );
}
