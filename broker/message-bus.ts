/**
 * The broker's internal message bus: mqemitter, as Aedes uses by default, with O(1) queues.
 *
 * mqemitter caps deliveries in progress (`concurrency`) and parks the rest in two arrays
 * that it drains with Array#shift. Under 10,000 publishing devices those arrays grow to
 * tens of thousands and every shift copies them: measured, 75% of the broker's CPU went
 * there and throughput fell to a few thousand messages a second. A deque with the same
 * push/shift/length surface keeps every step constant time.
 *
 * mqemitter also recurses: when a delivery finishes synchronously (a topic nobody subscribes
 * to, such as the `$SYS/.../disconnect/clients` Aedes publishes per client, or a listener
 * that calls back at once) it starts the next queued message from inside the callback. Ten
 * thousand devices disconnecting behind a backlog overflowed the stack and killed the
 * broker with every queued message in it. Starting messages from a trampoline keeps the
 * stack flat and the order FIFO.
 */
import mqemitter, { type MQEmitter } from 'mqemitter';

/** Array-backed FIFO: shift moves a head index and compacts now and then (amortised O(1)). */
export class Deque<T> {
  private items: (T | undefined)[] = [];
  private head = 0;

  get length(): number {
    return this.items.length - this.head;
  }

  push(item: T): number {
    this.items.push(item);
    return this.length;
  }

  shift(): T | undefined {
    if (this.head >= this.items.length) return undefined;
    const item = this.items[this.head];
    this.items[this.head] = undefined;
    this.head += 1;
    if (this.head >= 1024 && this.head * 2 >= this.items.length) {
      this.items = this.items.slice(this.head);
      this.head = 0;
    }
    return item;
  }
}

type Start = (message: unknown, callback: unknown) => unknown;

/**
 * `onStarted` runs after each message starts delivery: the queue has just shrunk (the inflow
 * gate lets held publishes through then).
 */
export function createMessageBus(concurrency: number, onStarted?: () => void): MQEmitter {
  const bus = mqemitter({ concurrency, matchEmptyLevels: true }); // [MQTT-4.7.1-3]
  const internals = bus as unknown as { _messageQueue: unknown; _messageCallbacks: unknown; _do: Start };
  internals._messageQueue = new Deque();
  internals._messageCallbacks = new Deque();
  const start = internals._do.bind(bus);
  const starting = new Deque<[unknown, unknown]>();
  let running = false;
  internals._do = (message, callback) => {
    starting.push([message, callback]);
    if (running) return bus;
    running = true;
    try {
      for (let next = starting.shift(); next; next = starting.shift()) {
        start(next[0], next[1]);
        onStarted?.();
      }
    } finally {
      running = false;
    }
    return bus;
  };
  return bus;
}
