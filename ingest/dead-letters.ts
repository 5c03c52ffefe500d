/**
 * Keeps rejected messages in the store (its `deadLetters` repository) for inspection. Rows are
 * queued in memory and inserted in batches on a timer, so a flood of bad messages costs one
 * store transaction per flush, not one per message, and never holds up the pipeline
 * (telegraf#13476: one bad message must not stop the flow). Past the queue bound rows are
 * counted and discarded rather than grow memory without limit.
 */
import type { Logger } from '../lib/logger.ts';
import type { DeadLetterRepository } from '../store/repositories/dead-letters.ts';

export interface DeadLetter {
  receivedAt: number;
  topic: string;
  clientId: string | null;
  stage: string;
  reason: string;
  payload: string;
}

export interface DeadLetterOptions {
  flushIntervalMs: number;
  maxQueued: number;
  /** Longest payload kept, in characters; the rest is cut (the reason says why it was refused). */
  maxPayloadChars: number;
  /** Longest reason kept, in characters. */
  maxReasonChars: number;
}

export const DEAD_LETTER_DEFAULTS: DeadLetterOptions = {
  flushIntervalMs: 200,
  maxQueued: 20_000,
  maxPayloadChars: 8192,
  maxReasonChars: 1000,
};

export class DeadLetterSink {
  /** Rows stored in the table. */
  stored = 0;
  /** Rows discarded because the queue was full or the insert failed. */
  discarded = 0;
  private queue: DeadLetter[] = [];
  private timer: NodeJS.Timeout | null = null;
  private flushing: Promise<void> | null = null;
  private readonly options: DeadLetterOptions;

  constructor(
    private readonly deps: {
      deadLetters: DeadLetterRepository;
      log: Logger;
      onStored?: (count: number) => void;
    },
    options: Partial<DeadLetterOptions> = {},
  ) {
    this.options = { ...DEAD_LETTER_DEFAULTS, ...options };
  }

  add(letter: DeadLetter): void {
    if (this.queue.length >= this.options.maxQueued) {
      this.discarded += 1;
      return;
    }
    if (letter.payload.length > this.options.maxPayloadChars) {
      letter.payload = letter.payload.slice(0, this.options.maxPayloadChars);
    }
    if (letter.reason.length > this.options.maxReasonChars) {
      letter.reason = `${letter.reason.slice(0, this.options.maxReasonChars)}…`;
    }
    this.queue.push(letter);
    if (!this.timer && this.flushing === null) {
      this.timer = setTimeout(() => {
        this.timer = null;
        void this.flush();
      }, this.options.flushIntervalMs);
    }
  }

  /** Inserts everything queued; resolves when the table holds it. */
  async flush(): Promise<void> {
    if (this.timer) {
      clearTimeout(this.timer);
      this.timer = null;
    }
    while (this.flushing !== null) await this.flushing;
    if (this.queue.length === 0) return;
    const rows = this.queue;
    this.queue = [];
    this.flushing = this.insert(rows).finally(() => {
      this.flushing = null;
    });
    await this.flushing;
    if (this.queue.length > 0) await this.flush();
  }

  private async insert(rows: DeadLetter[]): Promise<void> {
    try {
      await this.deps.deadLetters.insertBatch(rows);
      this.stored += rows.length;
      this.deps.onStored?.(rows.length);
    } catch (error) {
      this.discarded += rows.length;
      this.deps.log.error({ err: error, rows: rows.length }, 'could not store dead letters');
    }
  }
}
