/**
 * Device time for the simulators. A running clock maps wall time to device time at
 * `speedup`×, so 15 days replay in minutes; a manual clock moves only when told, so
 * tests and max-speed scenario runs decide time themselves.
 */

export interface SimClock {
  /** Device time, epoch ms. */
  now(): number;
  readonly speedup: number;
}

export class VirtualClock implements SimClock {
  readonly speedup: number;
  private readonly startDeviceMs: number;
  private startWallMs: number | null = null;
  private pausedAt: number;

  constructor(options: { startMs: number; speedup?: number }) {
    this.startDeviceMs = options.startMs;
    this.pausedAt = options.startMs;
    this.speedup = options.speedup ?? 1;
  }

  /** Starts device time flowing from where it stands. */
  start(): void {
    if (this.startWallMs !== null) return;
    this.startWallMs = performance.now() - (this.pausedAt - this.startDeviceMs) / this.speedup;
  }

  stop(): void {
    this.pausedAt = this.now();
    this.startWallMs = null;
  }

  now(): number {
    if (this.startWallMs === null) return this.pausedAt;
    return Math.floor(this.startDeviceMs + (performance.now() - this.startWallMs) * this.speedup);
  }
}

export class ManualClock implements SimClock {
  readonly speedup = Number.POSITIVE_INFINITY;
  private current: number;

  constructor(startMs: number) {
    this.current = startMs;
  }

  now(): number {
    return this.current;
  }

  advance(ms: number): number {
    this.current += ms;
    return this.current;
  }

  set(ms: number): void {
    if (ms < this.current) throw new Error('device time cannot go backwards');
    this.current = ms;
  }
}
