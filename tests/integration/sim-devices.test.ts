import { once } from 'node:events';
import net, { type AddressInfo, type Socket } from 'node:net';
import { join } from 'node:path';
import { Aedes } from 'aedes';
import mqtt from 'mqtt';
import { afterEach, describe, expect, it } from 'vitest';
import { topics } from '../../protocol/index.ts';
import { generateFleet } from '../../simulators/demo-fleet.ts';
import { SimDevice } from '../../simulators/device.ts';
import { ElevatorModel } from '../../simulators/elevator-model.ts';
import { runScenario } from '../../simulators/fleet.ts';
import { loadScenario } from '../../simulators/scenario.ts';
import { SCENARIO_DIR } from '../../simulators/scenarios/generate.ts';
import { smallFleet } from '../helpers/fixtures.ts';

/** A plain Aedes whose listener can be stopped and restarted on the same port, keeping its in-memory sessions. */
async function restartableBroker() {
  const aedes = await Aedes.createBroker();
  const sockets = new Set<Socket>();
  let server = net.createServer(aedes.handle);
  const track = (s: net.Server) =>
    s.on('connection', (socket) => {
      sockets.add(socket);
      socket.on('close', () => sockets.delete(socket));
    });
  track(server);
  server.listen(0);
  await once(server, 'listening');
  const port = (server.address() as AddressInfo).port;
  return {
    aedes,
    url: `mqtt://127.0.0.1:${port}`,
    async down() {
      const closed = new Promise((r) => server.close(r));
      for (const s of sockets) s.destroy();
      await closed;
    },
    async up() {
      server = net.createServer(aedes.handle);
      track(server);
      server.listen(port);
      await once(server, 'listening');
    },
    async close() {
      await this.down();
      await new Promise<void>((r) => aedes.close(() => r()));
    },
  };
}

type Broker = Awaited<ReturnType<typeof restartableBroker>>;
let broker: Broker | null = null;
afterEach(async () => {
  await broker?.close();
  broker = null;
});

describe('simulated devices on a real broker', () => {
  it('publish a scenario at max speed with every seq once, and online status retained', async () => {
    broker = await restartableBroker();
    const fleet = generateFleet();
    const scenario = loadScenario(join(SCENARIO_DIR, 'short-faults-morning-peak.json'));
    const seen = new Map<string, number[]>();
    const sub = await mqtt.connectAsync(broker.url, { clientId: 'sub', protocolVersion: 4 });
    await sub.subscribeAsync('elevators/+/+', { qos: 1 });
    sub.on('message', (topic, payload) => {
      const [, id, channel] = topic.split('/');
      if (channel === 'status') return;
      const list = seen.get(id!) ?? [];
      list.push(JSON.parse(payload.toString()).seq);
      seen.set(id!, list);
    });
    const stats = await runScenario({ scenario, fleet, mqttUrl: broker.url });
    expect(stats.acked).toBe(stats.sent);
    const total = () => [...seen.values()].reduce((n, l) => n + l.length, 0);
    while (total() < stats.sent) await once(sub as unknown as NodeJS.EventEmitter, 'message');
    for (const id of scenario.elevators) {
      const seqs = seen.get(id)!;
      expect(seqs).toEqual(seqs.map((_, i) => i + 1));
    }
    await sub.endAsync();
  });

  it('resend unacknowledged QoS 1 messages in seq order after a broker restart: 0 gaps', async () => {
    broker = await restartableBroker();
    const fleet = smallFleet(1);
    const e = fleet.elevators[0]!;
    const received: number[] = [];
    const sub = await mqtt.connectAsync(broker.url, {
      clientId: 'ingest-like',
      clean: false,
      protocolVersion: 4,
      reconnectPeriod: 100,
    });
    await sub.subscribeAsync('elevators/+/+', { qos: 1 });
    sub.on('message', (t, p) => t.endsWith('/status') || received.push(JSON.parse(p.toString()).seq));
    // What the broker accepted, in arrival order: the device outbox's order, before any subscriber queueing.
    const atBroker: number[] = [];
    broker.aedes.on('publish', (packet) => {
      if (packet.topic.startsWith(`elevators/${e.id}/`) && !packet.topic.endsWith('/status'))
        atBroker.push(JSON.parse(packet.payload.toString()).seq);
    });
    const fleetInFlight = { count: 0 };
    const device = new SimDevice({
      elevatorId: e.id,
      username: e.device.username,
      password: e.device.password!,
      url: broker.url,
      reconnectPeriodMs: 100,
      fleetInFlight,
    });
    await device.connect();
    const model = new ElevatorModel({
      spec: { id: e.id, floors: 10, floorHeightM: 3, ratedSpeedMps: 1.75, ratedLoadKg: 1000 },
      seed: 1,
      startMs: Date.parse('2025-03-03T08:00:00+08:00'),
    });
    let published = 0;
    const publishSome = (n: number) => {
      const until = published + n;
      while (published < until)
        for (const o of model.step(1000)) {
          if (o.channel === 'link') continue;
          device.publish(o);
          published++;
        }
    };
    publishSome(200);
    await broker.down(); // some of those 200 are still unacknowledged
    publishSome(200); // published while the broker is gone: into the outbox
    expect(device.inFlight).toBeGreaterThan(0);
    // The fleet's shared counter, which a load generator bounds, agrees with the device.
    expect(fleetInFlight.count).toBe(device.inFlight);
    await broker.up();
    await device.drained();
    expect(fleetInFlight.count).toBe(0);
    while (new Set(received).size < published) await once(sub as unknown as NodeJS.EventEmitter, 'message');
    const unique = [...new Set(received)];
    expect(unique.sort((a, b) => a - b)).toEqual(unique.map((_, i) => i + 1).slice(0, unique.length));
    // Order of first arrival at the broker is seq order: the outbox resent in order.
    const firsts = atBroker.filter((s, i) => atBroker.indexOf(s) === i);
    expect(firsts).toEqual([...firsts].sort((a, b) => a - b));
    expect(device.counters.acked).toBe(published);
    await device.close();
    await sub.endAsync();
  });

  it('sends the retained offline Will when the link drops and online again on restore', async () => {
    broker = await restartableBroker();
    const e = smallFleet(1).elevators[0]!;
    const device = new SimDevice({
      elevatorId: e.id,
      username: e.device.username,
      password: e.device.password!,
      url: broker.url,
      reconnectPeriodMs: 100,
    });
    const states: string[] = [];
    const sub = await mqtt.connectAsync(broker.url, { clientId: 'watch', protocolVersion: 4 });
    await sub.subscribeAsync(topics.status(e.id), { qos: 1 });
    const next = () => new Promise<void>((r) => sub.once('message', () => r()));
    sub.on('message', (_t, p) => states.push(JSON.parse(p.toString()).state));
    let wait = next();
    await device.connect();
    await wait;
    wait = next();
    device.dropLink();
    await wait;
    wait = next();
    device.restoreLink();
    await wait;
    expect(states).toEqual(['online', 'offline', 'online']);
    await device.close();
    await sub.endAsync();
  });
});
