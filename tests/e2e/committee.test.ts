/**
 * The owners' committee in a real Chromium against the real API (issue 15), at 1440×900
 * and 360×740: it lands on its fund, not the fleet board; paid and refused expenditures stay
 * in its decision history with who decided, by display name, and why; a proposal above the
 * fund's balance carries a warning; the monthly statement it prints adds up and has the two
 * signature lines; the CSV link answers Chinese headers with yuan and Beijing time; the
 * trapped-passenger banner shows without a control to silence it. No raw code reaches the
 * page. The books are written through the API as the firm would; the committee's own
 * refusal is clicked in the page. Screenshots go to tests/artifacts/committee-*.png.
 */
import { mkdir } from 'node:fs/promises';
import { join } from 'node:path';
import ExcelJS from 'exceljs';
import { type Browser, type BrowserContext, chromium, type Page } from 'playwright-core';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import {
  ANJU_ELEVATOR,
  listenOnFreePort,
  SAME_ORIGIN,
  startTestApi,
  TEST_PASSWORD,
  type TestApi,
} from '../helpers/api-harness.ts';
import { CHROMIUM, CHROMIUM_ARGS } from './browser.ts';

const ARTIFACTS = join(import.meta.dirname, '..', 'artifacts');
const DESKTOP = { width: 1440, height: 900 };
const PHONE = { width: 360, height: 740 };
/** Codes and logins that must never reach the committee's screen. */
const RAW =
  /committee_approval|firm_approval|owners_vote|awaiting_ratification|passenger_trapped|expense:|income:|\bcash\b|\brepair\b|\bquote:|duty-anju|manager-anju|committee-lianhua|Your role/;

describe('the owners’ committee in Chromium', () => {
  let t: TestApi;
  let base: string;
  let browser: Browser;
  let fundId = '';
  const contexts: BrowserContext[] = [];
  let n = 0;

  async function call(username: string, method: 'GET' | 'POST', url: string, payload?: object) {
    return t.app.inject({
      method,
      url: `/api/v1${url}`,
      headers: {
        cookie: await t.login(username),
        origin: SAME_ORIGIN,
        ...(method === 'POST' ? { 'idempotency-key': `committee-e2e-${++n}` } : {}),
      },
      ...(payload ? { payload } : {}),
    });
  }

  async function post<T>(username: string, url: string, payload: object): Promise<T> {
    const res = await call(username, 'POST', url, payload);
    expect(res.statusCode, res.body).toBe(200);
    return res.json() as T;
  }

  /** This month in Beijing time, as the ledger's periods and the console's statement link. */
  const month = () => new Date(Date.now() + 8 * 3_600_000).toISOString().slice(0, 7);

  beforeAll(async () => {
    await mkdir(ARTIFACTS, { recursive: true });
    t = await startTestApi({ deps: { clock: () => Date.now() } });
    base = await listenOnFreePort(t);
    // The harness's alert-anju-1 is a trapped passenger nobody has acknowledged: the banner is up.
    const fund = await post<{ id: string }>('duty-anju', '/funds', {
      estateId: 'lianhua',
      name: '莲花花园电梯维修基金',
    });
    fundId = fund.id;
    await post('duty-anju', `/funds/${fundId}/contribution-rules`, {
      effectiveFrom: month(),
      rateFenPerM2Month: 100,
      areaCentiM2: 1_000_000,
      shareBp: 2000,
    });
    await post('duty-anju', `/funds/${fundId}/contributions`, { period: month(), amountFen: 2_000_000 });
    // Paid: both sides approved, the committee with a reason.
    const paid = await post<{ id: string }>('duty-anju', `/funds/${fundId}/expenditures`, {
      amountFen: 185_000,
      kind: 'repair',
      purpose: '更换2号楼1号梯门机皮带',
      payee: '华夏电梯维保有限公司',
      elevatorId: ANJU_ELEVATOR,
    });
    await post('manager-anju', `/funds/${fundId}/expenditures/${paid.id}/decision`, { decision: 'approve' });
    await post('committee-lianhua', `/funds/${fundId}/expenditures/${paid.id}/decision`, {
      decision: 'approve',
      note: '报价与市场价相符',
    });
    await post('duty-anju', `/funds/${fundId}/expenditures/${paid.id}/payment`, {});
    // To be refused in the page; and one far above the balance.
    await post('duty-anju', `/funds/${fundId}/expenditures`, {
      amountFen: 420_000,
      kind: 'parts',
      purpose: '更换轿厢照明',
      payee: '某灯具公司',
    });
    await post('duty-anju', `/funds/${fundId}/expenditures`, {
      amountFen: 9_900_000,
      kind: 'major_overhaul',
      purpose: '1号梯曳引机大修',
      payee: '华夏电梯维保有限公司',
    });
    browser = await chromium.launch({ executablePath: CHROMIUM, args: CHROMIUM_ARGS });
  }, 180_000);

  afterAll(async () => {
    for (const c of contexts) await c.close().catch(() => {});
    await browser?.close();
    await t?.close();
  });

  async function signIn(viewport: typeof DESKTOP): Promise<Page> {
    const context = await browser.newContext({ viewport, locale: 'zh-CN', isMobile: viewport === PHONE });
    contexts.push(context);
    const page = await context.newPage();
    await page.goto(`${base}/app/`);
    await page.fill('form.login input[name=username]', 'committee-lianhua');
    await page.fill('form.login input[name=password]', TEST_PASSWORD);
    await page.click('form.login button[type=submit]');
    await page.waitForSelector('header nav a');
    return page;
  }

  it('lands on the fund, refuses with a reason, keeps the decisions and warns above the balance', {
    timeout: 240_000,
  }, async () => {
    const page = await signIn(DESKTOP);
    // Landed on the fund without being sent there.
    await page.waitForSelector('[data-testid=fund-balance]');
    expect(await page.textContent('main h1')).toBe('电梯维修基金');
    expect(await page.getAttribute('header nav a[href="#/fund"]', 'aria-current')).toBe('page');

    // The banner is up, with no control to silence it: the firm's duty officer handles it.
    const alarm = page.locator('#alarm');
    await alarm.locator('[data-testid=alarm-firm-handles]').waitFor();
    expect(await alarm.textContent()).toContain('由物业值班人员处理');
    // Readable on the red banner (it was grey on red).
    expect(
      await page.evaluate<string>(
        `getComputedStyle(document.querySelector('[data-testid=alarm-firm-handles]')).color`,
      ),
    ).toBe('rgb(255, 255, 255)');
    expect(await alarm.locator('button').count()).toBe(0);
    // Nor the sound: the committee is not the one called (no beep, no "开启告警声音" button).
    expect(await alarm.getAttribute('data-sound')).toBe('off');
    expect(await alarm.getAttribute('data-beeps')).toBeNull();
    expect(await page.locator('header button.sound').count()).toBe(0);

    // The proposal above the balance says so before anyone approves.
    const big = page.locator('li.proposal:has-text("1号梯曳引机大修")');
    await big.locator('[data-testid=over-balance]').waitFor();
    expect(await big.locator('[data-testid=over-balance]').textContent()).toMatch(
      /超出基金余额（¥18,150\.00）：余额不足/,
    );

    // The committee refuses the lighting, with its reason.
    const lighting = page.locator('li.proposal:has-text("更换轿厢照明")');
    await lighting.locator('button[data-action=refuse]').click();
    await page.fill('dialog[open] textarea', '照明尚可使用，暂缓更换');
    await page.click('dialog[open] button[type=submit]');
    await page.waitForSelector('dialog[open]', { state: 'detached' });

    // Paid and refused both stay, with who decided (names) and why.
    const history = page.locator('[data-testid=decision-history]');
    await history.locator('li:has-text("更换轿厢照明")').waitFor();
    const refused = await history.locator('li:has-text("更换轿厢照明")').textContent();
    expect(refused).toContain('已拒绝');
    expect(refused).toContain('莲花业委会');
    expect(refused).toContain('照明尚可使用，暂缓更换');
    expect(refused).toContain('安居值班员');
    const paid = await history.locator('li:has-text("更换2号楼1号梯门机皮带")').textContent();
    expect(paid).toContain('已支付');
    expect(paid).toContain('¥1,850.00');
    expect(paid).toMatch(/物业\s*安居物业经理\s*批准/);
    expect(paid).toMatch(/业委会\s*莲花业委会\s*批准: 报价与市场价相符/);

    // The exports a committee hands to owners.
    const csvHref = await page.getAttribute('[data-testid=export-csv]', 'href');
    expect(csvHref).toContain(`/funds/${encodeURIComponent(fundId)}/export.csv`);
    expect(await page.textContent('[data-testid=export-csv]')).toBe('导出 CSV（收支、申请与审批）');
    const csv = await page.request.get(new URL(csvHref as string, page.url()).href);
    expect(csv.status()).toBe(200);
    const body = (await csv.body()).toString('utf8');
    expect(body.charCodeAt(0)).toBe(0xfeff);
    expect(body).toContain('序号,时间,交易编号,类型,科目,借方（元）,贷方（元）');
    expect(body).toMatch(/更换轿厢照明,某灯具公司,配件,4200\.00,已拒绝,否,/);
    expect(body).toMatch(/业主委员会,莲花业委会,拒绝,照明尚可使用，暂缓更换,是/);
    expect(body).not.toMatch(/committee-lianhua|duty-anju|_fen|expense:/);
    // Beside it, the same as an Excel workbook: the button, and the file the committee gets.
    expect(await page.textContent('[data-testid=export-xlsx]')).toBe('导出 Excel');
    const xlsxHref = await page.getAttribute('[data-testid=export-xlsx]', 'href');
    expect(xlsxHref).toContain(`/funds/${encodeURIComponent(fundId)}/export.xlsx`);
    const xlsx = await page.request.get(new URL(xlsxHref as string, page.url()).href);
    expect(xlsx.status()).toBe(200);
    const book = new ExcelJS.Workbook();
    await book.xlsx.load((await xlsx.body()) as unknown as ArrayBuffer);
    const refusedRow = book
      .getWorksheet('支出申请')!
      .getRows(2, 10)
      ?.find((r) => r.getCell(4).value === '更换轿厢照明');
    expect(refusedRow?.getCell(7).value).toBe(4200);
    expect(refusedRow?.getCell(8).value).toBe('已拒绝');

    await page.screenshot({ path: join(ARTIFACTS, 'committee-fund-desktop.png'), fullPage: true });
    const text = (await page.textContent('body')) ?? '';
    expect(text.match(RAW)?.[0] ?? null).toBeNull();

    // The printable statement: totals that add up and the two signature lines.
    const statementHref = await page.getAttribute('[data-testid=print-statement]', 'href');
    expect(statementHref).toContain(`period=${month()}`);
    const statement = await page.context().newPage();
    await statement.goto(new URL(statementHref as string, page.url()).href);
    const figure = (name: string) => statement.textContent(`[data-figure=${name}]`);
    expect(await figure('opening')).toBe('¥0.00');
    expect(await figure('income')).toBe('¥20,000.00');
    expect(await figure('spending')).toBe('¥1,850.00');
    expect(await figure('closing')).toBe('¥18,150.00');
    const printed = (await statement.textContent('body')) ?? '';
    expect(printed).toContain('业主分摊缴存');
    expect(printed).toContain('业主委员会 莲花业委会 同意：报价与市场价相符');
    expect(printed).toContain('物业服务企业（盖章）');
    expect(printed).toContain('业主委员会（盖章）');
    expect(printed).not.toMatch(RAW);
    await statement.screenshot({ path: join(ARTIFACTS, 'committee-statement.png'), fullPage: true });
  });

  it('every screen of the committee reads in Chinese and fits 1440×900 and 360×740', {
    timeout: 600_000,
  }, async () => {
    const problems: string[] = [];
    for (const [size, viewport] of [
      ['1440', DESKTOP],
      ['360', PHONE],
    ] as const) {
      const page = await signIn(viewport);
      const routes = await page.$$eval('header nav a[href^="#/"]', (links) =>
        links.map((a) => (a.getAttribute('href') ?? '').slice(2)),
      );
      expect(routes).toEqual(expect.arrayContaining(['fund', 'sla']));
      for (const route of [...routes, `elevator/${ANJU_ELEVATOR}`]) {
        const name = route.replace('/', '-');
        await page.goto(`${base}/app/#/${route}`);
        await page.waitForSelector('main > *');
        await page.waitForSelector('main .state-msg[role=status]', { state: 'detached' });
        const overflow = await page.evaluate<number>(
          'document.documentElement.scrollWidth - window.innerWidth',
        );
        if (overflow > 0) problems.push(`${name} at ${size}: page ${overflow} px wider than the screen`);
        const text = await page.evaluate<string>('document.body.innerText');
        const raw = text.match(RAW) ?? text.match(/\b[a-z]+_[a-z_]+\b|undefined|NaN|超时 \d+天/);
        if (raw) problems.push(`${name} at ${size}: raw "${raw[0]}"`);
        await page.screenshot({
          path: join(ARTIFACTS, `committee-walk-${name}-${size}.png`),
          fullPage: true,
        });
      }
    }
    expect(problems).toEqual([]);
  });

  it('reads the same on a phone (360×740) without raw codes', { timeout: 180_000 }, async () => {
    const page = await signIn(PHONE);
    await page.waitForSelector('[data-testid=decision-history] li');
    await page.waitForSelector('[data-testid=over-balance]');
    const text = (await page.textContent('body')) ?? '';
    expect(text).toContain('决策记录');
    expect(text).toContain('照明尚可使用，暂缓更换');
    expect(text.match(RAW)?.[0] ?? null).toBeNull();
    // Nothing wider than the phone.
    const overflow = await page.evaluate<number>('document.documentElement.scrollWidth - window.innerWidth');
    expect(overflow).toBeLessThanOrEqual(0);
    await page.screenshot({ path: join(ARTIFACTS, 'committee-fund-phone.png'), fullPage: true });
  });
});
