/** Estates and elevators I may see, each elevator with its current state from memory. */
import type { FastifyPluginAsyncTypebox } from '@fastify/type-provider-typebox';
import { Type } from '@sinclair/typebox';
import type { ElevatorEntry } from '../../../fleet/directory.ts';
import { canSeeEstate, notFound, requireRole, VISIT_READERS } from '../../data/tenancy.ts';
import { Elevator, Estate, IdParams, Page, PageQuery, replies } from '../../schemas.ts';
import { paged, scopedFilter, stateView } from './scope.ts';

const fleetRoutes: FastifyPluginAsyncTypebox = async (app) => {
  const elevatorView = (e: ElevatorEntry) => ({
    id: e.id,
    name: e.name,
    estate_id: e.estateId,
    building_id: e.buildingId,
    building_name: e.buildingName,
    registration_code: e.registrationCode,
    floors: e.floors,
    qr_url: `${app.publicBaseUrl}/e/${encodeURIComponent(e.publicToken)}`,
    state: stateView(app, app.stateSource, e.id),
  });

  app.get(
    '/estates',
    {
      schema: {
        tags: ['fleet'],
        summary: 'Estates I may see',
        response: replies({ 200: Type.Array(Estate) }),
      },
    },
    async (request) => {
      const p = requireRole(request.principal, VISIT_READERS);
      return [...app.directory.estates()]
        .filter((e) => canSeeEstate(p, e.id))
        .map((e) => ({
          id: e.id,
          name: e.name,
          name_en: e.nameEn,
          property_firm_id: e.propertyFirmId,
          maintenance_company_id: e.maintenanceCompanyId,
          emergency_phone: e.emergencyPhone,
        }));
    },
  );

  app.get(
    '/elevators',
    {
      schema: {
        tags: ['fleet'],
        summary: 'Elevators with their current state',
        querystring: Type.Object({
          estate: Type.Optional(Type.String({ maxLength: 128 })),
          building: Type.Optional(Type.String({ maxLength: 128 })),
          condition: Type.Optional(
            Type.Union(['normal', 'maintenance', 'fault', 'offline'].map((c) => Type.Literal(c))),
          ),
          ...PageQuery,
        }),
        response: replies({ 200: Page(Elevator) }),
      },
    },
    async (request) => {
      const p = requireRole(request.principal, VISIT_READERS);
      const q = request.query;
      scopedFilter(app.directory, p, q);
      const now = app.clock();
      const matches: ElevatorEntry[] = [];
      for (const e of app.directory.elevators()) {
        if (!canSeeEstate(p, e.estateId)) continue;
        if (q.estate && e.estateId !== q.estate) continue;
        if (q.building && e.buildingId !== q.building) continue;
        if (q.condition && app.stateSource.conditionOf(e.id, now) !== q.condition) continue;
        matches.push(e);
      }
      const page = paged(matches.slice(q.offset, q.offset + q.limit + 1), q.limit, q.offset);
      return { items: page.items.map(elevatorView), next_offset: page.next_offset };
    },
  );

  app.get(
    '/elevators/:id',
    {
      schema: {
        tags: ['fleet'],
        summary: 'One elevator with its current state',
        params: IdParams,
        response: replies({ 200: Elevator }),
      },
    },
    async (request) => {
      const p = requireRole(request.principal, VISIT_READERS);
      const e = app.directory.elevator(request.params.id);
      if (!e || !canSeeEstate(p, e.estateId)) throw notFound('Elevator');
      return elevatorView(e);
    },
  );
};

export default fleetRoutes;
