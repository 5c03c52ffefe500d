/**
 * Each elevator's latest state, held in memory so the QR page and the firm's console
 * never query InfluxDB per request. `ElevatorStateSource` is what routes and sockets
 * read; `ElevatorStateStore` is the in-memory implementation (one small record per
 * elevator) that a live feed or a test drives through `receiveDeviceMessage`,
 * `receiveServiceMessage` and the `apply*` methods. The two live feeds, chosen in one place
 * (api/service.ts): MQTT alone (mqtt-state-source.ts, LOG_ENABLED=false) or, with the log, the
 * device log every broker front writes to (log-state-feed.ts) and the transitions stream.
 */

import {
  type Alert,
  type AlertTransition,
  type DeviceChannel,
  type DeviceEvent,
  type DeviceStatus,
  decodePayload,
  decodeServiceMessage,
  type ElevatorCondition,
  type MaintenanceMessage,
  parseDeviceTopic,
  SERVICE_REFUSALS,
  type ServiceRefusal,
  stopsCar,
  type Telemetry,
  type TelemetryReading,
  telemetryReading,
  type VisitMessage,
  validatePayload,
} from '../protocol/index.ts';

export type { ElevatorCondition } from '../protocol/index.ts';

/** Service messages refused, by code (`/metrics`: liftwatch_api_service_messages_refused_total). */
export type ServiceRefusalCounts = Record<ServiceRefusal, number>;

/** What is logged of a refused service message. */
export interface ServiceRefusalReport {
  code: ServiceRefusal;
  topic: string;
  reason: string;
  bytes: number;
}

/** A visit under way: what the condition and the elevator view need of it. */
export interface OpenVisit {
  id: string;
  kind?: string;
  companyId?: string;
  checkInAt?: number;
}

export interface ElevatorState {
  elevatorId: string;
  /** From the retained status / Last Will; null until one arrives. */
  online: boolean | null;
  /** Wall-clock time of the latest message of any kind. */
  lastHeardAt: number | null;
  /** The protocol fields of the latest sample only: what routes echo is bounded and serialisable. */
  telemetry: TelemetryReading | null;
  lastEvent: { code: string; ts: number } | null;
  /** Not-resolved alerts by code (one per elevator and code, as the lifecycle keeps them). */
  openAlerts: ReadonlyMap<string, Alert>;
  openVisit: OpenVisit | null;
}

export type StateChange =
  | { kind: 'state'; elevatorId: string; condition: ElevatorCondition; previous: ElevatorCondition | null }
  /** The whole alert as it now is; `transition` is null for an alert loaded at start. */
  | { kind: 'alert'; elevatorId: string; alert: Alert; transition: AlertTransition | null }
  | { kind: 'visit'; elevatorId: string; visit: VisitMessage };

export type StateListener = (change: StateChange) => void;

/**
 * What feeds a store with live messages: started after the store was seeded from the registry,
 * stopped before the app closes. `connected` is the feed's readiness.
 */
export interface LiveFeed {
  start(): Promise<void>;
  stop(): Promise<void>;
  readonly connected: boolean;
}

export interface ElevatorStateSource {
  get(elevatorId: string): ElevatorState | undefined;
  /** The condition at `now`: staleness turns a silent elevator offline without a message. */
  conditionOf(elevatorId: string, now: number): ElevatorCondition;
  on(event: 'change', listener: StateListener): void;
  off(event: 'change', listener: StateListener): void;
}

const OUT_OF_SERVICE_MODES = new Set(['out_of_service', 'fire_return', 'firefighter', 'earthquake']);

/** Pure: the resident-facing condition of one state. Offline wins, then fault, then maintenance. */
export function deriveCondition(
  state: ElevatorState | undefined,
  now: number,
  offlineAfterMs: number,
): ElevatorCondition {
  if (!state || state.online === false || state.lastHeardAt === null) return 'offline';
  if (now - state.lastHeardAt > offlineAfterMs) return 'offline';
  const t = state.telemetry;
  if (state.openVisit || t?.mode === 'inspection') return 'maintenance';
  // What the car is doing, not what the paperwork says: an overdue or doubtful visit is shown
  // as such in the maintenance section, while the car keeps carrying passengers.
  for (const alert of state.openAlerts.values()) {
    if (stopsCar(alert.code)) return 'fault';
  }
  if (t && (OUT_OF_SERVICE_MODES.has(t.mode) || t.power === 'off' || !t.safety_circuit)) return 'fault';
  return 'normal';
}

interface MutableState extends ElevatorState {
  openAlerts: Map<string, Alert>;
  reported: ElevatorCondition | null;
}

export class ElevatorStateStore implements ElevatorStateSource {
  readonly #states = new Map<string, MutableState>();
  readonly #listeners = new Set<StateListener>();
  readonly #clock: () => number;
  readonly #offlineAfterMs: number;
  /** Elevators whose fleet entry sets its own silence before "offline" (deviceOfflineS). */
  readonly #offlineAfterMsOf = new Map<string, number>();
  readonly #onListenerError: (error: unknown) => void;
  readonly #onServiceRefused: (refusal: ServiceRefusalReport) => void;
  readonly #refused = Object.fromEntries(SERVICE_REFUSALS.map((code) => [code, 0])) as ServiceRefusalCounts;

  constructor(options: {
    clock?: () => number;
    offlineAfterMs: number;
    onListenerError?: (e: unknown) => void;
    onServiceRefused?: (refusal: ServiceRefusalReport) => void;
  }) {
    this.#clock = options.clock ?? Date.now;
    this.#offlineAfterMs = options.offlineAfterMs;
    this.#onListenerError = options.onListenerError ?? (() => {});
    this.#onServiceRefused = options.onServiceRefused ?? (() => {});
  }

  /** Service messages refused since start, by code. */
  get serviceMessagesRefused(): Readonly<ServiceRefusalCounts> {
    return this.#refused;
  }

  /**
   * An `alerts/{id}` or `visits/{id}` message as it came off the wire, validated with the
   * protocol's compiled validators (the topic names the elevator; a body naming another is
   * refused). A refused one is counted by its code and reported, never thrown. Returns
   * whether it was applied.
   */
  receiveServiceMessage(topic: string, payload: Uint8Array): boolean {
    const decoded = decodeServiceMessage(topic, payload);
    if (!decoded.ok) {
      this.#refused[decoded.code] += 1;
      this.#onServiceRefused({ code: decoded.code, topic, reason: decoded.reason, bytes: payload.length });
      return false;
    }
    if (decoded.kind === 'alert') {
      const { transition, ...alert } = decoded.message;
      this.applyAlert(alert, transition);
    } else {
      this.applyVisit(decoded.message);
    }
    return true;
  }

  /**
   * An `elevators/{id}/{channel}` message as it came off the wire (MQTT or the log), decoded
   * within the protocol's size and nesting bounds and validated with its compiled validators,
   * as in the ingest. `receivedAt` is when it was received (by default now; the log passes the
   * time it stored the message, so a replayed one is as old as it is). One that does not pass
   * is ignored. Returns whether it was applied.
   */
  receiveDeviceMessage(topic: string, payload: Uint8Array, receivedAt = this.#clock()): boolean {
    const device = parseDeviceTopic(topic);
    if (!device) return false;
    // A view of the same bytes (the log hands a Uint8Array): no copy per message.
    const decoded = decodePayload(Buffer.from(payload.buffer, payload.byteOffset, payload.byteLength));
    if (!decoded.ok) return false;
    return this.#applyDevice(device.elevatorId, device.channel, decoded.value, receivedAt);
  }

  #applyDevice(elevatorId: string, channel: DeviceChannel, value: unknown, receivedAt: number): boolean {
    switch (channel) {
      case 'telemetry': {
        const r = validatePayload('telemetry', value);
        if (r.ok) this.applyTelemetry(elevatorId, r.payload, receivedAt);
        return r.ok;
      }
      case 'status': {
        const r = validatePayload('status', value);
        if (r.ok) this.applyStatus(elevatorId, r.payload, receivedAt);
        return r.ok;
      }
      case 'event': {
        const r = validatePayload('event', value);
        if (r.ok) this.applyEvent(elevatorId, r.payload, receivedAt);
        return r.ok;
      }
      case 'maintenance': {
        const r = validatePayload('maintenance', value);
        if (r.ok) this.applyMaintenance(elevatorId, r.payload, receivedAt);
        return r.ok;
      }
    }
  }

  get(elevatorId: string): ElevatorState | undefined {
    return this.#states.get(elevatorId);
  }

  conditionOf(elevatorId: string, now: number): ElevatorCondition {
    return deriveCondition(this.#states.get(elevatorId), now, this.#offlineAfterOf(elevatorId));
  }

  /** The fleet file's per-elevator override, the same one the detector's device_offline uses. */
  setOfflineAfter(elevatorId: string, ms: number): void {
    this.#offlineAfterMsOf.set(elevatorId, ms);
  }

  #offlineAfterOf(elevatorId: string): number {
    return this.#offlineAfterMsOf.get(elevatorId) ?? this.#offlineAfterMs;
  }

  on(_event: 'change', listener: StateListener): void {
    this.#listeners.add(listener);
  }

  off(_event: 'change', listener: StateListener): void {
    this.#listeners.delete(listener);
  }

  applyTelemetry(elevatorId: string, telemetry: Telemetry, receivedAt = this.#clock()): void {
    const state = this.#state(elevatorId);
    // Unknown fields are not kept: nothing a device adds reaches a viewer (issue 12).
    state.telemetry = telemetryReading(telemetry);
    state.lastHeardAt = receivedAt;
    if (state.online === null) state.online = true;
    this.#reportCondition(state);
  }

  applyStatus(elevatorId: string, status: DeviceStatus, receivedAt = this.#clock()): void {
    const state = this.#state(elevatorId);
    state.online = status.state === 'online';
    state.lastHeardAt = receivedAt;
    this.#reportCondition(state);
  }

  applyEvent(elevatorId: string, event: DeviceEvent, receivedAt = this.#clock()): void {
    const state = this.#state(elevatorId);
    state.lastEvent = { code: event.code, ts: event.ts };
    state.lastHeardAt = receivedAt;
    this.#reportCondition(state);
  }

  /** A check-in marks the car as under maintenance until the check-out. */
  applyMaintenance(elevatorId: string, message: MaintenanceMessage, receivedAt = this.#clock()): void {
    const state = this.#state(elevatorId);
    state.lastHeardAt = receivedAt;
    if (message.action === 'check_in') {
      state.openVisit = {
        id: message.visit_id,
        kind: message.kind,
        companyId: message.company_id,
        checkInAt: message.ts,
      };
    } else if (state.openVisit?.id === message.visit_id) {
      state.openVisit = null;
    }
    this.#reportCondition(state);
  }

  /** An alert as a transition (or, at start, the registry) left it. */
  applyAlert(alert: Alert, transition: AlertTransition | null = null): void {
    const state = this.#state(alert.elevator_id);
    if (alert.state === 'resolved') {
      if (state.openAlerts.get(alert.code)?.id === alert.id) state.openAlerts.delete(alert.code);
    } else {
      state.openAlerts.set(alert.code, alert);
    }
    this.#emit({ kind: 'alert', elevatorId: alert.elevator_id, alert, transition });
    this.#reportCondition(state);
  }

  /** A visit at check-in or with its verdict, from the lifecycle. */
  applyVisit(visit: VisitMessage): void {
    const state = this.#state(visit.elevator_id);
    if (visit.status === 'open')
      state.openVisit = {
        id: visit.id,
        kind: visit.kind,
        companyId: visit.company_id,
        checkInAt: visit.check_in_at,
      };
    else if (state.openVisit?.id === visit.id) state.openVisit = null;
    this.#emit({ kind: 'visit', elevatorId: visit.elevator_id, visit });
    this.#reportCondition(state);
  }

  /** A visit already under way at start (the registry's open visits); nobody is told but the condition. */
  restoreOpenVisit(elevatorId: string, visit: OpenVisit): void {
    const state = this.#state(elevatorId);
    state.openVisit = visit;
    this.#reportCondition(state);
  }

  #state(elevatorId: string): MutableState {
    let state = this.#states.get(elevatorId);
    if (!state) {
      state = {
        elevatorId,
        online: null,
        lastHeardAt: null,
        telemetry: null,
        lastEvent: null,
        openAlerts: new Map(),
        openVisit: null,
        reported: null,
      };
      this.#states.set(elevatorId, state);
    }
    return state;
  }

  /** Telemetry arrives every second; only a change of condition is worth telling anyone. */
  #reportCondition(state: MutableState): void {
    const condition = deriveCondition(state, this.#clock(), this.#offlineAfterOf(state.elevatorId));
    if (condition === state.reported) return;
    const previous = state.reported;
    state.reported = condition;
    this.#emit({ kind: 'state', elevatorId: state.elevatorId, condition, previous });
  }

  /** One failing listener must not stop the others or the MQTT feed. */
  #emit(change: StateChange): void {
    for (const listener of this.#listeners) {
      try {
        listener(change);
      } catch (error) {
        this.#onListenerError(error);
      }
    }
  }
}
