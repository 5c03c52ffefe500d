/**
 * The demo's seed (demo/seed.ts) against a real store and a real influxd: the history
 * episodes replayed through the detection stage, the fund through the ledger, weeks of
 * health through the ingest's health stage (a short version: 4 lifts, 21 days). Seeding
 * twice adds nothing. Then the console's own routes show what was seeded: the resolved
 * trapped passenger, the verified and fake visits, the fund's paid repair, and the
 * degrading lifts ranked first with their bands.
 */
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { type DemoSeedDeps, seedDemoHealth, seedDemoRecords } from '../../demo/seed.ts';
import { loadedDirectory } from '../../fleet/service.ts';
import { ensureInfluxSchema } from '../../ingest/influx-schema.ts';
import { createFundLedger } from '../../ledger/ledger.ts';
import { silentLogger } from '../../lib/logger.ts';
import { generateFleet } from '../../simulators/demo-fleet.ts';
import { storeOver } from '../../store/store.ts';
import { NOW, startTestApi, type TestApi } from '../helpers/api-harness.ts';
import { startTestInflux } from '../helpers/fixtures.ts';

const DATABASE = 'liftwatch_demo';

describe('demo seed', () => {
  let influx: Awaited<ReturnType<typeof startTestInflux>>;
  let t: TestApi;
  let deps: DemoSeedDeps;
  let firstRun: { records: string[]; health: boolean };
  let secondRun: { records: string[]; health: boolean };
  let before: Awaited<ReturnType<typeof snapshot>>;
  let after: Awaited<ReturnType<typeof snapshot>>;

  async function healthPoints(): Promise<number> {
    const q = new URLSearchParams({
      db: DATABASE,
      q: 'SELECT count("trips") FROM "aggregates"."health_daily"',
    });
    const body = (await (await fetch(`${influx.url}/query?${q}`)).json()) as {
      results: { series?: { values: [string, number][] }[] }[];
    };
    return body.results[0]?.series?.[0]?.values[0]?.[1] ?? 0;
  }

  async function snapshot() {
    const store = deps.store;
    const alerts = await store.alerts.list({ estateIds: null, limit: 10_000, offset: 0 });
    const visits = await store.visits.list({ estateIds: null, limit: 10_000, offset: 0 });
    const funds = await createFundLedger({ repository: store.ledger }).fundsOfEstate('lianhua');
    return {
      alerts: alerts.length,
      visits: visits.length,
      funds: funds.length,
      health: await healthPoints(),
    };
  }

  beforeAll(async () => {
    influx = await startTestInflux();
    // INF: the harness clock is in 2025, older than a 30-day raw policy would keep.
    await ensureInfluxSchema({ url: influx.url, database: DATABASE, rawRetention: 'INF' }, silentLogger);
    t = await startTestApi({ deps: { influx: { url: influx.url, database: DATABASE } } });
    const store = storeOver(t.db);
    deps = {
      store,
      directory: await loadedDirectory(store.fleet),
      fleet: generateFleet(),
      log: silentLogger,
      influx: { url: influx.url, database: DATABASE },
      publish: async () => {},
      now: NOW,
    };
    const health = { lifts: 4, days: 21 };
    firstRun = { records: await seedDemoRecords(deps), health: await seedDemoHealth(deps, health) };
    before = await snapshot();
    secondRun = { records: await seedDemoRecords(deps), health: await seedDemoHealth(deps, health) };
    after = await snapshot();
  }, 240_000);
  afterAll(async () => {
    await t?.close();
    await influx?.cleanup();
  });

  const get = async (user: string, url: string) => {
    const res = await t.app.inject({ url, headers: { cookie: await t.login(user) } });
    expect(res.statusCode, `${url}: ${res.body}`).toBe(200);
    return res.json();
  };

  it('seeds every step once; a second run adds nothing', () => {
    expect(firstRun).toEqual({ records: ['history', 'fund'], health: true });
    expect(secondRun).toEqual({ records: [], health: false });
    expect(after).toEqual(before);
    expect(before.health).toBe(4 * 21);
    expect(before.funds).toBe(1);
  });

  it('the console lists the trapped passenger, resolved by the duty officer as a fault', async () => {
    const body = (await get('duty-anju', '/api/v1/alerts?elevator=lianhua-b3-e1&code=passenger_trapped')) as {
      items: { state: string; resolution: string | null; resolved_by: string | null; opened_at: number }[];
    };
    const trapped = body.items[0];
    expect(trapped?.state).toBe('resolved');
    expect(trapped?.resolution).toBe('fault');
    expect(trapped?.resolved_by).toBe('duty-anju');
    expect(trapped!.opened_at).toBeLessThan(NOW - 11 * 86_400_000);
  });

  it('the console lists verified and fake visits, and the fake one raised an alert', async () => {
    const body = (await get('duty-anju', '/api/v1/visits')) as {
      items: { elevator_id: string; verdict: string | null }[];
    };
    const verdicts = new Map(body.items.map((v) => [v.elevator_id, v.verdict]));
    expect(verdicts.get('lianhua-b1-e1')).toBe('verified');
    expect(verdicts.get('lianhua-b2-e1')).toBe('fake');
    expect(verdicts.get('longgang-b5-e1')).toBe('fake');
    const alerts = (await get('duty-anju', '/api/v1/alerts?elevator=lianhua-b2-e1')) as {
      items: { code: string; state: string }[];
    };
    expect(alerts.items.some((a) => a.code === 'maintenance_fake' && a.state !== 'resolved')).toBe(true);
  });

  it('the committee sees the fund: contributions, the paid repair, a proposal waiting for it', async () => {
    const funds = (await get('committee-lianhua', '/api/v1/funds')) as { id: string }[];
    expect(funds).toHaveLength(1);
    const list = (await get('committee-lianhua', `/api/v1/funds/${funds[0]!.id}/expenditures`)) as unknown;
    const text = JSON.stringify(list);
    expect(text).toContain('更换制动器闸瓦');
    expect(text).toContain('"paid"');
    expect(text).toContain('门机关门变慢');
    const fund = (await get('committee-lianhua', `/api/v1/funds/${funds[0]!.id}`)) as {
      cashFen: number;
      accounts: Record<string, number>;
    };
    // Six months of ¥14,160, one short paid (¥9,000), less the ¥3,860 repair.
    expect(fund.accounts['income:fee_share']).toBe(5 * 1_416_000 + 900_000);
    expect(fund.accounts['expense:repair']).toBe(386_000);
    expect(fund.cashFen).toBe(5 * 1_416_000 + 900_000 - 386_000);
  });

  it('the health screen ranks the degrading lifts first, each with its component and bands', async () => {
    const body = (await get('duty-anju', '/api/v1/health')) as {
      items: {
        elevator_id: string;
        health: {
          status: string;
          recommendation: { early: boolean; component: { zh: string } | null };
        } | null;
      }[];
    };
    const early = body.items.filter((i) => i.health?.recommendation.early).map((i) => i.elevator_id);
    expect(early.sort()).toEqual(['lianhua-b1-e2', 'lianhua-b5-e2', 'longgang-b1-e1']);
    expect(
      body.items
        .slice(0, 3)
        .map((i) => i.elevator_id)
        .sort(),
    ).toEqual(early);
    const healthy = body.items.find((i) => i.elevator_id === 'lianhua-b1-e1');
    expect(healthy?.health?.status).toBe('ok');
    expect(healthy?.health?.recommendation.early).toBe(false);
    const lift = (await get('duty-anju', '/api/v1/elevators/lianhua-b1-e2/health')) as {
      signals: { signal: string; days: unknown[] }[];
    };
    expect(JSON.stringify(lift)).toContain('门机');
    expect(lift.signals.length).toBeGreaterThan(0);
  });

  it('every seeded trend is a score change a 0–100 score can make', async () => {
    const q = new URLSearchParams({
      db: DATABASE,
      q: 'SELECT min("trend_30d"), max("trend_30d"), min("trend_90d"), max("trend_90d") FROM "aggregates"."health_daily"',
    });
    const body = (await (await fetch(`${influx.url}/query?${q}`)).json()) as {
      results: { series?: { values: (string | number | null)[][] }[] }[];
    };
    const [, ...extremes] = body.results[0]?.series?.[0]?.values[0] ?? [];
    // The degrading lifts' trends are written (negative), and none beyond ±100.
    expect(extremes[0]).toBeLessThan(0);
    for (const x of extremes) if (x !== null) expect(Math.abs(Number(x))).toBeLessThanOrEqual(100);
  });
});
