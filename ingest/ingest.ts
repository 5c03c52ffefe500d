/**
 * The ingest service builder: MQTT source → pipeline → InfluxDB writer (raw points; with the
 * health stage a second one for health days, which live in the long-kept policy), with dead
 * letters kept in SQLite and the latest state per elevator kept in memory. `createIngest`
 * touches no `process.*`; `main.ts` owns config, signals and shutdown. Start order: writers
 * (and spill replay), InfluxDB schema, MQTT; stop is the reverse, draining the writers before
 * they close.
 */
import { EventEmitter } from 'node:events';
import { join } from 'node:path';
import type { ElevatorInfo } from '../fleet/types.ts';
import { LiftWatchError } from '../lib/errors.ts';
import type { Logger } from '../lib/logger.ts';
import { type EncodedCheckpoint, PartitionCheckpoints } from '../log/checkpoints.ts';
import { LogConsumer, type LogConsumerOptions, type LogConsumerStats } from '../log/consumer.ts';
import { type LeaseStats, PartitionLeases } from '../log/lease.ts';
import { partitionOf } from '../log/subjects.ts';
import { type DeviceChannel, type DeviceMessage, HEALTH_POLICY, topics } from '../protocol/index.ts';
import type { LeaseFence } from '../store/repositories/partition-epochs.ts';
import type { Store } from '../store/store.ts';
import { DeadLetterSink } from './dead-letters.ts';
import {
  DEFAULT_KEYFRAME_MS,
  type ElevatorState,
  newElevatorState,
  syncElevators,
} from './elevator-state.ts';
import { type HealthRestoreResult, restoreHealthState } from './health/restore.ts';
import { createHealthStage, type HealthStage } from './health/stage.ts';
import { durationMs, ensureInfluxSchema, RAW_POLICY } from './influx-schema.ts';
import { InfluxWriter, type InfluxWriterStats, WRITER_DEFAULTS } from './influx-writer.ts';
import { LatencyHistogram, type LatencySummary, summarise } from './metrics.ts';
import { MqttSource } from './mqtt-source.ts';
import {
  buildSteps,
  DUPLICATE,
  describeError,
  newContext,
  type PipelineCounters,
  type PipelineDeps,
  runSteps,
  type Step,
} from './pipeline.ts';
import { lineTag } from './points.ts';
import { restoreWindow, windowWords } from './sequence.ts';

export interface IngestOptions {
  mqtt: {
    url: string;
    username?: string;
    password?: string;
    /** Fixed, so the broker keeps our session (clean: false) across restarts. */
    clientId: string;
    connectTimeoutMs?: number;
    reconnectPeriodMs?: number;
  };
  influx: {
    url: string;
    database: string;
    /** Raw retention policy duration, e.g. `30d`. */
    rawRetention: string;
    /** `user:password`, if InfluxDB has auth enabled. */
    auth?: string;
  };
  batchSize?: number;
  batchMaxAgeMs?: number;
  writesInFlight?: number;
  bufferMaxPoints?: number;
  /** Where the writer spills points while InfluxDB is unreachable. */
  spillDir: string;
  spillMaxBytes?: number;
  /** How long stop() waits for pending writes before keeping them on disk. */
  stopTimeoutMs?: number;
  retryInitialMs?: number;
  retryMaxMs?: number;
  /** Telemetry keyframe interval, device time: every field at least this often (default 300 s). */
  keyframeS?: number;
  /** Health signals per lift (ingest/health/), a `health_daily` point per lift and device day. Default off. */
  health?: boolean;
  /**
   * Read device messages from the log (NATS JetStream) instead of an MQTT subscription, and
   * acknowledge each only after its points are in InfluxDB (LOG_ENABLED). MQTT then only
   * carries the ingest's own service messages (alert transitions, visit verdicts).
   */
  log?: Omit<LogConsumerOptions, 'name'> & {
    /**
     * Partition leases (log/lease.ts): the partitions to read are the ones this worker holds,
     * not `partitions`; anything of a partition it lost is neither written nor acknowledged.
     */
    lease?: { ttlMs: number; workerId: string; partitions: number; checkpointMs?: number };
  };
  /** Longest one settle (InfluxDB write, dead letters, alert commits) may take before the log's acks wait for the next. */
  settleTimeoutMs?: number;
}

export interface IngestDeps {
  log: Logger;
  /** The dead letters go to its `deadLetters` repository. */
  store: Store;
  /** The registry's elevators: tags come from here; others are dead-lettered. */
  elevators: readonly ElevatorInfo[];
  /** HOOK: detection rules (ingest/rules/) run here on each accepted message. See pipeline.ts. */
  detect?: PipelineDeps['detect'];
  /** Resolves when the findings of the messages handled so far are committed (the alert lifecycle). */
  settled?: () => Promise<void>;
  /** With leases: these elevators' partition went to another worker (drop their detector state). */
  onElevatorsLost?: (elevatorIds: readonly string[]) => void;
  /** With leases: an elevator's detector state for its partition's checkpoint, and back on takeover. */
  exportState?: (elevatorId: string) => unknown;
  importState?: (elevatorId: string, state: unknown) => void;
}

export interface IngestMetrics {
  received: number;
  /** Messages rejected by the pipeline (bad topic, JSON, schema, unknown elevator, a step that threw). */
  invalid: number;
  /** QoS 1 resends recognised by (elevator, seq) and not written again. */
  deduplicated: number;
  /** Sequence numbers skipped and not (yet) arrived, over all devices. */
  gaps: number;
  /** Points InfluxDB acknowledged. */
  written: number;
  /** Points held in memory by the writer. */
  buffered: number;
  /** Points ever spilled to disk. */
  spilled: number;
  /** Points on disk now, waiting for InfluxDB. */
  spillPoints: number;
  /** Points lost over the disk cap. */
  dropped: number;
  /** Points InfluxDB refused for good (type conflict, bad line); each is dead-lettered. */
  refused: number;
  /** Rows stored in the dead_letters table. */
  deadLettered: number;
  /** Dead letters that could not be kept (queue full or SQLite failing). */
  deadLettersDiscarded: number;
  retries: number;
  writesInFlight: number;
  influxHealthy: boolean;
  mqttConnected: boolean;
  detectErrors: number;
  /** Device publish time → InfluxDB write acknowledged, ms. */
  latencyMs: LatencySummary;
  /** Device publish → received by the ingest: what the broker (and the network) add. */
  arrivalMs: LatencySummary;
  /** Write request sent → InfluxDB acknowledged, per point. */
  influxRequestMs: LatencySummary;
  /** Reading the log (LOG_ENABLED): connected, and messages delivered, acknowledged and held unacknowledged. */
  log?: LogConsumerStats & { connected: boolean; leases?: LeaseStats; fencedPoints: number };
}

export interface IngestState {
  readonly elevators: ReadonlyMap<string, ElevatorState>;
}

export interface IngestEvents {
  /** Points acknowledged by InfluxDB: the count of this write, the running total. */
  written: [count: number, total: number];
  /** Dead letters stored: the count of this flush, the running total. */
  deadLettered: [count: number, total: number];
}

export interface Ingest {
  start(): Promise<void>;
  stop(): Promise<void>;
  metrics(): IngestMetrics;
  readonly state: IngestState;
  readonly events: EventEmitter<IngestEvents>;
  /** Feeds one MQTT message through the pipeline (the source calls this; so can a benchmark). */
  handle(topic: string, payload: Buffer, receivedAt?: number): void;
  /** Resolves true when every point accepted so far is written, false after `timeoutMs`. */
  flush(timeoutMs?: number): Promise<boolean>;
  /** Replaces the elevator directory (after a fleet reload). */
  updateElevators(elevators: readonly ElevatorInfo[]): void;
  /** Publishes a service message (QoS 1) on the ingest's own MQTT connection. */
  publish(topic: string, payload: string): Promise<void>;
  /** The health stage (condition-based maintenance), when `options.health` is on. */
  readonly health: HealthStage | null;
  /**
   * The fence for commits: true while this worker holds the elevator's partition at its epoch
   * (always true without leases).
   */
  owns(elevatorId: string): Promise<boolean>;
  /** The partition and lease epoch this worker holds the elevator at; null without leases or when not ours. */
  leaseOf(elevatorId: string): LeaseFence | null;
  /**
   * The store refused a write for this elevator at our epoch (LEASE_LOST): stop handling its
   * partition now (log/lease.ts `surrender`: stop reading, forget its state, ack nothing more).
   */
  surrenderPartitionOf(elevatorId: string): Promise<void>;
  /**
   * Reads the health history back from InfluxDB and the visit verdicts from the store
   * (health/restore.ts); start() does it, and the demo again after seeding weeks of history.
   * Null without the health stage or when InfluxDB did not answer (logged: judging then
   * restarts from "not enough data yet", as before).
   */
  restoreHealth(): Promise<HealthRestoreResult | null>;
}

const SCHEMA_RETRY_MS = 2000;
/** How often a worker checkpoints its partitions: a next owner replays at most about this much. */
const DEFAULT_CHECKPOINT_MS = 10_000;
/** The health read-back at start may not hold the start up longer than this. */
const HEALTH_RESTORE_TIMEOUT_MS = 20_000;

/** What a partition checkpoint keeps per elevator (log/checkpoints.ts). */
interface ElevatorCheckpoint {
  seq: { max: number; window: number[]; missing: number; duplicates: number; restarts: number };
  detector: unknown;
}

export function createIngest(options: IngestOptions, deps: IngestDeps): Ingest {
  const log = deps.log.child({ module: 'ingest' });
  const events = new EventEmitter<IngestEvents>();
  const elevators = new Map<string, ElevatorState>();
  const keyframeMs = (options.keyframeS ?? DEFAULT_KEYFRAME_MS / 1000) * 1000;
  syncElevators(elevators, deps.elevators, keyframeMs);
  const counts = { received: 0, invalid: 0, deduplicated: 0 };
  const counters: PipelineCounters = { gaps: 0, detectErrors: 0 };

  const recreateDatabase = () => ensureInfluxSchema(options.influx, log);
  const writerInto = (retentionPolicy: string, retentionMs: number, spillDir: string) =>
    new InfluxWriter(
      {
        url: options.influx.url,
        database: options.influx.database,
        retentionPolicy,
        retentionMs,
        spillDir,
        ...defined({
          auth: options.influx.auth,
          batchSize: options.batchSize,
          batchMaxAgeMs: options.batchMaxAgeMs,
          writesInFlight: options.writesInFlight ?? WRITER_DEFAULTS.writesInFlight,
          bufferMaxPoints: options.bufferMaxPoints,
          spillMaxBytes: options.spillMaxBytes,
          retryInitialMs: options.retryInitialMs,
          retryMaxMs: options.retryMaxMs,
        }),
      },
      { log: log.child({ module: 'influx-writer' }), recreateDatabase, admit: (batch) => admit(batch) },
    );
  const writer = writerInto(RAW_POLICY, durationMs(options.influx.rawRetention), options.spillDir);
  // Health days go to the long-kept policy (protocol/influx.ts HEALTH_POLICY), read over 90
  // days and more; a write request names one policy, so they have their own writer (and spill).
  const healthWriter = options.health
    ? writerInto(HEALTH_POLICY, Number.POSITIVE_INFINITY, join(options.spillDir, 'health'))
    : null;
  const writers = healthWriter ? [writer, healthWriter] : [writer];
  const drainAll = async (timeoutMs: number) =>
    (await Promise.all(writers.map((w) => w.drain(timeoutMs)))).every(Boolean);
  // What a settle waits for: the lines accepted so far, not an idle writer (devices keep publishing).
  const writtenSoFar = async (timeoutMs: number) =>
    (await Promise.all(writers.map((w) => w.settled(timeoutMs)))).every(Boolean);
  const deadLetters = new DeadLetterSink({
    deadLetters: deps.store.deadLetters,
    log,
    onStored: (count) => events.emit('deadLettered', count, deadLetters.stored),
  });
  for (const w of writers) {
    w.on('written', (count) => events.emit('written', count, writerStats().written));
    w.on('refused', (line, reason) => onRefused(line, reason));
    w.on('dropped', (count) => onDropped(count));
  }
  function onRefused(line: string, reason: string): void {
    log.warn({ reason, line: line.slice(0, 200) }, 'InfluxDB refused a point; dead-lettered');
    const measurement = line.slice(0, line.indexOf(','));
    const elevatorId = lineTag(line, 'elevator') ?? 'unknown';
    // Later points were written as changes from this one: restart the series from a keyframe.
    const state = elevators.get(elevatorId);
    if (state) state.keyframeForced = true;
    deadLetters.add({
      receivedAt: Date.now(),
      topic: topics.device(elevatorId, measurement as DeviceChannel),
      clientId: null,
      stage: 'write',
      reason,
      payload: line,
    });
  }
  function onDropped(count: number): void {
    log.error({ count }, 'spill file full; points dropped');
    // Which cars lost points is not known: every series restarts from a keyframe.
    for (const state of elevators.values()) state.keyframeForced = true;
  }

  // HOOK: health signals ride on the detect hook, after the rules, and run even if they threw.
  const health = options.health
    ? createHealthStage(deps.elevators, {
        writeLine: (line) => healthWriter!.write(line),
        deadLetter: (letter) => deadLetters.add({ ...letter, clientId: null }),
      })
    : null;
  const detect: PipelineDeps['detect'] = health
    ? (message, elevator, replayed) => {
        try {
          deps.detect?.(message, elevator, replayed);
        } finally {
          health.onMessage(message, elevator.tags);
        }
      }
    : deps.detect;

  const steps: Step[] = buildSteps({
    elevators,
    counters,
    writeLine: (line) => writer.write(line),
    keyframeMs,
    ...(detect ? { detect } : {}),
    onDetectError: (error: unknown, message: DeviceMessage) =>
      log.error(
        { err: error, elevatorId: message.elevatorId, channel: message.channel },
        'detect step threw',
      ),
  });

  const arrival = new LatencyHistogram();

  /**
   * One message, start to end, synchronously: the MQTT source calls this from mqtt.js's
   * 'message' event, and mqtt.js sends the PUBACK once the listener returns. So this must
   * return, whatever the message: every step is guarded (runSteps), and the bookkeeping
   * around the steps is guarded here, where a throw dead-letters the message at stage
   * `handle`. A message this function has returned from is acknowledged and never comes
   * back; the process-level handler (lib/crash-policy.ts) covers the rest, none of which
   * is working on a message the broker would redeliver. With the log (LOG_ENABLED) the
   * source is log/consumer.ts, which acknowledges only after a settle (the points written), so
   * a message whose handling crashed the process would be delivered again: the guards above
   * are what keep that from looping.
   */
  function handle(topic: string, payload: Buffer, receivedAt = Date.now(), replayed = false): void {
    counts.received += 1;
    try {
      const ctx = newContext(topic, payload, receivedAt, replayed);
      const result = runSteps(steps, ctx);
      if (result === undefined) {
        arrival.record(receivedAt - ctx.message!.payload.ts);
        return;
      }
      if (result === DUPLICATE) {
        counts.deduplicated += 1;
        return;
      }
      reject(topic, payload, receivedAt, result.stage, result.reason);
    } catch (error) {
      log.error({ err: error, topic }, 'message handling threw outside the pipeline steps; dead-lettered');
      reject(topic, payload, receivedAt, 'handle', `handle threw: ${describeError(error)}`);
    }
  }

  function reject(topic: string, payload: Buffer, receivedAt: number, stage: string, reason: string): void {
    counts.invalid += 1;
    log.debug({ topic, stage, reason }, 'message rejected');
    deadLetters.add({ receivedAt, topic, clientId: null, stage, reason, payload: payload.toString('utf8') });
  }

  const source = new MqttSource(
    {
      url: options.mqtt.url,
      clientId: options.mqtt.clientId,
      connectTimeoutMs: options.mqtt.connectTimeoutMs ?? 10_000,
      reconnectPeriodMs: options.mqtt.reconnectPeriodMs ?? 1000,
      subscribe: !options.log,
      ...defined({ username: options.mqtt.username, password: options.mqtt.password }),
    },
    { log, onMessage: handle },
  );

  // Acknowledge after the durable write: a log message is acked once its points are in
  // InfluxDB, its dead letter in the store and its findings committed.
  const settleTimeoutMs = options.settleTimeoutMs ?? 5000;
  const lease = options.log?.lease;
  const logConsumer = options.log
    ? new LogConsumer(
        { ...options.log, partitions: lease ? [] : options.log.partitions },
        {
          log,
          onMessage: handle,
          settle: async () => {
            if (!(await writtenSoFar(settleTimeoutMs))) return false;
            await deadLetters.flush();
            await deps.settled?.();
            return true;
          },
          ...(lease
            ? {
                fence: (partitions) => stillOurs(partitions),
                checkpoint: {
                  everyMs: lease.checkpointMs ?? DEFAULT_CHECKPOINT_MS,
                  capture: (covered) => captureCheckpoints(covered),
                  save: (captured) => saveCheckpoints(captured as EncodedCheckpoint[]),
                },
              }
            : {}),
        },
      )
    : null;

  // Leases: which partitions this worker reads, and the fence on everything it commits.
  const partitionCache = new Map<string, number>();
  const partitionOfElevator = (id: string): number => {
    let partition = partitionCache.get(id);
    if (partition === undefined) {
      partition = partitionOf(id, lease!.partitions);
      partitionCache.set(id, partition);
    }
    return partition;
  };
  let fencedPoints = 0;
  const leases =
    lease && logConsumer
      ? new PartitionLeases(
          { ttlMs: lease.ttlMs, workerId: lease.workerId, partitions: lease.partitions },
          {
            log,
            // The claim in the store first (from now on a previous owner's transitions are
            // refused there), then the state (the partition's checkpoint), then its messages.
            onGained: async (partition, epoch) => {
              await deps.store.partitionEpochs.claim(
                partition,
                epoch,
                lease.workerId,
                Date.now(),
                await leases!.revisionCeiling(),
              );
              await logConsumer.addPartition(partition, await restoreCheckpoint(partition, epoch));
            },
            onLost: (partition) => {
              // Stop reading first, then forget: nothing of it is handled, written or acked after.
              logConsumer.removePartition(partition);
              const lost: string[] = [];
              for (const [id, state] of elevators) {
                if (partitionOfElevator(id) !== partition) continue;
                elevators.set(id, newElevatorState(state.info, keyframeMs));
                lost.push(id);
              }
              if (lost.length > 0) deps.onElevatorsLost?.(lost);
            },
          },
        )
      : null;

  const checkpoints = leases ? new PartitionCheckpoints<ElevatorCheckpoint>() : null;

  /** Synchronous, at a batch boundary: the state of these partitions' elevators as handed so far. */
  function captureCheckpoints(covered: ReadonlyMap<number, number>): EncodedCheckpoint[] {
    if (!leases) return [];
    const wanted = new Map<number, EncodedCheckpoint>();
    for (const [partition, streamSeq] of covered) {
      const epoch = leases.epoch(partition);
      if (epoch === undefined) continue;
      wanted.set(partition, {
        partition,
        epoch,
        worker: lease!.workerId,
        writtenAt: Date.now(),
        streamSeq,
        elevators: new Map(),
      });
    }
    if (wanted.size === 0) return [];
    for (const [id, state] of elevators) {
      const checkpoint = wanted.get(partitionOfElevator(id));
      if (!checkpoint || state.sequence.max < 0) continue;
      const { max, missing, duplicates, restarts } = state.sequence;
      // Serialized now, once: that text is the copy (the state moves on while the settle runs)
      // and what the checkpoint stores; save only joins the texts (log/checkpoints.ts).
      const saved: ElevatorCheckpoint = {
        seq: { max, window: windowWords(state.sequence), missing, duplicates, restarts },
        detector: deps.exportState?.(id) ?? null,
      };
      checkpoint.elevators.set(id, JSON.stringify(saved));
    }
    return [...wanted.values()];
  }

  async function saveCheckpoints(captured: EncodedCheckpoint[]): Promise<void> {
    // A partition lost meanwhile is not written: its new owner's checkpoint is the one that
    // counts. Nor one whose lease lapsed locally: the writer may have dropped (fenced) points of
    // messages the capture holds, and a lapsed lease never becomes valid again, so checking now
    // covers every drop before this moment.
    await Promise.all(
      captured
        .filter((c) => leases?.epoch(c.partition) === c.epoch && leases.valid(c.partition))
        .map((c) =>
          checkpoints!.save(c).catch(async (error: unknown) => {
            // Someone wrote the partition's checkpoint since we read it: a newer owner (or an
            // older one that had not noticed yet). Let it go; taken again, it starts from that.
            if (error instanceof LiftWatchError && error.code === 'LEASE_LOST')
              await leases!.surrender(c.partition);
            throw error;
          }),
        ),
    );
  }

  /**
   * Loads a taken-over partition's state; returns the stream sequence it covers, after which
   * the partition is read again: 0 (from the start) when it has none, since an earlier owner may
   * have acknowledged messages before its first checkpoint; undefined for a checkpoint of an
   * earlier version (acks then waited for checkpoints: the consumer's own position is right).
   */
  async function restoreCheckpoint(partition: number, epoch: number): Promise<number | undefined> {
    const checkpoint = await checkpoints?.load(partition, { epoch });
    if (!checkpoint) return 0;
    let restored = 0;
    for (const [id, saved] of Object.entries(checkpoint.elevators)) {
      const state = elevators.get(id);
      if (!state || partitionOfElevator(id) !== partition) continue;
      const { max, window, missing, duplicates, restarts } = saved.seq;
      Object.assign(state.sequence, { max, missing, duplicates, restarts });
      restoreWindow(state.sequence, window);
      if (saved.detector !== null) deps.importState?.(id, saved.detector);
      restored += 1;
    }
    log.info(
      {
        partition,
        elevators: restored,
        from: checkpoint.worker,
        epoch: checkpoint.epoch,
        streamSeq: checkpoint.streamSeq,
      },
      'partition state restored from its checkpoint',
    );
    return checkpoint.streamSeq;
  }

  async function stillOurs(partitions: readonly number[]): Promise<ReadonlySet<number>> {
    const ours = new Set<number>();
    if (!leases) return ours;
    const answers = await Promise.all(partitions.map((p) => leases.holds(p)));
    for (const [i, p] of partitions.entries()) if (answers[i]) ours.add(p);
    return ours;
  }

  /** The writer's last check before a request: points of a partition not (validly) ours are dropped. */
  function admit(batch: string[]): string[] {
    if (!leases) return batch;
    const kept = batch.filter((line) => {
      const id = lineTag(line, 'elevator');
      return id === undefined || leases.valid(partitionOfElevator(id));
    });
    if (kept.length < batch.length) {
      fencedPoints += batch.length - kept.length;
      log.warn(
        { dropped: batch.length - kept.length },
        'points of partitions no longer ours not written (fenced)',
      );
    }
    return kept;
  }

  let schemaTimer: NodeJS.Timeout | null = null;
  let stopped = false;
  // InfluxDB may be down at start: the writer buffers meanwhile and the schema is retried.
  async function ensureSchemaUntilReady(): Promise<void> {
    try {
      await ensureInfluxSchema(options.influx, log);
    } catch (error) {
      if (stopped) return;
      log.warn({ err: error, url: options.influx.url }, 'InfluxDB not ready; retrying schema setup');
      schemaTimer = setTimeout(() => void ensureSchemaUntilReady(), SCHEMA_RETRY_MS);
    }
  }

  async function restoreHealth(): Promise<HealthRestoreResult | null> {
    if (!health) return null;
    try {
      const restored = await restoreHealthState(health, {
        influx: options.influx,
        visits: deps.store.visits,
        signal: AbortSignal.timeout(HEALTH_RESTORE_TIMEOUT_MS),
      });
      log.info(restored, 'health history restored');
      return restored;
    } catch (error) {
      log.warn({ err: error }, 'health history not restored; lifts start from "not enough data yet"');
      return null;
    }
  }

  return {
    state: { elevators },
    events,
    handle,
    health,
    restoreHealth,
    updateElevators: (list) => {
      syncElevators(elevators, list, keyframeMs);
      health?.updateLifts(list);
    },
    publish: (topic, payload) => source.publish(topic, payload),
    flush: (timeoutMs = 10_000) => drainAll(timeoutMs),
    owns: async (elevatorId) => (leases ? leases.holds(partitionOfElevator(elevatorId)) : true),
    leaseOf: (elevatorId) => {
      if (!leases) return null;
      const partition = partitionOfElevator(elevatorId);
      const epoch = leases.epoch(partition);
      return epoch === undefined ? null : { partition, epoch };
    },
    surrenderPartitionOf: async (elevatorId) => {
      await leases?.surrender(partitionOfElevator(elevatorId));
    },
    async start() {
      for (const w of writers) w.start();
      await ensureSchemaUntilReady();
      // Before the first message, so no day closes on an empty baseline.
      await restoreHealth();
      await source.start();
      await logConsumer?.start();
      if (leases && logConsumer?.connection) {
        await checkpoints?.start(logConsumer.connection);
        await leases.start(logConsumer.connection);
      }
      log.info({ elevators: elevators.size, source: logConsumer ? 'log' : 'mqtt' }, 'ingest started');
    },
    async stop() {
      stopped = true;
      if (schemaTimer) clearTimeout(schemaTimer);
      // Last settle and acks while the leases are still ours; then the leases go back, so a
      // successor takes over at once instead of after the TTL.
      await logConsumer?.finish();
      await leases?.stop();
      await logConsumer?.stop();
      await source.stop();
      await Promise.all(writers.map((w) => w.close(options.stopTimeoutMs ?? 5000)));
      await deadLetters.flush();
      log.info(metricsSnapshot(), 'ingest stopped');
    },
    metrics: metricsSnapshot,
  };

  function writerStats(): InfluxWriterStats {
    return sumStats(writers.map((w) => w.stats()));
  }

  function metricsSnapshot(): IngestMetrics {
    const w = writerStats();
    return {
      received: counts.received,
      invalid: counts.invalid,
      deduplicated: counts.deduplicated,
      gaps: counters.gaps,
      written: w.written,
      buffered: w.buffered,
      spilled: w.spilled,
      spillPoints: w.spillPoints,
      dropped: w.dropped,
      refused: w.refused,
      deadLettered: deadLetters.stored,
      deadLettersDiscarded: deadLetters.discarded,
      retries: w.retries,
      writesInFlight: w.inFlight,
      influxHealthy: w.healthy,
      mqttConnected: source.connected,
      detectErrors: counters.detectErrors,
      latencyMs: summarise(writer.latency),
      arrivalMs: summarise(arrival),
      influxRequestMs: summarise(writer.requestLatency),
      ...(logConsumer
        ? {
            log: {
              ...logConsumer.stats(),
              connected: logConsumer.connected,
              fencedPoints,
              ...(leases ? { leases: leases.stats() } : {}),
            },
          }
        : {}),
    };
  }
}

/** The writers' figures added up (healthy: all of them); the raw writer's alone without health. */
function sumStats(stats: InfluxWriterStats[]): InfluxWriterStats {
  const sum = { ...stats[0]! };
  for (const s of stats.slice(1)) {
    for (const key of Object.keys(sum) as (keyof InfluxWriterStats)[]) {
      if (key === 'healthy') sum.healthy &&= s.healthy;
      else sum[key] += s[key];
    }
  }
  return sum;
}

/** Drops undefined entries so optional settings fall back to the writer's defaults. */
function defined<T extends Record<string, unknown>>(
  values: T,
): Partial<{ [K in keyof T]: Exclude<T[K], undefined> }> {
  const out: Record<string, unknown> = {};
  for (const [key, value] of Object.entries(values)) if (value !== undefined) out[key] = value;
  return out as Partial<{ [K in keyof T]: Exclude<T[K], undefined> }>;
}
