/**
 * An estate's on-call roster and escalation windows (issue 15): admins and the estate's
 * property managers list, add and remove roster entries (a person, the channel that reaches
 * them: one of the estate's webhooks or their own WeCom/DingTalk robot, in order within the
 * duty or manager tier) and set how long an alert may stay unacknowledged and without anyone
 * on site; anyone who reads the estate's alerts reads an alert's escalation steps. Another
 * firm's estate, entry or alert is a 404 like a missing one. A robot URL is checked by the
 * egress guard like a webhook's.
 */
import { randomUUID } from 'node:crypto';
import type { FastifyPluginAsyncTypebox } from '@fastify/type-provider-typebox';
import { Type } from '@sinclair/typebox';
import { EgressRefusedError } from '../../../lib/egress.ts';
import { LiftWatchError } from '../../../lib/errors.ts';
import { hideQuerySecrets } from '../../../lib/logger.ts';
import type { OnCallEntry } from '../../../store/repositories/on-call.ts';
import {
  canSeeEstate,
  notFound,
  type Principal,
  principalOf,
  READERS,
  requireRole,
  WRITERS,
} from '../../data/tenancy.ts';
import { IdParams, replies } from '../../schemas.ts';

export const DEFAULT_WINDOWS = { ack_within_min: 5, arrive_within_min: 30 } as const;

const Tier = Type.Union([Type.Literal('duty'), Type.Literal('manager')]);
const Channel = Type.Union([Type.Literal('webhook'), Type.Literal('wecom'), Type.Literal('dingtalk')]);

const Entry = Type.Object({
  id: Type.String(),
  tier: Tier,
  position: Type.Integer(),
  username: Type.String(),
  display_name: Type.String(),
  channel: Channel,
  webhook_id: Type.Union([Type.String(), Type.Null()]),
  webhook_name: Type.Union([Type.String(), Type.Null()]),
  /** Where the robot is, its token hidden. */
  robot_url: Type.Union([Type.String(), Type.Null()]),
  created_at: Type.Integer(),
  created_by: Type.String(),
});

const Windows = Type.Object({
  ack_within_min: Type.Integer({ minimum: 1, maximum: 120 }),
  arrive_within_min: Type.Integer({ minimum: 1, maximum: 240 }),
});

const Roster = Type.Object({
  estate_id: Type.String(),
  policy: Type.Intersect([Windows, Type.Object({ own: Type.Boolean() })]),
  entries: Type.Array(Entry),
});

const Step = Type.Object({
  step: Type.String(),
  username: Type.Union([Type.String(), Type.Null()]),
  decided_at: Type.Integer(),
  status: Type.String(),
  attempts: Type.Integer(),
  finished_at: Type.Union([Type.Integer(), Type.Null()]),
  error: Type.Union([Type.String(), Type.Null()]),
});

const EntryParams = Type.Object({
  id: Type.String({ minLength: 1, maxLength: 128 }),
  entryId: Type.String({ minLength: 1, maxLength: 128 }),
});

const onCallRoutes: FastifyPluginAsyncTypebox = async (app) => {
  const estateFor = (principal: Principal | null, id: string) => {
    const p = requireRole(principal, WRITERS);
    const estate = app.directory.estate(id);
    if (!estate || !canSeeEstate(p, estate.id)) throw notFound('Estate');
    return estate;
  };

  async function view(estateId: string, rows: OnCallEntry[]) {
    const hooks = new Map((await app.store.webhooks.list(estateId)).map((w) => [w.id, w.name]));
    const names = new Map<string, string>();
    for (const r of rows)
      if (!names.has(r.username))
        names.set(r.username, (await app.store.users.get(r.username))?.display_name ?? r.username);
    return rows.map((r) => ({
      id: r.id,
      tier: r.tier,
      position: r.position,
      username: r.username,
      display_name: names.get(r.username) ?? r.username,
      channel: r.channel,
      webhook_id: r.webhook_id,
      webhook_name: r.webhook_id ? (hooks.get(r.webhook_id) ?? null) : null,
      robot_url: r.robot_url ? hideQuerySecrets(r.robot_url) : null,
      created_at: r.created_at,
      created_by: r.created_by,
    }));
  }

  async function roster(estateId: string) {
    const { policy, roster: rows } = await app.store.onCall.plan(estateId);
    return {
      estate_id: estateId,
      policy: policy
        ? {
            ack_within_min: Math.round(policy.ack_within_s / 60),
            arrive_within_min: Math.round(policy.arrive_within_s / 60),
            own: true,
          }
        : { ...DEFAULT_WINDOWS, own: false },
      entries: await view(estateId, rows),
    };
  }

  app.get(
    '/estates/:id/on-call',
    {
      schema: {
        tags: ['on-call'],
        summary: "An estate's on-call roster (duty tier, then managers, in order) and escalation windows",
        params: IdParams,
        response: replies({ 200: Roster }),
      },
    },
    async (request) => roster(estateFor(request.principal, request.params.id).id),
  );

  app.post(
    '/estates/:id/on-call',
    {
      schema: {
        tags: ['on-call'],
        summary: 'Add a person to the roster, reached through an estate webhook or their own robot',
        params: IdParams,
        body: Type.Object(
          {
            username: Type.String({ minLength: 1, maxLength: 128 }),
            tier: Tier,
            channel: Channel,
            webhook_id: Type.Optional(Type.String({ minLength: 1, maxLength: 128 })),
            robot_url: Type.Optional(Type.String({ maxLength: 2000, pattern: '^https?://[^\\s]+$' })),
            robot_secret: Type.Optional(Type.String({ minLength: 1, maxLength: 200 })),
            position: Type.Optional(Type.Integer({ minimum: 1, maximum: 100 })),
          },
          { additionalProperties: false },
        ),
        response: replies({ 201: Entry }),
      },
    },
    async (request, reply) => {
      const estate = estateFor(request.principal, request.params.id);
      const b = request.body;
      // Only someone who can see this estate's alerts can take them.
      const user = await app.store.users.get(b.username);
      const person = user && principalOf(user, 'session', app.directory);
      if (!person || !WRITERS.includes(person.role) || !canSeeEstate(person, estate.id))
        throw new LiftWatchError('BAD_REQUEST', 'username is not a manager of this estate');
      if (b.channel === 'webhook') {
        if (!b.webhook_id || !(await app.store.webhooks.get(estate.id, b.webhook_id)))
          throw new LiftWatchError('BAD_REQUEST', 'webhook_id must name one of the estate’s webhooks');
      } else {
        if (!b.robot_url || !URL.canParse(b.robot_url))
          throw new LiftWatchError('BAD_REQUEST', 'robot_url is needed for a robot channel');
        try {
          await app.webhooks.checkDestination(b.robot_url);
        } catch (error) {
          if (error instanceof EgressRefusedError) throw new LiftWatchError('DESTINATION_NOT_ALLOWED');
          throw error;
        }
      }
      const row = await app.store.onCall.add({
        id: `oc-${randomUUID()}`,
        estate_id: estate.id,
        tier: b.tier,
        username: b.username,
        channel: b.channel,
        webhook_id: b.channel === 'webhook' ? b.webhook_id! : null,
        robot_url: b.channel === 'webhook' ? null : b.robot_url!,
        robot_secret: b.channel === 'webhook' ? null : (b.robot_secret ?? null),
        created_at: app.clock(),
        created_by: request.principal!.username,
        ...(b.position !== undefined ? { position: b.position } : {}),
      });
      await app.audit(request, {
        action: 'on_call.add',
        targetType: 'on_call',
        targetId: row.id,
        estateId: estate.id,
        detail: { username: b.username, tier: b.tier, channel: b.channel, position: row.position },
      });
      const [entry] = await view(estate.id, [row]);
      return reply.code(201).send(entry!);
    },
  );

  app.delete(
    '/estates/:id/on-call/:entryId',
    {
      schema: {
        tags: ['on-call'],
        summary: 'Remove a roster entry (the later ones of its tier move up)',
        params: EntryParams,
        response: replies({ 204: Type.Null() }),
      },
    },
    async (request, reply) => {
      const estate = estateFor(request.principal, request.params.id);
      if (!(await app.store.onCall.remove(estate.id, request.params.entryId)))
        throw notFound('On-call entry');
      await app.audit(request, {
        action: 'on_call.remove',
        targetType: 'on_call',
        targetId: request.params.entryId,
        estateId: estate.id,
      });
      return reply.code(204).send(null);
    },
  );

  app.put(
    '/estates/:id/escalation-policy',
    {
      schema: {
        tags: ['on-call'],
        summary: 'Set the estate’s windows: minutes to acknowledge (5) and to be on site (30)',
        params: IdParams,
        body: Type.Object(Windows.properties, { additionalProperties: false }),
        response: replies({ 200: Roster }),
      },
    },
    async (request) => {
      const estate = estateFor(request.principal, request.params.id);
      const b = request.body;
      await app.store.onCall.setPolicy({
        estate_id: estate.id,
        ack_within_s: b.ack_within_min * 60,
        arrive_within_s: b.arrive_within_min * 60,
        updated_at: app.clock(),
        updated_by: request.principal!.username,
      });
      await app.audit(request, {
        action: 'escalation_policy.set',
        targetType: 'estate',
        targetId: estate.id,
        estateId: estate.id,
        detail: { ...b },
      });
      return roster(estate.id);
    },
  );

  app.get(
    '/alerts/:id/escalations',
    {
      schema: {
        tags: ['on-call'],
        summary: 'The escalation steps taken for an alert: who was told, when, and how the sending went',
        params: IdParams,
        response: replies({ 200: Type.Array(Step) }),
      },
    },
    async (request) => {
      const p = requireRole(request.principal, READERS);
      const alert = await app.store.alerts.byId(request.params.id);
      if (!alert || !canSeeEstate(p, alert.estate_id)) throw notFound('Alert');
      return (await app.store.onCall.stepsOf([alert.id])).map((s) => ({
        step: s.step,
        username: s.username,
        decided_at: s.decided_at,
        status: s.status,
        attempts: s.attempts,
        finished_at: s.finished_at,
        error: s.error,
      }));
    },
  );
};

export default onCallRoutes;
