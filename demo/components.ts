/**
 * The demo's parts as components (lib/component.ts) for main.ts: the seed (records before
 * the live simulator starts, the health history beside the running system, stopped with
 * it), and what people do on a schedule once everything runs: resident reports, and the
 * technician's field visits through the phone's API (demo/technician.ts).
 */
import { type Component, resource } from '../lib/component.ts';
import type { Logger } from '../lib/logger.ts';
import { demoReports } from './live.ts';
import { type DemoSeedDeps, seedDemoHealth, seedDemoRecords } from './seed.ts';
import { demoFieldPhone, demoFieldSchedule } from './technician.ts';

/** The cars residents report on (both firms' estates). */
export const REPORTED_CARS = ['lianhua-b1-e2', 'longgang-b2-e1', 'xiangmi-b2-e2'];

export function demoSeedComponent(deps: () => DemoSeedDeps): Component {
  return resource(
    'demo seed',
    async () => {
      const d = deps();
      await seedDemoRecords(d);
      // Weeks of health for 13 lifts take tens of seconds: the degrading lifts are written
      // first, so the health screen shows them while the rest is still being simulated.
      const abort = new AbortController();
      // The live ingest started before this history existed: it reads it back once written,
      // or its next daily close would judge the seeded lifts from "not enough data yet".
      const health = seedDemoHealth(d, { signal: abort.signal })
        .then(async (seeded) => {
          if (seeded) await d.reloadHealth?.();
        })
        .catch((error: unknown) => {
          if (!abort.signal.aborted) d.log.error({ err: error }, 'demo health history failed');
        });
      return { abort, health };
    },
    async ({ abort, health }) => {
      abort.abort(new Error('stopping'));
      await health;
    },
  );
}

export function demoReportsComponent(baseUrl: () => string, tokens: () => string[], log: Logger): Component {
  return resource(
    'demo reports',
    () => {
      const sender = demoReports(baseUrl(), tokens(), (error) =>
        log.warn({ err: error }, 'demo: a resident report was not filed'),
      );
      sender.start();
      return sender;
    },
    (sender) => sender.stop(),
  );
}

export function demoTechnicianComponent(
  baseUrl: () => string,
  password: () => string | undefined,
  log: Logger,
): Component {
  return resource(
    'demo technician',
    () => {
      const secret = password();
      // A fleet file without the demo's technician (edited by hand): no field visits, no failure.
      if (!secret) return null;
      const phone = demoFieldPhone({ baseUrl: baseUrl(), password: secret, runId: Date.now().toString(36) });
      const schedule = demoFieldSchedule(phone, (error, step) =>
        log.warn(
          { err: error, elevatorId: step.elevator, action: step.action },
          'demo: a field visit step failed',
        ),
      );
      schedule.start();
      return schedule;
    },
    (schedule) => schedule?.stop(),
  );
}
