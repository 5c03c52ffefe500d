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
import { LiftWatchError } from '../lib/errors.ts';
import type { Logger } from '../lib/logger.ts';
import type { DeviceMessage } from '../protocol/index.ts';
import type { LeaseFence } from '../store/repositories/partition-epochs.ts';
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
  /** With the log: transitions go to the store's outbox with their rows; the relay is told here. */
  outbox?: { notify(): void };
  /**
   * With leases: the partition and epoch the elevator is held at; stamped on alert rows
   * (`lease_epoch`) and checked by the store in each transition's transaction (migration 0090).
   */
  leaseOf?: (elevatorId: string) => LeaseFence | null;
  /**
   * The store refused a transition (LEASE_LOST): another worker claimed the elevator's
   * partition. The finding is dropped (the new owner replays the partition); the worker must
   * stop handling the partition at once.
   */
  onFenced?: (elevatorId: string, error: LiftWatchError) => void;
}

export interface Detection {
  /**
   * The ingest pipeline's `detect` hook. `replayed`: an earlier owner of the elevator's
   * partition acknowledged this message, so its findings are in the store already; the
   * detector takes it (its state catches up) and nothing is committed.
   */
  onMessage(message: DeviceMessage, replayed?: boolean): void;
  start(): Promise<void>;
  stop(): Promise<void>;
  /**
   * Resolves when every finding so far is committed (stored; published or logged). A finding
   * whose commit failed is kept, with every later one behind it (order matters: a raise then
   * its clear), and tried again here; if it still fails this rejects (DETECTION_UNCOMMITTED),
   * so the log's consumer acknowledges nothing and settles again later.
   */
  settled(): Promise<void>;
  /** One detector tick at `nowMs` (what the timer does with the clock); replays pass device time. */
  tick(nowMs: number): void;
  readonly lifecycle: AlertLifecycle;
  /**
   * `fenced`: findings dropped because the worker no longer owned their partition (its own
   * check before the commit, or the store's refusal, LEASE_LOST). `replayed`: findings of
   * replayed messages, already committed by the partition's earlier owner, not committed again.
   */
  readonly counts: { findings: number; errors: number; fenced: number; replayed: number };
  /** Findings whose commit failed and wait for the next settle (in order). */
  readonly uncommitted: number;
  /**
   * Fencing (log/lease.ts): asked before each commit; false = this worker no longer owns the
   * elevator's partition, so the finding is dropped here (the new owner replays its messages).
   */
  setCommitGate(gate: ((elevatorId: string) => Promise<boolean>) | null): void;
  /** Another worker owns these elevators now: their detector state starts over. */
  forget(elevatorIds: Iterable<string>): void;
  /** Per-elevator detector state for a partition checkpoint, and back. */
  exportState(elevatorId: string): unknown;
  importState(elevatorId: string, state: unknown): void;
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
    log: deps.log,
    ...(deps.outbox ? { outbox: deps.outbox } : {}),
    ...(deps.leaseOf ? { leaseOf: deps.leaseOf } : {}),
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
  const counts = { findings: 0, errors: 0, fenced: 0, replayed: 0 };
  let pending: Promise<void> = Promise.resolve();
  let tick: NodeJS.Timeout | null = null;
  let escalation: NodeJS.Timeout | null = null;
  /**
   * Findings not committed yet because one before them failed. The detector has moved on
   * (its state and the sequence window took the message), so a redelivered message would be
   * a duplicate and never raise its finding again: the finding itself is what is retried.
   */
  const backlog: Finding[] = [];
  let commitGate: ((elevatorId: string) => Promise<boolean>) | null = null;
  let committing = false;

  /** Commits the backlog's findings one by one, in order; stops at the first that fails. */
  async function commitBacklog(): Promise<void> {
    committing = true;
    try {
      await commitInOrder();
    } finally {
      committing = false;
    }
  }

  /** Retries a stalled backlog (a failed commit) when nothing is committing. */
  function retryBacklog(): Promise<void> {
    if (!committing && backlog.length > 0) pending = pending.then(commitBacklog);
    return pending;
  }

  async function commitInOrder(): Promise<void> {
    while (backlog.length > 0) {
      const finding = backlog[0]!;
      const elevatorId = finding.kind === 'visit' ? finding.visit.elevatorId : finding.elevatorId;
      try {
        if (commitGate && !(await commitGate(elevatorId))) {
          counts.fenced += 1;
          backlog.shift();
          continue;
        }
        await lifecycle.apply([finding]);
      } catch (error) {
        if (error instanceof LiftWatchError && error.code === 'LEASE_LOST') {
          // Not retried: no later attempt of this worker can pass the store's fence.
          counts.fenced += 1;
          backlog.shift();
          log.warn(
            { elevatorId, code: error.code, details: error.details },
            'the store refused a transition: the partition has a newer owner; finding dropped',
          );
          deps.onFenced?.(elevatorId, error);
          continue;
        }
        counts.errors += 1;
        log.error(
          { err: error, waiting: backlog.length },
          'could not store a finding; kept for the next settle',
        );
        return;
      }
      backlog.shift();
    }
  }

  function apply(findings: Finding[]): void {
    if (findings.length === 0) return;
    counts.findings += findings.length;
    if (deps.onVisit) for (const f of findings) if (f.kind === 'visit') deps.onVisit(f);
    const stalled = backlog.length > 0 && !committing;
    backlog.push(...findings);
    // Behind a failed commit, new findings wait for the retry (the settle or the tick).
    if (!stalled) void retryBacklog();
  }

  return {
    lifecycle,
    counts,
    onMessage(message, replayed = false) {
      const findings = detector.onMessage(message);
      if (!replayed) {
        apply(findings);
        return;
      }
      counts.replayed += findings.length;
      // The worker's own health history is not in the store's transitions: it takes them again.
      if (deps.onVisit) for (const f of findings) if (f.kind === 'visit') deps.onVisit(f);
    },
    get uncommitted() {
      return backlog.length;
    },
    setCommitGate(gate) {
      commitGate = gate;
    },
    forget(ids) {
      detector.forget(ids);
    },
    exportState: (id) => detector.exportState(id),
    importState: (id, state) => detector.importState(id, state),
    async settled() {
      await pending;
      await retryBacklog();
      if (backlog.length > 0)
        throw new LiftWatchError('DETECTION_UNCOMMITTED', undefined, {
          details: { waiting: backlog.length },
        });
    },
    tick(nowMs) {
      apply(detector.onTick(nowMs));
    },
    async start() {
      const tickMs = options.tickMs ?? 1000;
      const escalationMs = options.escalationCheckMs ?? 10_000;
      if (tickMs > 0) {
        tick = setInterval(() => {
          apply(detector.onTick(clock()));
          // Without the log nobody settles: the tick retries a stalled commit.
          void retryBacklog();
        }, tickMs);
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
