/**
 * The outbound webhook dispatcher and the escalation sender (api/webhooks/escalations.ts) as decorators: listens to the state source from
 * `onReady` and is stopped on close, before the registry it logs into goes away. Its
 * requests reach public addresses only, and the hosts in WEBHOOK_ALLOW_HOSTS.
 */
import fp from 'fastify-plugin';
import { createEgressGuard, parseAllowList } from '../../lib/egress.ts';
import type { ApiDeps } from '../deps.ts';
import { WebhookDispatcher } from '../webhooks/dispatcher.ts';
import { EscalationSender } from '../webhooks/escalations.ts';

declare module 'fastify' {
  interface FastifyInstance {
    webhooks: WebhookDispatcher;
    /** Sends the escalation steps the lifecycle took, through the on-call roster's channels. */
    escalations: EscalationSender;
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
    const escalations = new EscalationSender({
      store: app.store,
      directory: app.directory,
      dispatcher,
      stateSource: app.stateSource,
      clock: app.clock,
      log: deps.log,
      publicBaseUrl: app.publicBaseUrl,
      ...(deps.escalations ? { options: deps.escalations } : {}),
    });
    app.decorate('webhooks', dispatcher);
    app.decorate('escalations', escalations);
    app.addHook('onReady', async () => {
      dispatcher.start();
      escalations.start();
    });
    app.addHook('preClose', async () => {
      await escalations.stop();
      await dispatcher.stop();
    });
  },
  { name: 'lift-webhooks', dependencies: ['lift-context'] },
);
