/**
 * Inbound flow control for devices. Aedes 1.x acknowledges a QoS 1 PUBLISH before it
 * delivers it, and reads every device socket as fast as deliveries finish, so when the
 * subscribers (the ingest) fall behind, the backlog collects inside the broker, one message
 * per device: with 10,000 devices that is seconds of queue, each message acknowledged to
 * its device and held only in memory.
 *
 * The gate holds a device's publish at authorisation (an async Aedes hook, before the
 * PUBACK) while the message bus's queue is over `high`, and lets held publishes through in
 * arrival order once it is under `low`. A held device gets no PUBACK and Aedes reads no more
 * of its socket, so the backlog stays in the devices' own outboxes, where QoS 1 keeps it
 * and where a device's in-flight window limits it. Services are never held: the ingest's
 * PUBACKs for its deliveries arrive on its connection, and holding it would stall the bus.
 */
import { Deque } from './message-bus.ts';

export interface InflowGateOptions {
  /** Messages waiting in the bus's queue (not yet being delivered). */
  backlog(): number;
  /** Hold new device publishes above this backlog... */
  high: number;
  /** ...until it falls below this. */
  low: number;
}

export class InflowGate {
  private readonly held = new Deque<() => void>();
  private readonly options: InflowGateOptions;
  /** Publishes ever held (liftwatch_broker_inflow_held_total). */
  heldTotal = 0;

  constructor(options: InflowGateOptions) {
    if (options.low > options.high) throw new Error('inflow gate: low must not exceed high');
    this.options = options;
  }

  /** Publishes waiting at the gate now. */
  get waiting(): number {
    return this.held.length;
  }

  /** Runs `proceed` now, or later in arrival order if the bus is congested or others wait. */
  admit(proceed: () => void): void {
    if (this.held.length === 0 && this.options.backlog() <= this.options.high) {
      proceed();
      return;
    }
    this.heldTotal += 1;
    this.held.push(proceed);
  }

  /** Call as the backlog shrinks: lets held publishes through while it stays under `low`. */
  release(): void {
    while (this.held.length > 0 && this.options.backlog() < this.options.low) this.held.shift()!();
  }
}
