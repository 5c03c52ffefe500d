/**
 * Partition leases: which ingest worker owns which partition of the log, one owner at a time,
 * kept in a NATS KV bucket (`LW_LEASES`) by compare-and-set, as Kafka's consumer groups and
 * ThingsBoard's partition service do it, on the engine we already run.
 *
 * - A lease is the key `p.{partition}`, written with `create` (only if absent) and renewed with
 *   `update(key, value, revision)` (only if nobody wrote it since). Its **epoch** is the KV
 *   revision at which the worker acquired it; the latest revision is what fencing compares.
 * - The bucket's max age is the lease TTL (`LOG_LEASE_S`): a key that is not renewed disappears
 *   on the server's clock, so a dead or paused worker's partitions become free without anyone
 *   trusting another machine's clock. Workers announce themselves the same way (`w.{id}`).
 * - Balance: every round (a third of the TTL) a worker renews, lists the live workers, takes
 *   free partitions up to its fair share (partitions / workers, the remainder going one each to
 *   the first workers by id, so the shares add up exactly) and gives back what is over it, so a
 *   new worker gets its share and a dead one's share is taken over.
 * - Fencing: `valid(p)` (sync, the local clock: renewed less than 0.8 TTL ago) and `holds(p)`
 *   (the key still at our revision) are asked before anything is committed or acknowledged.
 *   A worker that finds it lost a lease tells `onLost` before anything else of it runs on.
 */
import { type KV, Kvm } from '@nats-io/kv';
import type { NatsConnection } from '@nats-io/transport-node';
import type { Logger } from '../lib/logger.ts';

export const LEASE_BUCKET = 'LW_LEASES';
/** Of the TTL, how long after a renewal was sent the worker still trusts its lease locally. */
const LOCAL_VALIDITY = 0.8;

export interface LeaseOptions {
  /** How long a lease lives without renewal (LOG_LEASE_S). */
  ttlMs: number;
  partitions: number;
  /** Unique per process start (a restarted worker is a new worker). */
  workerId: string;
  /** Between rounds (default a third of the TTL). */
  roundMs?: number;
  replicas?: number;
}

export interface LeaseDeps {
  log: Logger;
  /** A partition is ours from `epoch` on: start consuming it. */
  onGained(partition: number, epoch: number): Promise<void> | void;
  /** A partition is no longer ours (taken over, expired, or given back): stop, forget, commit nothing. */
  onLost(partition: number, epoch: number, why: LossReason): Promise<void> | void;
}

/**
 * Why a partition stopped being ours: another worker's compare-and-set won (`taken`), our
 * renewals lapsed (`expired`), we gave it back (`released`, `stopped`), or the store refused a
 * write at our epoch because a newer owner claimed it there (`fenced`, `surrender`).
 */
export type LossReason = 'taken' | 'expired' | 'released' | 'stopped' | 'fenced';

interface Held {
  epoch: number;
  revision: number;
  /** Local clock: trust the lease until then. */
  validUntil: number;
}

export interface LeaseStats {
  owned: number[];
  workers: number;
  gained: number;
  lost: number;
}

const partitionKey = (partition: number) => `p.${partition}`;
const workerKey = (id: string) => `w.${id}`;

/** A KV-safe worker id (letters, digits, `-`, `_`). */
export function workerIdOf(...parts: (string | number)[]): string {
  return parts.join('-').replace(/[^A-Za-z0-9_-]/g, '_');
}

export class PartitionLeases {
  private kv: KV | null = null;
  private readonly held = new Map<number, Held>();
  private timer: NodeJS.Timeout | null = null;
  private round: Promise<void> | null = null;
  private stopped = false;
  private workers = 1;
  private readonly counts = { gained: 0, lost: 0 };
  private readonly log: Logger;
  private readonly value: Uint8Array;

  constructor(
    private readonly options: LeaseOptions,
    private readonly deps: LeaseDeps,
  ) {
    this.log = deps.log.child({ module: 'leases', worker: options.workerId });
    this.value = new TextEncoder().encode(JSON.stringify({ worker: options.workerId }));
  }

  stats(): LeaseStats {
    return { owned: this.owned(), workers: this.workers, ...this.counts };
  }

  owned(): number[] {
    return [...this.held.keys()].sort((a, b) => a - b);
  }

  /** Sync, local clock: ours and renewed recently enough to act on. */
  valid(partition: number): boolean {
    const lease = this.held.get(partition);
    return lease !== undefined && Date.now() < lease.validUntil;
  }

  /** The epoch we hold a partition at (undefined if not ours). */
  epoch(partition: number): number | undefined {
    return this.held.get(partition)?.epoch;
  }

  /**
   * Asks the server: is the lease still ours, at our revision? The fence before a commit or an
   * ack. False also while a renewal races this read (the next settle asks again); only the
   * round's compare-and-set renewal decides that a lease was taken (then onLost runs).
   */
  async holds(partition: number): Promise<boolean> {
    const lease = this.held.get(partition);
    if (!lease || !this.kv) return false;
    if (Date.now() >= lease.validUntil) {
      await this.lose(partition, 'expired');
      return false;
    }
    const expected = lease.revision;
    const entry = await this.kv.get(partitionKey(partition));
    if (entry?.operation !== 'PUT') return false;
    return (
      this.held.get(partition) === lease && (entry.revision === expected || entry.revision === lease.revision)
    );
  }

  async start(nc: NatsConnection): Promise<void> {
    this.kv = await new Kvm(nc).create(LEASE_BUCKET, {
      ttl: this.options.ttlMs,
      history: 1,
      ...(this.options.replicas ? { replicas: this.options.replicas } : {}),
    });
    await this.runRound();
    const every = this.options.roundMs ?? Math.max(200, Math.floor(this.options.ttlMs / 3));
    this.timer = setInterval(() => void this.runRound(), every);
  }

  /**
   * The highest revision the lease bucket has given (its stream's last sequence). Epochs are
   * these revisions and only rise within one bucket, so a recorded epoch above it comes from
   * a bucket that is gone (a new NATS store beside a kept database).
   */
  async revisionCeiling(): Promise<number> {
    if (!this.kv) throw new Error('leases not started');
    const status = await this.kv.status();
    return status.streamInfo.state.last_seq;
  }

  /** Gives every lease back (so another worker takes over at once) and stops. */
  async stop(): Promise<void> {
    this.stopped = true;
    if (this.timer) clearInterval(this.timer);
    this.timer = null;
    await this.round;
    for (const partition of this.owned()) await this.release(partition, 'stopped');
    await this.kv?.delete(workerKey(this.options.workerId)).catch(() => undefined);
  }

  /**
   * The store refused a write at our epoch (LEASE_LOST: a newer owner claimed the partition
   * there): stop using it now, without waiting for the next round to find out from the KV.
   * The key is deleted only if it is still at our revision, so a successor's lease is untouched.
   */
  async surrender(partition: number): Promise<void> {
    const lease = this.held.get(partition);
    if (!lease) return;
    await this.lose(partition, 'fenced');
    await this.kv?.delete(partitionKey(partition), { previousSeq: lease.revision }).catch(() => undefined);
  }

  /** Stops renewing and gives nothing back, as a crash would (tests); the leases then expire. */
  abandon(): void {
    this.stopped = true;
    if (this.timer) clearInterval(this.timer);
    this.timer = null;
  }

  private runRound(): Promise<void> {
    if (this.round || this.stopped) return this.round ?? Promise.resolve();
    this.round = this.balance()
      .catch((error: unknown) => this.log.warn({ err: error }, 'lease round failed; trying again next round'))
      .finally(() => {
        this.round = null;
      });
    return this.round;
  }

  private async balance(): Promise<void> {
    const kv = this.kv!;
    await kv.put(workerKey(this.options.workerId), this.value);
    await this.renew(kv);
    const keys = await collect(await kv.keys());
    const live = keys.filter((k) => k.startsWith('w.')).map((k) => k.slice(2));
    if (!live.includes(this.options.workerId)) live.push(this.options.workerId);
    live.sort();
    this.workers = live.length;
    const taken = new Set(keys.filter((k) => k.startsWith('p.')).map((k) => Number(k.slice(2))));
    // Shares that add up to the partitions exactly: the first (partitions mod workers) by id get one more.
    const total = this.options.partitions;
    const rank = live.indexOf(this.options.workerId);
    const fair = Math.floor(total / live.length) + (rank < total % live.length ? 1 : 0);
    // Over the fair share (a worker joined): give back the highest partitions.
    if (this.stopped) return;
    await Promise.all(
      this.owned()
        .slice(fair)
        .map((partition) => this.release(partition, 'released')),
    );
    if (this.held.size >= fair) return;
    // Free partitions, starting at a place of our own so workers rarely race for the same one;
    // asked for at once (a round must stay short: renewals wait behind it).
    const start = hashOf(this.options.workerId) % total;
    const wanted: number[] = [];
    for (let i = 0; i < total && this.held.size + wanted.length < fair; i++) {
      const partition = (start + i) % total;
      if (!taken.has(partition) && !this.held.has(partition)) wanted.push(partition);
    }
    if (!this.stopped) await Promise.all(wanted.map((partition) => this.acquire(kv, partition)));
  }

  /** Every held lease at once, compare-and-set on the revision we last wrote. */
  private async renew(kv: KV): Promise<void> {
    await Promise.all(
      [...this.held].map(async ([partition, lease]) => {
        const sentAt = Date.now();
        if (sentAt >= lease.validUntil) {
          await this.lose(partition, 'expired');
          return;
        }
        try {
          lease.revision = await kv.update(partitionKey(partition), this.value, lease.revision);
          lease.validUntil = sentAt + this.options.ttlMs * LOCAL_VALIDITY;
        } catch (error) {
          this.log.warn({ err: error, partition, epoch: lease.epoch }, 'lease renewal refused');
          await this.lose(partition, 'taken');
        }
      }),
    );
  }

  private async acquire(kv: KV, partition: number): Promise<void> {
    const sentAt = Date.now();
    let revision: number;
    try {
      revision = await kv.create(partitionKey(partition), this.value);
    } catch {
      return; // another worker was first
    }
    this.held.set(partition, {
      epoch: revision,
      revision,
      validUntil: sentAt + this.options.ttlMs * LOCAL_VALIDITY,
    });
    this.counts.gained += 1;
    this.log.info({ partition, epoch: revision }, 'partition lease acquired');
    // Not awaited by the round: starting a consumer takes round trips, and renewals wait behind it.
    // If it cannot be read, it goes back, so another worker (or a later round) takes it.
    Promise.resolve(this.deps.onGained(partition, revision)).catch((error: unknown) => {
      this.log.error(
        { err: error, partition },
        'could not start reading an acquired partition; giving it back',
      );
      void this.release(partition, 'released');
    });
  }

  /** Stops using a partition, then frees its key if it is still ours. */
  private async release(partition: number, why: 'released' | 'stopped'): Promise<void> {
    const lease = this.held.get(partition);
    if (!lease) return;
    await this.lose(partition, why);
    await this.kv?.delete(partitionKey(partition), { previousSeq: lease.revision }).catch(() => undefined);
  }

  private async lose(partition: number, why: LossReason): Promise<void> {
    const lease = this.held.get(partition);
    if (!lease) return;
    this.held.delete(partition);
    this.counts.lost += 1;
    const level = why === 'taken' || why === 'expired' || why === 'fenced' ? 'warn' : 'info';
    this.log[level]({ partition, epoch: lease.epoch, why }, 'partition lease lost');
    await this.deps.onLost(partition, lease.epoch, why);
  }
}

async function collect(keys: AsyncIterable<string>): Promise<string[]> {
  const out: string[] = [];
  for await (const key of keys) out.push(key);
  return out;
}

function hashOf(text: string): number {
  let hash = 0x811c9dc5;
  for (let i = 0; i < text.length; i++) hash = Math.imul(hash ^ text.charCodeAt(i), 0x01000193) >>> 0;
  return hash;
}
