import { once } from 'node:events';
import { createServer, type Server as NetServer } from 'node:net';
import { Value } from '@sinclair/typebox/value';
import { Aedes } from 'aedes';
import mqtt from 'mqtt';
import { io as connect, type Socket } from 'socket.io-client';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { MqttStateSource } from '../../api/mqtt-state-source.ts';
import { silentLogger } from '../../lib/logger.ts';
import { Alert, topics, type VisitMessage } from '../../protocol/index.ts';
import { alertFixture, alertMessageFixture, visitMessageFixture } from '../helpers/alerts.ts';
import {
  ANJU_ELEVATOR,
  HEXIN_ELEVATOR,
  listenOnFreePort,
  NOW,
  SAME_ORIGIN,
  startTestApi,
  type TestApi,
} from '../helpers/api-harness.ts';
import { telemetrySample } from '../helpers/fixtures.ts';

function nextEvent<T>(
  socket: Socket,
  event: string,
  match: (payload: T) => boolean = () => true,
): Promise<T> {
  return new Promise((resolve) => {
    const handler = (payload: T) => {
      if (!match(payload)) return;
      socket.off(event, handler);
      resolve(payload);
    };
    socket.on(event, handler);
  });
}

describe('socket.io pushes', () => {
  let t: TestApi;
  let url: string;
  const sockets: Socket[] = [];
  beforeAll(async () => {
    t = await startTestApi();
    url = await listenOnFreePort(t);
  });
  afterAll(async () => {
    for (const s of sockets) s.disconnect();
    await t.close();
  });

  async function open(options: { cookie?: string; token?: string; origin?: string }): Promise<Socket> {
    const socket = connect(url, {
      transports: ['websocket'],
      extraHeaders: {
        ...(options.cookie ? { cookie: options.cookie } : {}),
        ...(options.origin ? { origin: options.origin } : {}),
      },
      auth: options.token ? { token: options.token } : {},
      reconnection: false,
    });
    sockets.push(socket);
    await new Promise<void>((resolve, reject) => {
      socket.once('connect', () => resolve());
      socket.once('connect_error', (error) => reject(error));
    });
    return socket;
  }

  it('refuses an anonymous connection', async () => {
    await expect(open({})).rejects.toThrow('UNAUTHENTICATED');
  });

  it('refuses the session cookie from a page on another origin of the same site', async () => {
    const cookie = await t.login('duty-anju');
    await expect(open({ cookie, origin: 'http://127.0.0.1:3000' })).rejects.toThrow('CROSS_SITE_REFUSED');
    await expect(open({ cookie, origin: 'http://evil.example' })).rejects.toThrow('CROSS_SITE_REFUSED');
    // Our own page: the origin the browser addressed, or PUBLIC_BASE_URL's.
    (await open({ cookie, origin: url })).disconnect();
    (await open({ cookie, origin: SAME_ORIGIN })).disconnect();
  });

  it('gives each firm only its own estates', async () => {
    const anju = await open({ cookie: await t.login('duty-anju') });
    const hexinCookie = await t.login('duty-hexin');
    const created = await t.app.inject({
      method: 'POST',
      url: '/api/v1/auth/tokens',
      headers: { cookie: hexinCookie, origin: SAME_ORIGIN },
      payload: { name: 'console' },
    });
    const hexin = await open({ token: created.json().token });
    const anjuSeen: string[] = [];
    const hexinSeen: string[] = [];
    anju.on('alert', (a: { id: string }) => anjuSeen.push(a.id));
    hexin.on('alert', (a: { id: string }) => hexinSeen.push(a.id));
    const gotHexin = nextEvent<{ id: string }>(hexin, 'alert', (a) => a.id === 'push-hexin');
    const gotAnju = nextEvent<{ id: string }>(anju, 'alert', (a) => a.id === 'push-anju-2');
    const alert = (id: string, elevatorId: string) =>
      t.store.applyAlert(
        alertFixture({ id, elevator_id: elevatorId, code: 'overspeed', opened_at: NOW, last_seen_at: NOW }),
        'opened',
      );
    alert('push-anju-1', ANJU_ELEVATOR);
    alert('push-hexin', HEXIN_ELEVATOR);
    alert('push-anju-2', ANJU_ELEVATOR);
    await Promise.all([gotHexin, gotAnju]);
    // Each socket receives in order, so by now anything misrouted would have arrived.
    expect(anjuSeen).toEqual(['push-anju-1', 'push-anju-2']);
    expect(hexinSeen).toEqual(['push-hexin']);
  });

  it('pushes state changes and alerts that arrive over MQTT', async () => {
    const broker = await Aedes.createBroker();
    const server: NetServer = createServer(broker.handle);
    server.listen(0, '127.0.0.1');
    await once(server, 'listening');
    const port = (server.address() as { port: number }).port;
    const source = new MqttStateSource({
      url: `mqtt://127.0.0.1:${port}`,
      username: 'svc-api',
      password: 'x',
      clientId: 'api-test',
      log: silentLogger,
      offlineAfterMs: 120_000,
    });
    const device = await mqtt.connectAsync(`mqtt://127.0.0.1:${port}`);
    const admin = await open({ cookie: await t.login('admin') });
    // Relay the MQTT-fed source into the app's store, as one process would share one source.
    source.on('change', (c) => {
      if (c.kind === 'alert') t.store.applyAlert(c.alert, c.transition);
      else if (c.kind === 'visit') t.store.applyVisit(c.visit);
    });
    try {
      await source.start();
      const changed = new Promise((resolve) => source.on('change', (c) => c.kind === 'state' && resolve(c)));
      await device.publishAsync(
        topics.telemetry(HEXIN_ELEVATOR),
        JSON.stringify(telemetrySample({ ts: Date.now() })),
      );
      expect(await changed).toMatchObject({ condition: 'normal', elevatorId: HEXIN_ELEVATOR });
      expect(source.get(HEXIN_ELEVATOR)?.telemetry?.floor).toBe(1);
      const pushed = nextEvent<Alert>(admin, 'alert', (a) => a.id === 'mqtt-alert');
      // Out of contract first: not JSON, the old 8-field stub, another elevator's alert on
      // this topic. Each is counted by its code and ignored; the feed goes on.
      const valid = alertMessageFixture({
        id: 'mqtt-alert',
        elevator_id: HEXIN_ELEVATOR,
        estate_id: 'xiangmi',
        opened_at: NOW,
        last_seen_at: NOW,
        evidence_json: '{"stopped_s":41}',
      });
      const stub = { id: 'stub', code: 'passenger_trapped', state: 'open', opened_at: NOW };
      const foreign = { ...valid, id: 'foreign', elevator_id: ANJU_ELEVATOR };
      for (const body of ['{not json', JSON.stringify(stub), JSON.stringify(foreign), JSON.stringify(valid)])
        await device.publishAsync(topics.alert(HEXIN_ELEVATOR), body, { qos: 1 });
      const alert = await pushed;
      // The whole alert, as the HTTP resource has it: nothing to fetch.
      expect(Value.Check(Alert, alert)).toBe(true);
      expect(alert).toMatchObject({
        id: 'mqtt-alert',
        estate_id: 'xiangmi',
        label_zh: '困人',
        count: 1,
        evidence: { stopped_s: 41 },
      });
      expect(alert).not.toHaveProperty('transition');
      expect(source.serviceMessagesRefused).toMatchObject({
        SERVICE_MESSAGE_UNREADABLE: 1,
        SERVICE_MESSAGE_INVALID: 1,
        SERVICE_MESSAGE_WRONG_ELEVATOR: 1,
      });
      expect(source.get(ANJU_ELEVATOR)?.openAlerts.size ?? 0).toBe(0);
      expect(source.conditionOf(HEXIN_ELEVATOR, Date.now())).toBe('fault');

      // A visit verdict reaches the technician's company room and the estate's, whole.
      const verdict = nextEvent<VisitMessage>(admin, 'visit', (v) => v.id === 'mqtt-visit');
      const visit = visitMessageFixture({
        id: 'mqtt-visit',
        elevator_id: HEXIN_ELEVATOR,
        estate_id: 'xiangmi',
        status: 'closed',
        check_out_at: NOW + 3_000_000,
        verdict: 'suspect',
        evidence_score: 55,
        reasons: [{ criterion: 'duration', points: 5, max: 15, reason: '18 min' }],
      });
      await device.publishAsync(topics.visit(HEXIN_ELEVATOR), JSON.stringify(visit), { qos: 1 });
      expect(await verdict).toEqual(visit);
    } finally {
      await device.endAsync();
      await source.stop();
      await new Promise<void>((resolve) => broker.close(() => resolve()));
      server.close();
    }
  });
});
