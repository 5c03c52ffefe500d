/**
 * Batched InfluxDB 1.x writer, after influxdb-client-js's WriteApi and RetryBuffer: lines
 * gather into batches bounded by size and age, at most `writesInFlight` POSTs run at once,
 * retryable failures (network, timeouts, 5xx) back off and retry without limit, and a point
 * InfluxDB refuses is dead-lettered alone with InfluxDB's reason (the partial-write error is
 * matched to the offending lines, otherwise the batch is bisected) so it never blocks its
 * neighbours. `written` counts only points InfluxDB said it stored.
 * While InfluxDB is away, batches queue in memory up to a bound, then go to an append-only
 * spill file replayed in order on recovery; beyond the disk cap they are counted as dropped.
 * Timestamps are device time, so a retried write overwrites itself: retries are idempotent.
 */
import { EventEmitter } from 'node:events';
import { Agent } from 'node:http';
import { ExponentialBackoff } from 'influx/lib/src/backoff/exponential.js';
import { Pool, RequestError } from 'influx/lib/src/pool.js';
import type { Logger } from '../lib/logger.ts';
import { RETENTION_POLICIES } from '../protocol/influx.ts';
import { LatencyHistogram } from './metrics.ts';
import { type FieldType, lineFieldType, lineTimestamp } from './points.ts';
import { SpillFile } from './spill.ts';

export interface InfluxWriterOptions {
  url: string;
  database: string;
  /** Retention policy written to; the raw one. */
  retentionPolicy: string;
  /** Duration of that policy in ms (Infinity for INF): names the points InfluxDB drops as too old. */
  retentionMs: number;
  batchSize: number;
  batchMaxAgeMs: number;
  writesInFlight: number;
  /** Points held in memory (queued batches) before new batches spill to disk. */
  bufferMaxPoints: number;
  spillDir: string;
  spillMaxBytes: number;
  requestTimeoutMs: number;
  retryInitialMs: number;
  retryMaxMs: number;
  /** `user:password` for InfluxDB basic auth, if it has auth enabled. */
  auth?: string;
}

export const WRITER_DEFAULTS = {
  retentionPolicy: RETENTION_POLICIES.raw,
  retentionMs: Number.POSITIVE_INFINITY,
  batchSize: 5000,
  batchMaxAgeMs: 100,
  writesInFlight: 2,
  bufferMaxPoints: 200_000,
  spillMaxBytes: 1024 ** 3,
  requestTimeoutMs: 10_000,
  retryInitialMs: 100,
  retryMaxMs: 5_000,
} as const satisfies Partial<InfluxWriterOptions>;

export interface InfluxWriterDeps {
  log: Logger;
  /** Called when InfluxDB answers that the database does not exist (dropped under us). */
  recreateDatabase?: () => Promise<void>;
  /**
   * The last check before a batch is sent: returns the lines that may still be written. The
   * log's fencing (a worker that lost a partition writes nothing of it) drops lines here.
   */
  admit?: (batch: string[]) => string[];
}

export interface InfluxWriterEvents {
  /** Points acknowledged by InfluxDB. */
  written: [count: number];
  /** A point InfluxDB refused for good, with its reason. */
  refused: [line: string, reason: string];
  /** Points over the disk cap, lost. */
  dropped: [count: number];
  idle: [];
}

export interface InfluxWriterStats {
  written: number;
  /** Points in memory: the open batch, queued batches and writes in flight. */
  buffered: number;
  /** Points ever sent to the spill file. */
  spilled: number;
  /** Points in the spill file now. */
  spillPoints: number;
  spillBytes: number;
  dropped: number;
  refused: number;
  retries: number;
  inFlight: number;
  healthy: boolean;
}

type Failure =
  | { kind: 'retry'; message: string }
  | { kind: 'refused'; message: string }
  | { kind: 'database-missing'; message: string };

export class InfluxWriter extends EventEmitter<InfluxWriterEvents> {
  /** Device time of each point → InfluxDB acknowledged it. */
  readonly latency = new LatencyHistogram();
  /**
   * Write request sent → acknowledged, once per point of a batch InfluxDB took whole: how much
   * of `latency` InfluxDB itself took. (The stored points of a partly refused batch are not counted.)
   */
  readonly requestLatency = new LatencyHistogram();
  private readonly options: InfluxWriterOptions;
  private readonly pool: Pool;
  private readonly spill: SpillFile;
  private current: string[] = [];
  private ageTimer: NodeJS.Timeout | null = null;
  private readonly queue: string[][] = [];
  private queuedPoints = 0;
  private inFlight = 0;
  private inFlightPoints = 0;
  private readonly settling = new Set<Promise<void>>();
  private retryTimer: NodeJS.Timeout | null = null;
  private failures = 0;
  private healthy = true;
  private closing = false;
  private readonly counts = { written: 0, spilled: 0, dropped: 0, refused: 0, retries: 0 };
  /**
   * What `settled` waits for. Each sealed batch is numbered (its generation); a batch narrowed
   * by `admit` or split by a refusal passes its number on. `outstanding` counts, per
   * generation, the batches still in memory (queued or in flight); the spill file keeps no
   * numbers, so anything in it holds back every mark up to `spilledThrough`.
   */
  private generation = 0;
  private readonly generationOf = new WeakMap<string[], number>();
  private readonly outstanding = new Map<number, number>();
  private spilledThrough = 0;
  private readonly waiters = new Set<{ mark: number; done: (written: boolean) => void }>();

  constructor(
    options: Partial<InfluxWriterOptions> & Pick<InfluxWriterOptions, 'url' | 'database' | 'spillDir'>,
    private readonly deps: InfluxWriterDeps,
  ) {
    super();
    this.options = { ...WRITER_DEFAULTS, ...options };
    // The pool's own retries are off: this writer owns retry, order and bookkeeping.
    this.pool = new Pool({
      maxRetries: 0,
      requestTimeout: this.options.requestTimeoutMs,
      backoff: new ExponentialBackoff({ initial: 50, max: 1000, random: 0.2 }),
    });
    this.pool.addHost(this.options.url, {
      agent: new Agent({ keepAlive: true, maxSockets: this.options.writesInFlight + 1 }),
    });
    this.spill = new SpillFile(this.options.spillDir, this.options.spillMaxBytes);
  }

  /** Opens the spill file; points left there by a previous run are replayed first. */
  start(): void {
    this.spill.open();
    if (this.spill.hasData) {
      this.deps.log.info({ points: this.spill.points, file: this.spill.path }, 'replaying spilled points');
    }
    this.pump();
  }

  /** Adds one line of line protocol; never blocks, never throws. */
  write(line: string): void {
    this.current.push(line);
    if (this.current.length === 1) {
      this.ageTimer = setTimeout(() => this.seal(), this.options.batchMaxAgeMs);
      this.ageTimer.unref();
    }
    if (this.current.length >= this.options.batchSize) this.seal();
  }

  /** Closes the open batch now instead of waiting for its age bound. */
  seal(): void {
    if (this.ageTimer) {
      clearTimeout(this.ageTimer);
      this.ageTimer = null;
    }
    if (this.current.length === 0) return;
    const batch = this.current;
    this.current = [];
    this.track(batch, ++this.generation);
    this.enqueue(batch);
  }

  /**
   * Resolves true once every line accepted before the call is written (or refused, or counted
   * dropped), false after `timeoutMs`. Unlike `drain` it neither seals the open batch early
   * nor waits for the writer to go idle, so lines that keep arriving do not hold it back: the
   * log's consumer acknowledges by it while devices keep publishing.
   */
  settled(timeoutMs: number): Promise<boolean> {
    // An open batch that would age out too late for the answer (a long INGEST_BATCH_MAX_AGE_MS) goes now.
    if (this.current.length > 0 && this.options.batchMaxAgeMs > timeoutMs / 2) this.seal();
    const mark = this.current.length > 0 ? this.generation + 1 : this.generation;
    if (this.writtenThrough(mark)) return Promise.resolve(true);
    return new Promise((resolve) => {
      const waiter = {
        mark,
        done: (written: boolean) => {
          clearTimeout(timer);
          this.waiters.delete(waiter);
          resolve(written);
        },
      };
      const timer = setTimeout(() => waiter.done(false), timeoutMs);
      this.waiters.add(waiter);
    });
  }

  /** Resolves true once everything accepted so far is written (or refused), false on timeout. */
  async drain(timeoutMs: number): Promise<boolean> {
    this.seal();
    if (this.isIdle()) return true;
    return new Promise((resolve) => {
      const timer = setTimeout(() => {
        this.off('idle', onIdle);
        resolve(false);
      }, timeoutMs);
      const onIdle = () => {
        clearTimeout(timer);
        resolve(true);
      };
      this.once('idle', onIdle);
    });
  }

  /** Writes what it can within `timeoutMs`, then keeps the rest in the spill file for the next start. */
  async close(timeoutMs = 5000): Promise<void> {
    const drained = await this.drain(timeoutMs);
    this.closing = true;
    if (this.retryTimer) clearTimeout(this.retryTimer);
    this.retryTimer = null;
    await Promise.all(this.settling);
    if (!drained || !this.isIdle()) {
      const left = this.queue.splice(0);
      this.queuedPoints = 0;
      const spilledBefore = this.counts.spilled;
      for (const batch of left) this.toSpill(batch);
      const kept = this.counts.spilled - spilledBefore;
      this.deps.log.warn(
        { kept, spillPoints: this.spill.points },
        'InfluxDB writer closed with points pending; kept on disk',
      );
    }
    this.spill.close();
    for (const waiter of this.waiters) waiter.done(false);
  }

  stats(): InfluxWriterStats {
    return {
      ...this.counts,
      buffered: this.current.length + this.queuedPoints + this.inFlightPoints,
      spillPoints: this.spill.points,
      spillBytes: this.spill.bytes,
      inFlight: this.inFlight,
      healthy: this.healthy,
    };
  }

  /** Every batch up to generation `mark` sealed and out of memory and of the spill file. */
  private writtenThrough(mark: number): boolean {
    if (mark > this.generation || (this.spill.hasData && mark <= this.spilledThrough)) return false;
    for (const generation of this.outstanding.keys()) if (generation <= mark) return false;
    return true;
  }

  private track(batch: string[], generation: number): void {
    this.generationOf.set(batch, generation);
    this.outstanding.set(generation, (this.outstanding.get(generation) ?? 0) + 1);
  }

  /** `batch` is written, refused, dropped or on disk: no longer in memory. */
  private untrack(batch: string[]): void {
    const generation = this.generationOf.get(batch);
    if (generation === undefined) return;
    this.generationOf.delete(batch);
    const left = this.outstanding.get(generation)! - 1;
    if (left > 0) this.outstanding.set(generation, left);
    else this.outstanding.delete(generation);
    for (const waiter of this.waiters) if (this.writtenThrough(waiter.mark)) waiter.done(true);
  }

  /** Puts `batch` in the spill file (or drops it when the file is full). */
  private toSpill(batch: string[]): void {
    if (this.spill.append(batch)) {
      this.counts.spilled += batch.length;
      this.spilledThrough = Math.max(this.spilledThrough, this.generationOf.get(batch) ?? 0);
    } else this.drop(batch.length);
    this.untrack(batch);
  }

  private isIdle(): boolean {
    return this.current.length === 0 && this.queue.length === 0 && this.inFlight === 0 && !this.spill.hasData;
  }

  private enqueue(batch: string[]): void {
    // Once anything is on disk, newer batches follow it there, so replay keeps arrival order.
    if (this.spill.hasData || this.queuedPoints + batch.length > this.options.bufferMaxPoints) {
      this.toSpill(batch);
    } else {
      this.queue.push(batch);
      this.queuedPoints += batch.length;
    }
    this.pump();
  }

  private requeueFront(...batches: string[][]): void {
    for (let i = batches.length - 1; i >= 0; i--) {
      const batch = batches[i]!;
      this.queue.unshift(batch);
      this.queuedPoints += batch.length;
    }
  }

  private drop(count: number): void {
    this.counts.dropped += count;
    this.emit('dropped', count);
  }

  private nextBatch(): string[] | undefined {
    const batch = this.queue.shift();
    if (batch) {
      this.queuedPoints -= batch.length;
      return batch;
    }
    if (this.spill.hasData) {
      // Read back without its numbers: counted as the newest generation that went to disk.
      const read = this.spill.read(this.options.batchSize);
      if (read) this.track(read, this.spilledThrough);
      return read;
    }
    return undefined;
  }

  private pump(): void {
    if (this.closing || this.retryTimer) return;
    // While InfluxDB is failing, one write probes; the rest wait for it.
    const limit = this.healthy ? this.options.writesInFlight : 1;
    while (this.inFlight < limit) {
      const batch = this.nextBatch();
      if (!batch) break;
      this.send(batch);
    }
    if (this.isIdle()) this.emit('idle');
  }

  private send(whole: string[]): void {
    const batch = this.deps.admit ? this.deps.admit(whole) : whole;
    if (batch !== whole) {
      // The fenced lines are dropped here: what is left carries the batch's number on.
      if (batch.length > 0) this.track(batch, this.generationOf.get(whole) ?? 0);
      this.untrack(whole);
    }
    if (batch.length === 0) return; // pump() goes on to the next batch
    const sentAt = Date.now();
    this.inFlight += 1;
    this.inFlightPoints += batch.length;
    const settled = this.pool
      .discard({
        method: 'POST',
        path: '/write',
        query: { db: this.options.database, rp: this.options.retentionPolicy, precision: 'ms' },
        body: batch.join('\n'),
        ...(this.options.auth ? { auth: this.options.auth } : {}),
      })
      .then(
        () => {
          this.requestLatency.record(Date.now() - sentAt, batch.length);
          this.onWritten(batch, batch);
        },
        (error: unknown) => this.onFailed(batch, classify(error)),
      )
      .finally(() => {
        this.settling.delete(settled);
      });
    this.settling.add(settled);
  }

  private settle(batch: string[]): void {
    this.inFlight -= 1;
    this.inFlightPoints -= batch.length;
  }

  private onWritten(batch: string[], stored: readonly string[]): void {
    this.settle(batch);
    if (!this.healthy) this.deps.log.info({ failures: this.failures }, 'InfluxDB writes resumed');
    this.healthy = true;
    this.failures = 0;
    this.acknowledge(stored);
    this.untrack(batch);
    this.pump();
  }

  private acknowledge(stored: readonly string[]): void {
    const now = Date.now();
    for (let i = 0; i < stored.length; i++) this.latency.record(now - lineTimestamp(stored[i]!));
    this.counts.written += stored.length;
    if (stored.length > 0) this.emit('written', stored.length);
  }

  private onFailed(batch: string[], failure: Failure): void {
    if (failure.kind === 'refused') {
      this.settle(batch);
      this.refuse(batch, failure.message);
      this.untrack(batch);
      this.pump();
      return;
    }
    this.settle(batch);
    if (this.closing) {
      this.toSpill(batch);
      return;
    }
    this.requeueFront(batch);
    this.counts.retries += 1;
    this.failures += 1;
    if (this.healthy)
      this.deps.log.warn({ error: failure.message }, 'InfluxDB write failed; buffering and retrying');
    this.healthy = false;
    if (failure.kind === 'database-missing' && this.deps.recreateDatabase) {
      this.deps.recreateDatabase().catch((error: unknown) => {
        this.deps.log.error({ err: error }, 'recreating the InfluxDB database failed');
      });
    }
    this.scheduleRetry();
  }

  private scheduleRetry(): void {
    if (this.retryTimer) return;
    const base = Math.min(
      this.options.retryMaxMs,
      this.options.retryInitialMs * 2 ** Math.min(this.failures - 1, 16),
    );
    const delay = base * (0.8 + Math.random() * 0.4);
    this.retryTimer = setTimeout(() => {
      this.retryTimer = null;
      this.pump();
    }, delay);
  }

  /**
   * InfluxDB refused some of the batch. Its answer names one kind of refusal only (measured
   * on 1.6: a type conflict hides points beyond retention, and either hides unparsable
   * lines), so it is read for the lines it certainly accounts for; those are dead-lettered
   * with InfluxDB's reason. The rest is counted as written only when the answer leaves no
   * room for a hidden refusal (parse errors alone); otherwise it is sent again, an
   * idempotent overwrite, and InfluxDB's next answer says what it stored. An answer that
   * names no line splits the batch until the bad line stands alone.
   */
  private refuse(batch: string[], message: string): void {
    const { refused, restStored } = readRefusal(batch, message, this.options.retentionMs);
    if (refused.size === 0) {
      if (batch.length === 1) {
        this.reject(batch[0]!, influxErrorText(message));
        return;
      }
      const middle = batch.length >>> 1;
      this.requeueFront(...this.inherit(batch, [batch.slice(0, middle), batch.slice(middle)]));
      return;
    }
    const rest: string[] = [];
    for (const line of batch) {
      const reason = refused.get(line);
      if (reason === undefined) rest.push(line);
      else this.reject(line, reason);
    }
    if (rest.length === 0) return;
    if (restStored) this.acknowledge(rest);
    else this.requeueFront(...this.inherit(batch, [rest]));
  }

  /** Parts of `parent` sent again on their own: they carry its generation. */
  private inherit(parent: string[], parts: string[][]): string[][] {
    const generation = this.generationOf.get(parent) ?? 0;
    for (const part of parts) this.track(part, generation);
    return parts;
  }

  private reject(line: string, reason: string): void {
    this.counts.refused += 1;
    this.emit('refused', line, reason);
  }
}

function classify(error: unknown): Failure {
  const message = error instanceof Error ? error.message : String(error);
  if (error instanceof RequestError) {
    const status = error.res.statusCode ?? 0;
    if (status === 404 && /database not found/.test(message)) return { kind: 'database-missing', message };
    if (status === 400 || status === 413 || status === 422) return { kind: 'refused', message };
  }
  // Network errors, timeouts, 5xx, and auth or rate limits an operator can fix: keep the points.
  return { kind: 'retry', message };
}

const TYPE_CONFLICT =
  /field type conflict: input field "([^"]+)" on measurement "([^"]+)" is type (\w+), already exists as type (\w+)/;
const BEYOND_RETENTION = /points beyond retention policy/;
const DROPPED = /dropped=(\d+)/;

/** InfluxDB's own words: the `error` of its JSON body, out of the pool's error message. */
export function influxErrorText(message: string): string {
  const start = message.indexOf('{');
  if (start < 0) return message;
  try {
    const body = JSON.parse(message.slice(start)) as { error?: unknown };
    return typeof body.error === 'string' ? body.error : message;
  } catch {
    return message;
  }
}

/** What an InfluxDB refusal says about a batch. */
export interface Refusal {
  /** Lines InfluxDB certainly refused, each with its reason in InfluxDB's words. */
  refused: Map<string, string>;
  /**
   * True when the answer leaves no room for a refusal it did not name, so the other lines are
   * stored; false when they must be sent again to learn what InfluxDB did with them.
   */
  restStored: boolean;
}

/**
 * Reads a 400 from InfluxDB 1.x's /write. Measured on 1.6 (tests/integration/influx-refusals):
 * - some lines unparsable, the rest stored: `partial write: unable to parse '<line>': <why>`
 *   (one per line, joined by newlines) ` dropped=0`; this is the only answer that names every
 *   refused line, and InfluxDB gives it only when the parsed points were all stored;
 * - no line parsable: the same list without `partial write: `, nothing stored;
 * - points beyond the retention policy: `partial write: points beyond retention policy dropped=N`;
 * - a field type conflict: `partial write: field type conflict: input field "f" on measurement
 *   "m" is type T, already exists as type U dropped=N`, N counting every conflicting point,
 *   whatever its field.
 * A conflict hides points beyond retention, and either hides unparsable lines: the batch
 * [good, unparsable, too old] gets `points beyond retention policy dropped=1` alone.
 */
export function readRefusal(batch: readonly string[], message: string, retentionMs: number): Refusal {
  const error = influxErrorText(message);
  const unparsable = unparsableLines(batch, error);
  if (unparsable) return unparsable;
  const refused = new Map<string, string>();
  for (const line of droppedLines(batch, error, retentionMs) ?? []) refused.set(line, error);
  return { refused, restStored: false };
}

/** The lines a refusal names for certain, or null when it names none. */
export function matchDropped(
  batch: readonly string[],
  message: string,
  retentionMs: number,
): string[] | null {
  const { refused } = readRefusal(batch, message, retentionMs);
  return refused.size > 0 ? batch.filter((line) => refused.has(line)) : null;
}

const PARTIAL = 'partial write: ';
const UNPARSABLE = "unable to parse '";

/** A parse-error answer: each quoted line with its own reason; null for any other answer. */
function unparsableLines(batch: readonly string[], error: string): Refusal | null {
  const partial = error.startsWith(PARTIAL + UNPARSABLE);
  if (!partial && !error.startsWith(UNPARSABLE)) return null;
  const body = (partial ? error.slice(PARTIAL.length) : error).replace(/ dropped=\d+$/, '');
  const reports = body.split(`\n${UNPARSABLE}`).length;
  const refused = new Map<string, string>();
  let named = 0;
  for (const line of batch) {
    // InfluxDB quotes the line with its leading blanks trimmed.
    const quoted = `${UNPARSABLE}${line.trimStart()}': `;
    const at = body.indexOf(quoted);
    if (at < 0) continue;
    const from = at + quoted.length;
    const next = body.indexOf(`\n${UNPARSABLE}`, from);
    refused.set(line, `unable to parse: ${body.slice(from, next < 0 ? undefined : next)}`);
    named += 1;
  }
  // Every report matched to a line of the batch: nothing else was refused, the rest is stored.
  return { refused, restStored: partial && named === reports };
}

/** The lines a retention or type-conflict answer drops, or null when they cannot be told apart exactly. */
function droppedLines(batch: readonly string[], error: string, retentionMs: number): string[] | null {
  if (!error.startsWith(PARTIAL)) return null;
  const dropped = DROPPED.exec(error);
  if (!dropped) return null;
  const count = Number(dropped[1]);
  let culprits: string[] | null = null;
  const conflict = TYPE_CONFLICT.exec(error);
  if (conflict) {
    const [, field, measurement, inputType] = conflict as unknown as [string, string, string, FieldType];
    const prefix = `${measurement},`;
    culprits = batch.filter((line) => line.startsWith(prefix) && lineFieldType(line, field) === inputType);
  } else if (BEYOND_RETENTION.test(error) && Number.isFinite(retentionMs)) {
    const oldest = Date.now() - retentionMs;
    culprits = batch.filter((line) => lineTimestamp(line) < oldest);
  }
  return culprits && culprits.length === count ? culprits : null;
}
