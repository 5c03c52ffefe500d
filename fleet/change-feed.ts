/**
 * How a fleet change reaches the other processes: the fleet-changed service message on
 * `fleet/changed` (protocol/fleet-changed.ts), over the process's own small MQTT
 * connection. `announce` publishes what a refresh found after this process changed the
 * store; a message from another process makes the directory refresh. Own echoes are
 * ignored (the directory already refreshed); a message that fails validation is logged
 * and dropped (the timer refresh still catches up). Every (re)subscription refreshes too,
 * since messages sent before this process listened are not kept (clean session).
 *
 * The directory itself (directory.ts) knows nothing of MQTT; this file is its one link to
 * the bus, so the ingest's and the API's message paths stay their own.
 */
import { randomUUID } from 'node:crypto';
import { connect, type MqttClient } from 'mqtt';
import { LiftWatchError } from '../lib/errors.ts';
import type { Logger } from '../lib/logger.ts';
import {
  type FLEET_CHANGE_REASONS,
  FLEET_CHANGED_MAX_IDS,
  type FleetChangedMessage,
  parseFleetChanged,
  topics,
} from '../protocol/index.ts';
import type { FleetChanges, FleetDirectory } from './directory.ts';

export interface FleetChangeFeedOptions {
  url: string;
  username?: string;
  password?: string;
  /** Distinct per process: the part's name plus a random suffix by default. */
  clientId?: string;
  part: string;
  connectTimeoutMs?: number;
}

export interface FleetChangeFeed {
  start(): Promise<void>;
  stop(): Promise<void>;
  /** Tells the other processes the fleet changed (after this process's directory refreshed). */
  announce(changes: FleetChanges, reason: (typeof FLEET_CHANGE_REASONS)[number]): Promise<void>;
  /** Fleet-changed messages from other processes that made the directory refresh. */
  readonly received: number;
}

export function createFleetChangeFeed(
  options: FleetChangeFeedOptions,
  deps: { directory: FleetDirectory; log: Logger; clock?: () => number },
): FleetChangeFeed {
  const log = deps.log.child({ module: 'fleet-change-feed' });
  const clock = deps.clock ?? Date.now;
  const origin = `${options.part}-${randomUUID().slice(0, 8)}`;
  let client: MqttClient | null = null;
  let received = 0;

  const refresh = (why: string) => {
    deps.directory
      .refresh()
      .catch((error: unknown) => log.error({ err: error, why }, 'fleet refresh failed'));
  };

  function onMessage(topic: string, payload: Buffer): void {
    if (topic !== topics.fleetChanged) return;
    const parsed = parseFleetChanged(payload);
    if (!parsed.ok) {
      log.warn({ reason: parsed.reason }, 'fleet-changed message refused');
      return;
    }
    if (parsed.message.origin === origin) return;
    received += 1;
    log.info(
      { from: parsed.message.origin, reason: parsed.message.reason },
      'fleet changed elsewhere; refreshing',
    );
    refresh('fleet-changed message');
  }

  return {
    get received() {
      return received;
    },
    async start() {
      const connectTimeoutMs = options.connectTimeoutMs ?? 10_000;
      const mqtt = connect(options.url, {
        clientId: options.clientId ?? origin,
        clean: true,
        protocolVersion: 4,
        connectTimeout: connectTimeoutMs,
        reconnectPeriod: 1000,
        ...(options.username !== undefined ? { username: options.username } : {}),
        ...(options.password !== undefined ? { password: options.password } : {}),
      });
      client = mqtt;
      mqtt.on('message', onMessage);
      mqtt.on('connect', () => {
        mqtt.subscribe(topics.fleetChanged, { qos: 1 }, (error, granted) => {
          if (error || granted?.some((g) => g.qos === 128)) {
            log.error({ err: error }, 'subscription to fleet/changed refused');
            return;
          }
          // Changes announced before we listened (at start, or while away) were not kept for
          // us: read the store once now that nothing more can be missed.
          refresh('subscribed');
        });
      });
      try {
        await new Promise<void>((resolve, reject) => {
          const timer = setTimeout(
            () => reject(new Error(`no CONNACK within ${connectTimeoutMs} ms`)),
            connectTimeoutMs + 1000,
          );
          mqtt.once('connect', () => {
            clearTimeout(timer);
            resolve();
          });
          mqtt.once('error', (error) => {
            clearTimeout(timer);
            reject(error);
          });
        });
      } catch (error) {
        client = null;
        await mqtt.endAsync(true);
        throw new LiftWatchError('MQTT_UNREACHABLE', `MQTT ${options.url}: ${(error as Error).message}`, {
          cause: error,
        });
      }
      mqtt.on('error', (error) => log.error({ err: error }, 'fleet change feed MQTT error'));
    },
    async stop() {
      const mqtt = client;
      client = null;
      await mqtt?.endAsync(false);
    },
    async announce(changes, reason) {
      const lists = [changes.added, changes.changed, changes.removed];
      const [added, changed, removed] = lists.map((list) =>
        list.slice(0, FLEET_CHANGED_MAX_IDS).map((e) => e.id),
      ) as [string[], string[], string[]];
      const message: FleetChangedMessage = {
        origin,
        at: clock(),
        reason,
        added,
        changed,
        removed,
        ...(lists.some((list) => list.length > FLEET_CHANGED_MAX_IDS) ? { truncated: true } : {}),
      };
      const mqtt = client;
      if (!mqtt) throw new LiftWatchError('MQTT_UNREACHABLE', 'the fleet change feed is not connected');
      await mqtt.publishAsync(topics.fleetChanged, JSON.stringify(message), { qos: 1 });
    },
  };
}
