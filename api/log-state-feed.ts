/**
 * The state store's device feed with LOG_ENABLED: every device message any broker front stored
 * in the log (log/live.ts `LiveReader`: each car's latest message per channel first, then new
 * ones), applied to the store as the MQTT feed applies a message from its one broker. Alert and
 * visit transitions come from the transitions stream (log/transitions.ts), not from here.
 *
 * A message is taken as received when the log stored it, not when this node read it: a node
 * started after a car fell silent shows it heard as long ago as it was, and offline once that
 * is longer than the car's silence limit, instead of freshly online.
 */
import type { Logger } from '../lib/logger.ts';
import { LiveReader, type LiveReaderOptions, type LiveReaderStats } from '../log/live.ts';
import type { ElevatorStateStore, LiveFeed } from './state-source.ts';

export interface LogStateFeedDeps {
  store: ElevatorStateStore;
  log: Logger;
  /** The node's clock: a stored time ahead of it (a server clock ahead of ours) is taken as now. */
  clock?: () => number;
}

export class LogStateFeed implements LiveFeed {
  readonly #reader: LiveReader;
  #ignored = 0;

  constructor(options: LiveReaderOptions, deps: LogStateFeedDeps) {
    const clock = deps.clock ?? Date.now;
    this.#reader = new LiveReader(options, {
      log: deps.log,
      onMessage: (topic, payload, storedAt) => {
        if (!deps.store.receiveDeviceMessage(topic, payload, Math.min(storedAt, clock()))) this.#ignored += 1;
      },
    });
  }

  get connected(): boolean {
    return this.#reader.connected;
  }

  /** What the reader handed on, and how many of those the store refused (out of the protocol). */
  stats(): LiveReaderStats & { ignored: number } {
    return { ...this.#reader.stats(), ignored: this.#ignored };
  }

  start(): Promise<void> {
    return this.#reader.start();
  }

  stop(): Promise<void> {
    return this.#reader.stop();
  }
}
