/**
 * The transitions stream (log/transitions.ts) against a real nats-server of its own: what a
 * writer appends reaches a reader in order; while the server is down a writer's `announce`
 * gives its caller back after its wait and keeps the transition, stored once (same message id)
 * and in order when the server returns, and the reader's durable consumer picks up from there,
 * handing each on once (an ack lost in the kill brings a message again: it is skipped).
 */
import { jetstreamManager } from '@nats-io/jetstream';
import { connect } from '@nats-io/transport-node';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { silentLogger } from '../../lib/logger.ts';
import { TRANSITIONS_STREAM } from '../../log/subjects.ts';
import { TransitionLog, TransitionReader } from '../../log/transitions.ts';
import { topics } from '../../protocol/index.ts';
import { until } from '../helpers/ingest-harness.ts';
import { startTestNats, type TestNats } from '../helpers/nats.ts';

const STREAM = { replicas: 1, maxAgeMs: 3_600_000, maxBytes: 64 * 1024 * 1024 };
let nats: TestNats;
let writer: TransitionLog;
let reader: TransitionReader;
const received: { topic: string; n: number }[] = [];

async function lastSeq(): Promise<number> {
  const nc = await connect({ servers: nats.url });
  try {
    return (await (await jetstreamManager(nc)).streams.info(TRANSITIONS_STREAM)).state.last_seq;
  } finally {
    await nc.close();
  }
}

beforeAll(async () => {
  nats = await startTestNats();
  writer = new TransitionLog({ ...STREAM, url: nats.url, appendTimeoutMs: 500 }, { log: silentLogger });
  await writer.start();
  reader = new TransitionReader(
    { ...STREAM, url: nats.url, nodeId: 'test', firstStartAt: new Date() },
    {
      log: silentLogger,
      onTransition: (topic, payload) =>
        received.push({ topic, n: (JSON.parse(new TextDecoder().decode(payload)) as { n: number }).n }),
    },
  );
  await reader.start();
}, 30_000);

afterAll(async () => {
  await reader?.stop();
  await writer?.stop();
  await nats?.cleanup();
});

describe('alert and visit transitions on the log', () => {
  it('delivers what was appended, in order, with the topic it was published on', async () => {
    await writer.append(topics.alert('e-1'), JSON.stringify({ n: 1 }));
    await writer.append(topics.visit('e-2'), JSON.stringify({ n: 2 }));
    await expect(writer.append('elevators/e-1/telemetry', '{}')).rejects.toThrow('not a service topic');
    await until(() => received.length === 2, 10_000, 'two transitions');
    expect(received).toEqual([
      { topic: 'alerts/e-1', n: 1 },
      { topic: 'visits/e-2', n: 2 },
    ]);
  });

  it('keeps transitions made while NATS is down and stores them once, in order, when it returns', async () => {
    await nats.kill();
    // The caller gets its answer back after its wait; the transition is not stored yet.
    await writer.announce(topics.alert('e-1'), JSON.stringify({ n: 3 }), 200);
    const fourth = writer.append(topics.alert('e-1'), JSON.stringify({ n: 4 }));
    expect(writer.stats().appended).toBe(2);
    await nats.restart();
    await fourth;
    await until(() => received.length >= 4, 30_000, 'the transitions made while NATS was down');
    expect(received.map((r) => r.n)).toEqual([1, 2, 3, 4]);
    expect(await lastSeq()).toBe(4);
    expect(writer.stats().retries).toBeGreaterThan(0);
  }, 60_000);
});
