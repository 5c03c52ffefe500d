/**
 * What the ingest publishes to services: alert lifecycle transitions on `alerts/{id}` and
 * maintenance-visit verdicts on `visits/{id}`. The API reuses these schemas for its
 * responses and its browser push, so the wire and the HTTP shapes cannot drift.
 */
import { type Static, Type } from '@sinclair/typebox';
import { Nullable } from './schema-kit.ts';

const Evidence = Type.Record(Type.String(), Type.Unknown(), { description: 'What the rule saw' });

export const ALERT_STATES = ['open', 'acknowledged', 'resolved'] as const;
export const ALERT_TRANSITIONS = ['opened', 'repeated', 'acknowledged', 'resolved', 'escalated'] as const;

/**
 * What a resolved alert turned out to be: the start of GB/T 24476's fault-record states
 * (00 done, 05 false alarm). 'fault': a real fault, handled; 'false_alarm': nothing was
 * wrong; both are said by the person resolving. 'auto_cleared': the detector saw
 * conditions return to normal and resolved it itself. Null on alerts resolved before the
 * outcome was recorded (migration 0007), and on alerts not resolved.
 */
export const ALERT_RESOLUTIONS = ['fault', 'false_alarm', 'auto_cleared'] as const;
export type AlertResolution = (typeof ALERT_RESOLUTIONS)[number];
/** What a person may say when resolving; 'auto_cleared' is the detector's alone. */
export const PERSON_RESOLUTIONS = ['fault', 'false_alarm'] as const satisfies readonly AlertResolution[];
export type PersonResolution = (typeof PERSON_RESOLUTIONS)[number];

export const AlertResolutionSchema = Type.Union(
  ALERT_RESOLUTIONS.map((r) => Type.Literal(r)),
  { description: "fault (a real fault, handled) | false_alarm | auto_cleared (the detector's clear)" },
);

export const AlertMessage = Type.Object(
  {
    id: Type.String(),
    code: Type.String({ description: 'Alert code from the catalogue (FAULT_CODES or MAINTENANCE_CODES)' }),
    severity: Type.Union([
      Type.Literal('critical'),
      Type.Literal('major'),
      Type.Literal('minor'),
      Type.Literal('info'),
    ]),
    state: Type.Union(ALERT_STATES.map((s) => Type.Literal(s))),
    transition: Type.Union(
      ALERT_TRANSITIONS.map((s) => Type.Literal(s)),
      { description: 'What just happened' },
    ),
    elevator: Type.String(),
    estate: Type.String(),
    opened_at: Type.Integer({ description: 'Device time of the first finding, epoch ms' }),
    last_seen_at: Type.Integer({ description: 'Device time of the latest repeat, epoch ms' }),
    count: Type.Integer({ minimum: 1 }),
    evidence: Evidence,
    acknowledged_by: Nullable(Type.String()),
    acknowledged_at: Nullable(Type.Integer()),
    resolved_by: Nullable(Type.String({ description: "A username, or 'auto'" })),
    resolved_at: Nullable(Type.Integer()),
    resolution: Nullable(AlertResolutionSchema),
    escalated: Type.Boolean(),
    escalation_reason: Nullable(Type.String()),
  },
  { $id: 'AlertMessage', title: 'alerts/{id}' },
);
export type AlertMessage = Static<typeof AlertMessage>;

export const ScoreReason = Type.Object({
  criterion: Type.String(),
  points: Type.Number(),
  max: Type.Number(),
  reason: Type.String(),
});
export type ScoreReason = Static<typeof ScoreReason>;

export const VisitMessage = Type.Object(
  {
    id: Type.String(),
    elevator: Type.String(),
    estate: Type.String(),
    technician_id: Type.String(),
    company_id: Type.String(),
    kind: Type.String(),
    method: Type.String(),
    check_in_at: Type.Integer(),
    check_out_at: Nullable(Type.Integer()),
    status: Type.Union([Type.Literal('open'), Type.Literal('closed'), Type.Literal('timed_out')]),
    evidence_score: Nullable(Type.Integer({ minimum: 0, maximum: 100 })),
    verdict: Nullable(Type.Union([Type.Literal('verified'), Type.Literal('suspect'), Type.Literal('fake')])),
    reasons: Type.Array(ScoreReason, { description: 'One entry per criterion: every point explained' }),
    evidence: Nullable(Evidence),
  },
  { $id: 'VisitMessage', title: 'visits/{id}' },
);
export type VisitMessage = Static<typeof VisitMessage>;

export const SERVICE_SCHEMAS = { alert: AlertMessage, visit: VisitMessage } as const;
