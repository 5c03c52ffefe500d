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
 * Any number of processes may run it against one database: every transition is one
 * statement whose condition the database checks (store/repositories/alerts.ts), so a writer
 * that loses a race gets the winner's row, and each transition is published once, by the
 * writer that made it.
 */
import { randomUUID } from 'node:crypto';
import {
  ALERT_CATALOGUE,
  type Alert,
  type AlertCode,
  type AlertFinding,
  type AlertMessage,
  type AlertTransition,
  ESCALATION_REASONS,
  type Finding,
  type MaintenanceVisit,
  type PersonResolution,
  topics,
  type VisitMessage,
} from '../protocol/index.ts';
import type { AlertRepository } from '../store/repositories/alerts.ts';
import type { AlertTable } from '../store/schema.ts';
import { dueSteps, type EscalationPlan } from './escalation.ts';
import { alertMessage, alertResource, visitMessage, visitRow } from './resource.ts';

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
   * Call on a timer (e.g. every 10 s); returns the alerts it escalated. Also takes the
   * roster's steps that are due (alerts/escalation.ts), each once in the store for however
   * many checkers run; the API sends them.
   */
  checkEscalations(): Promise<AlertMessage[]>;
}

export function createAlertLifecycle(deps: AlertLifecycleDeps): AlertLifecycle {
  const { alerts, publish, clock } = deps;
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

  /** Publishes the transition a conditional update made (the row it returned). */
  async function announce(row: AlertTable, transition: AlertTransition): Promise<AlertMessage> {
    const message = alertMessage(row, transition);
    if (row.state === 'resolved') openedWall.delete(row.id);
    await publish(topics.alert(row.elevator_id), message);
    return message;
  }

  async function applyAlert(f: AlertFinding): Promise<void> {
    if (f.kind === 'clear') {
      for (const row of await alerts.autoResolve(f.elevatorId, f.code, f.at)) await announce(row, 'resolved');
      return;
    }
    const estateId = await estateOf(f.elevatorId);
    if (!estateId) return;
    const { row, opened } = await alerts.openOrBump(newAlertRow(f, estateId));
    if (opened) openedWall.set(row.id, clock());
    await announce(row, opened ? 'opened' : 'repeated');
  }

  async function applyVisit(visit: MaintenanceVisit): Promise<void> {
    const estateId = await estateOf(visit.elevatorId);
    if (!estateId) return;
    await alerts.recordVisit(visitRow(visit, estateId));
    await publish(topics.visit(visit.elevatorId), visitMessage(visit, estateId));
  }

  /** The transition's row when ours; else the alert as the winner left it (null: no such alert). */
  async function outcome(
    won: AlertTable | undefined,
    alertId: string,
    transition: AlertTransition,
  ): Promise<PersonOutcome | null> {
    if (won) {
      await announce(won, transition);
      return { alert: alertResource(won), applied: true };
    }
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

    async acknowledge(alertId, by, note) {
      const won = await alerts.acknowledge({ id: alertId, by, at: clock(), note: note ?? null });
      return outcome(won, alertId, 'acknowledged');
    },

    async resolve(alertId, by, resolution, note) {
      const won = await alerts.resolve({ id: alertId, by, at: clock(), note: note ?? null, resolution });
      return outcome(won, alertId, 'resolved');
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
        const won = await alerts.escalate(row.id, now, reason);
        if (won) escalated.push(await announce(won, 'escalated'));
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

function newAlertRow(f: AlertFinding, estateId: string): AlertTable {
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
  };
}
