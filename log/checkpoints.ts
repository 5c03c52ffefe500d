/**
 * Partition checkpoints: the per-elevator state a worker built from a partition's messages
 * (sequence windows, detector rule states, visits in progress), kept in a NATS KV bucket
 * (`LW_CHECKPOINTS`, key `p.{partition}`, last value only) so that the partition's next owner
 * starts from it instead of from nothing. Written by the owner every `everyMs` at a batch
 * boundary; the messages it covers are acknowledged only after it is saved (log/consumer.ts),
 * so everything after it is still unacknowledged and delivered again, and everything in it is
 * a duplicate (elevator, seq) to the restored sequence window. The content is the ingest's
 * business: here it is an opaque JSON document with the epoch of the lease it was written under.
 *
 * A worker writes one per partition every few seconds, each with every elevator of the
 * partition: at 10,000 elevators serializing was most of what durability added to the ingest's
 * CPU. So the owner hands each elevator's state in already as JSON text (serialized once, at
 * capture, which is also the copy that freezes it) and `save` only joins the texts; the stored
 * document is the same JSON as before, and `load` reads either.
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

/** A checkpoint as captured: each elevator's state already JSON text (`JSON.stringify` of a T). */
export interface EncodedCheckpoint extends Omit<Checkpoint<never>, 'elevators'> {
  elevators: Map<string, string>;
}

/** The stored document of `checkpoint`: the JSON of a Checkpoint<T>, joined from its parts. */
export function checkpointText(checkpoint: EncodedCheckpoint): string {
  const parts: string[] = [];
  for (const [id, text] of checkpoint.elevators) parts.push(`${JSON.stringify(id)}:${text}`);
  const head = JSON.stringify({
    partition: checkpoint.partition,
    epoch: checkpoint.epoch,
    worker: checkpoint.worker,
    writtenAt: checkpoint.writtenAt,
  });
  return `${head.slice(0, -1)},"elevators":{${parts.join(',')}}}`;
}

export class PartitionCheckpoints<T> {
  private kv: KV | null = null;

  async start(nc: NatsConnection, replicas?: number): Promise<void> {
    this.kv = await new Kvm(nc).create(CHECKPOINT_BUCKET, { history: 1, ...(replicas ? { replicas } : {}) });
  }

  async save(checkpoint: Checkpoint<T> | EncodedCheckpoint): Promise<void> {
    if (!this.kv) throw new Error('checkpoints not started');
    const text =
      checkpoint.elevators instanceof Map
        ? checkpointText(checkpoint as EncodedCheckpoint)
        : JSON.stringify(checkpoint);
    await this.kv.put(`p.${checkpoint.partition}`, text);
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
