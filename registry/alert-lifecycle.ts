/**
 * The alert store's lifecycle: findings in, rows and MQTT messages out. One open alert per
 * (elevator, code): repeats bump `count`, 'clear' findings resolve it by 'auto' as
 * 'auto_cleared'; people acknowledge and resolve through the API, saying whether it was a
 * real fault or a false alarm; a trapped passenger not acknowledged within 5 min or not
 * resolved within 30 min (TSG T5002 art. 5: rescue arrival within 30 min) escalates. Visit verdicts are stored and published too. SQLite is touched only when
 * there is a finding, never per telemetry sample. Clock and publish are injected.
 */
import { randomUUID } from 'node:crypto';
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
import type { RegistryDb } from './db.ts';
import type { AlertTable } from './schema.ts';

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
  let queue: Promise<unknown> = Promise.resolve();

  /** Findings and API calls go one at a time: the unique open index must never race. */
  function serial<T>(work: () => Promise<T>): Promise<T> {
    const run = queue.then(work, work);
    queue = run.catch(() => undefined);
    return run;
  }

  async function estateOf(elevatorId: string): Promise<string | null> {
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

  async function current(elevatorId: string, code: string): Promise<AlertTable | undefined> {
    return db
      .selectFrom('alerts')
      .selectAll()
      .where('elevator_id', '=', elevatorId)
      .where('code', '=', code)
      .where('state', '!=', 'resolved')
      .executeTakeFirst();
  }

  async function update(
    id: string,
    changes: Partial<AlertTable>,
    transition: Transition,
  ): Promise<AlertMessage> {
    await db.updateTable('alerts').set(changes).where('id', '=', id).execute();
    const row = await db.selectFrom('alerts').selectAll().where('id', '=', id).executeTakeFirstOrThrow();
    const message = alertMessage(row, transition);
    if (row.state === 'resolved') openedWall.delete(id);
    await publish(topics.alert(row.elevator_id), message);
    return message;
  }

  async function applyAlert(f: AlertFinding): Promise<void> {
    const open = await current(f.elevatorId, f.code);
    if (f.kind === 'clear') {
      if (open)
        await update(
          open.id,
          { state: 'resolved', resolved_by: 'auto', resolved_at: f.at, resolution: 'auto_cleared' },
          'resolved',
        );
      return;
    }
    if (open) {
      await update(
        open.id,
        { count: open.count + 1, last_seen_at: Math.max(open.last_seen_at, f.at) },
        'repeated',
      );
      return;
    }
    const estateId = await estateOf(f.elevatorId);
    if (!estateId) return;
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
    await db.insertInto('alerts').values(row).execute();
    openedWall.set(row.id, clock());
    await publish(topics.alert(f.elevatorId), alertMessage(row, 'opened'));
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

  async function escalate(row: AlertTable, now: number, reason: string): Promise<AlertMessage> {
    return update(row.id, { escalated_at: now, escalation_reason: reason }, 'escalated');
  }

  return {
    apply(findings) {
      if (findings.length === 0) return Promise.resolve();
      return serial(async () => {
        for (const f of findings) {
          if (f.kind === 'visit') await applyVisit(f.visit);
          else await applyAlert(f);
        }
      });
    },

    acknowledge(alertId, by, note) {
      return serial(async () => {
        const row = await db.selectFrom('alerts').selectAll().where('id', '=', alertId).executeTakeFirst();
        if (!row || row.state === 'resolved') return null;
        if (row.state === 'acknowledged') return alertMessage(row, 'acknowledged');
        return update(
          row.id,
          { state: 'acknowledged', acknowledged_by: by, acknowledged_at: clock(), ack_note: note ?? null },
          'acknowledged',
        );
      });
    },

    resolve(alertId, by, resolution, note) {
      return serial(async () => {
        const row = await db.selectFrom('alerts').selectAll().where('id', '=', alertId).executeTakeFirst();
        if (!row) return null;
        if (row.state === 'resolved') return alertMessage(row, 'resolved');
        return update(
          row.id,
          {
            state: 'resolved',
            resolved_by: by,
            resolved_at: clock(),
            resolve_note: note ?? null,
            resolution,
          },
          'resolved',
        );
      });
    },

    checkEscalations() {
      return serial(async () => {
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
          if (age >= policy.resolveWithinMs && row.escalation_reason !== ESCALATION_REASONS.notResolved) {
            escalated.push(await escalate(row, now, ESCALATION_REASONS.notResolved));
          } else if (row.state === 'open' && age >= policy.ackWithinMs && row.escalation_reason === null) {
            escalated.push(await escalate(row, now, ESCALATION_REASONS.notAcknowledged));
          }
        }
        return escalated;
      });
    },
  };
}
