/**
 * Partition epochs (migration 0090): the only place that builds queries on `partition_epochs`,
 * the store's side of lease fencing (log/lease.ts). A worker that takes a partition `claim`s it
 * at its lease epoch before reading a message of it; every alert or visit transition its
 * detection writes runs `fence` first, in the transition's own transaction. The check lives
 * here, in the database, because only the database sees both writers: a worker's own checks
 * (the local lease clock, the KV read before a commit) are answered before the write, and a
 * process paused between the answer and the write (SIGSTOP, a long GC, a VM migration) would
 * otherwise commit after its successor began.
 */
import { LiftWatchError } from '../../lib/errors.ts';
import type { RegistryDb } from '../db.ts';

/** Who may write for a partition: the lease epoch a leased worker holds it at. */
export interface LeaseFence {
  partition: number;
  epoch: number;
}

export interface PartitionEpochRepository {
  /**
   * Records that `worker` owns `partition` from `epoch` on. Epochs only rise (NATS KV
   * revisions): a claim at or below the recorded one is refused with LEASE_LOST (a worker
   * that acquired, then paused before claiming, while a later owner claimed). A recorded epoch
   * above `revisionCeiling` (the lease bucket's highest revision) cannot be this bucket's: the
   * NATS store was replaced beside a kept database, and the claim takes the partition over.
   */
  claim(
    partition: number,
    epoch: number,
    worker: string,
    at: number,
    revisionCeiling?: number,
  ): Promise<void>;
  /**
   * Inside a write transaction, before the transition's statements: passes only while the
   * partition's recorded epoch is `fence.epoch`, else throws LEASE_LOST (details: partition,
   * epoch, current). A conditional UPDATE rather than a read, so the row stays locked until
   * the commit (PostgreSQL; SQLite's write transaction excludes every other writer) and a
   * concurrent claim is ordered after this transaction, never in the middle of it.
   */
  fence(fence: LeaseFence): Promise<void>;
  /** The recorded epoch of a partition (undefined: never claimed). */
  current(partition: number): Promise<number | undefined>;
}

export function partitionEpochRepository(db: RegistryDb): PartitionEpochRepository {
  const current = async (partition: number) =>
    (
      await db
        .selectFrom('partition_epochs')
        .select('epoch')
        .where('log_partition', '=', partition)
        .executeTakeFirst()
    )?.epoch;

  return {
    current,

    async claim(partition, epoch, worker, at, revisionCeiling = Number.MAX_SAFE_INTEGER) {
      const row = await db
        .insertInto('partition_epochs')
        .values({ log_partition: partition, epoch, worker, claimed_at: at })
        .onConflict((oc) =>
          oc
            .column('log_partition')
            .doUpdateSet((eb) => ({
              epoch: eb.ref('excluded.epoch'),
              worker: eb.ref('excluded.worker'),
              claimed_at: eb.ref('excluded.claimed_at'),
            }))
            // The same owner claiming again (a retried start) is harmless; an older one is not.
            .where((eb) =>
              eb.or([
                eb('partition_epochs.epoch', '<=', epoch),
                eb('partition_epochs.epoch', '>', revisionCeiling),
              ]),
            ),
        )
        .returning('epoch')
        .executeTakeFirst();
      if (row) return;
      throw new LiftWatchError('LEASE_LOST', undefined, {
        details: { partition, epoch, current: await current(partition) },
      });
    },

    async fence({ partition, epoch }) {
      const result = await db
        .updateTable('partition_epochs')
        .set((eb) => ({ epoch: eb.ref('epoch') }))
        .where('log_partition', '=', partition)
        .where('epoch', '=', epoch)
        .executeTakeFirst();
      if (Number(result.numUpdatedRows) === 1) return;
      throw new LiftWatchError('LEASE_LOST', undefined, {
        details: { partition, epoch, current: (await current(partition)) ?? null },
      });
    },
  };
}
