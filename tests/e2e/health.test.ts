/**
 * Lift health in Chromium against the real API and a real influxd: the `health_daily` lines
 * of recorded traces run through the ingest's real health stage (a door operator slowing,
 * steady lifts, one with too little history). The firm's console must rank the slowing lift
 * first with its early visit and component, draw each signal over its usual band (uPlot)
 * with the slow days above the band, and the resident's QR page must say the health state in
 * one plain Chinese line. Desktop 1440×900 and phone 360×740; screenshots in tests/artifacts/.
 */
import { mkdir } from 'node:fs/promises';
import { join } from 'node:path';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { ensureInfluxSchema } from '../../ingest/influx-schema.ts';
import { createFundLedger } from '../../ledger/ledger.ts';
import { silentLogger } from '../../lib/logger.ts';
import { storeOver } from '../../store/store.ts';
import {
  ANJU_ELEVATOR,
  listenOnFreePort,
  startTestApi,
  TEST_PASSWORD,
  type TestApi,
} from '../helpers/api-harness.ts';
import { startTestInflux } from '../helpers/fixtures.ts';
import { demoHealthPlans, healthDailyLines, writeLines } from '../helpers/health-days.ts';
import { launchBrowser, type TestBrowser, type TestPage } from './browser.ts';

const ARTIFACTS = join(import.meta.dirname, '..', 'artifacts');
const DESKTOP = { width: 1440, height: 900 };
const PHONE = { width: 360, height: 740, mobile: true };
const DATABASE = 'liftwatch_e2e_health';

describe('lift health in the console and on the QR page', () => {
  let influx: Awaited<ReturnType<typeof startTestInflux>>;
  let t: TestApi;
  let base: string;
  let browser: TestBrowser;

  beforeAll(async () => {
    await mkdir(ARTIFACTS, { recursive: true });
    influx = await startTestInflux();
    await ensureInfluxSchema({ url: influx.url, database: DATABASE, rawRetention: 'INF' }, silentLogger);
    // Real time: the browser drops a session cookie that expired in the harness's 2025.
    await writeLines(
      influx.url,
      DATABASE,
      [...healthDailyLines(demoHealthPlans(Date.now())).values()].flat(),
    );
    t = await startTestApi({
      deps: { clock: () => Date.now(), influx: { url: influx.url, database: DATABASE } },
    });
    base = await listenOnFreePort(t);
    browser = await launchBrowser();
  }, 120_000);
  afterAll(async () => {
    await browser?.close();
    await t?.close();
    await influx?.cleanup();
  });

  async function login(page: TestPage, username = 'duty-anju'): Promise<void> {
    await page.goto(`${base}/app/`);
    await page.waitFor('form.login input[name=username]');
    await page.fill('input[name=username]', username);
    await page.fill('input[name=password]', TEST_PASSWORD);
    await page.click('form.login button[type=submit]');
    try {
      await page.waitFor('header nav a', 15_000);
    } catch (e) {
      await page.screenshot(join(ARTIFACTS, 'health-login-failed.png'));
      throw e;
    }
    if (!(await page.evaluate<string>('document.documentElement.lang')).startsWith('zh'))
      await page.click('header button.lang');
    await page.waitFor('html[lang^="zh"]');
  }

  const rows = (page: TestPage) =>
    page.evaluate<{ id: string; early: string; text: string }[]>(
      `[...document.querySelectorAll('[data-testid=health-ranking] tbody tr')].map((r) => ({ id: r.dataset.elevatorId, early: r.dataset.early, text: r.textContent }))`,
    );

  it('ranks the lifts that need attention first and draws the signals over their usual band', async () => {
    const page = await browser.newPage(DESKTOP);
    await login(page);
    await page.click('header nav a[href="#/health"]');
    await page.waitFor('[data-testid=health-ranking] tbody tr');
    const ranked = await rows(page);
    expect(ranked[0]).toMatchObject({ id: ANJU_ELEVATOR, early: 'true' });
    expect(ranked[0]!.text).toContain('提前维保');
    expect(ranked[0]!.text).toContain('门机系统');
    expect(ranked[0]!.text).toMatch(/关门时间比本梯常态慢 \d+%/);
    expect(ranked.find((r) => r.id === 'lianhua-b1-e2')!.text).toContain('健康分 100 · 状态良好');
    expect(ranked.find((r) => r.id === 'lianhua-b2-e1')!.text).toContain('数据不足');
    // Another firm's lifts are not there; codes are not shown.
    expect(ranked.some((r) => r.id.startsWith('xiangmi'))).toBe(false);
    expect(ranked[0]!.text).not.toContain('door_operator');
    await page.screenshot(join(ARTIFACTS, 'health-ranking-1440.png'));

    await page.click(`tr[data-elevator-id="${ANJU_ELEVATOR}"] a`);
    await page.waitFor(
      '[data-testid=health-charts][data-state=ready] figure[data-signal=door_close_ms] .uplot canvas',
      15_000,
    );
    expect(await page.text('[data-testid=health-reasons]')).toMatch(/门机系统 · 关门时间比本梯常态慢/);
    const figures = await page.evaluate<{ signal: string; outside: number; canvases: number }[]>(
      `[...document.querySelectorAll('[data-testid=health-charts] figure.chart')].map((f) => ({ signal: f.dataset.signal, outside: Number(f.dataset.outside), canvases: f.querySelectorAll('canvas').length }))`,
    );
    expect(figures[0]!.signal).toBe('score');
    const door = figures.find((f) => f.signal === 'door_close_ms')!;
    expect(door.outside).toBeGreaterThan(0);
    expect(figures.every((f) => f.canvases > 0)).toBe(true);
    // Steady signals never leave their band.
    expect(figures.find((f) => f.signal === 'door_dwell_s')!.outside).toBe(0);
    await page.screenshot(join(ARTIFACTS, 'health-lift-1440.png'));
  });

  it('on a phone: the ranking fits, and the QR page says the health state in one line', async () => {
    const page = await browser.newPage(PHONE);
    await login(page);
    await page.goto(`${base}/app/#/health`);
    await page.waitFor('[data-testid=health-ranking] tbody tr');
    expect((await rows(page))[0]!.id).toBe(ANJU_ELEVATOR);
    const overflow = await page.evaluate<number>('document.documentElement.scrollWidth - window.innerWidth');
    expect(overflow).toBeLessThanOrEqual(0);
    await page.screenshot(join(ARTIFACTS, 'health-ranking-360.png'));

    await page.goto(`${base}/e/${await t.tokenOf(ANJU_ELEVATOR)}?lang=zh`);
    await page.waitFor('#health');
    expect(await page.text('#health')).toBe('设备健康：电梯门需要检查，已要求维保单位提前上门');
    await page.screenshot(join(ARTIFACTS, 'health-qr-360.png'));
    await page.goto(`${base}/e/${await t.tokenOf('lianhua-b1-e2')}?lang=zh`);
    await page.waitFor('#health');
    expect(await page.text('#health')).toBe('设备健康：良好，各项运行指标正常');
  });

  it('the committee sees the lift’s health beside a repair proposal for it', async () => {
    const ledger = createFundLedger({ repository: storeOver(t.db).ledger });
    const proposer = {
      username: 'pm-e2e',
      role: 'property_manager',
      propertyFirmId: 'anju-pm',
      estateId: null,
    };
    const fund = await ledger.openFund(
      { actor: proposer, idempotencyKey: 'health-open-fund' },
      { estateId: 'lianhua', name: '莲花花园电梯维修基金' },
    );
    const meta = (key: string) => ({ fundId: fund.id, actor: proposer, idempotencyKey: key });
    await ledger.recordContribution(meta('health-contrib'), {
      period: new Date().toISOString().slice(0, 7),
      amountFen: 2_000_000,
    });
    const x = await ledger.propose(meta('health-propose'), {
      amountFen: 185_000,
      kind: 'repair',
      purpose: '更换1栋1号梯门机',
      payee: '华夏电梯维保有限公司',
      elevatorId: ANJU_ELEVATOR,
      alertIds: [],
      visitIds: [],
    });
    const page = await browser.newPage(DESKTOP);
    await login(page, 'committee-lianhua');
    await page.goto(`${base}/app/#/fund`);
    const beside = `li[data-proposal-id="${x.id}"] [data-testid=health-beside] a`;
    await page.waitFor(beside, 15_000);
    const text = await page.text(beside);
    expect(text).toContain('提前维保');
    expect(text).toContain('门机系统');
    expect(text).toMatch(/关门时间比本梯常态慢 \d+%/);
    await page.screenshot(join(ARTIFACTS, 'health-fund-1440.png'));
  });
});
