/** The console API under /api/v1: one auth hook for the subtree, then the route modules. */
import type { FastifyPluginAsyncTypebox } from '@fastify/type-provider-typebox';
import { Type } from '@sinclair/typebox';
import { estateFilter, requireRole } from '../../data/tenancy.ts';
import { AuditRow, PageQuery, parseJson, replies } from '../../schemas.ts';
import alertRoutes from './alerts.ts';
import { consoleAutohooks } from './autohooks.ts';
import exportRoutes from './exports.ts';
import fieldVisitRoutes from './field-visits.ts';
import fleetRoutes from './fleet.ts';
import fleetReloadRoutes from './fleet-reload.ts';
import healthRoutes from './health.ts';
import historyRoutes from './history.ts';
import onCallRoutes from './on-call.ts';
import peopleRoutes from './people.ts';
import regulatorRoutes from './regulator.ts';
import reportRoutes from './reports.ts';
import { paged } from './scope.ts';
import slaRoutes from './sla.ts';
import stickerRoutes from './stickers.ts';
import userRoutes from './users.ts';
import visitRoutes from './visits.ts';
import webhookRoutes from './webhooks.ts';

const consoleRoutes: FastifyPluginAsyncTypebox = async (app) => {
  // The auth subtree is registered by the parent at /api/v1/auth; everything here needs a principal.
  consoleAutohooks(app);
  await app.register(alertRoutes);
  await app.register(reportRoutes);
  await app.register(slaRoutes);
  await app.register(visitRoutes);
  await app.register(fleetRoutes);
  await app.register(fleetReloadRoutes);
  await app.register(stickerRoutes);
  await app.register(historyRoutes);
  await app.register(healthRoutes);
  await app.register(regulatorRoutes);
  await app.register(webhookRoutes);
  await app.register(onCallRoutes);
  await app.register(userRoutes);
  await app.register(peopleRoutes);
  await app.register(exportRoutes);
  await app.register(fieldVisitRoutes);

  app.get(
    '/audit',
    {
      schema: {
        tags: ['audit'],
        summary: 'The audit log: admins see all, property managers their estates',
        querystring: Type.Object({ ...PageQuery, actor: Type.Optional(Type.String({ maxLength: 128 })) }),
        response: replies({
          200: Type.Object({
            items: Type.Array(AuditRow),
            next_offset: Type.Union([Type.Integer(), Type.Null()]),
          }),
        }),
      },
    },
    async (request) => {
      const p = requireRole(request.principal, ['admin', 'property_manager']);
      const q = request.query;
      const rows = await app.store.audit.list({ ...q, limit: q.limit + 1, estateIds: estateFilter(p) });
      const page = paged(rows, q.limit, q.offset);
      return {
        items: page.items.map(({ detail_json, ...r }) => ({ ...r, detail: parseJson(detail_json) })),
        next_offset: page.next_offset,
      };
    },
  );
};

export default consoleRoutes;
