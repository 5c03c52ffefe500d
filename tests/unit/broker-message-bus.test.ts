import { describe, expect, it } from 'vitest';
import { createMessageBus, Deque } from '../../broker/message-bus.ts';

interface Message {
  topic: string;
  n?: number;
}

describe('broker message bus', () => {
  it('drains a long queue of messages nobody listens to without overflowing the stack', async () => {
    const bus = createMessageBus(1);
    // One slow delivery holds the only slot, so everything after it queues.
    let releaseSlow: () => void = () => {};
    bus.on('slow', (_message: Message, done: () => void) => {
      releaseSlow = done;
    });
    const delivered: number[] = [];
    bus.emit({ topic: 'slow' } as never);
    const total = 50_000;
    for (let n = 0; n < total; n++)
      bus.emit({ topic: '$SYS/x/disconnect/clients', n } as never, () => delivered.push(n));
    expect(delivered).toHaveLength(0);
    releaseSlow();
    expect(delivered).toHaveLength(total);
    expect(delivered[0]).toBe(0);
    expect(delivered.every((n, i) => n === i)).toBe(true);
  });

  it('keeps FIFO order across listeners that call back at once and later', async () => {
    const bus = createMessageBus(2);
    const seen: number[] = [];
    bus.on('a/+', (message: Message, done: () => void) => {
      seen.push(message.n!);
      if (message.n! % 3 === 0) setImmediate(done);
      else done();
    });
    const finished = new Promise<void>((resolve) => {
      for (let n = 0; n < 300; n++)
        bus.emit({ topic: 'a/b', n } as never, n === 299 ? () => resolve() : undefined);
    });
    await finished;
    expect(seen).toEqual(Array.from({ length: 300 }, (_, i) => i));
  });

  it('Deque shifts in insertion order and compacts', () => {
    const q = new Deque<number>();
    for (let i = 0; i < 5000; i++) q.push(i);
    for (let i = 0; i < 4000; i++) expect(q.shift()).toBe(i);
    expect(q.length).toBe(1000);
    q.push(5000);
    expect(q.shift()).toBe(4000);
    expect(q.length).toBe(1000);
  });
});
