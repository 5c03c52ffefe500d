/**
 * An estate's outbound webhooks: admins and the estate's property managers list, create
 * (the secret is answered once, then never again), change, delete and test them, and read
 * each one's delivery log. Another firm's estate or webhook id is a 404. A URL whose host
 * is or resolves to a loopback, private, link-local or metadata address is a 400
 * DESTINATION_NOT_ALLOWED unless the operator allow-listed it (checked again at delivery).
 */
import { randomBytes, randomUUID } from 'node:crypto';
import type { FastifyPluginAsyncTypebox } from '@fastify/type-provider-typebox';
import { Type } from '@sinclair/typebox';
import { EgressRefusedError } from '../../../lib/egress.ts';
import { LiftWatchError } from '../../../lib/errors.ts';
import { hideQuerySecrets } from '../../../lib/logger.ts';
import { WEBHOOK_EVENTS, type Webhook as WebhookRow } from '../../../store/repositories/webhooks.ts';
import type { WebhookEvent } from '../../../store/schema.ts';
import { canSeeEstate, notFound, type Principal, requireRole, WRITERS } from '../../data/tenancy.ts';
import { IdParams, Page, PageQuery, replies } from '../../schemas.ts';
import { paged } from './scope.ts';

const Url = Type.String({ maxLength: 2000, pattern: '^https?://[^\\s]+$' });
const Events = Type.Array(Type.Union(WEBHOOK_EVENTS.map((e) => Type.Literal(e))), {
  minItems: 1,
  uniqueItems: true,
});
const Format = Type.Union([Type.Literal('generic'), Type.Literal('wecom'), Type.Literal('dingtalk')]);

const Webhook = Type.Object({
  id: Type.String(),
  estate_id: Type.String(),
  name: Type.String(),
  format: Format,
  url: Type.String(),
  events: Type.Array(Type.String()),
  enabled: Type.Boolean(),
  created_at: Type.Integer(),
  created_by: Type.String(),
});

const Delivery = Type.Object({
  id: Type.String(),
  event: Type.String(),
  subject_id: Type.String(),
  status: Type.String(),
  attempts: Type.Integer(),
  response_status: Type.Union([Type.Integer(), Type.Null()]),
  error: Type.Union([Type.String(), Type.Null()]),
  created_at: Type.Integer(),
  finished_at: Type.Union([Type.Integer(), Type.Null()]),
});

const HookParams = Type.Object({
  id: Type.String({ minLength: 1, maxLength: 128 }),
  webhookId: Type.String({ minLength: 1, maxLength: 128 }),
});

function webhookView(w: WebhookRow) {
  return {
    id: w.id,
    estate_id: w.estate_id,
    name: w.name,
    format: w.format,
    // The DingTalk/WeCom URL carries the robot's access token: show only where it goes.
    url: hideQuerySecrets(w.url),
    events: JSON.parse(w.events_json) as string[],
    enabled: w.enabled,
    created_at: w.created_at,
    created_by: w.created_by,
  };
}

const webhookRoutes: FastifyPluginAsyncTypebox = async (app) => {
  const estateFor = (principal: Principal | null, id: string) => {
    const p = requireRole(principal, WRITERS);
    const estate = app.directory.estate(id);
    if (!estate || !canSeeEstate(p, estate.id)) throw notFound('Estate');
    return estate;
  };
  const allowedDestination = async (url: string) => {
    if (!URL.canParse(url)) throw new LiftWatchError('BAD_REQUEST', 'url is not a valid URL');
    try {
      await app.webhooks.checkDestination(url);
    } catch (error) {
      if (error instanceof EgressRefusedError) throw new LiftWatchError('DESTINATION_NOT_ALLOWED');
      throw error;
    }
  };
  const hookFor = async (principal: Principal | null, estateId: string, webhookId: string) => {
    const estate = estateFor(principal, estateId);
    const hook = await app.store.webhooks.get(estate.id, webhookId);
    if (!hook) throw notFound('Webhook');
    return hook;
  };

  app.get(
    '/estates/:id/webhooks',
    {
      schema: {
        tags: ['webhooks'],
        summary: "An estate's outbound webhooks (secrets are never shown again)",
        params: IdParams,
        response: replies({ 200: Type.Array(Webhook) }),
      },
    },
    async (request) => {
      const estate = estateFor(request.principal, request.params.id);
      return (await app.store.webhooks.list(estate.id)).map(webhookView);
    },
  );

  app.post(
    '/estates/:id/webhooks',
    {
      schema: {
        tags: ['webhooks'],
        summary: 'Add a webhook: generic JSON, WeCom or DingTalk robot; answers the secret once',
        params: IdParams,
        body: Type.Object(
          {
            name: Type.String({ minLength: 1, maxLength: 100 }),
            format: Format,
            url: Url,
            events: Type.Optional(Events),
            secret: Type.Optional(
              Type.String({
                minLength: 16,
                maxLength: 200,
                description: 'DingTalk robots issue their own (SEC…); otherwise one is generated',
              }),
            ),
          },
          { additionalProperties: false },
        ),
        response: replies({ 201: Type.Intersect([Webhook, Type.Object({ secret: Type.String() })]) }),
      },
    },
    async (request, reply) => {
      const estate = estateFor(request.principal, request.params.id);
      const b = request.body;
      await allowedDestination(b.url);
      const secret = b.secret ?? randomBytes(32).toString('base64url');
      const hook = await app.store.webhooks.create({
        id: `wh-${randomUUID()}`,
        estateId: estate.id,
        name: b.name,
        format: b.format,
        url: b.url,
        secret,
        events: (b.events ?? [...WEBHOOK_EVENTS]) as WebhookEvent[],
        createdBy: request.principal!.username,
        now: app.clock(),
      });
      await app.audit(request, {
        action: 'webhook.create',
        targetType: 'webhook',
        targetId: hook.id,
        estateId: estate.id,
        detail: { name: b.name, format: b.format },
      });
      return reply.code(201).send({ ...webhookView(hook), secret });
    },
  );

  app.patch(
    '/estates/:id/webhooks/:webhookId',
    {
      schema: {
        tags: ['webhooks'],
        summary: 'Rename, re-point, enable or disable a webhook',
        params: HookParams,
        body: Type.Object(
          {
            name: Type.Optional(Type.String({ minLength: 1, maxLength: 100 })),
            url: Type.Optional(Url),
            enabled: Type.Optional(Type.Boolean()),
            events: Type.Optional(Events),
          },
          { additionalProperties: false },
        ),
        response: replies({ 200: Webhook }),
      },
    },
    async (request) => {
      const hook = await hookFor(request.principal, request.params.id, request.params.webhookId);
      const b = request.body;
      if (b.url !== undefined) await allowedDestination(b.url);
      await app.store.webhooks.update(hook.id, {
        ...(b.name !== undefined && { name: b.name }),
        ...(b.url !== undefined && { url: b.url }),
        ...(b.enabled !== undefined && { enabled: b.enabled }),
        ...(b.events !== undefined && { events: b.events }),
      });
      await app.audit(request, {
        action: 'webhook.update',
        targetType: 'webhook',
        targetId: hook.id,
        estateId: hook.estate_id,
        detail: { fields: Object.keys(b) },
      });
      return webhookView((await app.store.webhooks.get(hook.estate_id, hook.id))!);
    },
  );

  app.delete(
    '/estates/:id/webhooks/:webhookId',
    {
      schema: {
        tags: ['webhooks'],
        summary: 'Remove a webhook (its delivery log is kept)',
        params: HookParams,
        response: replies({ 204: Type.Null() }),
      },
    },
    async (request, reply) => {
      const hook = await hookFor(request.principal, request.params.id, request.params.webhookId);
      await app.store.webhooks.remove(hook.id, app.clock());
      await app.audit(request, {
        action: 'webhook.delete',
        targetType: 'webhook',
        targetId: hook.id,
        estateId: hook.estate_id,
      });
      return reply.code(204).send(null);
    },
  );

  app.post(
    '/estates/:id/webhooks/:webhookId/test',
    {
      schema: {
        tags: ['webhooks'],
        summary: 'Send a test message; its outcome appears in the delivery log',
        params: HookParams,
        response: replies({ 202: Type.Object({ delivery_id: Type.String() }) }),
      },
    },
    async (request, reply) => {
      const hook = await hookFor(request.principal, request.params.id, request.params.webhookId);
      const deliveryId = app.webhooks.ping(hook);
      await app.audit(request, {
        action: 'webhook.test',
        targetType: 'webhook',
        targetId: hook.id,
        estateId: hook.estate_id,
      });
      return reply.code(202).send({ delivery_id: deliveryId });
    },
  );

  app.get(
    '/estates/:id/webhooks/:webhookId/deliveries',
    {
      schema: {
        tags: ['webhooks'],
        summary: "A webhook's delivery log, newest first",
        params: HookParams,
        querystring: Type.Object(PageQuery),
        response: replies({ 200: Page(Delivery) }),
      },
    },
    async (request) => {
      const hook = await hookFor(request.principal, request.params.id, request.params.webhookId);
      const { limit, offset } = request.query;
      const rows = await app.store.webhooks.deliveries(hook.id, limit + 1, offset);
      return paged(rows, limit, offset);
    },
  );
};

export default webhookRoutes;
