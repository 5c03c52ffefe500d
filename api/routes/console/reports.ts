/**
 * The firm's queue of resident reports: list, read, move along with a public reply. A report
 * that follows its linked alert (a "有人被困" report) is moved by the alert, not here: its
 * status in these answers is the alert's, and a move is refused (REPORT_FOLLOWS_ALERT).
 */
import type { FastifyPluginAsyncTypebox } from '@fastify/type-provider-typebox';
import { Type } from '@sinclair/typebox';
import { LiftWatchError } from '../../../lib/errors.ts';
import { canSeeEstate, notFound, READERS, requireRole, WRITERS } from '../../data/tenancy.ts';
import { estateAudience } from '../../plugins/socket.ts';
import {
  IdParams,
  Page,
  PageQuery,
  RangeQuery,
  ReportStatusBody,
  ResidentReport,
  replies,
  ScopeQuery,
} from '../../schemas.ts';
import { paged, scopedFilter } from './scope.ts';

const ReportQuery = Type.Object({
  ...ScopeQuery,
  ...RangeQuery,
  ...PageQuery,
  status: Type.Optional(
    Type.Union(['received', 'in_progress', 'resolved', 'rejected'].map((s) => Type.Literal(s))),
  ),
});

const reportRoutes: FastifyPluginAsyncTypebox = async (app) => {
  app.get(
    '/reports',
    {
      schema: {
        tags: ['resident reports'],
        summary: 'Resident reports of my estates, newest first',
        querystring: ReportQuery,
        response: replies({ 200: Page(ResidentReport) }),
      },
    },
    async (request) => {
      const p = requireRole(request.principal, READERS);
      const q = request.query;
      const rows = await app.store.reports.list({ ...q, estateIds: scopedFilter(app.directory, p, q) });
      return paged(rows, q.limit, q.offset);
    },
  );

  app.get(
    '/reports/:id',
    {
      schema: {
        tags: ['resident reports'],
        summary: 'One resident report',
        params: IdParams,
        response: replies({ 200: ResidentReport }),
      },
    },
    async (request) => {
      const p = requireRole(request.principal, READERS);
      const report = await app.store.reports.byId(request.params.id);
      if (!report || !canSeeEstate(p, report.estate_id)) throw notFound('Report');
      return report;
    },
  );

  app.post(
    '/reports/:id/status',
    {
      schema: {
        tags: ['resident reports'],
        summary: 'Move a report along; the reply is shown to residents',
        params: IdParams,
        body: ReportStatusBody,
        response: replies({ 200: ResidentReport }),
      },
    },
    async (request) => {
      const p = requireRole(request.principal, WRITERS);
      const report = await app.store.reports.byId(request.params.id);
      if (!report || !canSeeEstate(p, report.estate_id)) throw notFound('Report');
      // Its alert moves it: a status set here would disagree with the alert the officer sees.
      if (report.follows_alert) throw new LiftWatchError('REPORT_FOLLOWS_ALERT');
      const updated = await app.store.reports.updateStatus({
        id: report.id,
        status: request.body.status,
        reply: request.body.reply,
        by: p.username,
        now: app.clock(),
      });
      await app.audit(request, {
        action: 'report.status',
        targetType: 'resident_report',
        targetId: report.id,
        estateId: report.estate_id,
        detail: { from: report.status, to: request.body.status },
      });
      // The consoles of the estate see the move (and the nav badge its count) without reload.
      app.io?.to(estateAudience(report.estate_id)).emit('report', updated!);
      return updated!;
    },
  );
};

export default reportRoutes;
