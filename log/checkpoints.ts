/**
 * Partition checkpoints: the per-elevator state a worker built from a partition's messages
 * (sequence windows, detector rule states, visits in progress), kept in a NATS KV bucket
 * (`LW_CHECKPOINTS`, key `p.{partition}`, last value only) so that the partition's next owner
 * starts from it instead of from nothing. Written by the owner every `everyMs` at a batch
 * boundary; the messages it covers are acknowledged only after it is saved (log/consumer.ts),
 * so everything after it is still unacknowledged and delivered again, and everything in it is
 * a duplicate (elevator, seq) to the restored sequence window. The content is the ingest's
 * business: here it is an opaque JSON document with the epoch of the lease it was written under.
 */
import { type KV, Kvm } from '@nats-io/kv';
import type { NatsConnection } from '@nats-io/transport-node';

export const CHECKPOINT_BUCKET = 'LW_CHECKPOINTS';

export interface Checkpoint<T> {
  partition: number;
  /** The lease epoch (KV revision) of the owner that wrote it. */
  epoch: number;
  worker: string;
  writtenAt: number;
  elevators: Record<string, T>;
}

export class PartitionCheckpoints<T> {
  private kv: KV | null = null;

  async start(nc: NatsConnection, replicas?: number): Promise<void> {
    this.kv = await new Kvm(nc).create(CHECKPOINT_BUCKET, { history: 1, ...(replicas ? { replicas } : {}) });
  }

  async save(checkpoint: Checkpoint<T>): Promise<void> {
    if (!this.kv) throw new Error('checkpoints not started');
    await this.kv.put(`p.${checkpoint.partition}`, JSON.stringify(checkpoint));
  }

  /** The partition's last checkpoint, or null (never written, or unreadable). */
  async load(partition: number): Promise<Checkpoint<T> | null> {
    if (!this.kv) return null;
    const entry = await this.kv.get(`p.${partition}`);
    if (entry?.operation !== 'PUT') return null;
    try {
      return entry.json<Checkpoint<T>>();
    } catch {
      return null;
    }
  }
}
