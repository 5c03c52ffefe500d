/**
 * The transitions stream (log/transitions.ts) fed by the store's outbox (migration 0080),
 * against a real nats-server of its own and the run's store (SQLite, or PostgreSQL with
 * LIFTWATCH_TEST_DATABASE=postgres): a lifecycle commits each transition with its outbox row,
 * a relay appends the rows in order and an API node's reader gets each once. A writer whose
 * appends fail (nats-server killed) and which then dies leaves its transitions pending in the
 * store; a relay started later (the writer restarted, or any other process) appends them, and
 * the reader gets each exactly once. Two relays over one outbox store each row once
 * (JetStream's message-id dedup).
 */
import { jetstreamManager } from '@nats-io/jetstream';
import { connect } from '@nats-io/transport-node';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { type AlertLifecycle, createAlertLifecycle } from '../../alerts/lifecycle.ts';
import { silentLogger } from '../../lib/logger.ts';
import { TRANSITIONS_STREAM } from '../../log/subjects.ts';
import { TransitionReader, TransitionRelay } from '../../log/transitions.ts';
import { type Store, storeOver } from '../../store/store.ts';
import { registryWithFleet, smallFleet } from '../helpers/fixtures.ts';
import { until } from '../helpers/ingest-harness.ts';
import { startTestNats, type TestNats } from '../helpers/nats.ts';

const STREAM = { replicas: 1, maxAgeMs: 3_600_000, maxBytes: 64 * 1024 * 1024 };
let nats: TestNats;
let registry: Awaited<ReturnType<typeof registryWithFleet>>;
let store: Store;
let reader: TransitionReader;
const relays: TransitionRelay[] = [];
const received: { topic: string; id: string; transition: string }[] = [];
const decoder = new TextDecoder();

async function lastSeq(): Promise<number> {
  const nc = await connect({ servers: nats.url });
  try {
    return (await (await jetstreamManager(nc)).streams.info(TRANSITIONS_STREAM)).state.last_seq;
  } finally {
    await nc.close();
  }
}

async function startRelay(): Promise<TransitionRelay> {
  const relay = new TransitionRelay(
    { ...STREAM, url: nats.url, appendTimeoutMs: 500, pollMs: 200 },
    { log: silentLogger, outbox: store.transitionOutbox },
  );
  await relay.start();
  relays.push(relay);
  return relay;
}

function lifecycleTelling(outbox: { notify(): void }): AlertLifecycle {
  return createAlertLifecycle({ alerts: store.alerts, publish: () => {}, clock: Date.now, outbox });
}

function raise(elevatorId: string, at: number) {
  return { kind: 'raise', elevatorId, code: 'passenger_trapped', at, evidence: {} } as const;
}

beforeAll(async () => {
  registry = await registryWithFleet(smallFleet(4));
  store = storeOver(registry.db);
  nats = await startTestNats();
  reader = new TransitionReader(
    { ...STREAM, url: nats.url, nodeId: 'test', firstStartAt: new Date() },
    {
      log: silentLogger,
      onTransition: (topic, payload) => {
        const m = JSON.parse(decoder.decode(payload)) as { id: string; transition: string };
        received.push({ topic, id: m.id, transition: m.transition });
      },
    },
  );
  await reader.start();
}, 60_000);

afterAll(async () => {
  await reader?.stop();
  for (const relay of relays) await relay.stop();
  await nats?.cleanup();
  await registry?.cleanup();
});

describe('alert transitions through the outbox to the log', () => {
  it('relays what the lifecycle committed, in order, and stamps the rows sent', async () => {
    const relay = await startRelay();
    const lifecycle = lifecycleTelling(relay);
    await lifecycle.apply([raise('t-e1', Date.now())]);
    const [open] = await store.alerts.unresolved();
    await lifecycle.acknowledge(open!.id, 'duty', 'on it');
    await lifecycle.resolve(open!.id, 'duty', 'fault');
    await until(() => received.length === 3, 10_000, 'three transitions');
    expect(received).toEqual([
      { topic: 'alerts/t-e1', id: open!.id, transition: 'opened' },
      { topic: 'alerts/t-e1', id: open!.id, transition: 'acknowledged' },
      { topic: 'alerts/t-e1', id: open!.id, transition: 'resolved' },
    ]);
    await until(async () => (await store.transitionOutbox.counts()).pending === 0, 5_000, 'rows stamped');
    expect(await store.transitionOutbox.counts()).toEqual({ pending: 0, sent: 3 });
    await relay.stop();
  }, 30_000);

  it('a writer whose appends fail and which then dies loses nothing: the next relay appends it, once', async () => {
    received.length = 0;
    const before = await lastSeq();
    const dying = await startRelay();
    await nats.kill();
    // The writer commits (the store answers) while its relay cannot reach the log.
    const lifecycle = lifecycleTelling(dying);
    await lifecycle.apply([raise('t-e2', Date.now())]);
    const open = (await store.alerts.unresolved()).find((a) => a.elevator_id === 't-e2')!;
    await lifecycle.acknowledge(open.id, 'duty');
    await until(() => dying.stats().retries > 0, 10_000, 'an append failing');
    expect(await store.transitionOutbox.counts()).toEqual({ pending: 2, sent: 3 });
    // The writer dies with its transitions committed and not in the log.
    await dying.stop();
    expect(dying.stats().appended).toBe(0);
    await nats.restart();
    // The writer restarted (or any process with a relay): the pending rows go out.
    const restarted = await startRelay();
    await until(() => received.length === 2, 20_000, 'the transitions of the dead writer');
    expect(received.map((r) => [r.id, r.transition])).toEqual([
      [open.id, 'opened'],
      [open.id, 'acknowledged'],
    ]);
    await until(async () => (await store.transitionOutbox.counts()).pending === 0, 5_000, 'rows stamped');
    expect(await lastSeq()).toBe(before + 2);
    await restarted.stop();
  }, 60_000);

  it('two relays over one outbox store each transition once, in commit order', async () => {
    received.length = 0;
    const before = await lastSeq();
    // Committed before either relay runs, so both read the same pending rows.
    const lifecycle = lifecycleTelling({ notify() {} });
    for (let i = 0; i < 10; i++) await lifecycle.apply([raise('t-e3', Date.now() + i)]);
    const open = (await store.alerts.unresolved()).find((a) => a.elevator_id === 't-e3')!;
    await lifecycle.resolve(open.id, 'duty', 'false_alarm');
    const [a, b] = await Promise.all([startRelay(), startRelay()]);
    await until(() => received.length >= 11, 20_000, 'eleven transitions');
    await until(async () => (await store.transitionOutbox.counts()).pending === 0, 5_000, 'rows stamped');
    expect(await lastSeq()).toBe(before + 11);
    expect(received.map((r) => r.transition)).toEqual(['opened', ...Array(9).fill('repeated'), 'resolved']);
    const stats = [a!.stats(), b!.stats()];
    expect(stats[0]!.appended + stats[1]!.appended).toBe(11);
  }, 60_000);
});
