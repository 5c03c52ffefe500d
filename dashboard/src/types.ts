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
import type { ServerToClientEvents } from '../../protocol/socket.ts';

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

/** Socket events: the payloads of the protocol's event map (protocol/socket.ts), as the server types them. */
export type StateEvent = Parameters<ServerToClientEvents['elevator:state']>[0];
export type VisitEvent = Parameters<ServerToClientEvents['visit']>[0];

/** One point of the evidence score, or a cap on the verdict (`cap_*`), as the visit judge writes it. */
export interface ScoreReason {
  criterion?: string;
  points: number;
  max?: number;
  reason: string;
  /** A cap's sentence in Chinese, with its figures. */
  zh?: string;
}
