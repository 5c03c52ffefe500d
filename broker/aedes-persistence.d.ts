// Types for the async in-memory store that aedes-persistence ships without a declaration.
declare module 'aedes-persistence/asyncPersistence.js' {
  import type { Readable } from 'node:stream';

  export default class MemoryPersistence {
    constructor(options?: Record<string, unknown>);
    setup(broker: unknown): Promise<void>;
    outgoingEnqueue(sub: { clientId: string }, packet: unknown): Promise<void>;
    outgoingEnqueueCombi(subs: { clientId: string }[], packet: unknown): Promise<void>;
    outgoingUpdate(client: { id: string }, packet: unknown): Promise<void>;
    outgoingClearMessageId(client: { id: string }, packet: unknown): Promise<unknown>;
    outgoingStream(client: { id: string }): Readable;
  }
}
