/** Alert review for property firms: list and filter, read one, acknowledge, resolve (saying what it was). */
import type { FastifyPluginAsyncTypebox } from '@fastify/type-provider-typebox';
import { Type } from '@sinclair/typebox';
import type { FastifyRequest } from 'fastify';
import { LiftWatchError } from '../../../lib/errors.ts';
import { ALERT_CATALOGUE, type PersonResolution } from '../../../protocol/index.ts';
import type { AlertTable } from '../../../store/schema.ts';
import { acknowledgeAlert, alertById, listAlerts, resolveAlert } from '../../data/alerts.ts';
import { canSeeEstate, notFound, READERS, requireRole, WRITERS } from '../../data/tenancy.ts';
import {
  Alert,
  IdParams,
  NoteBody,
  Page,
  PageQuery,
  parseJson,
  RangeQuery,
  ResolveBody,
  replies,
  ScopeQuery,
} from '../../schemas.ts';
import { paged, scopedFilter } from './scope.ts';

/** Field by field rather than rest/spread: a page maps up to 200 rows, and this stays monomorphic. */
export function alertView(a: AlertTable) {
  const entry = ALERT_CATALOGUE[a.code];
  return {
    id: a.id,
    elevator_id: a.elevator_id,
    estate_id: a.estate_id,
    code: a.code,
    label_zh: entry?.zh ?? a.code,
    label_en: entry?.en ?? a.code,
    severity: a.severity,
    state: a.state,
    opened_at: a.opened_at,
    last_seen_at: a.last_seen_at,
    count: a.count,
    acknowledged_by: a.acknowledged_by,
    acknowledged_at: a.acknowledged_at,
    ack_note: a.ack_note,
    resolved_by: a.resolved_by,
    resolved_at: a.resolved_at,
    resolve_note: a.resolve_note,
    resolution: a.resolution,
    evidence: parseJson(a.evidence_json),
    escalated_at: a.escalated_at,
    escalation_reason: a.escalation_reason,
  };
}

const AlertQuery = Type.Object({
  ...ScopeQuery,
  ...RangeQuery,
  ...PageQuery,
  code: Type.Optional(Type.String({ maxLength: 64 })),
  severity: Type.Optional(Type.Union(['critical', 'major', 'minor', 'info'].map((s) => Type.Literal(s)))),
  state: Type.Optional(
    Type.Union([Type.Literal('open'), Type.Literal('acknowledged'), Type.Literal('resolved')]),
  ),
});

/** What a person does to an alert; resolving says what it was. */
type Change =
  | { action: 'acknowledge'; note: string }
  | { action: 'resolve'; note: string; resolution: PersonResolution };

const alertRoutes: FastifyPluginAsyncTypebox = async (app) => {
  /** Reads the alert through the principal's tenancy: another firm's alert is "not found". */
  async function visibleAlert(principal: Parameters<typeof canSeeEstate>[0], id: string) {
    const alert = await alertById(app.store.db, id);
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
      const rows = await listAlerts(app.store.db, { ...q, estateIds: scopedFilter(app.directory, p, q) });
      const page = paged(rows, q.limit, q.offset);
      return { items: page.items.map(alertView), next_offset: page.next_offset };
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
      return alertView(await visibleAlert(p, request.params.id));
    },
  );

  /**
   * One transition for both actions: through the lifecycle when the API has one (so the
   * transition is published on MQTT), else straight to the row. Audited, and a local write
   * tells the API's own listeners. A request that loses the race to another writer (both saw
   * the alert open) answers 200 with the winner's result, as the lifecycle does, and records
   * nothing: the winner's write is the one audited.
   */
  async function transition(request: FastifyRequest, alertId: string, change: Change) {
    const { action, note } = change;
    const p = requireRole(request.principal, WRITERS);
    const alert = await visibleAlert(p, alertId);
    const allowed = action === 'acknowledge' ? alert.state === 'open' : alert.state !== 'resolved';
    if (!allowed)
      throw new LiftWatchError('CONFLICT', `The alert is ${alert.state}; it cannot be ${action}d`);
    const at = app.clock();
    const lifecycle = app.alertActions;
    let updated: AlertTable | null | undefined;
    let lostRace = false;
    const input = { id: alert.id, by: p.username, note, at };
    if (lifecycle) {
      if (change.action === 'acknowledge') await lifecycle.acknowledge(alert.id, p.username, note);
      else await lifecycle.resolve(alert.id, p.username, change.resolution, note);
      updated = await alertById(app.store.db, alert.id);
    } else {
      const written =
        change.action === 'acknowledge'
          ? await acknowledgeAlert(app.store.db, input)
          : await resolveAlert(app.store.db, { ...input, resolution: change.resolution });
      lostRace = written === null;
      updated = written ?? (await alertById(app.store.db, alert.id));
    }
    if (!updated || updated.state === alert.state)
      throw new LiftWatchError('CONFLICT', `The alert is ${alert.state}; it cannot be ${action}d`);
    if (lostRace) return alertView(updated);
    await app.audit(request, {
      action: `alert.${action}`,
      targetType: 'alert',
      targetId: alert.id,
      estateId: alert.estate_id,
      detail: {
        note,
        from: alert.state,
        to: updated.state,
        ...(change.action === 'resolve' ? { resolution: change.resolution } : {}),
      },
    });
    // The lifecycle's own MQTT message reaches the state source; only a local write needs telling.
    if (!lifecycle)
      app.stateSource.applyAlert?.({
        id: updated.id,
        elevatorId: updated.elevator_id,
        code: updated.code,
        severity: updated.severity,
        state: updated.state,
        openedAt: updated.opened_at,
        lastSeenAt: updated.last_seen_at,
      });
    return alertView(updated);
  }

  app.post(
    '/alerts/:id/acknowledge',
    {
      schema: {
        tags: ['alerts'],
        summary: 'Acknowledge an open alert with a note',
        params: IdParams,
        body: NoteBody,
        response: replies({ 200: Alert }),
      },
    },
    (request) => transition(request, request.params.id, { action: 'acknowledge', note: request.body.note }),
  );

  app.post(
    '/alerts/:id/resolve',
    {
      schema: {
        tags: ['alerts'],
        summary: 'Resolve an alert: a real fault, handled, or a false alarm; with a note',
        params: IdParams,
        body: ResolveBody,
        response: replies({ 200: Alert }),
      },
    },
    (request) => transition(request, request.params.id, { action: 'resolve', ...request.body }),
  );
};

export default alertRoutes;
