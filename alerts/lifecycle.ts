/**
 * The alert store's lifecycle: findings in, rows and MQTT messages out. One open alert per
 * (elevator, code): repeats bump `count`, 'clear' findings resolve it by 'auto' as
 * 'auto_cleared'; people acknowledge and resolve through the API, saying whether it was a
 * real fault or a false alarm; a trapped passenger not acknowledged within 5 min or not
 * resolved within 30 min (TSG T5002 art. 5: rescue arrival within 30 min) escalates. Visit verdicts are stored and published too. The store is touched only when
 * there is a finding, never per telemetry sample. Clock and publish are injected.
 *
 * Any number of processes may run it against one database: every transition is one
 * statement whose condition the database checks (the unique open index with an upsert for
 * open-or-bump; `UPDATE … WHERE state = … RETURNING` for the others), so a writer that
 * loses a race gets the winner's row, and each transition is published once.
 */
import { randomUUID } from 'node:crypto';
import { sql } from 'kysely';
import {
  ALERT_CATALOGUE,
  type AlertCode,
  type AlertFinding,
  type AlertMessage,
  type Finding,
  type MaintenanceVisit,
  type PersonResolution,
  topics,
  type VisitMessage,
} from '../protocol/index.ts';
import type { RegistryDb } from '../store/db.ts';
import type { AlertTable } from '../store/schema.ts';

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
  db: RegistryDb;
  publish: Publish;
  /** Wall clock, epoch ms: acknowledgement, resolution and escalation times. */
  clock: () => number;
  escalation?: Partial<EscalationPolicy>;
  /** The fleet directory's answer (fleet/directory.ts); without it, a cached query. */
  estateOf?: (elevatorId: string) => string | null;
}

export interface AlertLifecycle {
  apply(findings: readonly Finding[]): Promise<void>;
  acknowledge(alertId: string, by: string, note?: string): Promise<AlertMessage | null>;
  /** A person's resolution says what the alert was; 'auto_cleared' is the detector's alone. */
  resolve(
    alertId: string,
    by: string,
    resolution: PersonResolution,
    note?: string,
  ): Promise<AlertMessage | null>;
  /** Call on a timer (e.g. every 10 s); returns the alerts it escalated. */
  checkEscalations(): Promise<AlertMessage[]>;
}

export const ESCALATION_REASONS = {
  notAcknowledged: 'not_acknowledged_in_time',
  notResolved: 'not_resolved_in_time',
} as const;

type Transition = AlertMessage['transition'];

export function alertMessage(row: AlertTable, transition: Transition): AlertMessage {
  return {
    id: row.id,
    code: row.code,
    severity: row.severity as AlertMessage['severity'],
    state: row.state,
    transition,
    elevator: row.elevator_id,
    estate: row.estate_id,
    opened_at: row.opened_at,
    last_seen_at: row.last_seen_at,
    count: row.count,
    evidence: JSON.parse(row.evidence_json) as Record<string, unknown>,
    acknowledged_by: row.acknowledged_by,
    acknowledged_at: row.acknowledged_at,
    resolved_by: row.resolved_by,
    resolved_at: row.resolved_at,
    resolution: row.resolution,
    escalated: row.escalated_at !== null,
    escalation_reason: row.escalation_reason,
  };
}

export function visitMessage(visit: MaintenanceVisit, estateId: string): VisitMessage {
  return {
    id: visit.id,
    elevator: visit.elevatorId,
    estate: estateId,
    technician_id: visit.technicianId,
    company_id: visit.companyId,
    kind: visit.kind,
    method: visit.method,
    check_in_at: visit.checkInAt,
    check_out_at: visit.checkOutAt,
    status: visit.status,
    evidence_score: visit.evidenceScore,
    verdict: visit.verdict,
    reasons: visit.reasons,
    evidence: visit.evidence as Record<string, unknown> | null,
  };
}

export function createAlertLifecycle(deps: AlertLifecycleDeps): AlertLifecycle {
  const { db, publish, clock } = deps;
  const policy: EscalationPolicy = { ...DEFAULT_ESCALATION, ...deps.escalation };
  const estates = new Map<string, string>();
  /** Wall-clock opening time, so replayed device time cannot escalate at once; rows loaded after a restart fall back to opened_at. */
  const openedWall = new Map<string, number>();

  async function estateOf(elevatorId: string): Promise<string | null> {
    if (deps.estateOf) return deps.estateOf(elevatorId);
    const cached = estates.get(elevatorId);
    if (cached) return cached;
    const row = await db
      .selectFrom('elevators')
      .select('estate_id')
      .where('id', '=', elevatorId)
      .executeTakeFirst();
    if (row) estates.set(elevatorId, row.estate_id);
    return row?.estate_id ?? null;
  }

  async function byId(id: string): Promise<AlertTable | undefined> {
    return db.selectFrom('alerts').selectAll().where('id', '=', id).executeTakeFirst();
  }

  /** Publishes the transition a conditional update made (the row it returned). */
  async function announce(row: AlertTable, transition: Transition): Promise<AlertMessage> {
    const message = alertMessage(row, transition);
    if (row.state === 'resolved') openedWall.delete(row.id);
    await publish(topics.alert(row.elevator_id), message);
    return message;
  }

  async function applyAlert(f: AlertFinding): Promise<void> {
    if (f.kind === 'clear') {
      const cleared = await db
        .updateTable('alerts')
        .set({ state: 'resolved', resolved_by: 'auto', resolved_at: f.at, resolution: 'auto_cleared' })
        .where('elevator_id', '=', f.elevatorId)
        .where('code', '=', f.code)
        .where('state', '!=', 'resolved')
        .returningAll()
        .execute();
      for (const row of cleared) await announce(row, 'resolved');
      return;
    }
    const estateId = await estateOf(f.elevatorId);
    if (!estateId) return;
    const { row, opened } = await openOrBump(f, estateId);
    if (opened) openedWall.set(row.id, clock());
    await announce(row, opened ? 'opened' : 'repeated');
  }

  /**
   * One statement: insert the alert, or, when the unique open index (elevator, code) already
   * holds one, bump its count and last sighting. The id tells which happened: the row
   * returned is ours only if the insert won.
   */
  async function openOrBump(
    f: AlertFinding,
    estateId: string,
  ): Promise<{ row: AlertTable; opened: boolean }> {
    const row: AlertTable = {
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
    const stored = await db
      .insertInto('alerts')
      .values(row)
      .onConflict((oc) =>
        oc
          .columns(['elevator_id', 'code'])
          // The partial index's own predicate, as a literal: both dialects match the
          // conflict target against the index by its text, which a bound parameter is not.
          .where(sql<boolean>`state != 'resolved'`)
          .doUpdateSet((eb) => ({
            count: eb('alerts.count', '+', 1),
            last_seen_at: eb
              .case()
              .when('excluded.last_seen_at', '>', eb.ref('alerts.last_seen_at'))
              .then(eb.ref('excluded.last_seen_at'))
              .else(eb.ref('alerts.last_seen_at'))
              .end(),
          })),
      )
      .returningAll()
      .executeTakeFirstOrThrow();
    return { row: stored, opened: stored.id === row.id };
  }

  async function applyVisit(visit: MaintenanceVisit): Promise<void> {
    const estateId = await estateOf(visit.elevatorId);
    if (!estateId) return;
    const values = {
      elevator_id: visit.elevatorId,
      estate_id: estateId,
      technician_id: visit.technicianId,
      company_id: visit.companyId,
      kind: visit.kind,
      method: visit.method,
      check_in_at: visit.checkInAt,
      check_out_at: visit.checkOutAt,
      status: visit.status,
      location_json: visit.location ? JSON.stringify(visit.location) : null,
      items_json: visit.items ? JSON.stringify(visit.items) : null,
      evidence_score: visit.evidenceScore,
      verdict: visit.verdict,
      reasons_json: JSON.stringify(visit.reasons),
      evidence_json: visit.evidence ? JSON.stringify(visit.evidence) : null,
    };
    await db
      .insertInto('maintenance_visits')
      .values({ id: visit.id, ...values })
      .onConflict((oc) => oc.column('id').doUpdateSet(values))
      .execute();
    await publish(topics.visit(visit.elevatorId), visitMessage(visit, estateId));
  }

  /** Escalates unless another checker already did (or the alert moved on) since it was read. */
  async function escalate(row: AlertTable, now: number, reason: string): Promise<AlertMessage | null> {
    let q = db
      .updateTable('alerts')
      .set({ escalated_at: now, escalation_reason: reason })
      .where('id', '=', row.id)
      .where('state', '!=', 'resolved');
    q =
      reason === ESCALATION_REASONS.notResolved
        ? q.where((eb) => eb.or([eb('escalation_reason', 'is', null), eb('escalation_reason', '!=', reason)]))
        : q.where('state', '=', 'open').where('escalation_reason', 'is', null);
    const escalated = await q.returningAll().executeTakeFirst();
    return escalated ? announce(escalated, 'escalated') : null;
  }

  return {
    async apply(findings) {
      // In order: a raise then a clear of the same alert must reach the store in that order.
      for (const f of findings) {
        if (f.kind === 'visit') await applyVisit(f.visit);
        else await applyAlert(f);
      }
    },

    /** open → acknowledged; a loser of the race, or a repeat, gets the row as it now is. */
    async acknowledge(alertId, by, note) {
      const acked = await db
        .updateTable('alerts')
        .set({ state: 'acknowledged', acknowledged_by: by, acknowledged_at: clock(), ack_note: note ?? null })
        .where('id', '=', alertId)
        .where('state', '=', 'open')
        .returningAll()
        .executeTakeFirst();
      if (acked) return announce(acked, 'acknowledged');
      const row = await byId(alertId);
      if (!row || row.state === 'resolved') return null;
      return alertMessage(row, 'acknowledged');
    },

    /** open | acknowledged → resolved; a loser of the race gets the winner's resolution. */
    async resolve(alertId, by, resolution, note) {
      const resolved = await db
        .updateTable('alerts')
        .set({
          state: 'resolved',
          resolved_by: by,
          resolved_at: clock(),
          resolve_note: note ?? null,
          resolution,
        })
        .where('id', '=', alertId)
        .where('state', '!=', 'resolved')
        .returningAll()
        .executeTakeFirst();
      if (resolved) return announce(resolved, 'resolved');
      const row = await byId(alertId);
      return row ? alertMessage(row, 'resolved') : null;
    },

    async checkEscalations() {
      if (policy.codes.length === 0) return [];
      const rows = await db
        .selectFrom('alerts')
        .selectAll()
        .where('state', '!=', 'resolved')
        .where('code', 'in', [...policy.codes])
        .execute();
      const now = clock();
      const escalated: AlertMessage[] = [];
      for (const row of rows) {
        const age = now - (openedWall.get(row.id) ?? row.opened_at);
        let message: AlertMessage | null = null;
        if (age >= policy.resolveWithinMs && row.escalation_reason !== ESCALATION_REASONS.notResolved) {
          message = await escalate(row, now, ESCALATION_REASONS.notResolved);
        } else if (row.state === 'open' && age >= policy.ackWithinMs && row.escalation_reason === null) {
          message = await escalate(row, now, ESCALATION_REASONS.notAcknowledged);
        }
        if (message) escalated.push(message);
      }
      return escalated;
    },
  };
}
