import { describe, expect, it } from 'vitest';
import { loadConfig } from '../../lib/config.ts';
import { LiftWatchError } from '../../lib/errors.ts';
import { silentLogger } from '../../lib/logger.ts';
import { systemComponents } from '../../system.ts';

describe('config', () => {
  it('applies defaults and converts strings', () => {
    const config = loadConfig({ MQTT_PORT: '18830', SIMULATE: 'false' });
    expect(config.MQTT_PORT).toBe(18830);
    expect(config.SIMULATE).toBe(false);
    expect(config.INFLUX_DATABASE).toBe('liftwatch');
    expect(config.DATABASE_FILE.endsWith('lift-watch.sqlite')).toBe(true);
    expect(Object.isFrozen(config)).toBe(true);
  });

  it('lists every invalid setting in one error', () => {
    let error: unknown;
    try {
      loadConfig({ MQTT_PORT: 'abc', INFLUX_URL: 'ftp://x', LOG_LEVEL: 'loud' });
    } catch (e) {
      error = e;
    }
    expect(error).toBeInstanceOf(LiftWatchError);
    const { code, details } = error as LiftWatchError;
    expect(code).toBe('CONFIG_INVALID');
    expect((details as string[]).map((d) => d.split('=')[0])).toEqual([
      'LOG_LEVEL',
      'MQTT_PORT',
      'INFLUX_URL',
    ]);
  });

  it('takes a postgres:// or postgresql:// DATABASE_URL and refuses any other scheme', () => {
    for (const url of ['postgres://u@h:5432/d', 'postgresql://u:p@h/d'])
      expect(loadConfig({ DATABASE_URL: url }).DATABASE_URL).toBe(url);
    expect(loadConfig({}).DATABASE_URL).toBeUndefined();
    expect(() => loadConfig({ DATABASE_URL: 'mysql://u@h/d' })).toThrowError(
      /DATABASE_URL="mysql:\/\/u@h\/d"/,
    );
  });

  it('reads the log settings: on by default, 64 partitions, a nats:// URL or list', () => {
    const defaults = loadConfig({});
    expect(defaults.LOG_ENABLED).toBe(true);
    expect(defaults.LOG_PARTITIONS).toBe(64);
    expect(defaults.NATS_URL).toBeUndefined();
    const cluster = 'nats://n1:4222,nats://n2:4222,nats://n3:4222';
    const config = loadConfig({ LOG_ENABLED: 'true', NATS_URL: cluster, LOG_REPLICAS: '3' });
    expect([config.LOG_ENABLED, config.NATS_URL, config.LOG_REPLICAS]).toEqual([true, cluster, 3]);
    expect(() => loadConfig({ NATS_URL: 'http://n1:4222', LOG_PARTITIONS: '0' })).toThrowError(
      /NATS_URL="http:\/\/n1:4222"[\s\S]*LOG_PARTITIONS=0/,
    );
  });

  it('reads the API node settings: a node id fit for a consumer name, a redis:// URL', () => {
    const defaults = loadConfig({});
    expect([defaults.API_NODE_ID, defaults.REDIS_URL, defaults.REDIS_KEY_PREFIX]).toEqual([
      'api',
      undefined,
      'liftwatch:',
    ]);
    const node = loadConfig({ API_NODE_ID: 'api-2', REDIS_URL: 'rediss://:secret@cache:6380/1' });
    expect([node.API_NODE_ID, node.REDIS_URL]).toEqual(['api-2', 'rediss://:secret@cache:6380/1']);
    // A dot or a space would make another NATS subject or consumer name than the node's own.
    expect(() =>
      loadConfig({ API_NODE_ID: 'api.2', REDIS_URL: 'http://cache:6379', REDIS_KEY_PREFIX: 'a b' }),
    ).toThrowError(/API_NODE_ID="api.2"[\s\S]*REDIS_URL="http:\/\/cache:6379"[\s\S]*REDIS_KEY_PREFIX="a b"/);
  });

  it('refuses an inflow gate that would release above the level it holds at', () => {
    expect(loadConfig({ MQTT_INFLOW_HIGH: '2000', MQTT_INFLOW_LOW: '800' }).MQTT_INFLOW_LOW).toBe(800);
    let error: unknown;
    try {
      loadConfig({ MQTT_INFLOW_HIGH: '100', MQTT_INFLOW_LOW: '500' });
    } catch (e) {
      error = e;
    }
    expect(error).toBeInstanceOf(LiftWatchError);
    expect((error as LiftWatchError).details).toEqual([
      'MQTT_INFLOW_LOW=500: must not exceed MQTT_INFLOW_HIGH=100',
    ]);
  });

  it('reads WEBHOOK_ALLOW_HOSTS and names each entry it cannot read', () => {
    expect(loadConfig({}).WEBHOOK_ALLOW_HOSTS).toBe('');
    expect(loadConfig({ WEBHOOK_ALLOW_HOSTS: 'hooks.corp.example, 10.20.0.0/16' }).WEBHOOK_ALLOW_HOSTS).toBe(
      'hooks.corp.example, 10.20.0.0/16',
    );
    let error: unknown;
    try {
      loadConfig({ WEBHOOK_ALLOW_HOSTS: 'http://influx:8086, 10.0.0.0/40' });
    } catch (e) {
      error = e;
    }
    expect(error).toBeInstanceOf(LiftWatchError);
    expect((error as LiftWatchError).details).toEqual([
      'WEBHOOK_ALLOW_HOSTS="http://influx:8086, 10.0.0.0/40": http://influx:8086: not a host name, an IP address or a network',
      'WEBHOOK_ALLOW_HOSTS="http://influx:8086, 10.0.0.0/40": 10.0.0.0/40: not a network (address/bits)',
    ]);
  });

  it('refuses the log with an external broker, which would acknowledge what never reaches the log', () => {
    const unused = () => {
      throw new Error('not reached');
    };
    const build = (env: Record<string, string>) =>
      systemComponents(loadConfig({ MQTT_URL: 'mqtt://127.0.0.1:1883', ...env }), {
        log: silentLogger,
        store: unused,
        influxUrl: unused,
        mqttUrl: 'mqtt://127.0.0.1:1883',
        natsUrl: unused,
      });
    expect(() => build({})).toThrowError(/LOG_ENABLED=false/);
    expect(() => build({ LOG_ENABLED: 'false' })).not.toThrow();
  });
});
