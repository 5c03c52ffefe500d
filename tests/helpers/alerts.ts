/**
 * Whole alerts and visit messages for tests that drive the state store or publish on the
 * service topics: the contract's shapes (protocol/alerts.ts), filled from the registry row
 * a test would have, so every fixture passes the validators the consumers use.
 */
import { alertMessage, alertResource } from '../../alerts/resource.ts';
import type { Alert, AlertMessage, AlertTransition, VisitMessage } from '../../protocol/index.ts';
import type { AlertTable } from '../../store/schema.ts';

const T = Date.UTC(2025, 4, 20, 4, 0, 0);

function row(over: Partial<AlertTable> & Pick<AlertTable, 'id' | 'elevator_id'>): AlertTable {
  return {
    lease_epoch: null,
    estate_id: 'lianhua',
    code: 'passenger_trapped',
    severity: 'critical',
    state: 'open',
    opened_at: T,
    last_seen_at: T,
    count: 1,
    acknowledged_by: null,
    acknowledged_at: null,
    ack_note: null,
    resolved_by: null,
    resolved_at: null,
    resolve_note: null,
    resolution: null,
    evidence_json: '{}',
    escalated_at: null,
    escalation_reason: null,
    arrived_at: null,
    arrived_by: null,
    arrive_note: null,
    sources: 'detector',
    ...over,
  };
}

/** An alert resource (HTTP, socket push, the state store's entry). */
export function alertFixture(over: Partial<AlertTable> & Pick<AlertTable, 'id' | 'elevator_id'>): Alert {
  return alertResource(row(over));
}

/** An `alerts/{elevatorId}` message. */
export function alertMessageFixture(
  over: Partial<AlertTable> & Pick<AlertTable, 'id' | 'elevator_id'>,
  transition: AlertTransition = 'opened',
): AlertMessage {
  return alertMessage(row(over), transition);
}

/** A `visits/{elevatorId}` message. */
export function visitMessageFixture(
  over: Partial<VisitMessage> & Pick<VisitMessage, 'id' | 'elevator_id'>,
): VisitMessage {
  return {
    estate_id: 'lianhua',
    technician_id: 'tech-wang',
    company_id: 'huaxia-lift',
    kind: 'half_monthly',
    method: 'nfc',
    check_in_at: T,
    check_out_at: null,
    status: 'open',
    evidence_score: null,
    verdict: null,
    reasons: [],
    evidence: null,
    ...over,
  };
}
