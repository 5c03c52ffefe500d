/**
 * Health days outlive the raw retention (protocol/influx.ts HEALTH_POLICY), against a real
 * influxd, a real broker and the real ingest with its health stage: raw kept 30 days, as in
 * production. The database starts in an older ingest's layout (the raw policy only, health
 * days written into it); the ingest's start creates the long-kept policy and copies those
 * days there. Then 65 days of recorded trips go through the ingest: the days older than 30
 * are refused in raw (their telemetry) but their health days are kept, and the API's 90-day
 * route shows a day 60 days old. A second schema run changes nothing.
 */
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { readHealthDays } from '../../ingest/health/restore.ts';
import { ensureInfluxSchema, influxClient } from '../../ingest/influx-schema.ts';
import type { Ingest } from '../../ingest/ingest.ts';
import { silentLogger } from '../../lib/logger.ts';
import { HEALTH_POLICY, RETENTION_POLICIES, topics } from '../../protocol/index.ts';
import { ANJU_ELEVATOR, startTestApi, type TestApi } from '../helpers/api-harness.ts';
import { startTestInflux, tempDir } from '../helpers/fixtures.ts';
import { dayIndexOf, demoHealthPlans, healthDailyLines } from '../helpers/health-days.ts';
import { DAY0_MS, HealthTrace } from '../helpers/health-trace.ts';
import { buildIngest } from '../helpers/ingest-harness.ts';
import { type PlainBroker, startPlainBroker } from '../helpers/plain-broker.ts';

const DATABASE = 'liftwatch_test';
const DAY = 86_400_000;
/** The lift whose health days an older ingest left in the raw policy. */
const UPGRADED = 'lianhua-b1-e2';

describe('health days in the long-kept policy', () => {
  let influx: Awaited<ReturnType<typeof startTestInflux>>;
  let broker: PlainBroker;
  let t: TestApi;
  let ingest: Ingest;
  const dir = tempDir('liftwatch-health-retention-');
  const now = Date.now();
  const today = dayIndexOf(now);
  let upgradedDays: number[];

  const query = async (q: string) => {
    const url = `${influx.url}/query?${new URLSearchParams({ db: DATABASE, q, epoch: 'ms' })}`;
    const res = await fetch(url, { method: 'POST' });
    return (await res.json()) as { results: { series?: { values: unknown[][] }[]; error?: string }[] };
  };

  beforeAll(async () => {
    [influx, broker] = await Promise.all([startTestInflux(), startPlainBroker()]);
    // An older ingest's layout: raw (30 days) only, with health days written into it.
    await query(`CREATE DATABASE ${DATABASE}`);
    await query(`CREATE RETENTION POLICY raw ON ${DATABASE} DURATION 30d REPLICATION 1 DEFAULT`);
    const old = healthDailyLines(demoHealthPlans(now))
      .get(UPGRADED)!
      .filter((l) => Number(l.split(' ').at(-1)) > now - 20 * DAY);
    upgradedDays = old.map((l) => Number(l.split(' ').at(-1)));
    const res = await fetch(`${influx.url}/write?db=${DATABASE}&rp=raw&precision=ms`, {
      method: 'POST',
      body: old.join('\n'),
    });
    expect(res.status).toBe(204);

    t = await startTestApi({ deps: { influx: { url: influx.url, database: DATABASE } } });
    t.clock.now = now;
    ingest = await buildIngest(t.db, broker.url, influx.url, dir.path, { health: true });
    await ingest.start();
    // 66 days of trips (one device, its sequence running on), the last still open: 65 closed.
    const trace = new HealthTrace(ANJU_ELEVATOR, DAY0_MS + (today - 65) * DAY + 8 * 3_600_000);
    for (let d = today - 65; d <= today; d++) {
      trace.at(d, 9);
      for (let i = 0; i < 6; i++) trace.trip({ doorCloseMs: 3000 + (i % 3) * 10 });
    }
    for (const m of trace.messages)
      ingest.handle(
        topics.device(m.elevatorId, m.channel),
        Buffer.from(JSON.stringify(m.payload)),
        m.receivedAt,
      );
    expect(await ingest.flush(20_000)).toBe(true);
  }, 120_000);

  afterAll(async () => {
    await ingest?.stop();
    await t?.close();
    await broker?.stop();
    await influx?.cleanup();
    dir.remove();
  });

  it('the ingest writes its health days into the long-kept policy, not raw', async () => {
    const count = async (policy: string, lift: string) => {
      const body = await query(
        `SELECT count("trips") FROM "${DATABASE}"."${policy}"."health_daily" WHERE "elevator" = '${lift}'`,
      );
      return (body.results[0]?.series?.[0]?.values[0]?.[1] as number | undefined) ?? 0;
    };
    expect(await count(HEALTH_POLICY, ANJU_ELEVATOR)).toBe(65);
    expect(await count(RETENTION_POLICIES.raw, ANJU_ELEVATOR)).toBe(0);
    // The raw policy kept only its 30 days of telemetry; the older trips were refused there.
    expect(ingest.metrics().refused).toBeGreaterThan(0);
  });

  it('the 90-day route shows a day 60 days old', async () => {
    const res = await t.app.inject({
      url: `/api/v1/elevators/${ANJU_ELEVATOR}/health?days=90`,
      headers: { cookie: await t.login('duty-anju') },
    });
    expect(res.statusCode).toBe(200);
    const body = res.json() as { scores: (number | null)[][] };
    const times = body.scores.map((s) => s[0]!);
    expect(times).toHaveLength(65);
    expect(Math.min(...times)).toBeLessThan(now - 60 * DAY);
  });

  it('the ingest’s read-back at start sees the same 90 days', async () => {
    const days = await readHealthDays({ url: influx.url, database: DATABASE }, now - 91 * DAY);
    expect(days.get(ANJU_ELEVATOR)).toHaveLength(65);
  });

  it('health days an older ingest left in raw are copied, once, and the schema run is idempotent', async () => {
    const days = await readHealthDays({ url: influx.url, database: DATABASE }, now - 91 * DAY);
    expect(days.get(UPGRADED)?.length).toBe(upgradedDays.length);
    expect(upgradedDays.length).toBeGreaterThan(10);
    const before = await influxClient(influx.url, DATABASE).showRetentionPolicies(DATABASE);
    await ensureInfluxSchema({ url: influx.url, database: DATABASE, rawRetention: '30d' }, silentLogger);
    const after = await influxClient(influx.url, DATABASE).showRetentionPolicies(DATABASE);
    expect(after).toEqual(before);
    expect(after.filter((p) => p.name !== 'autogen').map((p) => [p.name, p.duration, p.default])).toEqual([
      ['raw', '720h0m0s', true],
      ['aggregates', '0s', false],
    ]);
    const again = await readHealthDays({ url: influx.url, database: DATABASE }, now - 91 * DAY);
    expect(again.get(UPGRADED)?.length).toBe(upgradedDays.length);
    // Field types survive the copy: counts and the score stay integers, the detail a string.
    const body = await query(`SHOW FIELD KEYS FROM "${HEALTH_POLICY}"."health_daily"`);
    const types = new Map((body.results[0]?.series?.[0]?.values ?? []).map((v) => [v[0], v[1]]));
    expect([types.get('score'), types.get('trips'), types.get('detail')]).toEqual([
      'integer',
      'integer',
      'string',
    ]);
  });
});
