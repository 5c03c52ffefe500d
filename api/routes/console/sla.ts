/**
 * The monthly SLA report per estate: GET /api/v1/sla?month=YYYY-MM[&estate=] (JSON) and
 * /sla.csv (Chinese headers, for the firm's monthly report and the owners' committee).
 * Admin, property manager (their firm's estates) and committee member (their estate);
 * another tenant's estate is a 404 like a missing one. Figures from alerts/sla.ts.
 */
import type { FastifyPluginAsyncTypebox } from '@fastify/type-provider-typebox';
import { Type } from '@sinclair/typebox';
import { estateSla, monthOf, monthRange } from '../../../alerts/sla.ts';
import {
  ARRIVAL_SLA_MS,
  type EstateSla,
  RESPONSE_SLA_MS,
  SLA_COLUMNS,
  SlaQuery,
  SlaReport,
} from '../../../protocol/sla.ts';
import { READERS, requireRole } from '../../data/tenancy.ts';
import { beijingTime, toCsv } from '../../exports/csv.ts';
import { replies } from '../../schemas.ts';
import { scopedFilter } from './scope.ts';

/** A cell of the CSV: rates as percentages, durations in minutes (one decimal). */
function csvCell(row: EstateSla, key: (typeof SLA_COLUMNS)[number]['key']): string | number {
  const value = row[key];
  if (value === null) return '';
  if (key.endsWith('_rate')) return `${Math.round((value as number) * 1000) / 10}%`;
  if (key.endsWith('_ms')) return Math.round((value as number) / 6000) / 10;
  return value;
}

const slaRoutes: FastifyPluginAsyncTypebox = async (app) => {
  async function report(
    principal: Parameters<typeof scopedFilter>[1],
    q: { month?: string; estate?: string },
  ) {
    const filter = scopedFilter(app.directory, principal, q);
    const month = q.month ?? monthOf(app.clock());
    const { from, to } = monthRange(month);
    const estates = [...app.directory.estates()]
      .filter((e) => (q.estate === undefined ? filter === null || filter.includes(e.id) : e.id === q.estate))
      .sort((a, b) => a.id.localeCompare(b.id));
    const ids = estates.map((e) => e.id);
    const [alerts, reports] = await Promise.all([
      app.store.sla.criticalAlerts(ids, from, to),
      app.store.sla.reports(ids, from, to),
    ]);
    const now = app.clock();
    return {
      month,
      from,
      to,
      response_sla_ms: RESPONSE_SLA_MS,
      arrival_sla_ms: ARRIVAL_SLA_MS,
      estates: estates.map((e) =>
        estateSla(
          e,
          alerts.filter((a) => a.estate_id === e.id),
          reports.filter((r) => r.estate_id === e.id),
          now,
        ),
      ),
    };
  }

  app.get(
    '/sla',
    {
      schema: {
        tags: ['alerts'],
        summary:
          'Monthly SLA per estate: 3-minute response and 30-minute arrival rates, median times, residents’ ratings and reopened reports',
        querystring: SlaQuery,
        response: replies({ 200: SlaReport }),
      },
    },
    async (request) => report(requireRole(request.principal, READERS), request.query),
  );

  app.get(
    '/sla.csv',
    {
      schema: {
        tags: ['alerts'],
        summary: 'The monthly SLA report as CSV (UTF-8 with a BOM, Chinese headers)',
        querystring: SlaQuery,
        response: replies({ 200: Type.String({ description: 'text/csv; charset=utf-8, with a BOM' }) }),
      },
    },
    async (request, reply) => {
      const r = await report(requireRole(request.principal, READERS), request.query);
      const header = ['月份', ...SLA_COLUMNS.map((c) => (c.key.endsWith('_ms') ? `${c.zh}（分钟）` : c.zh))];
      const rows = r.estates.map((e) => [r.month, ...SLA_COLUMNS.map((c) => csvCell(e, c.key))]);
      const stamp = beijingTime(app.clock()).slice(0, 10);
      return reply
        .header('content-type', 'text/csv; charset=utf-8')
        .header('content-disposition', `attachment; filename="sla-${r.month}-${stamp}.csv"`)
        .send(toCsv(header, rows));
    },
  );
};

export default slaRoutes;
