/**
 * `npm run bench:relay`: the yardstick the spine's speed targets were derived from, measured
 * on this machine: N publishers → a stock Aedes → one subscriber batching line protocol into
 * influxd, QoS 1 all the way, each in its own process. No authentication, validation, state,
 * rules or persistent session: what is left is the cost of MQTT over N connections.
 *
 * The issue measured it with 10 publishers; the product's benchmark has 10,000 devices, one
 * connection each. Running this at both counts shows what the connection count alone costs.
 *
 * RELAY_BROKER=mosquitto puts Debian's Mosquitto (C, one thread) where Aedes was, with
 * unbounded in-flight and queued messages so that nothing is dropped: what an MQTT broker
 * not written in JavaScript costs over the same connections.
 *
 * Settings (env): RELAY_BROKER (aedes | mosquitto), RELAY_PUBLISHERS (10), RELAY_RATE msgs/s
 * asked (60000), RELAY_MAX_IN_FLIGHT (2000, as the spine's benchmark), RELAY_TICK_MS (20: how
 * often the publishers top up), RELAY_SECONDS (30). One JSON line on stdout.
 * `tsx bench/bare-relay.ts broker|subscriber|publishers ...` are its parts.
 */

import { existsSync, mkdirSync, mkdtempSync, rmSync, writeFileSync } from 'node:fs';
import { createServer } from 'node:net';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { Aedes } from 'aedes';
import mqtt from 'mqtt';
import { freePort, startInfluxd } from '../lib/influxd.ts';
import {
  lastJsonLine,
  machineCpuSeconds,
  type Part,
  portAccepts,
  startPart,
  startProgram,
  treeCpuSeconds,
  waitUntil,
} from './processes.ts';

const say = (text: string) => process.stderr.write(`bench:relay: ${text}\n`);
const report = (fields: Record<string, number>) => console.log(JSON.stringify(fields));

/** Stock Aedes: default in-memory persistence and message bus, anonymous clients. */
async function runBroker(port: number): Promise<void> {
  const aedes = await Aedes.createBroker();
  createServer(aedes.handle).listen(port, '127.0.0.1');
}

const MOSQUITTO = '/usr/sbin/mosquitto';

/** Mosquitto on `port`, anonymous, nothing dropped, nothing persisted. */
function startMosquitto(port: number, dir: string, logDir: string): Part {
  if (!existsSync(MOSQUITTO))
    throw new Error(
      `RELAY_BROKER=mosquitto needs Debian's broker at ${MOSQUITTO}: apt-get install mosquitto`,
    );
  const config = join(dir, 'mosquitto.conf');
  writeFileSync(
    config,
    [
      `listener ${port} 127.0.0.1`,
      'allow_anonymous true',
      'persistence false',
      'max_connections -1',
      // Defaults are 20 in flight and 1,000 queued per client, past which QoS 1 messages
      // to the subscriber are dropped; the relay must lose nothing.
      'max_inflight_messages 0',
      'max_queued_messages 0',
      'log_dest stderr',
      'log_type error',
      'log_type warning',
      '',
    ].join('\n'),
  );
  return startProgram('broker', [MOSQUITTO, '-c', config], {}, logDir);
}

/** One QoS 1 subscriber writing batches of line protocol, two writes in flight. */
async function runSubscriber(port: number, influxUrl: string): Promise<void> {
  await fetch(`${influxUrl}/query?q=${encodeURIComponent('CREATE DATABASE relay')}`, { method: 'POST' });
  const writeUrl = `${influxUrl}/write?db=relay&precision=ms`;
  let batch: string[] = [];
  const queued: string[][] = [];
  let inFlight = 0;
  let written = 0;
  const pump = () => {
    while (inFlight < 2 && queued.length > 0) {
      const lines = queued.shift()!;
      inFlight++;
      fetch(writeUrl, { method: 'POST', body: lines.join('\n') })
        .then((response) => {
          if (response.status !== 204) throw new Error(`write failed: ${response.status}`);
          written += lines.length;
        })
        .catch((error: unknown) => say(String(error)))
        .finally(() => {
          inFlight--;
          pump();
        });
    }
  };
  const seal = () => {
    if (batch.length === 0) return;
    queued.push(batch);
    batch = [];
    pump();
  };
  setInterval(seal, 250);
  const client = mqtt.connect(`mqtt://127.0.0.1:${port}`, { clientId: 'relay-subscriber', clean: true });
  client.on('message', (topic, payload) => {
    const message = JSON.parse(payload.toString('utf8')) as { seq: number; ts: number; floor: number };
    const elevator = topic.slice(10, topic.indexOf('/', 10));
    batch.push(`telemetry,elevator=${elevator} floor=${message.floor}i,seq=${message.seq}i ${message.ts}`);
    if (batch.length >= 5000) seal();
  });
  client.on('connect', () => client.subscribe('elevators/+/telemetry', { qos: 1 }));
  setInterval(() => report({ written }), 1000);
}

/** N publishers, one connection each, topping up to the asked rate with a bound on in-flight messages. */
async function runPublishers(
  port: number,
  count: number,
  rate: number,
  maxInFlight: number,
  tickMs: number,
): Promise<void> {
  const clients: mqtt.MqttClient[] = [];
  let inFlight = 0;
  let acked = 0;
  const onAck = () => {
    inFlight--;
    acked++;
  };
  for (let i = 0; i < count; i += 100) {
    const group = Array.from({ length: Math.min(100, count - i) }, (_, j) => {
      const client = mqtt.connect(`mqtt://127.0.0.1:${port}`, {
        clientId: `relay-${i + j}`,
        reschedulePings: false,
      });
      clients.push(client);
      return new Promise((resolve) => client.once('connect', resolve));
    });
    await Promise.all(group);
  }
  report({ connected: clients.length, acked });
  const topics = clients.map((_, i) => `elevators/relay-e${i}/telemetry`);
  const seqs = new Array<number>(clients.length).fill(0);
  let cursor = 0;
  let last = performance.now();
  setInterval(() => {
    const now = performance.now();
    let budget = Math.min((rate * (now - last)) / 1000, (2 * rate * tickMs) / 1000);
    last = now;
    for (; budget >= 1 && inFlight < maxInFlight; budget--) {
      const i = cursor;
      cursor = (cursor + 1) % clients.length;
      const seq = ++seqs[i]!;
      const payload = JSON.stringify({
        v: 1,
        ts: Date.now(),
        seq,
        mode: 'normal',
        moving: true,
        direction: 'up',
        floor: (seq % 30) + 1,
        position_m: (seq % 90) + 0.5,
        speed_mps: 1.5,
        door_zone: false,
        door_closed: true,
        occupied: true,
        safety_circuit: true,
        door_lock: true,
        up_limit: false,
        down_limit: false,
        power: 'mains',
        run_count: seq,
      });
      inFlight++;
      clients[i]!.publish(topics[i]!, payload, { qos: 1 }, onAck);
    }
  }, tickMs);
  setInterval(() => report({ connected: clients.length, acked }), 1000);
}

const lastReport = (part: Part): Record<string, number> => lastJsonLine<Record<string, number>>(part) ?? {};

async function main(): Promise<void> {
  const brokerKind = process.env.RELAY_BROKER ?? 'aedes';
  if (brokerKind !== 'aedes' && brokerKind !== 'mosquitto')
    throw new Error(`RELAY_BROKER must be aedes or mosquitto, not ${brokerKind}`);
  const publishers = Number(process.env.RELAY_PUBLISHERS ?? 10);
  const rate = Number(process.env.RELAY_RATE ?? 60_000);
  const maxInFlight = Number(process.env.RELAY_MAX_IN_FLIGHT ?? 2000);
  const seconds = Number(process.env.RELAY_SECONDS ?? 30);
  const tickMs = Number(process.env.RELAY_TICK_MS ?? 20);
  const dir = mkdtempSync(join(tmpdir(), 'liftwatch-relay-'));
  const logDir = join(dir, 'logs');
  mkdirSync(logDir);
  const influx = await startInfluxd({ dir: join(dir, 'influxdb') });
  const parts: Part[] = [];
  try {
    const port = await freePort();
    const script = 'bench/bare-relay.ts';
    const broker =
      brokerKind === 'mosquitto'
        ? startMosquitto(port, dir, logDir)
        : startPart('broker', script, ['broker', String(port)], {}, logDir);
    parts.push(broker);
    await waitUntil('the broker', () => portAccepts(port), 30_000);
    const subscriber = startPart('subscriber', script, ['subscriber', String(port), influx.url], {}, logDir);
    parts.push(subscriber);
    await waitUntil('the subscriber', () => lastReport(subscriber).written !== undefined, 30_000);
    const args = [
      'publishers',
      String(port),
      String(publishers),
      String(rate),
      String(maxInFlight),
      String(tickMs),
    ];
    const publisher = startPart('publishers', script, args, {}, logDir);
    parts.push(publisher);
    await waitUntil('the publishers', () => lastReport(publisher).connected === publishers, 300_000);
    say(`${publishers} publishers connected; measuring for ${seconds} s`);
    const cpu = () => ({
      publishers: treeCpuSeconds(publisher.child.pid!),
      broker: treeCpuSeconds(broker.child.pid!),
      subscriber: treeCpuSeconds(subscriber.child.pid!),
      influxd: treeCpuSeconds(influx.process.pid!),
    });
    // Skip the first seconds: the subscriber's first batch and the publishers' ramp.
    await new Promise((r) => setTimeout(r, 3000));
    const cpuStart = cpu();
    const machineStart = machineCpuSeconds();
    const writtenStart = lastReport(subscriber).written ?? 0;
    const started = Date.now();
    await new Promise((r) => setTimeout(r, seconds * 1000));
    const elapsed = (Date.now() - started) / 1000;
    const written = (lastReport(subscriber).written ?? 0) - writtenStart;
    const cpuEnd = cpu();
    const machineEnd = machineCpuSeconds();
    const cpuUsPerMsg: Record<string, number> = {};
    for (const [part, used] of Object.entries(cpuEnd))
      cpuUsPerMsg[part] = Math.round(((used - cpuStart[part as keyof typeof cpuStart]) * 1e6) / written);
    console.log(
      JSON.stringify({
        broker: brokerKind,
        publishers,
        asked_rate: rate,
        max_in_flight: maxInFlight,
        tick_ms: tickMs,
        msgs_per_s: Math.round(written / elapsed),
        cpu_us_per_msg: cpuUsPerMsg,
        machine_cores_busy: Number(((machineEnd.busy - machineStart.busy) / elapsed).toFixed(2)),
      }),
    );
  } finally {
    for (const part of parts.reverse()) await part.stop();
    await influx.stop();
    rmSync(dir, { recursive: true, force: true });
  }
}

const [mode, ...args] = process.argv.slice(2);
const port = Number(args[0]);
if (mode === 'broker') await runBroker(port);
else if (mode === 'subscriber') await runSubscriber(port, args[1]!);
else if (mode === 'publishers')
  await runPublishers(port, ...(args.slice(1, 5).map(Number) as [number, number, number, number]));
else
  await main().catch((error: unknown) => {
    console.error(error);
    process.exit(1);
  });
