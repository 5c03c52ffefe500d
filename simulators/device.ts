/**
 * One simulated monitoring device: a real mqtt.js client with its own credentials
 * (clientId = username, which the broker requires), a retained `online` status on every
 * connect and `offline` as its Last Will. Its outbox is mqtt.js's outgoing store: with
 * `clean: false` and `queueQoSZero: false`, QoS 1 messages not yet acknowledged, and
 * those published while disconnected, are kept in publish (= seq) order and resent on
 * reconnect before anything new; QoS 0 telemetry published while offline is dropped.
 * The store is in memory: it survives reconnects, not a restart of the process.
 */
import mqtt, { type MqttClient } from 'mqtt';
import { topics } from '../protocol/index.ts';
import type { SimMessage } from './elevator-model.ts';
import { encodeMessage } from './serialize.ts';

const noLog = (): void => {};
const noAck = (): void => {};
const QOS0 = { qos: 0 } as const;
const QOS1 = { qos: 1 } as const;

export interface SimDeviceOptions {
  elevatorId: string;
  username: string;
  password: string;
  url: string;
  /** Telemetry QoS; events and maintenance are always QoS 1. */
  telemetryQos?: 0 | 1;
  reconnectPeriodMs?: number;
  connectTimeoutMs?: number;
  /** Device time for status messages. */
  now?: () => number;
  /** Shared by a fleet's devices: QoS 1 messages unacknowledged across all of them. */
  fleetInFlight?: FleetInFlight;
}

/** One counter for a whole fleet, so a load generator can bound its backlog without a scan. */
export interface FleetInFlight {
  count: number;
}

export interface DeviceCounters {
  sent: number;
  acked: number;
  failed: number;
}

export class SimDevice {
  readonly elevatorId: string;
  readonly counters: DeviceCounters = { sent: 0, acked: 0, failed: 0 };
  private client: MqttClient | null = null;
  private readonly options: SimDeviceOptions;
  private readonly ackWaiters: (() => void)[] = [];
  private readonly fleetInFlight: FleetInFlight | undefined;

  private readonly topics: Record<SimMessage['channel'], string>;

  constructor(options: SimDeviceOptions) {
    this.options = options;
    this.elevatorId = options.elevatorId;
    this.fleetInFlight = options.fleetInFlight;
    const id = options.elevatorId;
    this.topics = {
      telemetry: topics.device(id, 'telemetry'),
      event: topics.device(id, 'event'),
      maintenance: topics.device(id, 'maintenance'),
    };
  }

  get connected(): boolean {
    return this.client?.connected ?? false;
  }

  /** QoS 1 messages published and not yet acknowledged. */
  get inFlight(): number {
    return this.counters.sent - this.counters.acked - this.counters.failed - this.qos0Sent;
  }

  private qos0Sent = 0;

  /** Connects; resolves on the first CONNACK, rejects if the broker refuses (bad credentials). Network errors are retried. */
  connect(): Promise<void> {
    const o = this.options;
    const now = o.now ?? Date.now;
    const statusTopic = topics.status(o.elevatorId);
    const client = mqtt.connect(o.url, {
      clientId: o.username,
      username: o.username,
      password: o.password,
      clean: false,
      protocolVersion: 4,
      queueQoSZero: false,
      keepalive: 30,
      // A PINGREQ every keepalive whatever else is sent: without this, mqtt.js re-arms its
      // keepalive timer on every PUBACK, a timer operation per message for 10,000 clients.
      reschedulePings: false,
      // mqtt.js logs through `debug`, whose disabled calls still cost a call and an
      // arguments array, several per message; a fleet of simulated devices logs nothing.
      log: noLog,
      reconnectPeriod: o.reconnectPeriodMs ?? 1000,
      connectTimeout: o.connectTimeoutMs ?? 10_000,
      will: {
        topic: statusTopic,
        payload: Buffer.from(JSON.stringify({ v: 1, ts: now(), state: 'offline' })),
        qos: 1,
        retain: true,
      },
    });
    this.client = client;
    client.on('connect', () => {
      client.publish(statusTopic, JSON.stringify({ v: 1, ts: now(), state: 'online' }), {
        qos: 1,
        retain: true,
      });
    });
    // Reconnects are mqtt.js's job; errors after the first connect are transient here.
    client.on('error', () => {});
    return new Promise((resolve, reject) => {
      const fail = (err: Error & { code?: unknown }) => {
        // A CONNACK refusal carries a numeric return code; socket errors (ECONNRESET under a burst) are retried.
        if (typeof err.code !== 'number') return;
        client.removeListener('connect', ok);
        client.removeListener('error', fail);
        client.end(true);
        reject(err);
      };
      const ok = () => {
        client.removeListener('error', fail);
        resolve();
      };
      client.once('connect', ok);
      client.on('error', fail);
    });
  }

  publish(message: SimMessage, encoded: string = encodeMessage(message)): void {
    const client = this.client;
    if (!client) throw new Error(`device ${this.elevatorId} is not connected`);
    const qos = message.channel === 'telemetry' ? (this.options.telemetryQos ?? 1) : 1;
    this.counters.sent++;
    if (qos === 0) this.qos0Sent++;
    else if (this.fleetInFlight) this.fleetInFlight.count++;
    // A fleet publishes tens of thousands of messages a second: topic strings, options and the
    // acknowledgement callback are made once per device, not once per message.
    client.publish(
      this.topics[message.channel],
      encoded,
      qos === 1 ? QOS1 : QOS0,
      qos === 1 ? this.onAck : noAck,
    );
  }

  private readonly onAck = (err?: Error): void => {
    if (this.fleetInFlight) this.fleetInFlight.count--;
    if (err) this.counters.failed++;
    else this.counters.acked++;
    if (this.ackWaiters.length > 0 && this.inFlight === 0) for (const w of this.ackWaiters.splice(0)) w();
  };

  /** Resolves when every QoS 1 message published so far is acknowledged. */
  drained(): Promise<void> {
    if (this.inFlight === 0) return Promise.resolve();
    return new Promise((resolve) => this.ackWaiters.push(resolve));
  }

  /** Cuts the connection without DISCONNECT (the broker sends the Will) and stays down. */
  dropLink(): void {
    const client = this.client;
    if (!client) return;
    client.options.reconnectPeriod = 0;
    client.stream?.destroy();
  }

  restoreLink(): void {
    const client = this.client;
    if (!client) return;
    client.options.reconnectPeriod = this.options.reconnectPeriodMs ?? 1000;
    if (!client.connected) client.reconnect();
  }

  /**
   * A clean goodbye: DISCONNECT after in-flight messages, so no Will is sent. With
   * `graceMs`, what is still unacknowledged by then is abandoned and the link cut
   * (a load test stopping 10,000 devices behind a backlog cannot wait for all of it).
   */
  async close(graceMs?: number): Promise<void> {
    const client = this.client;
    this.client = null;
    if (!client) return;
    if (graceMs === undefined) {
      await client.endAsync();
      return;
    }
    let timer: NodeJS.Timeout | undefined;
    const late = new Promise<'late'>((resolve) => {
      timer = setTimeout(() => resolve('late'), graceMs);
    });
    const outcome = await Promise.race([client.endAsync(), late]);
    clearTimeout(timer);
    if (outcome === 'late') await client.endAsync(true);
  }
}
