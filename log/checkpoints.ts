/**
 * Partition checkpoints: the per-elevator state a worker built from a partition's messages
 * (sequence windows, detector rule states, visits in progress), kept in a NATS KV bucket
 * (`LW_CHECKPOINTS`, key `p.{partition}`, last value only) so that the partition's next owner
 * starts from it instead of from nothing. Written by the owner every `everyMs` at a batch
 * boundary, once that batch is durable, with the stream sequence of the partition's last
 * message it covers (`streamSeq`); the next owner reads the partition on from the message
 * after it (log/consumer.ts), so every later message is handed again, acknowledged or not, and
 * anything handed twice is a duplicate (elevator, seq) to the restored sequence window. The content is the ingest's
 * business: here it is an opaque JSON document with the epoch of the lease it was written under.
 *
 * Past one NATS message (the server's `max_payload`, 1 MB by default, which also bounds a KV
 * value), a partition with many elevators is written in chunks: the document's bytes go to
 * keys `c.{partition}.{write}.{n}` first, each key new for every write, then the small
 * manifest `p.{partition}` names them with the KV revisions they were stored at. The manifest
 * is one put, so a reader sees the whole previous checkpoint or the whole new one, never a
 * mix; a chunk missing or at another revision (the writer purged an older write's chunks while
 * the reader was between the manifest and them) makes the reader start over from the manifest.
 * A document that fits is written inline in `p.{partition}` as before. Chunks of a write the
 * manifest no longer names are purged after the next manifest is stored (and, on a takeover,
 * those a dead writer left behind).
 *
 * The manifest (or inline value) is written compare-and-set on the revision its owner last read
 * at takeover or wrote since: a writer that lost the partition without knowing it yet (paused
 * past its lease, between its lease check and its write) cannot put its older state over the
 * new owner's; its save fails with `LEASE_LOST` and purges the chunks it had just written.
 *
 * A worker writes one per partition every few seconds, each with every elevator of the
 * partition: at 10,000 elevators serializing was most of what durability added to the ingest's
 * CPU. So the owner hands each elevator's state in already as JSON text (serialized once, at
 * capture, which is also the copy that freezes it) and `save` only joins the texts; the stored
 * document is the same JSON as before, and `load` reads either.
 */
import { JetStreamApiCodes } from '@nats-io/jetstream';
import { type KV, Kvm } from '@nats-io/kv';
import type { NatsConnection } from '@nats-io/transport-node';
import { LiftWatchError } from '../lib/errors.ts';

export const CHECKPOINT_BUCKET = 'LW_CHECKPOINTS';
/** Room kept under the server's max payload for the KV message's subject and headers. */
const PAYLOAD_MARGIN = 8 * 1024;
/** A reader that finds the chunks of a manifest replaced under it reads the manifest again, this often. */
const READ_ATTEMPTS = 3;

export interface Checkpoint<T> {
  partition: number;
  /** The lease epoch (KV revision) of the owner that wrote it. */
  epoch: number;
  worker: string;
  writtenAt: number;
  /**
   * The stream sequence of the partition's last message the state includes: its next owner
   * reads on from the message after it. Absent in checkpoints of earlier versions (whose
   * messages were acknowledged only once a checkpoint covered them: the consumer's own
   * position is then the right one).
   */
  streamSeq?: number;
  elevators: Record<string, T>;
}

/** What `p.{partition}` holds when the checkpoint did not fit in one value. */
interface Manifest {
  manifest: 1;
  partition: number;
  epoch: number;
  worker: string;
  writtenAt: number;
  /** Bytes of the whole JSON document. */
  bytes: number;
  chunks: { key: string; revision: number }[];
}

export interface CheckpointOptions {
  replicas?: number;
  /** Bytes per chunk (default and ceiling: the server's max payload less a margin; tests go lower). */
  chunkBytes?: number;
}

const encoder = new TextEncoder();
const decoder = new TextDecoder();
const manifestKey = (partition: number) => `p.${partition}`;

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
    streamSeq: checkpoint.streamSeq,
  });
  return `${head.slice(0, -1)},"elevators":{${parts.join(',')}}}`;
}

/** JetStream refused a compare-and-set: the key is not at the revision the writer gave. */
function wrongRevision(error: unknown): boolean {
  const code = (error as { code?: unknown } | null)?.code;
  return (
    code === JetStreamApiCodes.StreamWrongLastSequence ||
    code === JetStreamApiCodes.StreamWrongLastSequenceUnknown
  );
}

export class PartitionCheckpoints<T> {
  private kv: KV | null = null;
  private chunkBytes = 0;
  private writes = 0;
  /** Per partition, the chunk keys the stored manifest names (ours, or the one loaded at takeover). */
  private readonly named = new Map<number, string[]>();
  /**
   * Per partition, the revision of `p.{partition}` this owner last read at takeover or wrote (0:
   * there was none): the next write must find it unchanged. Unknown (never loaded as owner):
   * written unconditionally, as a tool or a test does.
   */
  private readonly manifestRevision = new Map<number, number>();

  async start(nc: NatsConnection, options: CheckpointOptions | number = {}): Promise<void> {
    const { replicas, chunkBytes } = typeof options === 'number' ? { replicas: options } : options;
    this.kv = await new Kvm(nc).create(CHECKPOINT_BUCKET, { history: 1, ...(replicas ? { replicas } : {}) });
    const ceiling = (nc.info?.max_payload ?? 1024 * 1024) - PAYLOAD_MARGIN;
    this.chunkBytes = Math.max(1024, Math.min(chunkBytes ?? ceiling, ceiling));
  }

  async save(checkpoint: Checkpoint<T> | EncodedCheckpoint): Promise<void> {
    const kv = this.kv;
    if (!kv) throw new Error('checkpoints not started');
    const { partition } = checkpoint;
    const text =
      checkpoint.elevators instanceof Map
        ? checkpointText(checkpoint as EncodedCheckpoint)
        : JSON.stringify(checkpoint);
    const bytes = encoder.encode(text);
    const previous = this.named.get(partition) ?? [];
    if (bytes.length <= this.chunkBytes) {
      await this.commit(kv, partition, bytes, []);
      this.named.set(partition, []);
    } else {
      // A key of its own for every write: a reader holding the previous manifest still finds
      // the chunks it names (until they are purged below, when it starts over).
      this.writes += 1;
      const write = `${checkpoint.epoch}-${Date.now().toString(36)}-${this.writes}`;
      const keys: string[] = [];
      for (let offset = 0, n = 0; offset < bytes.length; offset += this.chunkBytes, n++)
        keys.push(`c.${partition}.${write}.${n}`);
      const revisions = await Promise.all(
        keys.map((key, n) => kv.put(key, bytes.subarray(n * this.chunkBytes, (n + 1) * this.chunkBytes))),
      );
      const manifest: Manifest = {
        manifest: 1,
        partition,
        epoch: checkpoint.epoch,
        worker: checkpoint.worker,
        writtenAt: checkpoint.writtenAt,
        bytes: bytes.length,
        chunks: keys.map((key, n) => ({ key, revision: revisions[n]! })),
      };
      // The commit point: until this put, readers see the previous checkpoint whole.
      await this.commit(kv, partition, JSON.stringify(manifest), keys);
      this.named.set(partition, keys);
    }
    await this.purge(previous);
  }

  /** Writes `p.{partition}` if it is still at the revision we know; else purges `written` and fails. */
  private async commit(
    kv: KV,
    partition: number,
    value: Uint8Array | string,
    written: string[],
  ): Promise<void> {
    const expected = this.manifestRevision.get(partition);
    let revision: number;
    try {
      if (expected === undefined) revision = await kv.put(manifestKey(partition), value);
      else if (expected === 0) revision = await kv.create(manifestKey(partition), value);
      else revision = await kv.update(manifestKey(partition), value, expected);
    } catch (error) {
      // Any other failure (a timeout) leaves it unknown whether the value was stored: the
      // chunks stay (a manifest may name them; a takeover sweeps them if not) and the save
      // fails as not saved, so nothing is acked; the next save finds out.
      if (!wrongRevision(error)) throw error;
      await this.purge(written);
      throw new LiftWatchError(
        'LEASE_LOST',
        `partition ${partition}'s checkpoint changed since this owner read it (a newer owner); not saved`,
        { cause: error },
      );
    }
    if (expected !== undefined) this.manifestRevision.set(partition, revision);
  }

  /**
   * The partition's last checkpoint, or null (never written, or unreadable). The new owner
   * passes its lease epoch (`owner`): the chunks of what it loaded are then purged after its
   * first save, and chunks an earlier owner stored without a manifest naming them (it died
   * between the two) are purged now. A reader that owns nothing purges nothing.
   */
  async load(partition: number, owner?: { epoch: number }): Promise<Checkpoint<T> | null> {
    const kv = this.kv;
    if (!kv) return null;
    for (let attempt = 0; attempt < READ_ATTEMPTS; attempt++) {
      const entry = await kv.get(manifestKey(partition));
      if (owner) this.manifestRevision.set(partition, entry?.operation === 'PUT' ? entry.revision : 0);
      if (entry?.operation !== 'PUT') return null;
      let value: Checkpoint<T> | Manifest;
      try {
        value = entry.json<Checkpoint<T> | Manifest>();
      } catch {
        return null;
      }
      if (!('manifest' in value)) {
        if (owner) await this.adopt(partition, [], owner.epoch);
        return value;
      }
      const document = await this.assemble(kv, value);
      if (document === 'replaced') continue;
      if (owner)
        await this.adopt(
          partition,
          value.chunks.map((c) => c.key),
          owner.epoch,
        );
      return document;
    }
    return null;
  }

  /** The chunks a manifest names, joined and parsed; 'replaced' when one is gone or rewritten. */
  private async assemble(kv: KV, manifest: Manifest): Promise<Checkpoint<T> | null | 'replaced'> {
    const entries = await Promise.all(manifest.chunks.map((c) => kv.get(c.key)));
    const bytes = new Uint8Array(manifest.bytes);
    let offset = 0;
    for (const [n, entry] of entries.entries()) {
      if (entry?.operation !== 'PUT' || entry.revision !== manifest.chunks[n]!.revision) return 'replaced';
      if (offset + entry.value.length > bytes.length) return null;
      bytes.set(entry.value, offset);
      offset += entry.value.length;
    }
    if (offset !== bytes.length) return null;
    try {
      return JSON.parse(decoder.decode(bytes)) as Checkpoint<T>;
    } catch {
      return null;
    }
  }

  /**
   * At a takeover at `epoch`: the chunks the loaded manifest names become ours to purge after
   * our first save; any other chunk of the partition written under an earlier epoch is an
   * earlier owner's, left between its chunks and its manifest, and goes now.
   */
  private async adopt(partition: number, named: string[], epoch: number): Promise<void> {
    this.named.set(partition, named);
    const keep = new Set(named);
    const stray: string[] = [];
    for await (const key of await this.kv!.keys(`c.${partition}.>`)) {
      const writtenUnder = Number(key.split('.')[2]?.split('-')[0]);
      if (!keep.has(key) && writtenUnder < epoch) stray.push(key);
    }
    await this.purge(stray);
  }

  private async purge(keys: readonly string[]): Promise<void> {
    await Promise.all(keys.map((key) => this.kv!.purge(key).catch(() => undefined)));
  }
}
