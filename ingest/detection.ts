/**
 * The detection stage of the ingest: runs the pure detector (ingest/rules/) on every
 * accepted message, hands its findings to the alert lifecycle (the store + MQTT), and owns
 * the two wall-clock timers the rules cannot have: the tick (device offline, "held longer
 * than T" between sparse samples) and the escalation check (trapped-passenger SLA).
 * Per-message work stays synchronous; only findings reach the store. The elevators, estates
 * and their locations come from the fleet directory: an elevator added while running gets
 * its detector slot on the directory's change event, without a restart.
 */

import { type AlertLifecycle, createAlertLifecycle, type Publish } from '../alerts/lifecycle.ts';
import type { FleetDirectory } from '../fleet/directory.ts';
import type { Logger } from '../lib/logger.ts';
import type { DeviceMessage } from '../protocol/index.ts';
import type { Store } from '../store/store.ts';
import { createDetector, type Detector, type Finding, type VisitFinding } from './rules/index.ts';

export interface DetectionOptions {
  /** Wall-clock tick period; 0 = no timer (a replay drives `tick` with device time itself). */
  tickMs?: number;
  /** Escalation check period; 0 = no timer. */
  escalationCheckMs?: number;
  /** DEVICE_OFFLINE_AFTER_S: silence before device_offline, fleet-wide (the fleet file may override per elevator). */
  deviceOfflineS?: number;
}

export interface DetectionDeps {
  /** Alerts (the lifecycle) and the stored visit verdicts (the detector's last verified visits). */
  store: Store;
  log: Logger;
  /** The fleet: which elevators get a detector slot, where their estates are. */
  directory: FleetDirectory;
  /** Sends an alert or visit message; the ingest's own MQTT connection in production. */
  publish: (topic: string, payload: string) => Promise<void>;
  clock?: () => number;
  /** Each judged visit, as the detector found it (the health stage keeps the verified history). */
  onVisit?: (finding: VisitFinding) => void;
}

export interface Detection {
  /** The ingest pipeline's `detect` hook. */
  onMessage(message: DeviceMessage): void;
  start(): Promise<void>;
  stop(): Promise<void>;
  /** Resolves when every finding so far is stored and published (tests, shutdown). */
  settled(): Promise<void>;
  /** One detector tick at `nowMs` (what the timer does with the clock); replays pass device time. */
  tick(nowMs: number): void;
  readonly lifecycle: AlertLifecycle;
  readonly counts: { findings: number; errors: number };
}

export async function createDetection(options: DetectionOptions, deps: DetectionDeps): Promise<Detection> {
  const log = deps.log.child({ module: 'detection' });
  const clock = deps.clock ?? Date.now;
  const publish: Publish = (topic, payload) =>
    deps.publish(topic, JSON.stringify(payload)).catch((error: unknown) => {
      log.error({ err: error, topic }, 'could not publish an alert transition');
    });
  const lifecycle = createAlertLifecycle({
    alerts: deps.store.alerts,
    publish,
    clock,
    estateOf: (elevatorId) => deps.directory.estateOf(elevatorId),
  });
  const { directory } = deps;
  const detector: Detector = createDetector([...directory.elevators()], {
    estateLocation: (estateId) => {
      const estate = directory.estate(estateId);
      return estate ? { lat: estate.lat, lon: estate.lon } : null;
    },
    lastVerifiedAt: await deps.store.visitRecords.lastVerifiedAt(),
    ...(options.deviceOfflineS !== undefined ? { deviceOfflineS: options.deviceOfflineS } : {}),
  });
  let unsubscribe: (() => void) | null = directory.on('changed', () =>
    detector.updateElevators([...directory.elevators()]),
  );
  const counts = { findings: 0, errors: 0 };
  let pending: Promise<void> = Promise.resolve();
  let tick: NodeJS.Timeout | null = null;
  let escalation: NodeJS.Timeout | null = null;

  function apply(findings: Finding[]): void {
    if (findings.length === 0) return;
    counts.findings += findings.length;
    if (deps.onVisit) for (const f of findings) if (f.kind === 'visit') deps.onVisit(f);
    pending = pending
      .then(() => lifecycle.apply(findings))
      .catch((error: unknown) => {
        counts.errors += 1;
        log.error({ err: error, findings: findings.length }, 'could not store findings');
      });
  }

  return {
    lifecycle,
    counts,
    onMessage(message) {
      apply(detector.onMessage(message));
    },
    settled: () => pending,
    tick(nowMs) {
      apply(detector.onTick(nowMs));
    },
    async start() {
      const tickMs = options.tickMs ?? 1000;
      const escalationMs = options.escalationCheckMs ?? 10_000;
      if (tickMs > 0) {
        tick = setInterval(() => apply(detector.onTick(clock())), tickMs);
        tick.unref();
      }
      if (escalationMs > 0) {
        escalation = setInterval(() => {
          lifecycle.checkEscalations().catch((error: unknown) => {
            counts.errors += 1;
            log.error({ err: error }, 'escalation check failed');
          });
        }, escalationMs);
        escalation.unref();
      }
    },
    async stop() {
      unsubscribe?.();
      unsubscribe = null;
      if (tick) clearInterval(tick);
      if (escalation) clearInterval(escalation);
      await pending;
    },
  };
}
