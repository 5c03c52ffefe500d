/**
 * POST /api/v1/fleet/reload (admin): re-reads the fleet file this process was started with
 * (FLEET_FILE), validates it, stores it and refreshes the fleet directory; the change is
 * announced on fleet/changed so the ingest and other API processes pick it up within a
 * second, without a restart. The same as `kill -HUP` on `npm start`, for an operator who
 * runs the parts apart or has no shell on the host. A file that does not validate changes
 * nothing and answers 400 with every problem.
 */
import type { FastifyPluginAsyncTypebox } from '@fastify/type-provider-typebox';
import { Type } from '@sinclair/typebox';
import { LiftWatchError } from '../../../lib/errors.ts';
import { requireRole } from '../../data/tenancy.ts';
import { replies } from '../../schemas.ts';

const Ids = Type.Array(Type.String());

const fleetReloadRoutes: FastifyPluginAsyncTypebox = async (app) => {
  app.post(
    '/fleet/reload',
    {
      schema: {
        tags: ['fleet'],
        summary: 'Reload the fleet file while running (admin): new elevators are checked by every rule',
        response: replies({
          200: Type.Object({
            estates: Type.Integer(),
            buildings: Type.Integer(),
            elevators: Type.Integer(),
            users: Type.Integer(),
            added: Ids,
            changed: Ids,
            removed: Ids,
          }),
        }),
      },
    },
    async (request) => {
      requireRole(request.principal, ['admin']);
      if (!app.fleetReload) throw new LiftWatchError('FLEET_FILE_UNSET');
      const { loaded, changes } = await app.fleetReload.reload();
      const reply = {
        ...loaded,
        added: changes.added.map((e) => e.id),
        changed: changes.changed.map((e) => e.id),
        removed: changes.removed.map((e) => e.id),
      };
      await app.audit(request, {
        action: 'fleet.reload',
        estateId: null,
        targetType: 'fleet',
        targetId: null,
        detail: { added: reply.added, changed: reply.changed, removed: reply.removed },
      });
      return reply;
    },
  );
};

export default fleetReloadRoutes;
