/**
 * The API's answers as the browser sees them. Derived from the HTTP contract in
 * protocol/http.ts (type-only import: erased by esbuild), so the console and the API
 * share one contract. Fund types come the same way from protocol/fund-http.ts (fund-api.ts).
 */
import type { Static } from '@sinclair/typebox';
import type {
  Alert as AlertSchema,
  Elevator as ElevatorSchema,
  Estate as EstateSchema,
  Me as MeSchema,
  ResidentReport as ReportSchema,
  ResolveBody as ResolveBodySchema,
  Visit as VisitSchema,
} from '../../protocol/http.ts';

export type Alert = Static<typeof AlertSchema>;
export type ResolveBody = Static<typeof ResolveBodySchema>;
type ElevatorWire = Static<typeof ElevatorSchema>;
/** The schema builds the condition union with .map(), which TS widens to string; narrow it back. */
export type Condition = 'normal' | 'maintenance' | 'fault' | 'offline';
export type Elevator = Omit<ElevatorWire, 'state'> & {
  state: Omit<ElevatorWire['state'], 'condition'> & { condition: Condition };
};
export type Estate = Static<typeof EstateSchema>;
export type Me = Static<typeof MeSchema>;
export type ResidentReport = Static<typeof ReportSchema>;
export type Visit = Static<typeof VisitSchema>;
export type Role = Me['role'];

export interface Page<T> {
  items: T[];
  next_offset: number | null;
}

/** Socket events, as api/plugins/socket.ts emits them. */
export interface AlertEvent {
  elevator_id: string;
  estate_id: string;
  id: string;
  code: string;
  severity: string;
  state: Alert['state'];
  opened_at: number;
  last_seen_at: number;
}

export interface VisitEvent {
  elevator_id: string;
  estate_id: string;
  id: string;
  status: string;
  verdict: string | null;
  evidence_score: number | null;
  kind: string | null;
  company_id: string | null;
}

export interface StateEvent {
  elevator_id: string;
  estate_id: string;
  condition: Condition;
  previous: Condition | null;
}

/** One point of the evidence score, as the visit judge writes it. */
export interface ScoreReason {
  criterion?: string;
  points: number;
  max?: number;
  reason: string;
}
