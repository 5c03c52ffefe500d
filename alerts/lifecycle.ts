/**
 * The one alert lifecycle: findings in, transitions stored and published. One open alert per
 * (elevator, code): repeats bump `count`, 'clear' findings resolve it by 'auto' as
 * 'auto_cleared'; people acknowledge and resolve (through the API), saying whether it was a
 * real fault or a false alarm; a trapped passenger not acknowledged within 5 min or not
 * resolved within 30 min (TSG T5002 art. 5: rescue arrival within 30 min) escalates. Visit
 * verdicts are stored and published too. The store is touched only when there is a finding,
 * never per telemetry sample. Repository, clock and publish are injected; the ingest and
 * the API run this same code, in one process or apart.
 *
 * A resident's "有人被困" report from the QR page raises the same passenger_trapped alert
 * the detector would (`raiseFromResident`): whichever comes first opens it, the other joins
 * it (its `sources` and evidence then show both), so the duty officer answers one alarm.
 * "到场" (someone on site) is its own step (`arrive`), between acknowledgement and resolution.
 *
 * Any number of processes may run it against one database: every transition is one
 * statement whose condition the database checks (store/repositories/alerts.ts), so a writer
 * that loses a race gets the winner's row, and each transition is published once, by the
 * writer that made it.
 *
 * With an outbox (`deps.outbox`, the log enabled), the message of each transition is written
 * to the store's transition outbox in the same transaction as the row it describes, and a
 * relay (log/outbox-relay.ts) appends it to the log: a writer that dies after its commit
 * cannot leave a transition out of the log. `publish` is then for MQTT subscribers only.
 *
 * With a lease (`deps.leaseOf`, a leased ingest worker), the detection's transitions are fenced
 * in the store: the transaction first checks the partition's recorded owner epoch (migration
 * 0090) and throws LEASE_LOST, writing nothing, when another worker has claimed it since.
 */
import { randomUUID } from 'node:crypto';
import { type Logger, silentLogger } from '../lib/logger.ts';
import {
  ALERT_CATALOGUE,
  type Alert,
  type AlertCode,
  type AlertFinding,
  type AlertMessage,
  type AlertSource,
  type AlertTransition,
  ESCALATION_REASONS,
  type Finding,
  type MaintenanceVisit,
  type PersonResolution,
  topics,
  type VisitMessage,
} from '../protocol/index.ts';
import type { AlertRepository } from '../store/repositories/alerts.ts';
import type { LeaseFence } from '../store/repositories/partition-epochs.ts';
import type { AlertTable } from '../store/schema.ts';
import { dueSteps, type EscalationPlan } from './escalation.ts';
import { alertMessage, alertResource, sourcesOf, visitMessage, visitRow } from './resource.ts';

export { ESCALATION_REASONS } from '../protocol/index.ts';
export { alertMessage, alertResource, visitMessage } from './resource.ts';

export interface EscalationPolicy {
  codes: readonly AlertCode[];
  ackWithinMs: number;
  resolveWithinMs: number;
}

export const DEFAULT_ESCALATION: EscalationPolicy = {
  codes: ['passenger_trapped'],
  ackWithinMs: 5 * 60_000,
  resolveWithinMs: 30 * 60_000,
};

export type Publish = (topic: string, payload: AlertMessage | VisitMessage) => void | Promise<void>;

export interface AlertLifecycleDeps {
  alerts: AlertRepository;
  publish: Publish;
  /** Wall clock, epoch ms: acknowledgement, resolution and escalation times. */
  clock: () => number;
  escalation?: Partial<EscalationPolicy>;
  /**
   * The estate of an elevator (a fleet directory); default: the repository's, remembered
   * once found. An elevator without one gets no alert (it is not in the fleet).
   */
  estateOf?: (elevatorId: string) => string | null | undefined | Promise<string | null | undefined>;
  /**
   * The one logger: each transition this lifecycle makes is logged once, as the domain event
   * an operator searches for ("alert opened", "alert escalated", "visit verdict", …), by the
   * writer that made it. Default: silent.
   */
  log?: Logger;
  /**
   * The transition outbox is in use: every transition's message is added to it in the
   * transition's own transaction, and `notify` (the local relay) is called after the commit.
   */
  outbox?: { notify(): void };
  /**
   * The partition lease this worker holds an elevator at (log/lease.ts): its epoch is stamped on
   * the alert rows its detection writes (`lease_epoch`), and each of the detection's transitions
   * (open, bump, auto-resolve, visit) is fenced by it in the store, in the transition's own
   * transaction (migration 0090): once another worker claimed the partition the write throws
   * LEASE_LOST and commits nothing. Absent or null: not a leased worker, nothing fenced.
   */
  leaseOf?: (elevatorId: string) => LeaseFence | null;
}

/**
 * What a person's acknowledge or resolve did. `applied` is false when the alert had
 * already moved past that step (another person, the detector's clear, a second click):
 * the alert is then the winner's, as it now is.
 */
export interface PersonOutcome {
  alert: Alert;
  applied: boolean;
}

export interface AlertLifecycle {
  apply(findings: readonly Finding[]): Promise<void>;
  /** open → acknowledged. Null when there is no such alert. */
  acknowledge(alertId: string, by: string, note?: string): Promise<PersonOutcome | null>;
  /**
   * open | acknowledged → resolved, saying what it was ('auto_cleared' is the detector's
   * alone). Null when there is no such alert.
   */
  resolve(
    alertId: string,
    by: string,
    resolution: PersonResolution,
    note?: string,
  ): Promise<PersonOutcome | null>;
  /**
   * Someone is on site ("到场"): stamps the arrival of a not-resolved alert once. Null
   * when there is no such alert; `applied` false when it was already stamped or resolved.
   */
  arrive(alertId: string, by: string, note?: string): Promise<PersonOutcome | null>;
  /**
   * A resident reported someone trapped in the car: opens the car's passenger_trapped
   * alert, or joins the one open (the detector's, or another resident's). Null for a car
   * outside the fleet.
   */
  raiseFromResident(report: ResidentTrapReport): Promise<Alert | null>;
  /**
   * Call on a timer (e.g. every 10 s); returns the alerts it escalated. Also takes the
   * roster's steps that are due (alerts/escalation.ts), each once in the store for however
   * many checkers run; the API sends them.
   */
  checkEscalations(): Promise<AlertMessage[]>;
}

/** What the alert keeps of a resident's trapped report (no personal data is asked for). */
export interface ResidentTrapReport {
  elevatorId: string;
  reportId: string;
  receipt: string;
  description: string;
  /** Server time of the report, epoch ms. */
  at: number;
}

/** Residents' reports kept in one alert's evidence; more say nothing new to the officer. */
const MAX_RESIDENT_REPORTS = 10;
const TRAPPED = 'passenger_trapped';

function parseEvidence(json: string): Record<string, unknown> {
  try {
    const value: unknown = JSON.parse(json);
    return typeof value === 'object' && value !== null && !Array.isArray(value)
      ? (value as Record<string, unknown>)
      : {};
  } catch {
    return {};
  }
}

/**
 * The evidence after a source joins: the detector's readings at the top level (as the
 * detector writes them), residents' reports under `resident_reports`, so both show.
 */
function mergeEvidence(stored: string, incoming: Record<string, unknown>): string {
  const current = parseEvidence(stored);
  const reports = [
    ...(Array.isArray(current['resident_reports']) ? current['resident_reports'] : []),
    ...(Array.isArray(incoming['resident_reports']) ? incoming['resident_reports'] : []),
  ].slice(0, MAX_RESIDENT_REPORTS);
  const merged: Record<string, unknown> = { ...incoming, ...current };
  if (reports.length) merged['resident_reports'] = reports;
  return JSON.stringify(merged);
}

export function createAlertLifecycle(deps: AlertLifecycleDeps): AlertLifecycle {
  const { alerts, publish, clock } = deps;
  const log = (deps.log ?? silentLogger).child({ module: 'alerts' });
  const policy: EscalationPolicy = { ...DEFAULT_ESCALATION, ...deps.escalation };
  const estates = new Map<string, string>();
  /** Wall-clock opening time, so replayed device time cannot escalate at once; rows loaded after a restart fall back to opened_at. */
  const openedWall = new Map<string, number>();

  async function estateOf(elevatorId: string): Promise<string | null> {
    if (deps.estateOf) return (await deps.estateOf(elevatorId)) ?? null;
    const cached = estates.get(elevatorId);
    if (cached) return cached;
    const estateId = await alerts.estateOfElevator(elevatorId);
    if (estateId) estates.set(elevatorId, estateId);
    return estateId;
  }

  /**
   * Runs one step of the lifecycle: `work` makes its transitions through `repo` and stages
   * each message it announces. With an outbox, the statements and the staged messages' outbox
   * rows commit in one transaction; then (after the commit) each transition is logged and
   * published, in the order made.
   */
  async function step<T>(
    work: (repo: AlertRepository, staged: Staged[]) => Promise<T>,
    lease: LeaseFence | null = null,
  ): Promise<T> {
    let staged: Staged[] = [];
    let result: T;
    const outbox = deps.outbox;
    if (outbox || lease) {
      result = await alerts.transaction(async (tx, rows) => {
        staged = [];
        // First, so a fenced worker's transaction stops before it wrote anything.
        if (lease) await tx.fence(lease);
        const value = await work(tx, staged);
        const at = clock();
        if (outbox) for (const s of staged) await rows.add(s.topic, JSON.stringify(s.message), at);
        return value;
      });
      if (outbox && staged.length) outbox.notify();
    } else result = await work(alerts, staged);
    for (const s of staged) {
      if (s.alert) {
        if (s.alert.row.state === 'resolved') openedWall.delete(s.alert.row.id);
        logTransition(log, s.alert.row, s.alert.transition);
      }
      await publish(s.topic, s.message);
    }
    return result;
  }

  /** Stages the transition a conditional update made (the row it returned). */
  function announce(staged: Staged[], row: AlertTable, transition: AlertTransition): AlertMessage {
    const message = alertMessage(row, transition);
    staged.push({ topic: topics.alert(row.elevator_id), message, alert: { row, transition } });
    return message;
  }

  /**
   * Adds `source` (and its evidence) to an alert another source opened, by compare-and-set
   * on the sources column: a concurrent joiner makes us read the row again and retry.
   * A second resident's report joins too (its report is added to the evidence).
   */
  async function join(
    alerts: AlertRepository,
    row: AlertTable,
    source: AlertSource,
    evidence: Record<string, unknown>,
  ) {
    let current = row;
    for (let attempt = 0; attempt < 5; attempt++) {
      const have = sourcesOf(current.sources);
      if (have.includes(source) && source === 'detector') return current;
      const next = have.includes(source) ? have : [...have, source];
      const won = await alerts.joinSource({
        id: current.id,
        expected: current.sources,
        sources: next.join(','),
        evidenceJson: mergeEvidence(current.evidence_json, evidence),
      });
      if (won) return won;
      const again = await alerts.byId(current.id);
      if (!again) return current;
      current = again;
    }
    return current;
  }

  /** Opens the alert or joins the open one, staging 'opened' or 'repeated'; null outside the fleet. */
  async function openOrJoin(f: AlertFinding, source: AlertSource): Promise<AlertTable | null> {
    const estateId = await estateOf(f.elevatorId);
    if (!estateId) return null;
    const lease = source === 'detector' ? (deps.leaseOf?.(f.elevatorId) ?? null) : null;
    return step(async (repo, staged) => {
      const result = await repo.openOrBump({
        ...newAlertRow(f, estateId, source),
        lease_epoch: lease?.epoch ?? null,
      });
      if (result.opened) openedWall.set(result.row.id, clock());
      const row = result.opened ? result.row : await join(repo, result.row, source, f.evidence);
      announce(staged, row, result.opened ? 'opened' : 'repeated');
      return row;
    }, lease);
  }

  async function applyAlert(f: AlertFinding): Promise<void> {
    if (f.kind === 'clear') {
      const lease = deps.leaseOf?.(f.elevatorId) ?? null;
      await step(async (repo, staged) => {
        for (const row of await repo.autoResolve(f.elevatorId, f.code, f.at, lease?.epoch ?? null))
          announce(staged, row, 'resolved');
      }, lease);
      return;
    }
    await openOrJoin(f, 'detector');
  }

  async function applyVisit(visit: MaintenanceVisit): Promise<void> {
    const estateId = await estateOf(visit.elevatorId);
    if (!estateId) return;
    await step(async (repo, staged) => {
      await repo.recordVisit(visitRow(visit, estateId));
      staged.push({ topic: topics.visit(visit.elevatorId), message: visitMessage(visit, estateId) });
    }, deps.leaseOf?.(visit.elevatorId) ?? null);
    if (visit.verdict !== null) {
      log.info(
        {
          event: 'visit.verdict',
          visitId: visit.id,
          elevatorId: visit.elevatorId,
          estateId,
          technicianId: visit.technicianId,
          kind: visit.kind,
          status: visit.status,
          score: visit.evidenceScore,
          verdict: visit.verdict,
        },
        'visit verdict',
      );
    }
  }

  /**
   * A person's step: the conditional update (`act`), staged when it applied. The transition's
   * row when ours; else the alert as the winner left it (null: no such alert).
   */
  async function outcome(
    act: (repo: AlertRepository) => Promise<AlertTable | undefined>,
    alertId: string,
    transition: AlertTransition,
  ): Promise<PersonOutcome | null> {
    const won = await step(async (repo, staged) => {
      const row = await act(repo);
      if (row) announce(staged, row, transition);
      return row;
    });
    if (won) return { alert: alertResource(won), applied: true };
    const current = await alerts.byId(alertId);
    return current ? { alert: alertResource(current), applied: false } : null;
  }

  return {
    async apply(findings) {
      // In order: a raise then a clear of the same alert must reach the store in that order.
      for (const f of findings) {
        if (f.kind === 'visit') await applyVisit(f.visit);
        else await applyAlert(f);
      }
    },

    acknowledge: (alertId, by, note) =>
      outcome(
        (repo) => repo.acknowledge({ id: alertId, by, at: clock(), note: note ?? null }),
        alertId,
        'acknowledged',
      ),

    resolve: (alertId, by, resolution, note) =>
      outcome(
        (repo) => repo.resolve({ id: alertId, by, at: clock(), note: note ?? null, resolution }),
        alertId,
        'resolved',
      ),

    arrive: (alertId, by, note) =>
      outcome(
        (repo) => repo.arrive({ id: alertId, by, at: clock(), note: note ?? null }),
        alertId,
        'arrived',
      ),

    async raiseFromResident(report) {
      const finding: AlertFinding = {
        kind: 'raise',
        elevatorId: report.elevatorId,
        code: TRAPPED,
        at: report.at,
        evidence: {
          resident_reports: [
            {
              report_id: report.reportId,
              receipt: report.receipt,
              at: report.at,
              description: report.description,
            },
          ],
        },
      };
      const row = await openOrJoin(finding, 'resident');
      return row ? alertResource(row) : null;
    },

    async checkEscalations() {
      const rows = await alerts.unresolvedWithCodes(policy.codes);
      const now = clock();
      const escalated: AlertMessage[] = [];
      const plans = new Map<string, Promise<EscalationPlan>>();
      for (const row of rows) {
        let plan = plans.get(row.estate_id);
        if (!plan) {
          plan = planOf(row.estate_id);
          plans.set(row.estate_id, plan);
        }
        const { ackWithinMs, arriveWithinMs } = await plan;
        const age = now - (openedWall.get(row.id) ?? row.opened_at);
        const reason =
          age >= arriveWithinMs && row.escalation_reason !== ESCALATION_REASONS.notResolved
            ? ESCALATION_REASONS.notResolved
            : row.state === 'open' && age >= ackWithinMs && row.escalation_reason === null
              ? ESCALATION_REASONS.notAcknowledged
              : null;
        for (const due of dueSteps(row, await plan, age)) {
          await alerts.escalations.take({
            alert_id: row.id,
            step: due.step,
            estate_id: row.estate_id,
            on_call_id: due.onCallId,
            username: due.username,
            decided_at: now,
          });
        }
        if (reason === null) continue;
        // Unless another checker already did (or the alert moved on) since it was read.
        const message = await step(async (repo, staged) => {
          const won = await repo.escalate(row.id, now, reason);
          return won ? announce(staged, won, 'escalated') : null;
        });
        if (message) escalated.push(message);
      }
      return escalated;
    },
  };

  /** The estate's windows (its own, else the lifecycle's) and its roster. */
  async function planOf(estateId: string): Promise<EscalationPlan> {
    const { policy: own, roster } = await alerts.escalations.plan(estateId);
    return {
      ackWithinMs: own ? own.ack_within_s * 1000 : policy.ackWithinMs,
      arriveWithinMs: own ? own.arrive_within_s * 1000 : policy.resolveWithinMs,
      roster,
    };
  }
}

/**
 * The log line of each transition: what an operator searches for (the message, or the `event`
 * field `alert.<transition>` as the API's webhook lines carry theirs), with who did it.
 */
const TRANSITION_EVENTS: Record<AlertTransition, { message: string; level: 'debug' | 'info' | 'warn' }> = {
  // An opening is rare (once per episode) and is what an operator looks for first; repeats
  // are as frequent as the device's samples, so they stay at debug.
  opened: { message: 'alert opened', level: 'info' },
  repeated: { message: 'alert repeated', level: 'debug' },
  acknowledged: { message: 'alert acknowledged', level: 'info' },
  arrived: { message: 'alert arrival', level: 'info' },
  resolved: { message: 'alert resolved', level: 'info' },
  escalated: { message: 'alert escalated', level: 'warn' },
};

/** A message a step made, published (and with an outbox, stored) once the step committed. */
interface Staged {
  topic: string;
  message: AlertMessage | VisitMessage;
  alert?: { row: AlertTable; transition: AlertTransition };
}

function logTransition(log: Logger, row: AlertTable, transition: AlertTransition): void {
  const { message, level } = TRANSITION_EVENTS[transition];
  const by =
    transition === 'acknowledged'
      ? row.acknowledged_by
      : transition === 'arrived'
        ? row.arrived_by
        : transition === 'resolved'
          ? row.resolved_by
          : undefined;
  log[level](
    {
      event: `alert.${transition}`,
      alertId: row.id,
      elevatorId: row.elevator_id,
      estateId: row.estate_id,
      code: row.code,
      severity: row.severity,
      sources: row.sources,
      ...(by !== undefined ? { by } : {}),
      ...(transition === 'repeated' ? { count: row.count } : {}),
      ...(transition === 'resolved' ? { resolution: row.resolution } : {}),
      ...(transition === 'escalated' ? { reason: row.escalation_reason } : {}),
    },
    message,
  );
}

function newAlertRow(f: AlertFinding, estateId: string, source: AlertSource): AlertTable {
  return {
    id: randomUUID(),
    elevator_id: f.elevatorId,
    estate_id: estateId,
    code: f.code,
    severity: ALERT_CATALOGUE[f.code]?.severity ?? 'major',
    state: 'open',
    opened_at: f.at,
    last_seen_at: f.at,
    count: 1,
    acknowledged_by: null,
    acknowledged_at: null,
    ack_note: null,
    resolved_by: null,
    resolved_at: null,
    resolve_note: null,
    resolution: null,
    evidence_json: JSON.stringify(f.evidence),
    escalated_at: null,
    escalation_reason: null,
    arrived_at: null,
    arrived_by: null,
    arrive_note: null,
    sources: source,
    lease_epoch: null,
  };
}
