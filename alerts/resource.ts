/**
 * Rows to the contract's shapes: an alert row to the alert resource (HTTP, socket.io push)
 * and to its MQTT message, a visit finding to its message and to the row that stores it.
 * Field by field rather than rest/spread: a page maps up to 200 rows, and this stays
 * monomorphic.
 */
import {
  ALERT_CATALOGUE,
  ALERT_SOURCES,
  type Alert,
  type AlertMessage,
  type AlertSource,
  type AlertTransition,
  type MaintenanceVisit,
  type VisitMessage,
} from '../protocol/index.ts';
import type { AlertTable, MaintenanceVisitTable } from '../store/schema.ts';

/** The evidence column as the contract carries it: an object; `{}` for an unreadable one. */
function evidenceOf(json: string): Record<string, unknown> {
  try {
    const value: unknown = JSON.parse(json);
    return typeof value === 'object' && value !== null && !Array.isArray(value)
      ? (value as Record<string, unknown>)
      : {};
  } catch {
    return {};
  }
}

export function alertResource(a: AlertTable): Alert {
  const entry = ALERT_CATALOGUE[a.code];
  return {
    id: a.id,
    elevator_id: a.elevator_id,
    estate_id: a.estate_id,
    code: a.code,
    label_zh: entry?.zh ?? a.code,
    label_en: entry?.en ?? a.code,
    severity: a.severity as Alert['severity'],
    state: a.state,
    opened_at: a.opened_at,
    last_seen_at: a.last_seen_at,
    count: a.count,
    acknowledged_by: a.acknowledged_by,
    acknowledged_at: a.acknowledged_at,
    ack_note: a.ack_note,
    resolved_by: a.resolved_by,
    resolved_at: a.resolved_at,
    resolve_note: a.resolve_note,
    resolution: a.resolution,
    evidence: evidenceOf(a.evidence_json),
    escalated_at: a.escalated_at,
    escalation_reason: a.escalation_reason,
    arrived_at: a.arrived_at ?? null,
    arrived_by: a.arrived_by ?? null,
    arrive_note: a.arrive_note ?? null,
    sources: sourcesOf(a.sources),
  };
}

/** The sources column ('detector,resident') as the contract's list; unknown names are dropped. */
export function sourcesOf(column: string | null | undefined): AlertSource[] {
  const out: AlertSource[] = [];
  for (const name of (column ?? 'detector').split(',')) {
    const source = name.trim() as AlertSource;
    if (ALERT_SOURCES.includes(source) && !out.includes(source)) out.push(source);
  }
  return out;
}

export function alertMessage(row: AlertTable, transition: AlertTransition): AlertMessage {
  return { ...alertResource(row), transition };
}

export function visitMessage(visit: MaintenanceVisit, estateId: string): VisitMessage {
  return {
    id: visit.id,
    elevator_id: visit.elevatorId,
    estate_id: estateId,
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

export function visitRow(visit: MaintenanceVisit, estateId: string): MaintenanceVisitTable {
  return {
    id: visit.id,
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
}
