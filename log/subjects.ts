/**
 * The log's names: the stream, its subjects and the partition of an elevator. A device message
 * on MQTT topic `elevators/{id}/{channel}` is stored on subject `lw.in.{partition}.{id}.{channel}`,
 * the partition being a stable hash of the elevator id modulo the partition count, so one
 * elevator's messages stay in one partition, in order, and one worker owns them.
 *
 * The partition is computed here, by the publisher, not by a server `mappings` entry
 * (`partition(64, …)`): this machine's nats-server 2.9.10 has no subject transforms on streams,
 * a mapping lives in every server's config file (a cluster someone else runs, NATS_URL, may not
 * have it), and the ingest, the tests and the docs must know the partition of an elevator
 * without asking the server. The hash is FNV-1a (32 bits) over the id's UTF-8 bytes: tiny,
 * stable across versions and languages, and spreads ids like `e-0001…e-9999` evenly.
 *
 * The partitions are spread over several streams, partition p in `LW_IN_{p mod streams}`
 * (`LOG_STREAMS`, default 8): nats-server 2.9 finds a filtered consumer's next message by
 * reading past every other subject of its stream, so with all 64 partitions in one stream
 * delivering a message cost about 40 µs of server CPU, 12 µs with 8 streams (measured with
 * `npm run bench:consume`, docs/scale-out.md). Streams are also what a cluster spreads over its
 * nodes (each stream has its own leader).
 */
import { type DeviceChannel, parseDeviceTopic, parseServiceTopic, topics } from '../protocol/index.ts';

/** The one stream of every device message before the partitions were spread over streams. */
export const LEGACY_LOG_STREAM = 'LW_IN';
const PREFIX = 'lw.in';
/** Every device subject, whichever stream holds it. */
export const LOG_SUBJECTS = `${PREFIX}.>`;

/** The default number of partitions: far more than workers, so ownership moves in small pieces. */
export const DEFAULT_PARTITIONS = 64;
/** The default number of streams the partitions are spread over. */
export const DEFAULT_LOG_STREAMS = 8;

/** How the device log is cut: partitions by elevator, partitions spread over streams. */
export interface LogLayout {
  partitions: number;
  streams: number;
}

export const DEFAULT_LAYOUT: LogLayout = { partitions: DEFAULT_PARTITIONS, streams: DEFAULT_LOG_STREAMS };

/** The stream that holds a partition. */
export function logStreamOf(partition: number, layout: LogLayout): string {
  return `${LEGACY_LOG_STREAM}_${partition % Math.min(layout.streams, layout.partitions)}`;
}

/** Every device stream with the subjects it holds (one per partition it stores). */
export function logStreams(layout: LogLayout): { name: string; subjects: string[] }[] {
  const streams = Array.from({ length: Math.min(layout.streams, layout.partitions) }, (_, n) => ({
    name: `${LEGACY_LOG_STREAM}_${n}`,
    subjects: [] as string[],
  }));
  for (let partition = 0; partition < layout.partitions; partition++)
    streams[partition % streams.length]!.subjects.push(partitionFilter(partition));
  return streams;
}

const FNV_OFFSET = 0x811c9dc5;
const FNV_PRIME = 0x01000193;

/** FNV-1a, 32 bits, over the UTF-8 bytes of `text`. */
export function fnv1a32(text: string): number {
  let hash = FNV_OFFSET;
  for (const byte of Buffer.from(text, 'utf8')) {
    hash ^= byte;
    hash = Math.imul(hash, FNV_PRIME) >>> 0;
  }
  return hash >>> 0;
}

/** The partition (0 … partitions-1) an elevator's messages go to. */
export function partitionOf(elevatorId: string, partitions: number): number {
  return fnv1a32(elevatorId) % partitions;
}

/** The subject of a device message; null for a topic that is not a device topic. */
export function deviceSubject(topic: string, partitions: number): string | null {
  const parsed = parseDeviceTopic(topic);
  if (!parsed) return null;
  return `${PREFIX}.${partitionOf(parsed.elevatorId, partitions)}.${parsed.elevatorId}.${parsed.channel}`;
}

/** The MQTT topic a stored message came in on; null for a subject that is not a device subject. */
export function topicOfSubject(subject: string): string | null {
  const parts = subject.split('.');
  if (parts.length !== 5 || `${parts[0]}.${parts[1]}` !== PREFIX) return null;
  return topics.device(parts[3]!, parts[4]! as DeviceChannel);
}

/** The partition a stored message's subject names (-1 for a subject that is not one). */
export function partitionOfSubject(subject: string): number {
  const start = PREFIX.length + 1;
  const end = subject.indexOf('.', start);
  const partition = end < 0 ? Number.NaN : Number(subject.slice(start, end));
  return Number.isInteger(partition) ? partition : -1;
}

/** What a partition's consumer filters on. */
export function partitionFilter(partition: number): string {
  return `${PREFIX}.${partition}.>`;
}

/** The durable consumer that holds a partition's read position for the ingest. */
export function partitionDurable(partition: number): string {
  return `ingest-p${partition}`;
}

/** 0 … partitions-1: what one worker owns while there is only one. */
export function allPartitions(partitions: number): number[] {
  return Array.from({ length: partitions }, (_, p) => p);
}

/**
 * Alert and visit transitions (the lifecycle's `alerts/{id}` and `visits/{id}` messages) have a
 * stream of their own: a different reader (every API node, each from its own position), a
 * different retention (the store holds the truth; the log only has to cover a node's absence)
 * and no partitions (they are few, and every node reads all of them).
 */
export const TRANSITIONS_STREAM = 'LW_SVC';
const TRANSITIONS_PREFIX = 'lw.svc';
/** Every subject of the transitions stream. */
export const TRANSITION_SUBJECTS = `${TRANSITIONS_PREFIX}.>`;

/** `alerts/{id}` → `lw.svc.alerts.{id}`; null for a topic that is not a service topic. */
export function transitionSubject(topic: string): string | null {
  const parsed = parseServiceTopic(topic);
  if (!parsed) return null;
  return `${TRANSITIONS_PREFIX}.${parsed.kind === 'alert' ? 'alerts' : 'visits'}.${parsed.elevatorId}`;
}

/** The MQTT-style topic a stored transition names (what `decodeServiceMessage` checks the body against). */
export function topicOfTransitionSubject(subject: string): string | null {
  const parts = subject.split('.');
  if (parts.length !== 4 || `${parts[0]}.${parts[1]}` !== TRANSITIONS_PREFIX) return null;
  const topic = `${parts[2]}/${parts[3]}`;
  return parseServiceTopic(topic) ? topic : null;
}

/** The durable consumer that holds one API node's read position in the transitions stream. */
export function transitionsDurable(nodeId: string): string {
  return `api-${nodeId}`;
}
