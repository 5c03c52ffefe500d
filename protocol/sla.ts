/**
 * The monthly SLA report per estate (issue 15): the rates the 96333 centres publish
 * (response within 3 minutes, someone on site within 30), median times, and the residents'
 * word on the handling (ratings, reopened reports). The HTTP shape of GET /api/v1/sla and
 * its query (the columns' words, shared with the console, are in sla-words.ts).
 */
import { type Static, Type } from '@sinclair/typebox';
import { Nullable } from './schema-kit.ts';

export { ARRIVAL_SLA_MS, RESPONSE_SLA_MS, SLA_COLUMNS, SLA_WORDS, type SlaColumn } from './sla-words.ts';

const Rate = Nullable(
  Type.Number({ minimum: 0, maximum: 1, description: 'Share, 0–1; null when nothing counted' }),
);
const Ms = Nullable(Type.Integer({ minimum: 0, description: 'Milliseconds; null when nothing counted' }));

export const EstateSla = Type.Object({
  estate_id: Type.String(),
  estate_name: Type.String(),
  /** Critical alerts opened in the month. */
  alerts: Type.Integer({ minimum: 0 }),
  from_residents: Type.Integer({
    minimum: 0,
    description: 'Of which a resident reported (alone or with the detector)',
  }),
  /** Those a person had to answer: not cleared by the detector before anyone acknowledged. */
  response_counted: Type.Integer({ minimum: 0 }),
  response_within: Type.Integer({ minimum: 0 }),
  response_rate: Rate,
  median_response_ms: Ms,
  /** Those someone had to attend: answered ones that were not a false alarm, once due or met. */
  arrival_counted: Type.Integer({ minimum: 0 }),
  arrival_within: Type.Integer({ minimum: 0 }),
  arrival_rate: Rate,
  median_arrival_ms: Ms,
  median_resolve_ms: Ms,
  false_alarms: Type.Integer({ minimum: 0 }),
  /** Resident reports filed in the month, and what the residents said after handling. */
  reports: Type.Integer({ minimum: 0 }),
  /** Of those, by their effective status now (a report linked to an alert follows it). */
  reports_resolved: Type.Integer({ minimum: 0, description: 'Resolved (by the firm or with its alert)' }),
  reports_rejected: Type.Integer({ minimum: 0 }),
  reports_open: Type.Integer({ minimum: 0, description: 'Received or in progress' }),
  feedback: Type.Integer({ minimum: 0, description: 'Reports the resident confirmed or reopened' }),
  reopened: Type.Integer({ minimum: 0 }),
  reopen_rate: Rate,
  ratings: Type.Integer({ minimum: 0 }),
  average_rating: Nullable(Type.Number({ minimum: 1, maximum: 5 })),
});
export type EstateSla = Static<typeof EstateSla>;

export const SlaReport = Type.Object({
  month: Type.String({ pattern: '^\\d{4}-\\d{2}$', description: 'YYYY-MM, Beijing time' }),
  from: Type.Integer({ description: 'Start of the month, epoch ms' }),
  to: Type.Integer({ description: 'Start of the next month, epoch ms' }),
  response_sla_ms: Type.Integer(),
  arrival_sla_ms: Type.Integer(),
  estates: Type.Array(EstateSla),
});
export type SlaReport = Static<typeof SlaReport>;

export const SlaQuery = Type.Object({
  month: Type.Optional(
    Type.String({ pattern: '^\\d{4}-(0[1-9]|1[0-2])$', description: 'YYYY-MM; default this month' }),
  ),
  estate: Type.Optional(Type.String({ maxLength: 64 })),
});
