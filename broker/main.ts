/**
 * `npm run start:broker`: the broker alone, for deployments that spread the parts over
 * machines. Owns env, the registry handle and signals; closes in reverse order of opening.
 */
import type { Server } from 'node:http';
import { loadConfig } from '../lib/config.ts';
import { installCrashPolicy } from '../lib/crash-policy.ts';
import { LiftWatchError } from '../lib/errors.ts';
import { createLogger } from '../lib/logger.ts';
import { processSamples, serveMetrics } from '../lib/prometheus.ts';
import { openRegistry } from '../registry/db.ts';
import { authenticateMachine } from '../registry/directory.ts';
import { brokerOptionsFrom, createBroker } from './broker.ts';
import { brokerMetricSamples } from './metrics-samples.ts';

const config = loadConfig(process.env);
const log = createLogger(config.LOG_LEVEL);
installCrashPolicy(log, { part: 'broker' });
const db = await openRegistry(config);
const broker = createBroker(brokerOptionsFrom(config), {
  log,
  authenticate: (username, password) => authenticateMachine(db, username, password),
});

let metricsServer: Server | null = null;
try {
  await broker.start();
  if (config.BROKER_METRICS_PORT !== undefined) {
    metricsServer = await serveMetrics(config.BROKER_METRICS_PORT, '127.0.0.1', () => [
      ...brokerMetricSamples(broker.metrics()),
      ...processSamples('liftwatch_broker'),
    ]);
    log.info({ port: config.BROKER_METRICS_PORT }, 'broker metrics on /metrics');
  }
} catch (err) {
  if (err instanceof LiftWatchError) log.fatal({ code: err.code }, err.message);
  else log.fatal({ err }, 'broker did not start');
  await db.destroy();
  process.exit(1);
}

let stopping = false;
async function shutdown(signal: NodeJS.Signals): Promise<void> {
  if (stopping) return;
  stopping = true;
  log.info({ signal }, 'stopping');
  metricsServer?.close();
  await broker.stop();
  await db.destroy();
}

for (const signal of ['SIGINT', 'SIGTERM'] as const) {
  process.once(signal, () => {
    shutdown(signal).then(
      () => process.exit(0),
      (err: unknown) => {
        log.error({ err }, 'unclean stop');
        process.exit(1);
      },
    );
  });
}
