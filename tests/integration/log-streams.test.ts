/**
 * The device log's streams against a real nats-server: the 64 partitions spread over
 * LOG_STREAMS streams (`LW_IN_{p mod 8}`), and what happens to a log laid out otherwise. The
 * single `LW_IN` stream of earlier versions is deleted once the ingest has read all of it and
 * refused (LOG_LAYOUT_CHANGED) while it holds unread messages; a stream laid out for other
 * partitions or streams is refused too, since messages in it would never reach their consumer.
 */
import { AckPolicy, type JetStreamManager, jetstream, jetstreamManager } from '@nats-io/jetstream';
import { connect, type NatsConnection } from '@nats-io/transport-node';
import { afterAll, beforeAll, beforeEach, describe, expect, it } from 'vitest';
import { ensureLogStream } from '../../log/stream.ts';
import { deviceSubject, LEGACY_LOG_STREAM, logStreamOf, partitionOf } from '../../log/subjects.ts';
import { topics } from '../../protocol/index.ts';
import { startTestNats, type TestNats } from '../helpers/nats.ts';

const options = { replicas: 1, maxAgeMs: 3_600_000, maxBytes: 64 * 1024 * 1024 };
let nats: TestNats;
let nc: NatsConnection;
let jsm: JetStreamManager;

beforeAll(async () => {
  nats = await startTestNats();
  nc = await connect({ servers: nats.url });
  jsm = await jetstreamManager(nc);
});

afterAll(async () => {
  await nc?.close();
  await nats?.cleanup();
});

beforeEach(async () => {
  for (const name of await jsm.streams.names().next()) await jsm.streams.delete(name);
});

const streamNames = async () => (await jsm.streams.names().next()).sort();

/** The one stream of every partition, as versions before LOG_STREAMS made it, with `count` messages. */
async function legacyLog(count: number): Promise<void> {
  await jsm.streams.add({ name: LEGACY_LOG_STREAM, subjects: ['lw.in.>'] });
  const js = jetstream(nc);
  for (let n = 0; n < count; n++)
    await js.publish(deviceSubject(topics.telemetry('e-legacy'), 64)!, JSON.stringify({ n }));
}

describe('the device log spread over streams', () => {
  it('creates 8 streams of 8 partitions each; a device message lands in its partition’s stream', async () => {
    await ensureLogStream(jsm, options);
    expect(await streamNames()).toEqual(Array.from({ length: 8 }, (_, n) => `LW_IN_${n}`).sort());
    const ack = await jetstream(nc).publish(deviceSubject(topics.telemetry('e-0042'), 64)!, '{}');
    expect(ack.stream).toBe(logStreamOf(partitionOf('e-0042', 64), { partitions: 64, streams: 8 }));
    // Idempotent: every part calls it at start.
    await ensureLogStream(jsm, options);
    expect((await jsm.streams.info(ack.stream)).state.messages).toBe(1);
  });

  it('refuses the old single stream while it holds unread messages, and keeps it', async () => {
    await legacyLog(3);
    await expect(ensureLogStream(jsm, options)).rejects.toMatchObject({ code: 'LOG_LAYOUT_CHANGED' });
    expect(await streamNames()).toEqual([LEGACY_LOG_STREAM]);
  });

  it('deletes the old single stream once its partition consumer has acknowledged everything', async () => {
    await legacyLog(3);
    const partition = partitionOf('e-legacy', 64);
    await jsm.consumers.add(LEGACY_LOG_STREAM, {
      durable_name: `ingest-p${partition}`,
      filter_subject: `lw.in.${partition}.>`,
      ack_policy: AckPolicy.Explicit,
    });
    const consumer = await jetstream(nc).consumers.get(LEGACY_LOG_STREAM, `ingest-p${partition}`);
    for (let n = 0; n < 3; n++) {
      const msg = await consumer.next({ expires: 5000 });
      await msg!.ackAck();
    }
    await ensureLogStream(jsm, options);
    expect(await streamNames()).not.toContain(LEGACY_LOG_STREAM);
    expect(await streamNames()).toHaveLength(8);
  });

  it('refuses a log laid out for another number of streams', async () => {
    await ensureLogStream(jsm, options);
    await expect(
      ensureLogStream(jsm, { ...options, layout: { partitions: 64, streams: 4 } }),
    ).rejects.toMatchObject({ code: 'LOG_LAYOUT_CHANGED' });
  });
});
