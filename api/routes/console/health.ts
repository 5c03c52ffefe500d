/**
 * Lift health for the firm's console and the owners' committee (issue 16, item 4):
 * GET /elevators/:id/health (score, reasons, trend, recommendation, each signal's days with
 * its baseline band) and GET /health, /estates/:id/health (lifts ranked by need of
 * attention). Read from the ingest's `health_daily` points (api/data/health.ts); the last
 * verified visit from the visits query. Tenancy first: another tenant's id is a 404.
 */
import type { FastifyPluginAsyncTypebox } from '@fastify/type-provider-typebox';
import { type Static, type TSchema, Type } from '@sinclair/typebox';
import type { FastifyInstance } from 'fastify';
import type { ElevatorEntry } from '../../../fleet/directory.ts';
import { LiftWatchError } from '../../../lib/errors.ts';
import { COMPONENT_LABEL, JUDGED, SIGNAL_LABEL } from '../../../protocol/health.ts';
import { HEALTH_WORDS } from '../../../protocol/words.ts';
import {
  attentionOf,
  daysBetween,
  type HealthPoint,
  type InfluxHealth,
  localDate,
  withVisit,
} from '../../data/health.ts';
import { canSeeEstate, estateFilter, notFound, READERS, requireRole } from '../../data/tenancy.ts';
import { IdParams, replies } from '../../schemas.ts';

const DAY_MS = 86_400_000;
const Words = Type.Object({ zh: Type.String(), en: Type.String() });
const Nullable = <T extends TSchema>(t: T) => Type.Union([t, Type.Null()]);

export const HealthSummary = Type.Object({
  date: Type.String({ description: 'Local day (UTC+8) the figures are of' }),
  status: Type.Union([Type.Literal('ok'), Type.Literal('insufficient')], {
    description: '`insufficient`: not enough data yet, never a score',
  }),
  message: Type.Union([Words, Type.Null()]),
  score: Nullable(Type.Integer({ minimum: 0, maximum: 100 })),
  reasons: Type.Array(
    Type.Object({
      signal: Type.String(),
      component: Words,
      points: Type.Integer(),
      text: Words,
    }),
    { description: 'Each point lost, worst first' },
  ),
  trend: Type.Object({
    d30: Nullable(
      Type.Number({
        description: 'Score change over the last 30 days (newest level less oldest), within ±100',
      }),
    ),
    d90: Nullable(
      Type.Number({
        description: 'Score change per 30 days over the last 90 days, never extrapolated; within ±100',
      }),
    ),
  }),
  recommendation: Type.Object({
    latest_visit_date: Type.String({ description: 'The next visit by this local date' }),
    due_in_days: Type.Integer({ description: 'From today; negative when overdue' }),
    early: Type.Boolean({ description: 'A component degrades: visit before the routine date' }),
    component: Type.Union([Words, Type.Null()]),
    advice: Type.Array(Words),
    stretched: Type.Boolean(),
    last_verified_visit_at: Nullable(Type.Integer()),
  }),
});
type HealthSummary = Static<typeof HealthSummary>;

const RankedLift = Type.Object({
  elevator_id: Type.String(),
  name: Type.String(),
  building: Type.String(),
  estate_id: Type.String(),
  attention: Type.Number({ description: 'Higher needs attention sooner' }),
  health: Type.Union([HealthSummary, Type.Null()], { description: 'Null: no health figures yet' }),
});

const RankingReply = Type.Object({ today: Type.String(), items: Type.Array(RankedLift) });

const ElevatorHealthReply = Type.Object({
  elevator_id: Type.String(),
  name: Type.String(),
  estate_id: Type.String(),
  health: Type.Union([HealthSummary, Type.Null()]),
  scores: Type.Array(Type.Array(Type.Union([Type.Number(), Type.Null()])), {
    description: '[t (local midnight, epoch ms), score or null] per day',
  }),
  signals: Type.Array(
    Type.Object({
      signal: Type.String(),
      label: Words,
      unit: Type.String(),
      direction: Type.Union([Type.Literal('up'), Type.Literal('both')]),
      points: Type.Array(Type.Array(Type.Union([Type.Number(), Type.Null()])), {
        description: '[t, value, baseline median, judgement floor] per day; the band is median ± floor',
      }),
    }),
  ),
});

/** The signals where only a rise costs points (the score's rules); top speed counts both ways. */
const BOTH_WAYS = new Set<string>(['top_speed_ratio']);

export function summaryOf(point: HealthPoint, today: string, lastVerifiedAt: number | null): HealthSummary {
  const p = withVisit(point, lastVerifiedAt);
  return {
    date: p.date,
    status: p.status,
    message: p.status === 'ok' ? null : HEALTH_WORDS.insufficient,
    score: p.status === 'ok' ? p.score : null,
    reasons: p.detail.reasons.map((r) => ({
      signal: r.signal,
      component: COMPONENT_LABEL[r.component as keyof typeof COMPONENT_LABEL] ?? { zh: '其他', en: 'other' },
      points: r.points,
      text: { zh: r.zh, en: r.en },
    })),
    trend: { d30: p.trend30, d90: p.trend90 },
    recommendation: {
      latest_visit_date: p.latestVisitDate,
      due_in_days: daysBetween(today, p.latestVisitDate),
      early: p.early,
      component: p.component ? COMPONENT_LABEL[p.component] : null,
      advice: p.detail.advice,
      stretched: p.detail.stretched,
      last_verified_visit_at: lastVerifiedAt,
    },
  };
}

/** Newest verified routine visit per elevator (repairs do not restart the routine interval). */
async function lastVerifiedVisits(
  app: FastifyInstance,
  estateIds: string[] | null,
  elevator?: string,
): Promise<Map<string, number>> {
  const rows = await app.store.visits.list({
    estateIds,
    ...(elevator ? { elevator } : {}),
    verdict: 'verified',
    from: app.clock() - 120 * DAY_MS,
    limit: 2000,
    offset: 0,
  });
  const out = new Map<string, number>();
  for (const v of rows)
    if (v.kind !== 'repair' && !out.has(v.elevator_id)) out.set(v.elevator_id, v.check_in_at);
  return out;
}

function requireHealth(app: FastifyInstance): InfluxHealth {
  if (!app.health) throw new LiftWatchError('NOT_READY', 'Health needs InfluxDB, which is not configured');
  return app.health;
}

async function ranking(app: FastifyInstance, estateIds: string[] | null) {
  const health = requireHealth(app);
  const today = localDate(app.clock());
  const [latest, visits] = await Promise.all([health.latest(estateIds), lastVerifiedVisits(app, estateIds)]);
  const visible = (e: ElevatorEntry) => estateIds === null || estateIds.includes(e.estateId);
  const items = [...app.directory.elevators()].filter(visible).map((e) => {
    const point = latest.get(e.id) ?? null;
    const summary = point ? summaryOf(point, today, visits.get(e.id) ?? null) : null;
    const adjusted = point ? withVisit(point, visits.get(e.id) ?? null) : null;
    return {
      elevator_id: e.id,
      name: e.name,
      building: e.buildingName,
      estate_id: e.estateId,
      attention: Math.round(attentionOf(adjusted, today) * 100) / 100,
      health: summary,
    };
  });
  items.sort((a, b) => b.attention - a.attention || a.elevator_id.localeCompare(b.elevator_id));
  return { today, items };
}

const healthRoutes: FastifyPluginAsyncTypebox = async (app) => {
  app.get(
    '/health',
    {
      schema: {
        tags: ['health'],
        summary: 'Every visible lift ranked by need of attention (early visits, overdue, low scores first)',
        response: replies({ 200: RankingReply }),
      },
    },
    async (request) => {
      const p = requireRole(request.principal, READERS);
      return ranking(app, estateFilter(p));
    },
  );

  app.get(
    '/estates/:id/health',
    {
      schema: {
        tags: ['health'],
        summary: "An estate's lifts ranked by need of attention",
        params: IdParams,
        response: replies({ 200: RankingReply }),
      },
    },
    async (request) => {
      const p = requireRole(request.principal, READERS);
      const estate = app.directory.estate(request.params.id);
      if (!estate || !canSeeEstate(p, estate.id)) throw notFound('Estate');
      return ranking(app, [estate.id]);
    },
  );

  app.get(
    '/elevators/:id/health',
    {
      schema: {
        tags: ['health'],
        summary:
          "One lift's health: score with reasons, trend, recommendation, signals with their baseline band",
        params: IdParams,
        querystring: Type.Object({
          days: Type.Optional(
            Type.Integer({ minimum: 7, maximum: 366, description: 'Days of signals; default 90' }),
          ),
        }),
        response: replies({ 200: ElevatorHealthReply }),
      },
    },
    async (request) => {
      const p = requireRole(request.principal, READERS);
      const elevator = app.directory.elevator(request.params.id);
      if (!elevator || !canSeeEstate(p, elevator.estateId)) throw notFound('Elevator');
      const health = requireHealth(app);
      const now = app.clock();
      const today = localDate(now);
      const days = request.query.days ?? 90;
      const [series, visits] = await Promise.all([
        health.days(elevator.id, now - days * DAY_MS, now + DAY_MS),
        lastVerifiedVisits(app, [elevator.estateId], elevator.id),
      ]);
      const newest = series.at(-1) ?? null;
      const signals = JUDGED.filter((s) => series.some((d) => d.values[s] !== null)).map((s) => ({
        signal: s,
        label: { zh: SIGNAL_LABEL[s].zh, en: SIGNAL_LABEL[s].en },
        unit: SIGNAL_LABEL[s].unit,
        direction: (BOTH_WAYS.has(s) ? 'both' : 'up') as 'up' | 'both',
        points: series.map((d) => [d.t, d.values[s], d.bands[s]?.median ?? null, d.bands[s]?.floor ?? null]),
      }));
      return {
        elevator_id: elevator.id,
        name: elevator.name,
        estate_id: elevator.estateId,
        health: newest ? summaryOf(newest, today, visits.get(elevator.id) ?? null) : null,
        scores: series.map((d) => [d.t, d.status === 'ok' ? d.score : null]),
        signals,
      };
    },
  );
};

export default healthRoutes;
