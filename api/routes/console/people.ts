/**
 * GET /api/v1/people: the names behind the usernames and technician ids the other answers
 * carry (acknowledged_by, resolved_by, a visit's technician_id, a fund decision's actor),
 * limited to the people of the caller's estates: their firm's staff (for a committee, the
 * staff of the firm managing its estate), the estates' committee members and the technicians of the companies that maintain them. Admins get everyone.
 */
import type { FastifyPluginAsyncTypebox } from '@fastify/type-provider-typebox';
import { Type } from '@sinclair/typebox';
import type { FastifyInstance } from 'fastify';
import type { PeopleNames } from '../../../store/repositories/people.ts';
import { estateFilter, type Principal, requireRole, VISIT_READERS } from '../../data/tenancy.ts';
import { replies } from '../../schemas.ts';

const Names = Type.Record(Type.String(), Type.String());

/** The names a principal may read: their estates' people (every one for an admin). */
export function namesFor(app: FastifyInstance, p: Principal): Promise<PeopleNames> {
  const estateIds = estateFilter(p);
  const companies = new Set<string>(p.companyId ? [p.companyId] : []);
  // A committee reads the decisions of the firm managing its estate: its staff's names too.
  const firms = new Set<string>(p.propertyFirmId ? [p.propertyFirmId] : []);
  if (estateIds)
    for (const id of estateIds) {
      const estate = app.directory.estate(id);
      if (!estate) continue;
      companies.add(estate.maintenanceCompanyId);
      if (p.role === 'committee_member') firms.add(estate.propertyFirmId);
    }
  return app.store.people.names({ estateIds, propertyFirmIds: [...firms], companyIds: [...companies] });
}

const peopleRoutes: FastifyPluginAsyncTypebox = async (app) => {
  app.get(
    '/people',
    {
      schema: {
        tags: ['auth'],
        summary: 'Display names of the users and technicians the caller may meet in their records',
        response: replies({ 200: Type.Object({ users: Names, technicians: Names }) }),
      },
    },
    async (request) => {
      return namesFor(app, requireRole(request.principal, VISIT_READERS));
    },
  );
};

export default peopleRoutes;
