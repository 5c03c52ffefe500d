/**
 * The MQTT feed of the state store: the API subscribes with its own service credential
 * (role `api`) to device telemetry, status and events, and to the ingest's alert and
 * visit topics. Parts talk over MQTT, never through each other's memory.
 */
import mqtt, { type MqttClient } from 'mqtt';
import type { Logger } from '../lib/logger.ts';
import { decodePayload, parseDeviceTopic, topics, validatePayload } from '../protocol/index.ts';
import type { AlertState, VisitVerdict } from '../store/schema.ts';
import { type AlertTransition, ElevatorStateStore, type VisitUpdate } from './state-source.ts';

export interface MqttStateSourceOptions {
  url: string;
  username: string;
  password: string;
  clientId: string;
  log: Logger;
  offlineAfterMs: number;
  clock?: () => number;
  connectTimeoutMs?: number;
}

const SUBSCRIPTIONS: Record<string, { qos: 0 | 1 }> = {
  'elevators/+/telemetry': { qos: 0 },
  'elevators/+/status': { qos: 1 },
  'elevators/+/event': { qos: 1 },
  'elevators/+/maintenance': { qos: 1 },
  [topics.allAlerts]: { qos: 1 },
  [topics.allVisits]: { qos: 1 },
};

export class MqttStateSource extends ElevatorStateStore {
  readonly #options: MqttStateSourceOptions;
  readonly #log: Logger;
  #client: MqttClient | null = null;

  constructor(options: MqttStateSourceOptions) {
    const log = options.log.child({ module: 'api-state' });
    super({
      offlineAfterMs: options.offlineAfterMs,
      clock: options.clock,
      onListenerError: (error) => log.error({ err: error }, 'state listener failed'),
    });
    this.#options = options;
    this.#log = log;
  }

  /** Resolves once connected and subscribed; rejects if the broker does not answer in time. */
  async start(): Promise<void> {
    const o = this.#options;
    const client = await mqtt.connectAsync(o.url, {
      username: o.username,
      password: o.password,
      clientId: o.clientId,
      clean: true,
      reconnectPeriod: 1000,
      connectTimeout: o.connectTimeoutMs ?? 10_000,
    });
    this.#client = client;
    client.on('message', (topic, payload) => this.#receiveGuarded(topic, payload));
    client.on('error', (error) => this.#log.warn({ err: error }, 'mqtt error'));
    client.on('reconnect', () => this.#log.info('mqtt reconnecting'));
    const granted = await client.subscribeAsync(SUBSCRIPTIONS);
    const refused = granted.filter((g) => g.qos === 128).map((g) => g.topic);
    if (refused.length > 0) this.#log.warn({ refused }, 'broker refused some subscriptions');
  }

  get connected(): boolean {
    return this.#client?.connected ?? false;
  }

  /** The API's service role may publish alert transitions (acknowledge / resolve). */
  async publish(topic: string, payload: unknown): Promise<void> {
    if (!this.#client) throw new Error('MQTT state source is not started');
    await this.#client.publishAsync(topic, JSON.stringify(payload), { qos: 1 });
  }

  async stop(): Promise<void> {
    await this.#client?.endAsync();
    this.#client = null;
  }

  /**
   * mqtt.js calls this from its 'message' event and acknowledges QoS 1 only when it
   * returns: a throw would leave the message unacknowledged (redelivered on reconnect) and
   * reach the process as an uncaught exception, taking the whole API (in `npm start`, every
   * part) with it. One message is ignored instead.
   */
  #receiveGuarded(topic: string, payload: Buffer): void {
    try {
      this.#receive(topic, payload);
    } catch (error) {
      this.#log.error(
        { err: error, topic, bytes: payload.length },
        'ignored a message that could not be applied',
      );
    }
  }

  #receive(topic: string, payload: Buffer): void {
    const device = parseDeviceTopic(topic);
    if (device) {
      // A device's payload: the protocol's size and nesting bounds apply before JSON.parse, as in the ingest.
      const decoded = decodePayload(payload);
      if (decoded.ok) this.#applyDevice(device.elevatorId, device.channel, decoded.value);
      else this.#log.debug({ topic, reason: decoded.reason }, 'ignored an undecodable device message');
      return;
    }
    // The ingest's alerts and visits: a service credential wrote them.
    let value: unknown;
    try {
      value = JSON.parse(payload.toString('utf8'));
    } catch {
      this.#log.debug({ topic }, 'ignored a message that is not JSON');
      return;
    }
    const [root, elevatorId] = topic.split('/');
    if (!elevatorId) return;
    const parsed =
      root === 'alerts'
        ? parseAlert(elevatorId, value)
        : root === 'visits'
          ? parseVisit(elevatorId, value)
          : null;
    if (!parsed) {
      this.#log.debug({ topic }, 'ignored an unreadable service message');
      return;
    }
    if ('code' in parsed) this.applyAlert(parsed);
    else this.applyVisit(parsed);
  }

  #applyDevice(
    elevatorId: string,
    channel: 'telemetry' | 'event' | 'maintenance' | 'status',
    value: unknown,
  ) {
    switch (channel) {
      case 'telemetry': {
        const r = validatePayload('telemetry', value);
        if (r.ok) this.applyTelemetry(elevatorId, r.payload);
        return;
      }
      case 'status': {
        const r = validatePayload('status', value);
        if (r.ok) this.applyStatus(elevatorId, r.payload);
        return;
      }
      case 'event': {
        const r = validatePayload('event', value);
        if (r.ok) this.applyEvent(elevatorId, r.payload);
        return;
      }
      case 'maintenance': {
        const r = validatePayload('maintenance', value);
        if (r.ok) this.applyMaintenance(elevatorId, r.payload);
        return;
      }
    }
  }
}

const ALERT_STATES = new Set<AlertState>(['open', 'acknowledged', 'resolved']);
const VERDICTS = new Set<VisitVerdict>(['verified', 'suspect', 'fake']);

type Json = Record<string, unknown>;
const str = (v: unknown): string | undefined => (typeof v === 'string' && v !== '' ? v : undefined);
const num = (v: unknown): number | undefined => (typeof v === 'number' && Number.isFinite(v) ? v : undefined);

/**
 * The ingest's alert transition (issue 3: id, code, severity, state, elevator, opened_at,
 * last_seen_at, evidence). The topic names the elevator, so the body's copy is not trusted.
 */
export function parseAlert(elevatorId: string, value: unknown): AlertTransition | null {
  if (typeof value !== 'object' || value === null) return null;
  const v = value as Json;
  const id = str(v['id']);
  const code = str(v['code']);
  const state = str(v['state']) as AlertState | undefined;
  if (!id || !code || !state || !ALERT_STATES.has(state)) return null;
  const openedAt = num(v['opened_at']) ?? 0;
  return {
    id,
    elevatorId,
    code,
    severity: str(v['severity']) ?? 'major',
    state,
    openedAt,
    lastSeenAt: num(v['last_seen_at']) ?? openedAt,
    evidence: v['evidence'],
  };
}

/** A visit verdict on `visits/{elevatorId}`; the field names follow the registry's columns. */
export function parseVisit(elevatorId: string, value: unknown): VisitUpdate | null {
  if (typeof value !== 'object' || value === null) return null;
  const v = value as Json;
  const id = str(v['id']) ?? str(v['visit_id']);
  if (!id) return null;
  const verdict = str(v['verdict']) as VisitVerdict | undefined;
  const status = str(v['status']);
  return {
    id,
    elevatorId,
    status: status === 'open' || status === 'timed_out' ? status : 'closed',
    verdict: verdict && VERDICTS.has(verdict) ? verdict : null,
    score: num(v['evidence_score']) ?? num(v['score']) ?? null,
    kind: str(v['kind']),
    companyId: str(v['company_id']),
    checkInAt: num(v['check_in_at']),
    checkOutAt: num(v['check_out_at']) ?? null,
  };
}
