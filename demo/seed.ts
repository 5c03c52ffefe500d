/**
 * The demo's seed (issue 15 "the demo shows the product", issue 16 "a few lifts
 * degrading"): on the demo's first start, weeks of history so every screen has something
 * real to show. Three steps, each marked done in the store once (store.demoSeed), so a
 * second start adds nothing and an interrupted one resumes:
 * - `history`: past faults and visits replayed through the detection stage (history.ts),
 *   the faults then resolved by the duty officers;
 * - `fund`: lianhua's fund with contributions, a paid repair and a pending proposal (fund.ts);
 * - `health`: weeks of `health_daily` points from the wear scripts through the ingest's
 *   health stage (health-history.ts): three lifts degrading, their neighbours healthy.
 * Only for the demo fleet (main.ts without FLEET_FILE): an operator's store is never seeded.
 */
import type { FleetDirectory } from '../fleet/directory.ts';
import type { ElevatorInfo } from '../fleet/types.ts';
import type { Logger } from '../lib/logger.ts';
import type { FleetFile } from '../protocol/index.ts';
import { HEALTH_POLICY } from '../protocol/influx.ts';
import type { WearPlan } from '../simulators/wear.ts';
import type { Store } from '../store/store.ts';
import { seedDemoFund } from './fund.ts';
import { type HealthHistoryLift, localMidnight, writeHealthHistory } from './health-history.ts';
import { demoEpisodes, replayEpisode } from './history.ts';

const DAY_MS = 86_400_000;
export const SEED_STEPS = ['history', 'fund', 'health'] as const;

export interface DemoSeedDeps {
  store: Store;
  directory: FleetDirectory;
  fleet: FleetFile;
  log: Logger;
  influx: { url: string; database: string };
  /** Alert and visit messages of the history (the ingest's MQTT connection). */
  publish: (topic: string, payload: string) => Promise<void>;
  /** Wall clock at the seed; default now. */
  now?: number;
  /** Makes the live ingest read the seeded health history back (ingest.restoreHealth). */
  reloadHealth?: () => Promise<unknown>;
}

export interface HealthSeedOptions {
  /** Days of health history, ending yesterday (kept in the long-kept health policy). */
  days?: number;
  /** At most this many lifts (the degrading ones first); default all of DEMO_HEALTH_LIFTS. */
  lifts?: number;
  trafficScale?: number;
  signal?: AbortSignal;
}

/** The degrading lifts (listed first: they are seeded first) and their healthy neighbours. */
export function demoHealthLifts(days: number): { id: string; wear: WearPlan | null }[] {
  return [
    { id: 'lianhua-b1-e2', wear: { component: 'door_operator', startDay: days - 18, faultDay: days + 5 } },
    { id: 'lianhua-b5-e2', wear: { component: 'levelling', startDay: days - 14, faultDay: days + 4 } },
    { id: 'longgang-b1-e1', wear: { component: 'brake', startDay: days - 14, faultDay: days + 8 } },
    ...[
      'lianhua-b1-e1',
      'lianhua-b2-e1',
      'lianhua-b2-e2',
      'lianhua-b3-e1',
      'lianhua-b3-e2',
      'lianhua-b4-e1',
      'longgang-b1-e2',
      'longgang-b5-e1',
      'xiangmi-b1-e1',
      'xiangmi-b1-e2',
    ].map((id) => ({ id, wear: null })),
  ];
}

/** The records (history, fund): fast; run before the live simulator starts. */
export async function seedDemoRecords(deps: DemoSeedDeps): Promise<string[]> {
  const now = deps.now ?? Date.now();
  const done = await deps.store.demoSeed.done();
  const ran: string[] = [];
  const log = deps.log.child({ module: 'demo-seed' });
  if (!done.has('history')) {
    const today = localMidnight(now);
    const daysAgo = (days: number, hour: number) => today - days * DAY_MS + hour * 3_600_000;
    for (const episode of demoEpisodes(daysAgo)) await replayEpisode(episode, { ...deps, log });
    await deps.store.demoSeed.mark('history', now);
    ran.push('history');
  }
  if (!done.has('fund')) {
    const links = await fundLinks(deps.store);
    const fundId = await seedDemoFund(deps.store, now, links);
    await deps.store.demoSeed.mark('fund', now, fundId);
    ran.push('fund');
  }
  if (ran.length > 0) log.info({ steps: ran }, 'demo seeded: history and fund');
  return ran;
}

/** Weeks of health history: tens of seconds; main.ts runs it beside the live system. */
export async function seedDemoHealth(deps: DemoSeedDeps, options: HealthSeedOptions = {}): Promise<boolean> {
  if ((await deps.store.demoSeed.done()).has('health')) return false;
  const now = deps.now ?? Date.now();
  const days = options.days ?? 28;
  const lifts: HealthHistoryLift[] = [];
  for (const [i, plan] of demoHealthLifts(days).entries()) {
    if (options.lifts !== undefined && lifts.length >= options.lifts) break;
    const elevator: ElevatorInfo | undefined = deps.directory.elevator(plan.id);
    if (elevator) lifts.push({ elevator, wear: plan.wear, firstVisitDay: 1 + (i % 10) });
  }
  const log = deps.log.child({ module: 'demo-seed' });
  const started = performance.now();
  await writeHealthHistory({
    lifts,
    days,
    endMs: localMidnight(now),
    seed: 2026,
    trafficScale: options.trafficScale ?? 0.15,
    write: (lines) => writeInflux(deps.influx, lines),
    pause: () =>
      new Promise<void>((resolve, reject) => {
        if (options.signal?.aborted) reject(options.signal.reason);
        else setImmediate(resolve);
      }),
  });
  await deps.store.demoSeed.mark('health', now, `${lifts.length} lifts, ${days} days`);
  log.info(
    { lifts: lifts.length, days, seconds: Math.round((performance.now() - started) / 1000) },
    'demo seeded: health history',
  );
  return true;
}

/** The alert and visit of lianhua's repair: the trapped passenger resolved as a fault, the verified visit after it. */
async function fundLinks(store: Store) {
  const [alert] = await store.alerts.list({
    estateIds: ['lianhua'],
    elevator: 'lianhua-b3-e1',
    code: 'passenger_trapped',
    limit: 1,
    offset: 0,
  });
  const visits = await store.visits.list({ estateIds: ['lianhua'], limit: 50, offset: 0 });
  const verified = visits.find((v) => v.verdict === 'verified');
  return {
    alertIds: alert ? [alert.id] : [],
    visitIds: verified ? [verified.id] : [],
    degradingElevator: 'lianhua-b1-e2',
  };
}

async function writeInflux(influx: { url: string; database: string }, lines: string[]): Promise<void> {
  const url = new URL('/write', influx.url);
  url.search = new URLSearchParams({
    db: influx.database,
    rp: HEALTH_POLICY,
    precision: 'ms',
  }).toString();
  const res = await fetch(url, { method: 'POST', body: lines.join('\n') });
  if (res.status !== 204)
    throw new Error(`InfluxDB refused the demo health history: ${res.status} ${await res.text()}`);
}
