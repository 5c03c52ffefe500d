/**
 * "The ledger of this estate changed": announced after each committed write, so readers
 * that cache what the ledger shows (the residents' disclosure on the QR page) drop their
 * copy instead of querying per request. The channel is per ledger repository, and the store
 * keeps one repository per database handle, so every `createFundLedger` over the same store
 * (the fund routes, a seed script, a test) reaches the same listeners, and two test stores
 * never hear each other.
 */
import { EventEmitter } from 'node:events';

export interface LedgerChange {
  fundId: string;
  estateId: string;
}

export type LedgerChangeListener = (change: LedgerChange) => void;

const channels = new WeakMap<object, EventEmitter>();

function channelOf(repository: object): EventEmitter {
  let channel = channels.get(repository);
  if (!channel) {
    channel = new EventEmitter();
    // One listener per QR-page plugin instance; tests build many apps over one process.
    channel.setMaxListeners(0);
    channels.set(repository, channel);
  }
  return channel;
}

export function onLedgerChange(repository: object, listener: LedgerChangeListener): () => void {
  const channel = channelOf(repository);
  channel.on('change', listener);
  return () => channel.off('change', listener);
}

/** A listener's failure must not turn a committed write into an error for its client. */
export function announceLedgerChange(repository: object, change: LedgerChange): void {
  for (const listener of channelOf(repository).listeners('change') as LedgerChangeListener[]) {
    try {
      listener(change);
    } catch {
      // The reader keeps its stale copy until its max age; the write stands.
    }
  }
}
