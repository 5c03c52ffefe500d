/**
 * The outbound webhook dispatcher as a decorator: listens to the state source from
 * `onReady` and is stopped on close, before the registry it logs into goes away. Its
 * requests reach public addresses only, and the hosts in WEBHOOK_ALLOW_HOSTS.
 */
import fp from 'fastify-plugin';
import { createEgressGuard, parseAllowList } from '../../lib/egress.ts';
import type { ApiDeps } from '../deps.ts';
import { WebhookDispatcher } from '../webhooks/dispatcher.ts';

declare module 'fastify' {
  interface FastifyInstance {
    webhooks: WebhookDispatcher;
  }
}

export default fp(
  async (app, deps: ApiDeps) => {
    const dispatcher = new WebhookDispatcher({
      webhooks: app.store.webhooks,
      directory: app.directory,
      stateSource: app.stateSource,
      clock: app.clock,
      log: deps.log,
      options: deps.webhooks,
      // Validated at start by lib/config.ts, so the problems list is empty here.
      egress: createEgressGuard({ allow: parseAllowList(app.apiConfig.WEBHOOK_ALLOW_HOSTS).allow }),
    });
    app.decorate('webhooks', dispatcher);
    app.addHook('onReady', async () => dispatcher.start());
    app.addHook('preClose', async () => dispatcher.stop());
  },
  { name: 'lift-webhooks', dependencies: ['lift-context'] },
);
