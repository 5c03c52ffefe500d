/**
 * The HTTP contract of the technician's phone (issue 15): the work list, check-in, checklist,
 * photos and check-out under /api/v1. Every write carries a key the phone generates when the
 * action is queued, so a replay after a lost answer (the shaft has no signal) is applied once.
 * The API validates with these; the dashboard derives its types from them (type-only).
 */
import { Type } from '@sinclair/typebox';
import { MAINTENANCE_ITEMS_MAX } from './bounds.ts';
import { VISIT_KINDS } from './messages.ts';
import { Id, Nullable } from './schema-kit.ts';

const EpochMs = Type.Integer({ minimum: 0, description: 'Epoch milliseconds' });

/** A client-generated idempotency key (a UUID or similar). */
export const ActionKey = Type.String({ minLength: 8, maxLength: 64, pattern: '^[A-Za-z0-9_-]+$' });

/** The phone's clock when the technician acted (queued offline, sent later); bounded by the server. */
const ActedAt = Type.Optional(
  Type.Integer({ minimum: 0, description: 'When the technician acted, epoch ms (the queued time)' }),
);

export const CheckInBody = Type.Object(
  {
    key: ActionKey,
    elevator_id: Type.Optional(Id),
    qr: Type.Optional(
      Type.String({
        minLength: 4,
        maxLength: 300,
        description: "The car's QR code: its token or its /e/{token} link",
      }),
    ),
    kind: Type.Union(VISIT_KINDS.map((k) => Type.Literal(k))),
    lat: Type.Optional(Type.Number({ minimum: -90, maximum: 90 })),
    lng: Type.Optional(Type.Number({ minimum: -180, maximum: 180 })),
    accuracy: Type.Optional(Type.Number({ minimum: 0, maximum: 100_000, description: 'metres' })),
    at: ActedAt,
  },
  { additionalProperties: false },
);

export const ItemsBody = Type.Object(
  {
    key: ActionKey,
    items: Type.Array(Type.Integer({ minimum: 1, maximum: 200 }), { maxItems: MAINTENANCE_ITEMS_MAX }),
  },
  { additionalProperties: false },
);

export const CheckOutBody = Type.Object({ key: ActionKey, at: ActedAt }, { additionalProperties: false });

export const PhotoQuery = Type.Object(
  { key: ActionKey, item: Type.Optional(Type.Integer({ minimum: 1, maximum: 200 })), at: ActedAt },
  { additionalProperties: false },
);

export const PhotoParams = Type.Object({ id: Id, photo: Id });

export const FieldPhoto = Type.Object({
  id: Type.String(),
  item: Nullable(Type.Integer()),
  media_type: Type.String(),
  size: Type.Integer(),
  taken_at: EpochMs,
});

export const FieldVisit = Type.Object({
  id: Type.String({ description: 'Also the id of the visit the ingest judges from telemetry' }),
  elevator_id: Type.String(),
  kind: Type.String(),
  method: Type.String(),
  check_in_at: EpochMs,
  check_out_at: Nullable(EpochMs),
  location: Nullable(
    Type.Object({ lat: Type.Number(), lng: Type.Number(), accuracy: Nullable(Type.Number()) }),
  ),
  items: Type.Array(Type.Integer()),
  photos: Type.Array(FieldPhoto),
  /** The judged visit, once the ingest stored it: the verdict comes from the car's data. */
  judged: Nullable(
    Type.Object({
      status: Type.String(),
      verdict: Nullable(Type.String()),
      evidence_score: Nullable(Type.Number()),
    }),
  ),
  /** False when the key had been applied before: the answer is what the first call left. */
  applied: Type.Optional(Type.Boolean()),
});

export const WorkLift = Type.Object({
  id: Type.String(),
  name: Type.String(),
  building: Type.String(),
  estate_id: Type.String(),
  estate: Type.String(),
  floors: Type.Integer(),
  /** The token of the car's QR sticker (public, printed in the car): a phone matches a scan offline. */
  qr_token: Type.String(),
  open_visit_id: Nullable(Type.String()),
});

export const WorkAlert = Type.Object({
  id: Type.String(),
  elevator_id: Type.String(),
  code: Type.String(),
  label_zh: Type.String(),
  label_en: Type.String(),
  severity: Type.String(),
  state: Type.String(),
  opened_at: EpochMs,
  arrived_at: Nullable(EpochMs),
});

export const WorkReport = Type.Object({
  id: Type.String(),
  elevator_id: Type.String(),
  category: Type.String(),
  description: Type.String(),
  status: Type.String(),
  created_at: EpochMs,
});

export const Work = Type.Object({
  lifts: Type.Array(WorkLift),
  alerts: Type.Array(WorkAlert),
  reports: Type.Array(WorkReport),
  open_visits: Type.Array(FieldVisit),
});

/** `kind` has a default, so the role gate (403) answers before any validation of the query. */
export const ChecklistQuery = Type.Object(
  {
    kind: Type.Union(
      VISIT_KINDS.map((k) => Type.Literal(k)),
      { default: 'half_monthly' },
    ),
  },
  { additionalProperties: false },
);

export const ChecklistItem = Type.Object({
  number: Type.Integer(),
  table: Type.String(),
  name: Type.String(),
  place: Type.String(),
});

export const Checklist = Type.Object({ kind: Type.String(), items: Type.Array(ChecklistItem) });
