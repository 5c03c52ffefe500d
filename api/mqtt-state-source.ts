/**
 * The state store with the API's MQTT client (service credential, role `api`). Alone
 * (LOG_ENABLED=false, one broker) it is also the store's live feed: it subscribes to device
 * telemetry, status, events and maintenance and to the lifecycle's alert and visit topics.
 * With the log, one broker front sees only the devices connected to it, so the feed is the
 * log's (log-state-feed.ts, transitions) and this client only publishes (a phone's check-in on
 * the car's channel; any front hands it to the log). Every message is decoded with the
 * protocol's own validators (device payloads within their bounds, service messages with
 * `decodeServiceMessage`); one that does not pass is counted by its code, logged and ignored.
 */
import mqtt, { type MqttClient } from 'mqtt';
import type { Logger } from '../lib/logger.ts';
import { parseDeviceTopic, topics } from '../protocol/index.ts';
import { ElevatorStateStore, type LiveFeed } from './state-source.ts';

export interface MqttStateSourceOptions {
  url: string;
  username: string;
  password: string;
  clientId: string;
  log: Logger;
  offlineAfterMs: number;
  clock?: () => number;
  connectTimeoutMs?: number;
  /**
   * Subscribe to the devices' channels and the lifecycle's `alerts/+` and `visits/+` (default
   * true): this client is the store's live feed. False when the log feeds the store instead
   * (LOG_ENABLED: api/service.ts), so nothing is applied twice.
   */
  subscribe?: boolean;
}

const DEVICE_SUBSCRIPTIONS: Record<string, { qos: 0 | 1 }> = {
  [topics.allOfChannel('telemetry')]: { qos: 0 },
  [topics.allOfChannel('status')]: { qos: 1 },
  [topics.allOfChannel('event')]: { qos: 1 },
  [topics.allOfChannel('maintenance')]: { qos: 1 },
};
const SERVICE_SUBSCRIPTIONS: Record<string, { qos: 0 | 1 }> = {
  [topics.allAlerts]: { qos: 1 },
  [topics.allVisits]: { qos: 1 },
};

export class MqttStateSource extends ElevatorStateStore implements LiveFeed {
  readonly #options: MqttStateSourceOptions;
  readonly #log: Logger;
  #client: MqttClient | null = null;

  constructor(options: MqttStateSourceOptions) {
    const log = options.log.child({ module: 'api-state' });
    super({
      offlineAfterMs: options.offlineAfterMs,
      clock: options.clock,
      onListenerError: (error) => log.error({ err: error }, 'state listener failed'),
      onServiceRefused: (refusal) => log.warn(refusal, 'refused a service message'),
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
    if (o.subscribe === false) return;
    const granted = await client.subscribeAsync({ ...DEVICE_SUBSCRIPTIONS, ...SERVICE_SUBSCRIPTIONS });
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
    if (parseDeviceTopic(topic)) {
      if (!this.receiveDeviceMessage(topic, payload))
        this.#log.debug({ topic, bytes: payload.length }, 'ignored an undecodable or invalid device message');
      return;
    }
    this.receiveServiceMessage(topic, payload);
  }
}
