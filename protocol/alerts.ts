/**
 * The service messages: what crosses MQTT between the ingest and the API. Alert lifecycle
 * transitions on `alerts/{elevatorId}` and maintenance-visit verdicts on `visits/{elevatorId}`.
 * One alert shape (`Alert`) is the HTTP alert resource, the socket.io push and, with the
 * transition that made it, the MQTT message; so the wire, the push and the HTTP answer
 * cannot drift. Consumers validate with the compiled validators in service-validate.ts.
 */
import { type Static, Type } from '@sinclair/typebox';
import { Nullable } from './schema-kit.ts';

const Evidence = Type.Record(Type.String(), Type.Unknown(), { description: 'What the rule saw' });
const EpochMs = Type.Integer({ minimum: 0, description: 'Epoch milliseconds' });

export const ALERT_STATES = ['open', 'acknowledged', 'resolved'] as const;
export type AlertState = (typeof ALERT_STATES)[number];
export {
  ALERT_STEPS,
  type AlertStep,
  alertStepOf,
  effectiveReportStatus,
  followsAlert,
  REPORT_STATUS_RANK,
  type ReportStatus,
  statusByAlert,
} from './alert-steps.ts';
export const ALERT_TRANSITIONS = [
  'opened',
  'repeated',
  'acknowledged',
  'arrived',
  'resolved',
  'escalated',
] as const;
export type AlertTransition = (typeof ALERT_TRANSITIONS)[number];
/** Who raised an alert: the detector's finding or a resident's report from the QR page. */
export const ALERT_SOURCES = ['detector', 'resident'] as const;
export type AlertSource = (typeof ALERT_SOURCES)[number];

export const SEVERITIES = ['critical', 'major', 'minor', 'info'] as const;

/**
 * Why an alert escalated (TSG T5002 art. 5: rescue within 30 min): not acknowledged within
 * the policy's first limit, or not resolved within its second.
 */
export const ESCALATION_REASONS = {
  notAcknowledged: 'not_acknowledged_in_time',
  notResolved: 'not_resolved_in_time',
} as const;
export type EscalationReason = (typeof ESCALATION_REASONS)[keyof typeof ESCALATION_REASONS];

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

/** The alert's fields, shared by the resource and the message. */
const ALERT_FIELDS = {
  id: Type.String({ minLength: 1 }),
  elevator_id: Type.String({ minLength: 1 }),
  estate_id: Type.String({ minLength: 1 }),
  code: Type.String({ description: 'Alert code from the catalogue (FAULT_CODES or MAINTENANCE_CODES)' }),
  label_zh: Type.String({ description: "The catalogue's Chinese label (the code when unknown)" }),
  label_en: Type.String({ description: "The catalogue's English label (the code when unknown)" }),
  severity: Type.Union(SEVERITIES.map((s) => Type.Literal(s))),
  state: Type.Union(ALERT_STATES.map((s) => Type.Literal(s))),
  opened_at: Type.Integer({ minimum: 0, description: 'Device time of the first finding, epoch ms' }),
  last_seen_at: Type.Integer({ minimum: 0, description: 'Device time of the latest repeat, epoch ms' }),
  count: Type.Integer({ minimum: 1 }),
  acknowledged_by: Nullable(Type.String()),
  acknowledged_at: Nullable(EpochMs),
  ack_note: Nullable(Type.String()),
  resolved_by: Nullable(Type.String({ description: "A username, or 'auto'" })),
  resolved_at: Nullable(EpochMs),
  resolve_note: Nullable(Type.String()),
  resolution: Nullable(AlertResolutionSchema),
  evidence: Evidence,
  escalated_at: Nullable(EpochMs),
  escalation_reason: Nullable(Type.String()),
  arrived_at: Nullable(EpochMs),
  arrived_by: Nullable(Type.String({ description: 'Who stamped "到场" (on site)' })),
  arrive_note: Nullable(Type.String()),
  sources: Type.Array(Type.Union(ALERT_SOURCES.map((s) => Type.Literal(s))), {
    description: "Who raised it: the detector, a resident's report, or both (one alert)",
  }),
};

/** The alert resource: `GET /api/v1/alerts/{id}`, every list item, and the socket.io `alert` push. */
export const Alert = Type.Object(ALERT_FIELDS);
export type Alert = Static<typeof Alert>;

/** `alerts/{elevatorId}`: the alert as the transition left it, and which transition it was. */
export const AlertMessage = Type.Object(
  {
    ...ALERT_FIELDS,
    transition: Type.Union(
      ALERT_TRANSITIONS.map((s) => Type.Literal(s)),
      { description: 'What just happened' },
    ),
  },
  { $id: 'AlertMessage', title: 'alerts/{elevatorId}' },
);
export type AlertMessage = Static<typeof AlertMessage>;

/**
 * One line of a visit's judgement: a scored criterion (`max` > 0), or a hard cap on the
 * verdict (`cap_fake`, `cap_suspect`: no points, `max` 0) whose `reason` says which published
 * case it met. `reason` is English; a cap also says it in Chinese (`zh`), with its figures,
 * because a cap is why the visit is fake and the console shows it in words, not as a bar.
 */
export const ScoreReason = Type.Object({
  criterion: Type.String(),
  points: Type.Number(),
  max: Type.Number(),
  reason: Type.String(),
  zh: Type.Optional(Type.String({ description: 'The same in Chinese, with its figures (caps)' })),
});
export type ScoreReason = Static<typeof ScoreReason>;

export const VISIT_STATUSES = ['open', 'closed', 'timed_out'] as const;
export const VISIT_VERDICTS = ['verified', 'suspect', 'fake'] as const;

/**
 * `visits/{elevatorId}`: a visit at check-in (status open, no verdict yet) and at its end
 * with the verdict; also the socket.io `visit` push.
 */
export const VisitMessage = Type.Object(
  {
    id: Type.String({ minLength: 1 }),
    elevator_id: Type.String({ minLength: 1 }),
    estate_id: Type.String({ minLength: 1 }),
    technician_id: Type.String(),
    company_id: Type.String(),
    kind: Type.String(),
    method: Type.String(),
    check_in_at: EpochMs,
    check_out_at: Nullable(EpochMs),
    status: Type.Union(VISIT_STATUSES.map((s) => Type.Literal(s))),
    evidence_score: Nullable(Type.Integer({ minimum: 0, maximum: 100 })),
    verdict: Nullable(Type.Union(VISIT_VERDICTS.map((s) => Type.Literal(s)))),
    reasons: Type.Array(ScoreReason, { description: 'One entry per criterion: every point explained' }),
    evidence: Nullable(Evidence),
  },
  { $id: 'VisitMessage', title: 'visits/{elevatorId}' },
);
export type VisitMessage = Static<typeof VisitMessage>;

/** Every service message by the topic root it is published under (topics.ts `serviceTopic`). */
export const SERVICE_SCHEMAS = { alert: AlertMessage, visit: VisitMessage } as const;
export type ServiceKind = keyof typeof SERVICE_SCHEMAS;
export interface ServiceMessages {
  alert: AlertMessage;
  visit: VisitMessage;
}
