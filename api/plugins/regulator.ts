/**
 * The regulator's data sets in the API: `app.regulator` builds them (for the pull routes,
 * api/routes/console/regulator.ts), and when `deps.regulatorPush` names a platform, the push
 * adapter (api/regulator/push.ts) starts on ready and stops on close, before the registry.
 * Its requests go through the egress guard with WEBHOOK_ALLOW_HOSTS, like the webhooks.
 */
import fp from 'fastify-plugin';
import { createEgressGuard, parseAllowList } from '../../lib/egress.ts';
import type { ApiDeps } from '../deps.ts';
import { RegulatorDatasets } from '../regulator/datasets.ts';
import { RegulatorPush } from '../regulator/push.ts';

declare module 'fastify' {
  interface FastifyInstance {
    regulator: RegulatorDatasets;
    /** Null unless a platform URL is configured. */
    regulatorPush: RegulatorPush | null;
  }
}

export default fp(
  async (app, deps: ApiDeps) => {
    const datasets = new RegulatorDatasets({
      reads: app.store.regulator,
      directory: app.directory,
      stateSource: app.stateSource,
      health: app.health,
      clock: app.clock,
    });
    app.decorate('regulator', datasets);
    const options = deps.regulatorPush;
    const push = options
      ? new RegulatorPush(
          {
            datasets,
            egress: createEgressGuard({ allow: parseAllowList(app.apiConfig.WEBHOOK_ALLOW_HOSTS).allow }),
            stateSource: app.stateSource,
            log: deps.log,
            clock: app.clock,
          },
          options,
        )
      : null;
    app.decorate('regulatorPush', push);
    if (push) {
      app.addHook('onReady', async () => push.start());
      app.addHook('preClose', async () => push.stop());
    }
  },
  { name: 'lift-regulator', dependencies: ['lift-context'] },
);
