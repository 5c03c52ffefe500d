/**
 * The push adapter to a government safety-monitoring platform (GB/T 24476 data sets,
 * protocol/regulator.ts). What it owns: a durable outbox and its delivery.
 *
 * - Each document (one data set's items, with a document id) is written to the outbox
 *   directory (write, fsync, rename) before anything is sent, and removed only after the
 *   platform answered 2xx: an outage, or a restart during one, loses nothing; the documents
 *   go out in order when the platform answers again.
 * - Sent one at a time, oldest first, through the egress guard (lib/egress.ts: public
 *   addresses unless allow-listed, the checked address pinned), signed like the webhooks:
 *   `X-LiftWatch-Signature: sha256=hex(HMAC-SHA256(secret, "{timestamp}.{body}"))` with a
 *   fresh timestamp per attempt, and `X-LiftWatch-Document-Id` to deduplicate a resend.
 * - Network errors, timeouts, 429 and 5xx are retried with exponential backoff (capped, with
 *   jitter), without end: the outbox holds them meanwhile. A 4xx other than 429 means the
 *   platform refuses this document: it moves to `rejected/` with the answer, logged as an
 *   error, and the rest go on. A refused destination (not allowed) is retried at the cap:
 *   the operator must allow-list it; nothing is dropped meanwhile.
 * - What is pushed: basic information and statistics at start and every `dailyMs`, running
 *   status every `statusIntervalMs`, a fault record at each alert transition.
 */
import { createHmac, randomUUID } from 'node:crypto';
import { EventEmitter } from 'node:events';
import { mkdirSync, readdirSync, readFileSync } from 'node:fs';
import { open, readFile, rename, unlink, writeFile } from 'node:fs/promises';
import { join } from 'node:path';
import { backoffMs, waitUnlessAborted } from '../../lib/backoff.ts';
import type { Component } from '../../lib/component.ts';
import { type EgressGuard, EgressRefusedError } from '../../lib/egress.ts';
import type { Logger } from '../../lib/logger.ts';
import {
  chinaTime,
  PUSH_HEADERS,
  type RegulatorDataset,
  type RegulatorDocument,
} from '../../protocol/regulator.ts';
import type { ElevatorStateSource, StateListener } from '../state-source.ts';
import type { RegulatorDatasets } from './datasets.ts';

export interface RegulatorPushOptions {
  /** The platform's receiving URL. */
  url: string;
  secret: string;
  /** This enterprise platform's id at the regulator. */
  platformId: string;
  /** Where pending documents wait (created if missing). */
  outboxDir: string;
  statusIntervalMs: number;
  dailyMs: number;
  retryBaseMs: number;
  retryMaxMs: number;
  timeoutMs: number;
}

export const REGULATOR_PUSH_DEFAULTS = {
  statusIntervalMs: 60_000,
  dailyMs: 86_400_000,
  retryBaseMs: 1000,
  retryMaxMs: 300_000,
  timeoutMs: 10_000,
} as const;

export interface RegulatorPushDeps {
  datasets: RegulatorDatasets;
  egress: EgressGuard;
  stateSource: Pick<ElevatorStateSource, 'on' | 'off' | 'get'>;
  log: Logger;
  clock: () => number;
  /** Only these estates are reported (null: all). */
  estateIds?: readonly string[] | null;
}

export interface PushCounts {
  queued: number;
  delivered: number;
  attempts: number;
  rejected: number;
  pending: number;
}

/** `000000000042-fault_records-<uuid>.json`: names sort in the order documents were queued. */
const FILE = /^(\d{12})-([a-z_]+)-([A-Za-z0-9_-]{8,64})\.json$/;
const DOCUMENT_ID = /^[A-Za-z0-9_-]{8,64}$/;

export function signPush(secret: string, timestamp: string, body: string): string {
  return `sha256=${createHmac('sha256', secret).update(`${timestamp}.${body}`).digest('hex')}`;
}

/** Emits `attempt` ({ document, outcome }) after each request: operators' metrics and tests wait on it. */
export class RegulatorPush extends EventEmitter implements Component {
  readonly name = 'regulator-push';
  readonly #deps: RegulatorPushDeps;
  readonly #o: RegulatorPushOptions;
  readonly #log: Logger;
  readonly #rejectedDir: string;
  /** Pending file names, oldest first. */
  #queue: string[] = [];
  #seq = 0;
  #timers: NodeJS.Timeout[] = [];
  #stopping = new AbortController();
  #wake: (() => void) | null = null;
  #loop: Promise<void> | null = null;
  #idle: (() => void)[] = [];
  readonly counts: PushCounts = { queued: 0, delivered: 0, attempts: 0, rejected: 0, pending: 0 };
  /** Alert state last pushed per alert: the ingest republishes unchanged ones (bounded by the alerts seen). */
  readonly #pushed = new Map<string, string>();
  readonly #listener: StateListener = (change) => {
    if (change.kind === 'alert') {
      const a = change.alert;
      if (this.#pushed.get(a.id) === a.state) return;
      this.#pushed.set(a.id, a.state);
      this.#track(this.pushDataset('fault_records', { alertId: a.id }));
    } else if (change.kind === 'visit' && change.visit.status === 'open') {
      // A technician checking in while a fault is open: the record moves to 04, on site.
      const open = this.#deps.stateSource.get(change.elevatorId)?.openAlerts;
      for (const a of open?.values() ?? []) this.#track(this.pushDataset('fault_records', { alertId: a.id }));
    }
  };

  constructor(
    deps: RegulatorPushDeps,
    options: Pick<RegulatorPushOptions, 'url' | 'secret' | 'platformId' | 'outboxDir'> &
      Partial<RegulatorPushOptions>,
  ) {
    super();
    this.#deps = deps;
    this.#o = { ...REGULATOR_PUSH_DEFAULTS, ...options };
    this.#log = deps.log.child({ module: 'regulator-push' });
    this.#rejectedDir = join(this.#o.outboxDir, 'rejected');
  }

  async start(): Promise<void> {
    this.#stopping = new AbortController();
    mkdirSync(this.#rejectedDir, { recursive: true });
    // Documents a previous run left (an outage, a crash) go first, in their order.
    this.#queue = readdirSync(this.#o.outboxDir)
      .filter((f) => FILE.test(f))
      .sort();
    const last = this.#queue.at(-1);
    this.#seq = last ? Number(FILE.exec(last)![1]) : 0;
    this.counts.pending = this.#queue.length;
    if (this.#queue.length > 0) this.#log.info({ pending: this.#queue.length }, 'regulator outbox resumed');
    this.#deps.stateSource.on('change', this.#listener);
    this.#loop = this.#drain();
    await this.pushDataset('basic_info');
    await this.pushDataset('statistics');
    await this.pushDataset('running_status');
    this.#timers.push(
      setInterval(() => this.#track(this.pushDataset('running_status')), this.#o.statusIntervalMs),
      setInterval(() => {
        this.#track(this.pushDataset('basic_info'));
        this.#track(this.pushDataset('statistics'));
      }, this.#o.dailyMs),
    );
    for (const t of this.#timers) t.unref();
  }

  async stop(): Promise<void> {
    this.#deps.stateSource.off('change', this.#listener);
    for (const t of this.#timers) clearInterval(t);
    this.#timers = [];
    this.#stopping.abort();
    this.#wake?.();
    await this.#loop;
    this.#loop = null;
  }

  /** Builds a data set's items now and queues them as one document (none when empty). */
  async pushDataset(dataset: RegulatorDataset, scope: { alertId?: string } = {}): Promise<string | null> {
    const items = await this.#deps.datasets.build(dataset, {
      estateIds: this.#deps.estateIds ?? null,
      ...scope,
    });
    if (items.length === 0) return null;
    return this.enqueue({
      dataset,
      document_id: randomUUID(),
      platform_id: this.#o.platformId,
      created_at: chinaTime(this.#deps.clock()),
      items,
    } as RegulatorDocument);
  }

  /** Writes the document to the outbox (durable before this resolves), then wakes the sender. */
  async enqueue(document: RegulatorDocument): Promise<string> {
    // The id names the outbox file and a request header: letters, digits, '-' and '_' only.
    if (!DOCUMENT_ID.test(document.document_id)) throw new Error('document_id must be 8–64 of [A-Za-z0-9_-]');
    const name = `${String(++this.#seq).padStart(12, '0')}-${document.dataset}-${document.document_id}.json`;
    const path = join(this.#o.outboxDir, name);
    const tmp = `${path}.tmp`;
    const handle = await open(tmp, 'w');
    try {
      await handle.writeFile(JSON.stringify(document));
      await handle.sync();
    } finally {
      await handle.close();
    }
    await rename(tmp, path);
    this.#queue.push(name);
    this.counts.queued++;
    this.counts.pending = this.#queue.length;
    this.#wake?.();
    return document.document_id;
  }

  /** Resolves once the outbox is empty (tests, shutdown checks). */
  drained(): Promise<void> {
    if (this.#queue.length === 0) return Promise.resolve();
    return new Promise((resolve) => this.#idle.push(resolve));
  }

  async #drain(): Promise<void> {
    let failures = 0;
    while (!this.#stopping.signal.aborted) {
      const name = this.#queue[0];
      if (name === undefined) {
        for (const resolve of this.#idle.splice(0)) resolve();
        await new Promise<void>((resolve) => {
          this.#wake = resolve;
        });
        this.#wake = null;
        continue;
      }
      const path = join(this.#o.outboxDir, name);
      let body: string;
      try {
        body = await readFile(path, 'utf8');
      } catch (error) {
        // Removed by hand (an operator clearing the outbox): nothing to send.
        this.#log.error({ err: error, document: name }, 'regulator outbox file unreadable; skipped');
        this.#queue.shift();
        continue;
      }
      const outcome = await this.#send(name, body);
      this.counts.attempts++;
      this.emit('attempt', { document: name, outcome: outcome.kind });
      if (outcome.kind === 'retry') {
        failures++;
        await this.#backoff(outcome.refused ? Number.POSITIVE_INFINITY : failures);
        continue;
      }
      failures = 0;
      if (outcome.kind === 'rejected') {
        await writeFile(join(this.#rejectedDir, `${name}.answer.txt`), `${outcome.status} ${outcome.body}`);
        await rename(path, join(this.#rejectedDir, name));
        this.counts.rejected++;
        this.#log.error(
          { document: name, status: outcome.status, answer: outcome.body.slice(0, 500) },
          'regulator platform refused a document; kept in rejected/',
        );
      } else {
        await unlink(path);
        this.counts.delivered++;
      }
      this.#queue.shift();
      this.counts.pending = this.#queue.length;
    }
  }

  async #send(
    name: string,
    body: string,
  ): Promise<
    { kind: 'ok' } | { kind: 'rejected'; status: number; body: string } | { kind: 'retry'; refused: boolean }
  > {
    const [, , dataset, documentId] = FILE.exec(name)!;
    const timestamp = String(this.#deps.clock());
    try {
      const answer = await this.#deps.egress.send(this.#o.url, {
        method: 'POST',
        headers: {
          'content-type': 'application/json',
          [PUSH_HEADERS.timestamp]: timestamp,
          [PUSH_HEADERS.signature]: signPush(this.#o.secret, timestamp, body),
          [PUSH_HEADERS.dataset]: dataset!,
          [PUSH_HEADERS.documentId]: documentId!,
        },
        body,
        signal: AbortSignal.any([this.#stopping.signal, AbortSignal.timeout(this.#o.timeoutMs)]),
      });
      if (answer.status >= 200 && answer.status < 300) return { kind: 'ok' };
      if (answer.status === 429 || answer.status >= 500) {
        this.#log.warn(
          { document: name, status: answer.status },
          'regulator platform busy or failing; will retry',
        );
        return { kind: 'retry', refused: false };
      }
      return { kind: 'rejected', status: answer.status, body: answer.body };
    } catch (error) {
      const refused = error instanceof EgressRefusedError;
      this.#log.warn(
        { document: name, reason: refused ? error.reason : undefined, err: refused ? undefined : error },
        refused
          ? 'regulator platform address not allowed (WEBHOOK_ALLOW_HOSTS); will retry'
          : 'regulator push failed; will retry',
      );
      return { kind: 'retry', refused };
    }
  }

  /** base · 2^(n-1), capped, ±20% jitter; a stop cuts it short, a new document does not. */
  #backoff(failures: number): Promise<void> {
    const { retryBaseMs, retryMaxMs } = this.#o;
    return waitUnlessAborted(backoffMs(failures, retryBaseMs, retryMaxMs), this.#stopping.signal);
  }

  #track(work: Promise<unknown>): void {
    work.catch((error) => this.#log.error({ err: error }, 'regulator data set could not be built'));
  }
}

/** The documents waiting in an outbox directory, oldest first (operators, tests). */
export function pendingDocuments(outboxDir: string): RegulatorDocument[] {
  return readdirSync(outboxDir)
    .filter((f) => FILE.test(f))
    .sort()
    .map((f) => JSON.parse(readFileSync(join(outboxDir, f), 'utf8')) as RegulatorDocument);
}
