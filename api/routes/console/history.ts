/**
 * GET /elevators/:id/history: an elevator's telemetry over a time range, from InfluxDB,
 * downsampled so a month answers as quickly as an hour (api/data/history.ts). Tenancy is
 * checked against the in-memory directory before InfluxDB is asked anything.
 */
import type { FastifyPluginAsyncTypebox } from '@fastify/type-provider-typebox';
import { Type } from '@sinclair/typebox';
import { LiftWatchError } from '../../../lib/errors.ts';
import { HISTORY_FIELDS, type HistoryField } from '../../data/history.ts';
import { canSeeEstate, notFound, READERS, requireRole } from '../../data/tenancy.ts';
import { IdParams, replies } from '../../schemas.ts';

const DAY_MS = 86_400_000;
/** A year of 1-minute aggregates is still one bounded query. */
const MAX_RANGE_MS = 366 * DAY_MS;
const FIELD_NAMES = Object.keys(HISTORY_FIELDS) as HistoryField[];
const DEFAULT_FIELDS: HistoryField[] = ['speed', 'floor'];

const HistoryQuerystring = Type.Object({
  from: Type.Optional(Type.Integer({ minimum: 0, description: 'Epoch ms; default: an hour before `to`' })),
  to: Type.Optional(Type.Integer({ minimum: 0, description: 'Epoch ms; default: now' })),
  fields: Type.Optional(
    Type.String({
      maxLength: 200,
      pattern: '^[a-z_]+(,[a-z_]+)*$',
      description: `Comma-separated, of: ${FIELD_NAMES.join(', ')}; default speed,floor. Readings (speed, floor, run_count: the last or max in a bucket; load, vibration: the max) are carried forward while unchanged; speed_max is the highest speed in a bucket, the speed held into it included; trips (runs started: the rise of run_count since the row or bucket before, null while unknown) and door_cycles (door openings, closed → open; 0 when none) count what happened in each row or bucket`,
    }),
  ),
  max_points: Type.Optional(Type.Integer({ minimum: 10, description: 'Cap below the server cap' })),
});

const HistoryReply = Type.Object({
  elevator_id: Type.String(),
  from: Type.Integer(),
  to: Type.Integer(),
  source: Type.Union([Type.Literal('raw'), Type.Literal('aggregates')]),
  interval_ms: Type.Union([Type.Integer(), Type.Null()], {
    description: 'Bucket width; null when raw points are returned as written',
  }),
  columns: Type.Array(Type.String(), { description: "'t' (epoch ms) then the fields asked" }),
  points: Type.Array(Type.Array(Type.Union([Type.Number(), Type.Null()])), {
    description:
      'One row per message (raw) or bucket, in `columns` order. `trips` and `door_cycles` count what happened in that row or bucket, so their sum over the rows is the total over the range; the other fields are the reading then',
  }),
  truncated: Type.Boolean({ description: 'True when more points existed than the cap' }),
});

function parseFields(text: string | undefined): HistoryField[] {
  if (text === undefined) return DEFAULT_FIELDS;
  const asked = [...new Set(text.split(','))];
  const unknown = asked.filter((f) => !(f in HISTORY_FIELDS));
  if (unknown.length > 0)
    throw new LiftWatchError(
      'BAD_REQUEST',
      `Unknown fields ${unknown.join(', ')}; use ${FIELD_NAMES.join(', ')}`,
    );
  return asked as HistoryField[];
}

const historyRoutes: FastifyPluginAsyncTypebox = async (app) => {
  app.get(
    '/elevators/:id/history',
    {
      schema: {
        tags: ['fleet'],
        summary: 'Telemetry history: raw up to an hour, 1-minute aggregates beyond, capped',
        params: IdParams,
        querystring: HistoryQuerystring,
        response: replies({ 200: HistoryReply }),
      },
    },
    async (request) => {
      const p = requireRole(request.principal, READERS);
      const elevator = app.directory.elevator(request.params.id);
      if (!elevator || !canSeeEstate(p, elevator.estateId)) throw notFound('Elevator');
      const q = request.query;
      const to = q.to ?? app.clock();
      const from = q.from ?? to - 3_600_000;
      if (from >= to) throw new LiftWatchError('BAD_REQUEST', '`from` must be before `to`');
      if (to - from > MAX_RANGE_MS)
        throw new LiftWatchError('BAD_REQUEST', 'Ask for at most 366 days at once');
      const fields = parseFields(q.fields);
      if (!app.history)
        throw new LiftWatchError('NOT_READY', 'History needs InfluxDB, which is not configured');
      const cap = app.apiConfig.API_HISTORY_MAX_POINTS;
      const history = await app.history.read({
        elevatorId: elevator.id,
        from,
        to,
        fields,
        maxPoints: Math.min(q.max_points ?? cap, cap),
      });
      return {
        elevator_id: elevator.id,
        from,
        to,
        source: history.source,
        interval_ms: history.intervalMs,
        columns: history.columns,
        points: history.points,
        truncated: history.truncated,
      };
    },
  );
};

export default historyRoutes;
