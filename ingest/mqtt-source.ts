/**
 * The ingest's MQTT side: one mqtt.js client with a fixed client id and `clean: false`, so
 * the broker keeps the session and queues QoS 1 messages while the ingest is away
 * [MQTT-3.1.2-4]; subscriptions are QoS 1 so those messages are owed to us. The handler is
 * attached before connecting because queued messages flow right after CONNACK.
 */
import { connect, type IClientOptions, type MqttClient } from 'mqtt';
import { LiftWatchError } from '../lib/errors.ts';
import type { Logger } from '../lib/logger.ts';
import { topics } from '../protocol/index.ts';

const noLog = (): void => {};

export interface MqttSourceOptions {
  url: string;
  username?: string;
  password?: string;
  clientId: string;
  connectTimeoutMs: number;
  reconnectPeriodMs: number;
  /**
   * Subscribe to the device topics (default). Off when the ingest reads the log instead: the
   * connection then only publishes service messages, with a clean session, so no queue of
   * device messages builds up for it in the broker.
   */
  subscribe?: boolean;
}

export interface MqttSourceDeps {
  log: Logger;
  onMessage(topic: string, payload: Buffer, receivedAt: number): void;
}

export class MqttSource {
  private client: MqttClient | null = null;

  constructor(
    private readonly options: MqttSourceOptions,
    private readonly deps: MqttSourceDeps,
  ) {}

  get connected(): boolean {
    return this.client?.connected ?? false;
  }

  /** Resolves once connected and subscribed; rejects if the broker refuses or never answers. */
  async start(): Promise<void> {
    const { url, clientId, username, password, connectTimeoutMs, reconnectPeriodMs } = this.options;
    const subscribing = this.options.subscribe ?? true;
    const clientOptions: IClientOptions = {
      clientId,
      clean: !subscribing,
      protocolVersion: 4,
      connectTimeout: connectTimeoutMs,
      reconnectPeriod: reconnectPeriodMs,
      // The session keeps our subscription; we subscribe again on each CONNACK anyway.
      resubscribe: false,
      // mqtt.js logs through `debug`: several disabled calls per message still cost a call
      // and an arguments array each. The ingest logs its MQTT events itself (below).
      log: noLog,
      ...(username !== undefined ? { username } : {}),
      ...(password !== undefined ? { password } : {}),
    };
    const client = connect(url, clientOptions);
    this.client = client;
    const log = this.deps.log;
    client.on('message', (topic, payload) => this.deps.onMessage(topic, payload, Date.now()));
    client.on('offline', () => log.warn({ url }, 'MQTT broker unreachable; reconnecting'));
    client.on('reconnect', () => log.debug({ url }, 'MQTT reconnecting'));

    await new Promise<void>((resolve, reject) => {
      let settled = false;
      const fail = (error: Error) => {
        if (settled) return;
        settled = true;
        clearTimeout(timer);
        client.end(true);
        reject(new LiftWatchError('MQTT_UNREACHABLE', `MQTT ${url}: ${error.message}`, { cause: error }));
      };
      const timer = setTimeout(
        () => fail(new Error(`no CONNACK within ${connectTimeoutMs} ms`)),
        connectTimeoutMs + 1000,
      );
      client.on('error', (error) => {
        if (!settled) fail(error);
        else log.error({ err: error, url }, 'MQTT error');
      });
      client.on('connect', (connack) => {
        if (!subscribing) {
          log.info({ url, clientId }, 'MQTT connected (publishing only; device messages come from the log)');
          if (!settled) {
            settled = true;
            clearTimeout(timer);
            resolve();
          }
          return;
        }
        client.subscribe(topics.allDevices, { qos: 1 }, (error, granted) => {
          const refused = granted?.some((g) => g.qos === 128);
          if (error || refused) {
            const problem = error ?? new Error(`subscription to ${topics.allDevices} refused`);
            if (!settled) fail(problem);
            else log.error({ err: problem }, 'MQTT subscribe failed');
            return;
          }
          log.info(
            { url, clientId, sessionPresent: connack.sessionPresent },
            'MQTT connected and subscribed',
          );
          if (!settled) {
            settled = true;
            clearTimeout(timer);
            resolve();
          }
        });
      });
    });
  }

  /**
   * Publishes a service message (alert transitions, visit verdicts) at QoS 1 on the same
   * connection. While the broker is away, mqtt.js queues it and sends it on reconnect.
   */
  publish(topic: string, payload: string): Promise<void> {
    const client = this.client;
    if (!client) return Promise.reject(new LiftWatchError('MQTT_UNREACHABLE', 'the ingest is not connected'));
    return new Promise((resolve, reject) => {
      client.publish(topic, payload, { qos: 1 }, (error) => (error ? reject(error) : resolve()));
    });
  }

  /** Disconnects cleanly; the broker keeps the session and queues for our return. */
  async stop(): Promise<void> {
    const client = this.client;
    this.client = null;
    if (!client) return;
    await client.endAsync(false);
  }
}
