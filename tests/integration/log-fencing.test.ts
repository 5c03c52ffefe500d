/**
 * The store's fence on a paused worker (migration 0090, store/repositories/partition-epochs.ts):
 * two workers' leases on a real nats-server (log/lease.ts, one partition, LOG_LEASE_S 1.5), their
 * detection stages (ingest/detection.ts, wired as ingest/service.ts wires them) over one real
 * store (SQLite, or PostgreSQL in that pass), each claiming the partition at its epoch when it
 * takes it, as ingest/ingest.ts does.
 *
 * A worker's own checks (the lease's local clock, the KV read before each commit) are answered
 * *before* its write. A process paused (SIGSTOP) right after that answer, past its lease, then
 * resumed, would write as if nothing happened: the case here holds worker A exactly there
 * (its commit gate has answered "ours" and waits), stops A's lease rounds as a pause stops
 * every timer, lets B take the partition over, then resumes A. Only the store can refuse A's
 * write now: the alert must not exist, no outbox row announce it, and A must give the
 * partition up (LEASE_LOST logged, lease lost as 'fenced'). Without the fence the alert would
 * be written (this test then fails on the row count).
 *
 * Waits poll with deadlines, never sleep.
 */
import { connect, type NatsConnection } from '@nats-io/transport-node';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import type { FleetDirectory } from '../../fleet/directory.ts';
import { createDetection, type Detection } from '../../ingest/detection.ts';
import { type LossReason, PartitionLeases } from '../../log/lease.ts';
import type { DeviceMessage } from '../../protocol/index.ts';
import type { RegistryDb } from '../../store/db.ts';
import type { Store } from '../../store/store.ts';
import { capturingLogger, smallFleet, storeWithDirectory } from '../helpers/fixtures.ts';
import { until } from '../helpers/ingest-harness.ts';
import { startTestNats, type TestNats } from '../helpers/nats.ts';

const TTL_MS = 1500;
const PARTITION = 0;

let nats: TestNats;
let registry: { db: RegistryDb; cleanup(): Promise<void> };
let store: Store;
let directory: FleetDirectory;
const connections: NatsConnection[] = [];
const workers: Worker[] = [];

interface Worker {
  name: string;
  leases: PartitionLeases;
  detection: Detection;
  losses: LossReason[];
  lines: Record<string, unknown>[];
  /** Set to hold the next commit right after its gate answered (a pause at the worst moment). */
  hold: { answered: boolean; resume: () => void; resumed: Promise<void> } | null;
}

async function startWorker(name: string): Promise<Worker> {
  const { log, lines } = capturingLogger('warn');
  const nc = await connect({ servers: nats.url, name });
  connections.push(nc);
  const worker = { name, losses: [], lines, hold: null } as unknown as Worker;
  worker.leases = new PartitionLeases(
    { ttlMs: TTL_MS, partitions: 1, workerId: name },
    {
      log,
      onGained: (partition, epoch) => store.partitionEpochs.claim(partition, epoch, name, Date.now()),
      onLost: (_partition, _epoch, why) => {
        worker.losses.push(why);
      },
    },
  );
  worker.detection = await createDetection(
    { tickMs: 0, escalationCheckMs: 0 },
    {
      store,
      log,
      directory,
      publish: async () => {},
      outbox: { notify() {} },
      leaseOf: () => {
        const epoch = worker.leases.epoch(PARTITION);
        return epoch === undefined ? null : { partition: PARTITION, epoch };
      },
      onFenced: () => void worker.leases.surrender(PARTITION),
    },
  );
  worker.detection.setCommitGate(async () => {
    const ours = await worker.leases.holds(PARTITION);
    const hold = worker.hold;
    if (hold) {
      hold.answered = true;
      await hold.resumed;
    }
    return ours;
  });
  await worker.leases.start(nc);
  workers.push(worker);
  return worker;
}

const fault = (elevatorId: string, code: string, seq: number): DeviceMessage => ({
  channel: 'event',
  elevatorId,
  payload: { v: 1, ts: Date.now() - 60_000 + seq, seq, code },
  receivedAt: Date.now(),
});

async function alertsOf(code: string) {
  return registry.db
    .selectFrom('alerts')
    .select(['elevator_id', 'lease_epoch'])
    .where('code', '=', code)
    .execute();
}

async function outboxTopics(): Promise<string[]> {
  const rows = await registry.db.selectFrom('transition_outbox').select('payload').execute();
  return rows.map((r) => (JSON.parse(r.payload) as { code: string }).code);
}

beforeAll(async () => {
  nats = await startTestNats();
  ({ registry, store, directory } = await storeWithDirectory(smallFleet(2)));
}, 60_000);

afterAll(async () => {
  for (const worker of workers) {
    worker.hold?.resume();
    await worker.leases.stop().catch(() => undefined);
    await worker.detection.stop();
  }
  await directory?.stop();
  for (const nc of connections) await nc.close();
  await nats?.cleanup();
  await registry?.cleanup();
});

describe('the store fences a worker that lost its lease', () => {
  it('a worker paused between its own lease check and its write, past its lease, then resumed, commits nothing', async () => {
    const a = await startWorker('worker-a');
    await until(() => a.leases.epoch(PARTITION) !== undefined, 10_000, 'worker A to take the partition');
    const epochA = a.leases.epoch(PARTITION)!;
    expect(await store.partitionEpochs.current(PARTITION)).toBe(epochA);

    // While it owns the partition, A's transitions pass the fence.
    a.detection.onMessage(fault('t-e1', 'door_close_fault', 1));
    await a.detection.settled();
    expect(await alertsOf('door_close_fault')).toEqual([{ elevator_id: 't-e1', lease_epoch: epochA }]);

    // A's next commit: its gate asks the KV ("ours") and then A is paused before the write.
    let resume = () => {};
    const resumed = new Promise<void>((resolve) => {
      resume = resolve;
    });
    a.hold = { answered: false, resume, resumed };
    a.detection.onMessage(fault('t-e2', 'door_open_fault', 2));
    await until(() => a.hold?.answered === true, 10_000, "worker A's gate to answer");
    // The pause stops every timer of A: no renewal; the lease expires on the server's clock.
    a.leases.abandon();

    const b = await startWorker('worker-b');
    await until(() => b.leases.epoch(PARTITION) !== undefined, 20_000, 'worker B to take the partition over');
    const epochB = b.leases.epoch(PARTITION)!;
    expect(epochB).toBeGreaterThan(epochA);
    await until(
      async () => (await store.partitionEpochs.current(PARTITION)) === epochB,
      10_000,
      "B's claim in the store",
    );

    // A resumes where it was paused: its gate said "ours", its write goes to the store.
    resume();
    await a.detection.settled();
    expect(await alertsOf('door_open_fault')).toEqual([]);
    expect(await outboxTopics()).toEqual(['door_close_fault']);
    expect(a.detection.counts.fenced).toBe(1);
    expect(a.lines.some((line) => line['code'] === 'LEASE_LOST')).toBe(true);
    await until(() => a.losses.includes('fenced'), 10_000, 'worker A to give the partition up');
    expect(a.leases.owned()).toEqual([]);

    // A late claim at A's epoch (acquired, then paused before claiming) is refused too.
    await expect(
      store.partitionEpochs.claim(PARTITION, epochA, 'worker-a', Date.now()),
    ).rejects.toMatchObject({ code: 'LEASE_LOST' });

    // The new owner replays the message and commits it, at its epoch.
    b.detection.onMessage(fault('t-e2', 'door_open_fault', 2));
    await b.detection.settled();
    expect(await alertsOf('door_open_fault')).toEqual([{ elevator_id: 't-e2', lease_epoch: epochB }]);
    expect(await outboxTopics()).toEqual(['door_close_fault', 'door_open_fault']);
  }, 60_000);
});
