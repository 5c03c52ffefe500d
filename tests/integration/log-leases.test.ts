/**
 * Partition leases on a real nats-server's KV (compare-and-set, bucket TTL = lease TTL):
 * three workers share 16 partitions, each one owner, balanced to the fair share; a worker
 * that stops renewing (as a crash would) loses its partitions to the others within the TTL
 * and a round, and its own fence (`holds`) then says no. Waits poll with deadlines.
 */

import { connect, type NatsConnection } from '@nats-io/transport-node';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { silentLogger } from '../../lib/logger.ts';
import { PartitionLeases } from '../../log/lease.ts';
import { until } from '../helpers/ingest-harness.ts';
import { startTestNats, type TestNats } from '../helpers/nats.ts';

const PARTITIONS = 16;
const TTL_MS = 2000;
let nats: TestNats;
let nc: NatsConnection;
const workers: { id: string; leases: PartitionLeases; gained: number[]; lost: number[] }[] = [];

function worker(id: string) {
  const w = {
    id,
    gained: [] as number[],
    lost: [] as number[],
    leases: null as unknown as PartitionLeases,
  };
  w.leases = new PartitionLeases(
    { ttlMs: TTL_MS, partitions: PARTITIONS, workerId: id },
    {
      log: silentLogger,
      onGained: (p) => void w.gained.push(p),
      onLost: (p) => void w.lost.push(p),
    },
  );
  workers.push(w);
  return w;
}

beforeAll(async () => {
  nats = await startTestNats();
  nc = await connect({ servers: nats.url });
}, 60_000);

afterAll(async () => {
  for (const w of workers) await w.leases.stop().catch(() => undefined);
  await nc?.close();
  await nats?.cleanup();
});

/** Every partition owned exactly once over these workers. */
function ownedOnce(list: typeof workers): boolean {
  const all = list.flatMap((w) => w.leases.owned());
  return all.length === PARTITIONS && new Set(all).size === PARTITIONS;
}

describe('partition leases', () => {
  it('one worker takes every partition; three share them, one owner each, balanced', async () => {
    const a = worker('a');
    await a.leases.start(nc);
    expect(a.leases.owned()).toHaveLength(PARTITIONS);
    const b = worker('b');
    const c = worker('c');
    await Promise.all([b.leases.start(nc), c.leases.start(nc)]);
    await until(
      () => ownedOnce(workers) && workers.every((w) => w.leases.owned().length >= 5),
      20_000,
      'three workers sharing the partitions',
    );
    // 16 over 3: 6, 5, 5.
    expect(workers.map((w) => w.leases.owned().length).sort()).toEqual([5, 5, 6]);
    // A, which gave partitions back, said so before anyone else could take them.
    expect(a.lost.length).toBeGreaterThan(0);
  }, 60_000);

  it('a worker that stops renewing loses its partitions to the others within TTL + a round', async () => {
    const [a, b, c] = workers as [(typeof workers)[0], (typeof workers)[0], (typeof workers)[0]];
    const hers = c.leases.owned();
    expect(hers.length).toBeGreaterThan(0);
    const before = hers[0]!;
    expect(await c.leases.holds(before)).toBe(true);
    const stoppedAt = Date.now();
    c.leases.abandon();
    await until(() => ownedOnce([a, b]), TTL_MS * 5, 'the others owning every partition');
    const reownMs = Date.now() - stoppedAt;
    console.log(
      `leases: ${hers.length} partitions re-owned ${reownMs} ms after their owner stopped (TTL ${TTL_MS} ms)`,
    );
    expect(reownMs).toBeLessThan(TTL_MS * 2 + 1000);
    // Her fence now says no for each (no round ran: she is stalled), and tells her (onLost).
    for (const p of hers) expect(await c.leases.holds(p)).toBe(false);
    expect(c.leases.owned()).toHaveLength(0);
    expect(c.lost).toEqual(expect.arrayContaining(hers));
  }, 60_000);
});
