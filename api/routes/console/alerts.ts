/**
 * Alert review for property firms: list and filter, read one, acknowledge, stamp "到场"
 * (someone on site: the duty officer or the technician), resolve (saying what it was). Reads go to the alerts repository; both transitions go through the one
 * alert lifecycle (alerts/lifecycle.ts), which stores them conditionally and publishes them
 * on `alerts/{elevatorId}`, whence the state source, the socket push and the webhooks hear
 * of them. A person who loses a race (someone else acknowledged or resolved first, or the
 * detector cleared it) gets 200 with the alert as the winner left it, and the attempt is
 * audited all the same.
 */
import type { FastifyPluginAsyncTypebox } from '@fastify/type-provider-typebox';
import { Type } from '@sinclair/typebox';
import type { FastifyRequest } from 'fastify';
import { alertResource } from '../../../alerts/resource.ts';
import { ALERT_STATES, type PersonResolution, SEVERITIES } from '../../../protocol/index.ts';
import { ARRIVERS, canSeeEstate, notFound, READERS, requireRole, WRITERS } from '../../data/tenancy.ts';
import {
  Alert,
  ArriveBody,
  IdParams,
  NoteBody,
  Page,
  PageQuery,
  RangeQuery,
  ResolveBody,
  replies,
  ScopeQuery,
} from '../../schemas.ts';
import { paged, scopedFilter } from './scope.ts';

const AlertQuery = Type.Object({
  ...ScopeQuery,
  ...RangeQuery,
  ...PageQuery,
  code: Type.Optional(Type.String({ maxLength: 64 })),
  severity: Type.Optional(Type.Union(SEVERITIES.map((s) => Type.Literal(s)))),
  state: Type.Optional(Type.Union(ALERT_STATES.map((s) => Type.Literal(s)))),
});

/** What a person does to an alert; resolving says what it was. */
type Change =
  | { action: 'acknowledge'; note: string }
  | { action: 'arrive'; note: string | undefined }
  | { action: 'resolve'; note: string; resolution: PersonResolution };

const alertRoutes: FastifyPluginAsyncTypebox = async (app) => {
  const alerts = app.store.alerts;
  const lifecycle = app.alertActions;

  /** Reads the alert through the principal's tenancy: another firm's alert is "not found". */
  async function visibleAlert(principal: Parameters<typeof canSeeEstate>[0], id: string) {
    const alert = await alerts.byId(id);
    if (!alert || !canSeeEstate(principal, alert.estate_id)) throw notFound('Alert');
    return alert;
  }

  app.get(
    '/alerts',
    {
      schema: {
        tags: ['alerts'],
        summary: 'Alerts of my estates, newest first',
        querystring: AlertQuery,
        response: replies({ 200: Page(Alert) }),
      },
    },
    async (request) => {
      const p = requireRole(request.principal, READERS);
      const q = request.query;
      const rows = await alerts.list({ ...q, estateIds: scopedFilter(app.directory, p, q) });
      const page = paged(rows, q.limit, q.offset);
      return { items: page.items.map(alertResource), next_offset: page.next_offset };
    },
  );

  app.get(
    '/alerts/:id',
    {
      schema: {
        tags: ['alerts'],
        summary: 'One alert with its evidence',
        params: IdParams,
        response: replies({ 200: Alert }),
      },
    },
    async (request) => {
      const p = requireRole(request.principal, READERS);
      return alertResource(await visibleAlert(p, request.params.id));
    },
  );

  /** One transition for both actions, through the lifecycle; audited whether it applied or lost. */
  async function transition(request: FastifyRequest, alertId: string, change: Change) {
    const { action, note } = change;
    const p = requireRole(request.principal, change.action === 'arrive' ? ARRIVERS : WRITERS);
    const before = await visibleAlert(p, alertId);
    const outcome =
      change.action === 'acknowledge'
        ? await lifecycle.acknowledge(before.id, p.username, note)
        : change.action === 'arrive'
          ? await lifecycle.arrive(before.id, p.username, note)
          : await lifecycle.resolve(before.id, p.username, change.resolution, note);
    // Rows are never deleted, so the alert read a moment ago is still there.
    if (!outcome) throw notFound('Alert');
    const { alert, applied } = outcome;
    await app.audit(request, {
      action: `alert.${action}`,
      targetType: 'alert',
      targetId: alert.id,
      estateId: alert.estate_id,
      detail: {
        note,
        from: before.state,
        to: alert.state,
        applied,
        ...(change.action === 'resolve' ? { resolution: change.resolution } : {}),
        // Who had already done it: the answer shows their result, not ours.
        ...(applied
          ? {}
          : {
              current: {
                acknowledged_by: alert.acknowledged_by,
                arrived_by: alert.arrived_by,
                resolved_by: alert.resolved_by,
                resolution: alert.resolution,
              },
            }),
      },
    });
    return alert;
  }

  app.post(
    '/alerts/:id/acknowledge',
    {
      schema: {
        tags: ['alerts'],
        summary:
          'Acknowledge an open alert with a note; an alert already acknowledged or resolved is answered as it is',
        params: IdParams,
        body: NoteBody,
        response: replies({ 200: Alert }),
      },
    },
    (request) => transition(request, request.params.id, { action: 'acknowledge', note: request.body.note }),
  );

  app.post(
    '/alerts/:id/arrive',
    {
      schema: {
        tags: ['alerts'],
        summary:
          'Stamp "到场" (someone on site) on a not-resolved alert: the 30-minute arrival clock stops here. Duty officer or technician; an alert already stamped or resolved is answered as it is (the first arrival stands)',
        params: IdParams,
        body: ArriveBody,
        response: replies({ 200: Alert }),
      },
    },
    (request) =>
      transition(request, request.params.id, {
        action: 'arrive',
        note: request.body?.note?.trim() || undefined,
      }),
  );

  app.post(
    '/alerts/:id/resolve',
    {
      schema: {
        tags: ['alerts'],
        summary:
          'Resolve an alert: a real fault, handled, or a false alarm; with a note. An alert already resolved is answered as it is (the first resolution stands)',
        params: IdParams,
        body: ResolveBody,
        response: replies({ 200: Alert }),
      },
    },
    (request) => transition(request, request.params.id, { action: 'resolve', ...request.body }),
  );
};

export default alertRoutes;
