/**
 * The broker's access policy as tables: principal × topic → allowed. The hooks are driven
 * with plain objects standing in for Aedes clients; no sockets.
 */
import type { AedesPublishPacket, AuthenticateError, Client, ConnectPacket, PublishPacket } from 'aedes';
import { describe, expect, it } from 'vitest';
import { createFrameScanner } from '../../broker/frame-guard.ts';
import { createPolicyHooks } from '../../broker/hooks.ts';
import {
  CONNACK,
  checkConnect,
  filterCovers,
  mayPublish,
  mayRead,
  mayRetain,
  maySubscribe,
  type Principal,
  topicMatches,
} from '../../broker/policy.ts';
import { silentLogger } from '../../lib/logger.ts';

const device: Principal = { kind: 'device', username: 'dev-e1', elevatorId: 'e1' };
const ingest: Principal = { kind: 'service', username: 'svc-ingest', role: 'ingest' };
const api: Principal = { kind: 'service', username: 'svc-api', role: 'api' };
const monitor: Principal = { kind: 'service', username: 'svc-monitor', role: 'monitor' };
const unknownRole: Principal = { kind: 'service', username: 'svc-x', role: 'admin' };

describe('mayPublish', () => {
  const table: [string, Principal, string, boolean][] = [
    ['device: own telemetry', device, 'elevators/e1/telemetry', true],
    ['device: own event', device, 'elevators/e1/event', true],
    ['device: own maintenance', device, 'elevators/e1/maintenance', true],
    ['device: own status', device, 'elevators/e1/status', true],
    ['device: another device', device, 'elevators/e2/telemetry', false],
    ['device: unknown channel', device, 'elevators/e1/config', false],
    ['device: deeper topic', device, 'elevators/e1/telemetry/x', false],
    ['device: $SYS', device, '$SYS/broker/heartbeat', false],
    ['device: alert', device, 'alerts/e1', false],
    ['ingest: alert', ingest, 'alerts/e1', true],
    ['ingest: visit', ingest, 'visits/e1', true],
    ['ingest: invalid elevator id', ingest, 'alerts/E 1', false],
    ['ingest: empty id', ingest, 'alerts/', false],
    ['ingest: device topic', ingest, 'elevators/e1/telemetry', false],
    ['ingest: $SYS', ingest, '$SYS/x/heartbeat', false],
    ['api: alert', api, 'alerts/e1', true],
    ['api: visit', api, 'visits/e1', false],
    ['api: maintenance (the technician phone)', api, 'elevators/e1/maintenance', true],
    ['api: telemetry', api, 'elevators/e1/telemetry', false],
    ['api: event', api, 'elevators/e1/event', false],
    ['monitor: alert', monitor, 'alerts/e1', false],
    ['unknown role: alert', unknownRole, 'alerts/e1', false],
    ['ingest: fleet changed', ingest, 'fleet/changed', true],
    ['api: fleet changed', api, 'fleet/changed', true],
    ['monitor: fleet changed', monitor, 'fleet/changed', false],
    ['device: fleet changed', device, 'fleet/changed', false],
    ['api: below fleet changed', api, 'fleet/changed/x', false],
  ];
  it.each(table)('%s', (_name, principal, topic, allowed) => {
    expect(mayPublish(principal, topic)).toBe(allowed);
  });
});

describe('maySubscribe', () => {
  const table: [string, Principal, string, boolean][] = [
    ['device: own topic', device, 'elevators/e1/status', false],
    ['device: anything', device, '#', false],
    ['ingest: all devices', ingest, 'elevators/+/+', true],
    ['ingest: device tree', ingest, 'elevators/#', true],
    ['ingest: alerts', ingest, 'alerts/+', true],
    ['ingest: visits', ingest, 'visits/+', true],
    ['ingest: one elevator', ingest, 'elevators/e1/+', true],
    ['ingest: everything', ingest, '#', false],
    ['ingest: $SYS', ingest, '$SYS/#', false],
    ['ingest: shared subscription', ingest, '$share/g/elevators/+/+', false],
    ['api: all devices', api, 'elevators/+/+', true],
    ['api: device tree', api, 'elevators/#', false],
    ['api: one telemetry', api, 'elevators/e1/telemetry', true],
    ['api: alerts', api, 'alerts/+', true],
    ['api: alerts tree', api, 'alerts/#', false],
    ['api: visits', api, 'visits/+', true],
    ['monitor: all devices', monitor, 'elevators/+/+', true],
    ['monitor: visits', monitor, 'visits/+', true],
    ['monitor: +/+', monitor, '+/+', false],
    ['unknown role', unknownRole, 'alerts/+', false],
    ['ingest: fleet changed', ingest, 'fleet/changed', true],
    ['api: fleet changed', api, 'fleet/changed', true],
    ['monitor: fleet changed', monitor, 'fleet/changed', false],
    ['device: fleet changed', device, 'fleet/changed', false],
  ];
  it.each(table)('%s: %s', (_name, principal, filter, allowed) => {
    expect(maySubscribe(principal, filter)).toBe(allowed);
  });
});

describe('mayRead (authorizeForward)', () => {
  const table: [string, Principal, string, boolean][] = [
    ['device: own status', device, 'elevators/e1/status', false],
    ['ingest: telemetry', ingest, 'elevators/e9/telemetry', true],
    ['ingest: odd device topic', ingest, 'elevators/e9/x/y', true],
    ['ingest: alert', ingest, 'alerts/e9', true],
    ['ingest: $SYS', ingest, '$SYS/abc/heartbeat', false],
    ['api: odd device topic', api, 'elevators/e9/x/y', false],
    ['api: visit', api, 'visits/e9', true],
    ['monitor: status', monitor, 'elevators/e9/status', true],
    ['monitor: other root', monitor, 'buildings/b1', false],
  ];
  it.each(table)('%s', (_name, principal, topic, allowed) => {
    expect(mayRead(principal, topic)).toBe(allowed);
  });
});

describe('checkConnect', () => {
  const table: [string, Principal, string, string | undefined, number | null][] = [
    ['device, id = username, no will', device, 'dev-e1', undefined, null],
    ['device, own status will', device, 'dev-e1', 'elevators/e1/status', null],
    ['device, id ≠ username', device, 'lift-watch-ingest', undefined, CONNACK.identifierRejected],
    ['device, will on another device', device, 'dev-e1', 'elevators/e2/status', CONNACK.notAuthorized],
    ['device, will on $SYS', device, 'dev-e1', '$SYS/x', CONNACK.notAuthorized],
    ['service, any client id', ingest, 'lift-watch-ingest', undefined, null],
    [
      'service, will on a device topic',
      ingest,
      'lift-watch-ingest',
      'elevators/e1/status',
      CONNACK.notAuthorized,
    ],
  ];
  it.each(table)('%s', (_name, principal, clientId, willTopic, returnCode) => {
    const verdict = checkConnect(principal, clientId, willTopic);
    expect(verdict.ok ? null : verdict.returnCode).toBe(returnCode);
  });

  it.each([
    ['elevators/e1/status', null],
    ['elevators/e1/telemetry', CONNACK.notAuthorized],
    ['elevators/e1/event', CONNACK.notAuthorized],
  ])('a retained Will on %s → %s', (willTopic, returnCode) => {
    const verdict = checkConnect(device, 'dev-e1', willTopic, true);
    expect(verdict.ok ? null : verdict.returnCode).toBe(returnCode);
  });
});

describe('mayRetain: only a device status is kept for later subscribers', () => {
  it.each([
    ['elevators/e1/status', true],
    ['elevators/e1/telemetry', false],
    ['elevators/e1/event', false],
    ['elevators/e1/maintenance', false],
    ['alerts/e1', false],
    ['visits/e1', false],
    ['$SYS/x', false],
  ])('%s → %s', (topic, allowed) => {
    expect(mayRetain(topic)).toBe(allowed);
  });
});

describe('topic filters', () => {
  const matches: [string, string, boolean][] = [
    ['elevators/+/+', 'elevators/e1/telemetry', true],
    ['elevators/+/+', 'elevators/e1', false],
    ['elevators/#', 'elevators', true],
    ['elevators/#', 'elevators/a/b/c', true],
    ['#', '$SYS/x', false],
    ['+/x', '$SYS/x', false],
    ['alerts/+', 'alerts/e1/x', false],
  ];
  it.each(matches)('%s matches %s: %s', (filter, topic, expected) => {
    expect(topicMatches(filter, topic)).toBe(expected);
  });

  const covers: [string, string, boolean][] = [
    ['elevators/#', 'elevators/+/+', true],
    ['elevators/#', 'elevators/#', true],
    ['elevators/+/+', 'elevators/#', false],
    ['elevators/+/+', 'elevators/e1/+', true],
    ['elevators/+/+', 'elevators/+', false],
    ['elevators/+/+', 'elevators/+/+/+', false],
    ['alerts/+', 'alerts/e1', true],
    ['+/+', '$SYS/x', false],
  ];
  it.each(covers)('%s covers %s: %s', (granted, requested, expected) => {
    expect(filterCovers(granted, requested)).toBe(expected);
  });
});

describe('frame scanner', () => {
  it('accepts packets up to the bound, split anywhere', () => {
    const scan = createFrameScanner(130);
    // PUBLISH with 127 bytes of body: 1 type byte + 1 length byte + 127 = 129 bytes.
    const packet = Buffer.concat([Buffer.from([0x30, 127]), Buffer.alloc(127)]);
    const stream = Buffer.concat([packet, Buffer.from([0xc0, 0]), packet]);
    for (const at of [1, 2, 50, 129, 130, 131]) {
      const fresh = createFrameScanner(130);
      expect(fresh(stream.subarray(0, at))).toBeNull();
      expect(fresh(stream.subarray(at))).toBeNull();
    }
    expect(scan(stream)).toBeNull();
  });

  it('refuses a packet that announces more than the bound, before its body arrives', () => {
    const scan = createFrameScanner(1024);
    expect(scan(Buffer.from([0xc0, 0]))).toBeNull();
    // Remaining Length 2000 = 0xd0 0x0f: 1 + 2 + 2000 bytes.
    expect(scan(Buffer.from([0x30, 0xd0]))).toBeNull();
    expect(scan(Buffer.from([0x0f]))).toBe('packet of 2003 bytes exceeds 1024');
  });

  it('refuses a Remaining Length longer than four bytes [MQTT-2.2.3]', () => {
    expect(createFrameScanner(1024)(Buffer.from([0x30, 0xff, 0xff, 0xff, 0xff]))).toBe(
      'malformed remaining length',
    );
  });
});

describe('policy hooks', () => {
  const principals: Record<string, Principal> = { 'dev-e1': device, 'svc-ingest': ingest };
  const hooks = createPolicyHooks({
    log: silentLogger,
    authenticate: async (username, password) =>
      password === 'right' ? (principals[username] ?? null) : null,
  });
  const fakeClient = (id: string) => ({ id }) as unknown as Client;

  function connect(client: Client, username?: string, password?: string, willTopic?: string) {
    const packet = {
      cmd: 'connect',
      clientId: client.id,
      ...(willTopic
        ? { will: { topic: willTopic, payload: Buffer.from('offline'), qos: 1, retain: true } }
        : {}),
    } as unknown as ConnectPacket;
    return new Promise<number>((resolve) => {
      hooks.preConnect(client, packet, () => {
        hooks.authenticate(
          client,
          username,
          password === undefined ? undefined : Buffer.from(password),
          (err) => resolve(err ? (err as AuthenticateError).returnCode : 0),
        );
      });
    });
  }

  function publish(client: Client | null, topic: string) {
    const packet = { cmd: 'publish', topic, payload: Buffer.from('{}'), qos: 1 } as unknown as PublishPacket;
    return new Promise<boolean>((resolve) => hooks.authorizePublish(client, packet, (err) => resolve(!err)));
  }

  it('refuses anonymous, wrong password, foreign client id and foreign Will at CONNECT', async () => {
    expect(await connect(fakeClient('x'))).toBe(CONNACK.notAuthorized);
    expect(await connect(fakeClient('dev-e1'), 'dev-e1', 'wrong')).toBe(CONNACK.badUsernameOrPassword);
    expect(await connect(fakeClient('lift-watch-ingest'), 'dev-e1', 'right')).toBe(
      CONNACK.identifierRejected,
    );
    expect(await connect(fakeClient('dev-e1'), 'dev-e1', 'right', 'elevators/e2/status')).toBe(
      CONNACK.notAuthorized,
    );
  });

  it('caches the principal per client and decides later packets by it', async () => {
    const deviceClient = fakeClient('dev-e1');
    expect(await connect(deviceClient, 'dev-e1', 'right', 'elevators/e1/status')).toBe(0);
    expect(hooks.principalOf(deviceClient)).toEqual(device);
    expect(await publish(deviceClient, 'elevators/e1/telemetry')).toBe(true);
    expect(await publish(deviceClient, 'elevators/e2/telemetry')).toBe(false);
    expect(await publish(fakeClient('never-connected'), 'elevators/e1/telemetry')).toBe(false);

    const granted = await new Promise((resolve) =>
      hooks.authorizeSubscribe(deviceClient, { topic: 'elevators/+/+', qos: 1 }, (_err, sub) => resolve(sub)),
    );
    expect(granted).toBeNull();

    const retained = { topic: 'elevators/e1/status', retain: true } as unknown as AedesPublishPacket;
    expect(hooks.authorizeForward(deviceClient, retained)).toBeNull();
    const serviceClient = fakeClient('lift-watch-ingest');
    expect(await connect(serviceClient, 'svc-ingest', 'right')).toBe(0);
    expect(hooks.authorizeForward(serviceClient, retained)).toBe(retained);
  });

  it('replays a persisted Will (no client) unless it targets $SYS', async () => {
    expect(await publish(null, 'elevators/e1/status')).toBe(true);
    expect(await publish(null, '$SYS/x')).toBe(false);
  });
});
