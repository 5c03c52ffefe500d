/**
 * The device side of a run: one SimDevice per elevator of the fleet file, connected
 * with bounded concurrency (10,000 simultaneous TLS-less CONNECTs still hurt a broker),
 * and the routing of model output to them.
 */
import type { FleetFile } from '../protocol/index.ts';
import { type FleetInFlight, SimDevice } from './device.ts';
import type { ScenarioOutput } from './scenario-runner.ts';

export interface DeviceSetOptions {
  fleet: FleetFile;
  elevators: string[];
  mqttUrl: string;
  telemetryQos?: 0 | 1;
  connectConcurrency?: number;
  reconnectPeriodMs?: number;
  now?: () => number;
}

export interface SimStats {
  devices: number;
  connected: number;
  sent: number;
  acked: number;
  failed: number;
}

export class DeviceSet {
  readonly devices = new Map<string, SimDevice>();
  private readonly concurrency: number;
  private readonly unacknowledged: FleetInFlight = { count: 0 };

  constructor(options: DeviceSetOptions) {
    this.concurrency = options.connectConcurrency ?? 100;
    const byId = new Map(options.fleet.elevators.map((e) => [e.id, e]));
    for (const id of options.elevators) {
      const e = byId.get(id);
      if (!e?.device.password) throw new Error(`elevator ${id}: no device password in the fleet file`);
      this.devices.set(
        id,
        new SimDevice({
          elevatorId: id,
          username: e.device.username,
          password: e.device.password,
          url: options.mqttUrl,
          telemetryQos: options.telemetryQos ?? 1,
          reconnectPeriodMs: options.reconnectPeriodMs ?? 500,
          fleetInFlight: this.unacknowledged,
          ...(options.now ? { now: options.now } : {}),
        }),
      );
    }
  }

  async connectAll(): Promise<void> {
    const queue = [...this.devices.values()];
    const worker = async () => {
      for (let d = queue.shift(); d; d = queue.shift()) await d.connect();
    };
    await Promise.all(Array.from({ length: Math.min(this.concurrency, queue.length) }, worker));
  }

  dispatch(outputs: ScenarioOutput[]): void {
    for (const { elevatorId, output } of outputs) {
      const device = this.devices.get(elevatorId)!;
      if (output.channel === 'link') {
        if (output.up) device.restoreLink();
        else device.dropLink();
      } else device.publish(output);
    }
  }

  /** QoS 1 messages published by any device and not yet acknowledged. */
  inFlight(): number {
    return this.unacknowledged.count;
  }

  async drained(): Promise<void> {
    await Promise.all([...this.devices.values()].map((d) => d.drained()));
  }

  stats(): SimStats {
    const s: SimStats = { devices: this.devices.size, connected: 0, sent: 0, acked: 0, failed: 0 };
    for (const d of this.devices.values()) {
      if (d.connected) s.connected++;
      s.sent += d.counters.sent;
      s.acked += d.counters.acked;
      s.failed += d.counters.failed;
    }
    return s;
  }

  /** Closes every device; with `graceMs`, gives up waiting for acknowledgements after that long. */
  async closeAll(graceMs?: number): Promise<void> {
    await Promise.all([...this.devices.values()].map((d) => d.close(graceMs)));
  }
}
