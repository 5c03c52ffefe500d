/**
 * An elevator's history charts in Chromium against the real API and a real influxd. Three
 * days of one car's telemetry (a trip every 10 minutes, the doors opening at the end of
 * each, idle reports every 30 s) go through the ingest's own line builder into the raw
 * policy, and the real continuous query rolls them up into the 1-minute aggregates (run
 * once over the past, as InfluxDB's backfill). The page must draw the five uPlot charts
 * with data, the trips and door cycles adding up to the schedule's count for each range
 * (aggregates for 24 h and 7 days, raw points for an hour), on a desktop in Chinese and
 * on a 375 px phone in English. Screenshots go to tests/artifacts/ (`npm run screenshots`
 * copies the desktop one to docs/screenshots/).
 */
import { mkdir } from 'node:fs/promises';
import { join } from 'node:path';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { newElevatorState } from '../../ingest/elevator-state.ts';
import * as schema from '../../ingest/influx-schema.ts';
import { tagSuffix, telemetryPointLine } from '../../ingest/points.ts';
import { silentLogger } from '../../lib/logger.ts';
import { AGGREGATES, continuousQueries, RETENTION_POLICIES, type Telemetry } from '../../protocol/index.ts';
import {
  ANJU_ELEVATOR,
  listenOnFreePort,
  startTestApi,
  TEST_PASSWORD,
  type TestApi,
} from '../helpers/api-harness.ts';
import { startTestInflux, telemetrySample } from '../helpers/fixtures.ts';
import { launchBrowser, type TestBrowser, type TestPage } from './browser.ts';

const ARTIFACTS = join(import.meta.dirname, '..', 'artifacts');
const DESKTOP = { width: 1280, height: 800 };
const PHONE = { width: 375, height: 667, mobile: true };
const DATABASE = 'liftwatch_e2e_history';
const MIN = 60_000;
const TRIP_EVERY_MS = 10 * MIN;
const TRIPS = 432;
/** The chart order on the page, as history-charts.ts draws them. */
const SERIES = ['trips', 'floor', 'door_cycles', 'speed_max', 'run_count'];

/**
 * One car's messages: trip k starts at `tripAt(k)`, runs 10 s at 1 Hz to its next floor,
 * opens the doors there for 8 s and closes them; between trips, a report every 30 s.
 * The first trip comes 65 minutes after the first report, more than one of the widest
 * buckets asked (30 minutes over a month), so every trip has a counter value before it.
 */
function schedule(now: number): { messages: Telemetry[]; tripAt: (k: number) => number; start: number } {
  const tripAt = (k: number) => now - 5 * MIN - (TRIPS - 1 - k) * TRIP_EVERY_MS;
  const start = tripAt(0) - 65 * MIN;
  const messages: Telemetry[] = [];
  let seq = 1;
  let floor = 1;
  let runCount = 183_000;
  const emit = (ts: number, over: Partial<Telemetry>) =>
    messages.push(telemetrySample({ ts, seq: seq++, floor, run_count: runCount, ...over }));
  const idle = (from: number, until: number) => {
    for (let ts = from; ts < until; ts += 30_000) emit(ts, {});
  };
  idle(start, tripAt(0));
  for (let k = 0; k < TRIPS; k++) {
    const t0 = tripAt(k);
    const next = (((k + 1) * 7) % 10) + 1;
    runCount++;
    for (let s = 0; s < 10; s++)
      emit(t0 + s * 1000, {
        moving: true,
        direction: next > floor ? 'up' : 'down',
        speed_mps: s < 9 ? 1.5 : 0.4,
      });
    floor = next;
    for (let s = 10; s < 18; s++) emit(t0 + s * 1000, { door_closed: false, occupied: true });
    emit(t0 + 18_000, {});
    idle(t0 + 48_000, k + 1 < TRIPS ? tripAt(k + 1) : now);
  }
  return { messages, tripAt, start };
}

describe('elevator history charts in Chromium', () => {
  let influx: Awaited<ReturnType<typeof startTestInflux>>;
  let t: TestApi;
  let base: string;
  let browser: TestBrowser;
  let tripAt: (k: number) => number;
  /** Trips (and door openings: one per trip) in the last `ms` before now, as the page asks. */
  const tripsWithin = (ms: number) => {
    const from = Date.now() - ms;
    return Array.from({ length: TRIPS }, (_, k) => tripAt(k)).filter((at) => at >= from).length;
  };

  beforeAll(async () => {
    await mkdir(ARTIFACTS, { recursive: true });
    influx = await startTestInflux();
    await schema.ensureInfluxSchema(
      { url: influx.url, database: DATABASE, rawRetention: 'INF' },
      silentLogger,
    );
    const now = Date.now();
    const car = schedule(now);
    tripAt = car.tripAt;
    const tags = tagSuffix({ estate: 'lianhua', building: 'lianhua-b1', elevator: ANJU_ELEVATOR });
    const w = newElevatorState({ id: ANJU_ELEVATOR } as never);
    const lines = car.messages.map((m) => telemetryPointLine(m, tags, w, 300_000));
    const write = await fetch(
      `${influx.url}/write?db=${DATABASE}&rp=${RETENTION_POLICIES.raw}&precision=ms`,
      {
        method: 'POST',
        body: lines.join('\n'),
      },
    );
    expect(write.status).toBe(204);
    // The continuous query's own statement over the past: what it would have written each minute.
    const cq = continuousQueries(DATABASE)[AGGREGATES.telemetry1m]!;
    const backfill = cq.replace(
      ' GROUP BY',
      ` WHERE time >= ${car.start}ms AND time < ${now + MIN}ms GROUP BY`,
    );
    const res = await fetch(`${influx.url}/query?db=${DATABASE}&q=${encodeURIComponent(backfill)}`, {
      method: 'POST',
    });
    const answer = (await res.json()) as { results: { error?: string }[] };
    expect(answer.results[0]?.error).toBeUndefined();

    t = await startTestApi({
      deps: { clock: () => Date.now(), influx: { url: influx.url, database: DATABASE } },
    });
    base = await listenOnFreePort(t);
    browser = await launchBrowser();
  });

  afterAll(async () => {
    await browser?.close();
    await t?.close();
    await influx?.cleanup();
  });

  async function openElevator(page: TestPage, lang: 'zh' | 'en'): Promise<void> {
    await page.goto(`${base}/app/`);
    await page.waitFor('form.login input[name=username]');
    await page.fill('input[name=username]', 'duty-anju');
    await page.fill('input[name=password]', TEST_PASSWORD);
    await page.click('form.login button[type=submit]');
    await page.waitFor('header nav a');
    await page.goto(`${base}/app/#/elevator/${ANJU_ELEVATOR}`);
    if ((await page.evaluate<string>('document.documentElement.lang')).startsWith('zh') !== (lang === 'zh'))
      await page.click('header button.lang');
    await page.waitFor(`html[lang^="${lang}"]`);
  }

  const ready = (range: string) => `[data-testid=history-charts][data-state=ready][data-range="${range}"]`;

  /** Per chart: its points, its total (bars), and how many pixels of the series colour its canvas has. */
  async function drawnCharts(page: TestPage) {
    return page.evaluate<
      { series: string; points: number; total: number | null; inked: number; right: number }[]
    >(`
      [...document.querySelectorAll('[data-testid=history-charts] figure.chart')].map((figure) => {
        const canvas = figure.querySelector('.uplot canvas');
        let inked = 0;
        if (canvas) {
          const { data } = canvas.getContext('2d').getImageData(0, 0, canvas.width, canvas.height);
          // The accent colour (#1f5fbf) only the series is drawn in; axes and grid are grey.
          for (let i = 0; i < data.length; i += 4)
            if (data[i + 3] > 0 && Math.abs(data[i] - 31) < 40 && Math.abs(data[i + 1] - 95) < 40 && Math.abs(data[i + 2] - 191) < 40) inked++;
        }
        return {
          series: figure.dataset.series,
          points: Number(figure.dataset.points),
          total: figure.dataset.total === undefined ? null : Number(figure.dataset.total),
          inked,
          right: figure.getBoundingClientRect().right,
        };
      })
    `);
  }

  async function expectCharts(page: TestPage, range: string, trips: number) {
    await page.waitFor(`${ready(range)} figure[data-series=run_count] .uplot canvas`, 15_000);
    const charts = await drawnCharts(page);
    expect(charts.map((c) => c.series)).toEqual(SERIES);
    // The API's buckets fit its cap: nothing was cut from the end of the range.
    expect(await page.evaluate<boolean>('!!document.querySelector("[data-testid=history-truncated]")')).toBe(
      false,
    );
    for (const chart of charts) {
      expect(chart.points, chart.series).toBeGreaterThan(0);
      expect(chart.inked, chart.series).toBeGreaterThan(20);
    }
    const total = (series: string) => charts.find((c) => c.series === series)?.total;
    expect(total('trips')).toBe(trips);
    expect(total('door_cycles')).toBe(trips);
    return charts;
  }

  it('draws trips, floor, door cycles, speed and run count, and refetches when the range changes', async () => {
    const page = await browser.newPage(DESKTOP);
    await openElevator(page, 'zh');
    // The default range, a day, comes from the 1-minute aggregates.
    await expectCharts(page, '24h', tripsWithin(86_400_000));
    expect(await page.text('[data-testid=history-charts] figure[data-series=trips] figcaption')).toContain(
      '运行次数',
    );
    expect(
      await page.evaluate<string>('document.querySelector("button[data-range=\\"24h\\"]").ariaPressed'),
    ).toBe('true');
    await page.screenshot(join(ARTIFACTS, 'elevator-history.png'));

    // An hour: raw points, one row per message.
    await page.click('button[data-range="1h"]');
    await expectCharts(page, '1h', tripsWithin(3_600_000));
    expect(tripsWithin(3_600_000)).toBe(6);
    await page.screenshot(join(ARTIFACTS, 'elevator-history-1h.png'));

    // A week: wider buckets of aggregates, every trip written.
    await page.click('button[data-range="7d"]');
    await expectCharts(page, '7d', TRIPS);
  });

  it('fits a 375 px phone, in English', async () => {
    const page = await browser.newPage(PHONE);
    await openElevator(page, 'en');
    const charts = await expectCharts(page, '24h', tripsWithin(86_400_000));
    for (const chart of charts) expect(chart.right, chart.series).toBeLessThanOrEqual(PHONE.width);
    expect(await page.text('[data-testid=history-charts] figure[data-series=trips] figcaption')).toContain(
      'Trips',
    );
    await page.click('button[data-range="30d"]');
    await expectCharts(page, '30d', TRIPS);
    await page.screenshot(join(ARTIFACTS, 'elevator-history-phone-en.png'));
  });

  it('says so when the range holds no data', async () => {
    const page = await browser.newPage(DESKTOP);
    await openElevator(page, 'en');
    await page.goto(`${base}/app/#/elevator/lianhua-b2-e1`);
    await page.waitFor('[data-testid=history-charts][data-state=empty] [data-testid=history-empty]', 15_000);
  });
});
