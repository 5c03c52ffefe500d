/**
 * The socket.io contract between the API (api/plugins/socket.ts, and the fund routes'
 * emergency push) and the console (dashboard/src/socket.ts): every event's name and
 * payload. Both sides type their `Server` / `Socket` with these maps, so a renamed event or
 * a changed payload fails the typecheck on both sides. The alert and the visit are the
 * whole resources (alerts.ts): a browser never fetches what was just pushed.
 */
import { type Static, Type } from '@sinclair/typebox';
import type { Alert, VisitMessage } from './alerts.ts';
import type { ResidentReport } from './http.ts';
import { Nullable } from './schema-kit.ts';

export const ELEVATOR_CONDITIONS = ['normal', 'maintenance', 'fault', 'offline'] as const;
export type ElevatorCondition = (typeof ELEVATOR_CONDITIONS)[number];
const Condition = Type.Union(ELEVATOR_CONDITIONS.map((c) => Type.Literal(c)));

/** `elevator:state`: the resident-facing condition of one elevator changed. */
export const ElevatorStateEvent = Type.Object({
  elevator_id: Type.String(),
  estate_id: Type.String(),
  condition: Condition,
  previous: Nullable(Condition),
});
export type ElevatorStateEvent = Static<typeof ElevatorStateEvent>;

/** `fund:emergency`: an emergency expenditure was proposed or paid (the committee must see it at once). */
export const FundEmergencyEvent = Type.Object({
  event: Type.Union([Type.Literal('proposed'), Type.Literal('paid')]),
  fund_id: Type.String(),
  estate_id: Type.String(),
  expenditure_id: Type.String(),
  amount_fen: Type.Integer(),
  purpose: Type.String(),
  emergency_alert_id: Nullable(Type.String()),
  missing: Type.Array(Type.String()),
  flags: Type.Array(Type.String()),
});
export type FundEmergencyEvent = Static<typeof FundEmergencyEvent>;

/** What the server pushes. */
export interface ServerToClientEvents {
  /** An alert of an estate the connection may see, as it now is (the HTTP alert resource). */
  alert: (alert: Alert) => void;
  /** A visit at check-in and with its verdict (estate rooms and the technician's company room). */
  visit: (visit: VisitMessage) => void;
  'elevator:state': (event: ElevatorStateEvent) => void;
  'fund:emergency': (event: FundEmergencyEvent) => void;
  /** A resident report filed, moved along or answered by the resident (the report resource). */
  report: (report: Static<typeof ResidentReport>) => void;
}

/** What a browser may send: nothing yet; everything it does goes through HTTP, audited. */
export type ClientToServerEvents = Record<string, never>;

/** Per-connection data the server keeps (the handshake's principal), opaque to the protocol. */
export type SocketEventName = keyof ServerToClientEvents;
