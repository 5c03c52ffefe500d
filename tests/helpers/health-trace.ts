/**
 * A recorded-trace builder for the health signals: passenger trips as the device reports
 * them (doors open, dwell, close in place, run, stop), with the condition fields a
 * measuring controller adds. Device days are Asia/Shanghai days.
 */
import type { DeviceMessage, Telemetry } from '../../protocol/index.ts';
import { telemetrySample } from './fixtures.ts';

export const FLOOR_M = 3;
/** 2025-03-03 00:00 in Shanghai (a Monday). */
export const DAY0_MS = Date.parse('2025-03-03T00:00:00+08:00');

export interface TripOptions {
  toFloor?: number;
  dwellS?: number;
  doorCloseMs?: number;
  stopErrorMm?: number;
  stopDistanceMm?: number;
  /** Stop this far off the landing (mm) as the position reads; door zone lost beyond 200 mm. */
  positionErrorMm?: number;
  speed?: number;
  /** After the doors close, reopen and close again before leaving (an obstruction). */
  reopen?: boolean;
  runCountStep?: number;
}

export class HealthTrace {
  readonly messages: DeviceMessage[] = [];
  private seq = 0;
  private state: Telemetry;

  constructor(
    readonly elevatorId: string,
    public ts = DAY0_MS + 8 * 3600_000,
  ) {
    this.state = telemetrySample({ ts, floor: 1, position_m: 0, run_count: 1000 });
    this.sample();
  }

  sample(readings: Partial<Telemetry> = {}, afterMs = 1000): this {
    this.ts += afterMs;
    this.state = { ...this.state, ...readings };
    const { door_close_ms: _a, stop_error_mm: _b, stop_distance_mm: _c, ...kept } = this.state;
    this.state = kept as Telemetry;
    this.messages.push({
      channel: 'telemetry',
      elevatorId: this.elevatorId,
      receivedAt: this.ts,
      payload: { ...this.state, ...readings, ts: this.ts, seq: ++this.seq },
    });
    return this;
  }

  event(code: string, detail?: Record<string, unknown>): this {
    this.ts += 1000;
    this.messages.push({
      channel: 'event',
      elevatorId: this.elevatorId,
      receivedAt: this.ts,
      payload: { v: 1, ts: this.ts, seq: ++this.seq, code, ...(detail ? { detail } : {}) },
    });
    return this;
  }

  /** Doors open at the current landing, dwell, close in place, ride to another landing. */
  trip(o: TripOptions = {}): this {
    const from = this.state.floor;
    const to = o.toFloor ?? (from === 1 ? 5 : 1);
    const closeMs = o.doorCloseMs ?? 3000;
    this.sample({ door_closed: false, door_lock: false });
    this.sample(
      {
        door_closed: true,
        door_lock: true,
        ...(o.doorCloseMs !== undefined ? { door_close_ms: closeMs } : {}),
      },
      (o.dwellS ?? 6) * 1000,
    );
    if (o.reopen) {
      this.sample({ door_closed: false, door_lock: false }, 500);
      this.sample({ door_closed: true, door_lock: true }, 4000);
    }
    this.sample({
      moving: true,
      direction: to > from ? 'up' : 'down',
      speed_mps: o.speed ?? 1.5,
      run_count: this.state.run_count + (o.runCountStep ?? 1),
    });
    this.sample({ position_m: ((from + to) / 2 - 1) * FLOOR_M }, 4000);
    const errMm = o.positionErrorMm ?? 0;
    this.sample(
      {
        moving: false,
        direction: 'none',
        speed_mps: 0,
        floor: to,
        position_m: (to - 1) * FLOOR_M + errMm / 1000,
        door_zone: Math.abs(errMm) <= 200,
        ...(o.stopErrorMm !== undefined ? { stop_error_mm: o.stopErrorMm } : {}),
        ...(o.stopDistanceMm !== undefined ? { stop_distance_mm: o.stopDistanceMm } : {}),
      },
      4000,
    );
    return this;
  }

  /** A short creep back to the landing (re-levelling): the car moves, the floor stays. */
  relevel(): this {
    this.sample({ moving: true, direction: 'up', speed_mps: 0.2 });
    this.sample(
      { moving: false, direction: 'none', speed_mps: 0, position_m: (this.state.floor - 1) * FLOOR_M },
      1000,
    );
    return this;
  }

  /** Jumps to `hour` o'clock of device day `day` (0 = DAY0). */
  at(day: number, hour: number): this {
    this.ts = DAY0_MS + day * 86_400_000 + hour * 3600_000;
    return this;
  }
}
