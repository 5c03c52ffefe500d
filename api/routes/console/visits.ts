/** Maintenance visits with their verdict, score, reasons and evidence. */
import type { FastifyPluginAsyncTypebox } from '@fastify/type-provider-typebox';
import { Type } from '@sinclair/typebox';
import type { MaintenanceVisitTable } from '../../../store/schema.ts';
import { canSeeEstate, notFound, type Principal, requireRole, VISIT_READERS } from '../../data/tenancy.ts';
import {
  IdParams,
  Page,
  PageQuery,
  parseJson,
  RangeQuery,
  replies,
  ScopeQuery,
  Visit,
} from '../../schemas.ts';
import { paged, scopedFilter } from './scope.ts';

function visitView(v: MaintenanceVisitTable) {
  const { reasons_json, evidence_json, items_json, location_json, ...row } = v;
  return {
    ...row,
    reasons: parseJson(reasons_json),
    evidence: parseJson(evidence_json),
    items: parseJson(items_json),
    location: parseJson(location_json),
  };
}

/** A technician's company must match as well as the estate. */
function canSeeVisit(p: Principal, v: MaintenanceVisitTable): boolean {
  if (!canSeeEstate(p, v.estate_id)) return false;
  return p.role !== 'technician' || v.company_id === p.companyId;
}

const VisitQuery = Type.Object({
  ...ScopeQuery,
  ...RangeQuery,
  ...PageQuery,
  verdict: Type.Optional(
    Type.Union([Type.Literal('verified'), Type.Literal('suspect'), Type.Literal('fake')]),
  ),
});

const visitRoutes: FastifyPluginAsyncTypebox = async (app) => {
  app.get(
    '/visits',
    {
      schema: {
        tags: ['visits'],
        summary: 'Maintenance visits, newest first',
        querystring: VisitQuery,
        response: replies({ 200: Page(Visit) }),
      },
    },
    async (request) => {
      const p = requireRole(request.principal, VISIT_READERS);
      const q = request.query;
      const rows = await app.store.visits.list({
        ...q,
        estateIds: scopedFilter(app.directory, p, q),
        companyId: p.role === 'technician' ? (p.companyId ?? '') : undefined,
      });
      const page = paged(rows, q.limit, q.offset);
      return { items: page.items.map(visitView), next_offset: page.next_offset };
    },
  );

  app.get(
    '/visits/:id',
    {
      schema: {
        tags: ['visits'],
        summary: 'One visit with its evidence',
        params: IdParams,
        response: replies({ 200: Visit }),
      },
    },
    async (request) => {
      const p = requireRole(request.principal, VISIT_READERS);
      const visit = await app.store.visits.byId(request.params.id);
      if (!visit || !canSeeVisit(p, visit)) throw notFound('Visit');
      return visitView(visit);
    },
  );
};

export default visitRoutes;
