/**
 * The HTTP contract of the API's console and auth routes, as TypeBox schemas: the API's
 * validators, serializers and OpenAPI at /docs come from these, and the dashboard derives
 * its types from them (type-only). Shapes follow the registry's columns.
 */
import { type TSchema, Type } from '@sinclair/typebox';
import { ALERT_STEPS, PERSON_RESOLUTIONS, type PersonResolution } from './alerts.ts';
import { ROLES } from './fleet.ts';
import { TelemetryReading } from './messages.ts';
import { Id, Nullable } from './schema-kit.ts';
import { ELEVATOR_CONDITIONS } from './socket.ts';

export const ErrorResponse = Type.Object(
  {
    statusCode: Type.Integer(),
    code: Type.String({ description: 'Stable code from the error catalogue' }),
    message: Type.String(),
    reason: Type.Optional(
      Type.String({
        description: "A finer code a client can branch on, e.g. the ledger's INSUFFICIENT_FUNDS",
      }),
    ),
  },
  { $id: 'ErrorResponse' },
);

const EpochMs = Type.Integer({ minimum: 0, description: 'Epoch milliseconds' });

export const IdParams = Type.Object({ id: Id });

export const PageQuery = {
  limit: Type.Integer({ minimum: 1, maximum: 200, default: 50 }),
  offset: Type.Integer({ minimum: 0, maximum: 1_000_000, default: 0 }),
};

export const RangeQuery = {
  from: Type.Optional(EpochMs),
  to: Type.Optional(EpochMs),
};

export const ScopeQuery = {
  estate: Type.Optional(Id),
  building: Type.Optional(Id),
  elevator: Type.Optional(Id),
};

export const Page = <T extends TSchema>(item: T) =>
  Type.Object({ items: Type.Array(item), next_offset: Nullable(Type.Integer()) });

/** The alert resource is the service contract's own (alerts.ts): the push and the MQTT message share it. */
export { Alert } from './alerts.ts';

export const NoteBody = Type.Object(
  { note: Type.String({ minLength: 1, maxLength: 2000 }) },
  { additionalProperties: false },
);

/**
 * Resolving says what the alert was, not only what was done: a real fault, handled, or a
 * false alarm ('auto_cleared' is the detector's own). The ledger's emergency path and the
 * fault records (GB/T 24476: done / false alarm) read it.
 */
export const ResolveBody = Type.Object(
  {
    // An enum rather than a union of literals: a wrong value is refused with one message
    // ("must be equal to one of the allowed values"), not one per literal.
    resolution: Type.Unsafe<PersonResolution>({
      type: 'string',
      enum: [...PERSON_RESOLUTIONS],
      description: 'fault: a real fault, handled; false_alarm: nothing was wrong',
    }),
    note: Type.String({ minLength: 1, maxLength: 2000 }),
  },
  { additionalProperties: false },
);

export const ResidentReport = Type.Object({
  id: Type.String(),
  receipt: Type.String(),
  elevator_id: Type.String(),
  estate_id: Type.String(),
  category: Type.String(),
  description: Type.String(),
  status: Type.String({
    description:
      "received, in_progress, resolved or rejected: the firm's own moves, or, for a report that follows its alert, how far the alert got (acknowledged or on site: in_progress; resolved: resolved), whichever is further along. The list's status filter reads the same.",
  }),
  created_at: EpochMs,
  updated_at: EpochMs,
  handled_by: Nullable(Type.String()),
  reply: Nullable(Type.String()),
  alert_id: Nullable(Type.String({ description: 'The alert a "有人被困" report opened or joined' })),
  alert_step: Type.Optional(
    Nullable(
      Type.Union(
        ALERT_STEPS.map((s) => Type.Literal(s)),
        {
          description:
            'The linked alert as it now is (open, acknowledged, arrived = someone on site, resolved): a linked report is handled through its alert, so this, not `status`, says how far it got. Null without a linked alert; absent on pushes made before the alert existed.',
        },
      ),
    ),
  ),
  follows_alert: Type.Optional(
    Type.Boolean({
      description:
        'The report is handled through its linked alert (dispatch, close and reject are refused): true from the link until the resident says not_fixed after the alert was resolved, which makes it a queue item again',
    }),
  ),
  feedback: Nullable(
    Type.Union([Type.Literal('fixed'), Type.Literal('not_fixed')], {
      description: "The resident's word after handling; not_fixed reopened the report",
    }),
  ),
  feedback_at: Nullable(EpochMs),
  rating: Nullable(Type.Integer({ minimum: 1, maximum: 5, description: "The resident's rating, 1–5" })),
  reopen_count: Type.Integer({ minimum: 0 }),
});

/** POST /api/v1/alerts/{id}/arrive: someone is on site ("到场"); the note is optional. */
export const ArriveBody = Type.Object(
  { note: Type.Optional(Type.String({ maxLength: 2000 })) },
  { additionalProperties: false },
);

export const ReportStatusBody = Type.Object(
  {
    status: Type.Union([Type.Literal('in_progress'), Type.Literal('resolved'), Type.Literal('rejected')]),
    reply: Type.Optional(
      Type.String({ maxLength: 2000, description: 'Shown to residents on the receipt page' }),
    ),
  },
  { additionalProperties: false },
);

export const Visit = Type.Object({
  id: Type.String(),
  elevator_id: Type.String(),
  estate_id: Type.String(),
  technician_id: Type.String(),
  company_id: Type.String(),
  kind: Type.String(),
  method: Type.String(),
  check_in_at: EpochMs,
  check_out_at: Nullable(EpochMs),
  status: Type.String(),
  evidence_score: Nullable(Type.Number()),
  verdict: Nullable(Type.String()),
  reasons: Type.Unknown({ description: 'Every point of the score: [{ points, reason }]' }),
  evidence: Type.Unknown({ description: 'Measured evidence: minutes in inspection, shaft coverage, ...' }),
  items: Type.Unknown(),
  location: Type.Unknown(),
});

export const ElevatorStateView = Type.Object({
  condition: Type.Union(ELEVATOR_CONDITIONS.map((c) => Type.Literal(c))),
  online: Nullable(Type.Boolean()),
  last_heard_at: Nullable(EpochMs),
  telemetry: Nullable(TelemetryReading),
  open_alerts: Type.Array(
    Type.Object({ id: Type.String(), code: Type.String(), severity: Type.String(), state: Type.String() }),
  ),
  open_visit: Nullable(Type.Object({ id: Type.String(), kind: Type.Optional(Type.String()) })),
});

export const Elevator = Type.Object({
  id: Type.String(),
  name: Type.String(),
  estate_id: Type.String(),
  building_id: Type.String(),
  building_name: Type.String(),
  registration_code: Type.String(),
  floors: Type.Integer(),
  qr_url: Type.String(),
  state: ElevatorStateView,
});

export const Estate = Type.Object({
  id: Type.String(),
  name: Type.String(),
  name_en: Nullable(Type.String()),
  property_firm_id: Type.String(),
  maintenance_company_id: Type.String(),
  emergency_phone: Type.String(),
});

export const Me = Type.Object({
  username: Type.String(),
  display_name: Type.String(),
  role: Type.Union(ROLES.map((r) => Type.Literal(r))),
  property_firm_id: Nullable(Type.String()),
  estate_id: Nullable(Type.String()),
  company_id: Nullable(Type.String()),
  estate_ids: Nullable(Type.Array(Type.String())),
});

export const AuditRow = Type.Object({
  id: Type.Integer(),
  at: EpochMs,
  actor: Type.String(),
  role: Nullable(Type.String()),
  action: Type.String(),
  target_type: Type.String(),
  target_id: Nullable(Type.String()),
  estate_id: Nullable(Type.String()),
  ip: Nullable(Type.String()),
  detail: Type.Unknown(),
});
