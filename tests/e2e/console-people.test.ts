/**
 * The duty officer's console as a person meets it, in a real Chromium at 1440×900 and on a
 * 360×740 phone, against the real API (buildApi, temp SQLite, the harness's state source):
 * estate names wherever an elevator is named (two estates of one firm both have a
 * "1栋1号梯"), filters kept in the URL across a reload, only Chinese words in the zh
 * console (no `passenger_trapped`, no English reasons, no raw JSON), CSV exports linked
 * from the lists, and the screens for visits, stickers, users and the audit log.
 * Screenshots go to tests/artifacts/.
 */
import { mkdir } from 'node:fs/promises';
import { join } from 'node:path';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { createFundLedger } from '../../ledger/ledger.ts';
import { storeOver } from '../../store/store.ts';
import {
  alertRow,
  listenOnFreePort,
  startTestApi,
  TEST_PASSWORD,
  type TestApi,
} from '../helpers/api-harness.ts';
import { telemetrySample } from '../helpers/fixtures.ts';
import { launchBrowser, type TestBrowser, type TestPage } from './browser.ts';

const ARTIFACTS = join(import.meta.dirname, '..', 'artifacts');
const DESKTOP = { width: 1440, height: 900 };
const PHONE = { width: 360, height: 740, mobile: true };
const SIZES = [
  ['desktop', DESKTOP],
  ['phone', PHONE],
] as const;
/** The other estate of 安居物业 with a car of the same name as ANJU_ELEVATOR (莲花花园 1栋1号梯). */
const TWIN_ELEVATOR = 'longgang-b1-e1';
/** Text a person can see (innerText skips hidden elements; open dialogs are added). */
const VISIBLE_TEXT = `document.body.innerText`;
/** A code such as passenger_trapped, half_monthly or firm_approval leaking into the page. */
const RAW_CODE = /\b[a-z]+_[a-z_]+\b/g;

describe('the console names, words and exports (people first)', () => {
  let t: TestApi;
  let base: string;
  let browser: TestBrowser;

  beforeAll(async () => {
    await mkdir(ARTIFACTS, { recursive: true });
    t = await startTestApi({ deps: { clock: () => Date.now() } });
    t.clock.now = Date.now();
    for (const e of t.app.directory.elevators())
      t.store.applyTelemetry(e.id, telemetrySample({ ts: Date.now(), floor: 1 }), Date.now());
    await t.db
      .insertInto('alerts')
      .values(
        alertRow({
          id: 'alert-twin-1',
          elevator_id: TWIN_ELEVATOR,
          estate_id: 'longgang',
          opened_at: Date.now() - 60_000,
          last_seen_at: Date.now() - 60_000,
        }),
      )
      .execute();
    base = await listenOnFreePort(t);
    browser = await launchBrowser();
  });

  afterAll(async () => {
    await browser?.close();
    await t?.close();
  });

  async function login(page: TestPage, username: string, hash = ''): Promise<void> {
    await page.goto(`${base}/app/`);
    await page.evaluate('localStorage.setItem("lw.lang", "zh")');
    // A fresh load, so the console reads the language (a hash change alone would not reload).
    await page.goto('about:blank');
    await page.goto(`${base}/app/${hash}`);
    // Generous waits: six helpers share two cores; the waits end on the element, not the clock.
    await page.waitFor('form.login input[name=username]', 15_000);
    await page.fill('input[name=username]', username);
    await page.fill('input[name=password]', TEST_PASSWORD);
    await page.click('form.login button[type=submit]');
    await page.waitFor('header nav a', 15_000);
  }

  /** The raw codes a person could read on the page now (none is the goal). */
  const rawCodes = async (page: TestPage) =>
    (await page.evaluate<string>(VISIBLE_TEXT)).match(RAW_CODE) ?? [];

  for (const [size, viewport] of SIZES) {
    it(`names the estate on the banner, the alert rows, the dialog and the elevator header (${size})`, async () => {
      const page = await browser.newPage(viewport);
      await login(page, 'duty-anju', '#/alerts');
      await page.waitFor('#alarm li[data-alert-id="alert-twin-1"]');
      const banner = await page.evaluate<Record<string, string>>(
        `Object.fromEntries([...document.querySelectorAll('#alarm li')].map((li) => [li.dataset.alertId, li.querySelector('a').textContent]))`,
      );
      expect(banner['alert-anju-1']).toContain('莲花花园 · 1栋1号梯');
      expect(banner['alert-twin-1']).toContain('龙岗新村 · 1栋1号梯');

      const row = (id: string) => `[data-testid=alert-list] li[data-alert-id="${id}"]`;
      await page.waitFor(row('alert-twin-1'));
      expect(await page.text(`${row('alert-twin-1')} [data-testid=alert-elevator]`)).toBe(
        '龙岗新村 · 1栋1号梯',
      );
      expect(await page.text(`${row('alert-anju-1')} [data-testid=alert-elevator]`)).toBe(
        '莲花花园 · 1栋1号梯',
      );

      await page.click(`${row('alert-twin-1')} .actions button.primary`);
      await page.waitFor('dialog[open] h2');
      expect(await page.text('dialog[open] h2')).toBe('确认: 困人 · 龙岗新村 · 1栋1号梯');
      await page.screenshot(join(ARTIFACTS, `console-estate-dialog-${size}.png`));
      await page.click('dialog[open] button[value=cancel]');
      await page.waitForGone('dialog[open]');

      await page.goto(`${base}/app/#/elevator/${TWIN_ELEVATOR}`);
      await page.waitFor('.elevator-head h1');
      expect(await page.text('.elevator-head h1')).toContain('龙岗新村 · 1栋1号梯');
      await page.screenshot(join(ARTIFACTS, `console-estate-elevator-${size}.png`));
    });
  }

  it('keeps the filters in the URL across a reload, and search matches the estate name', async () => {
    const page = await browser.newPage(DESKTOP);
    await login(page, 'duty-anju', '#/alerts?estate=longgang');
    await page.waitFor('[data-testid=alert-list] li[data-alert-id="alert-twin-1"]');
    const shown = () =>
      page.evaluate<string[]>(
        `[...document.querySelectorAll('[data-testid=alert-list] > li')].map((li) => li.dataset.alertId).sort()`,
      );
    expect(await shown()).toEqual(['alert-twin-1']);

    // Typed search goes into the URL; a reload shows the same list with the same controls.
    await page.select('main .filters label:nth-child(3) select', '');
    await page.fill('main .filters input[type=search]', '莲花');
    expect(await shown()).toEqual(['alert-anju-1', 'alert-anju-2']);
    expect(decodeURIComponent(await page.evaluate<string>('location.hash'))).toBe('#/alerts?search=莲花');
    await page.evaluate('location.reload()');
    await page.waitFor('[data-testid=alert-list] li[data-alert-id="alert-anju-1"]');
    expect(await shown()).toEqual(['alert-anju-1', 'alert-anju-2']);
    expect(
      await page.evaluate<string>('document.querySelector("main .filters input[type=search]").value'),
    ).toBe('莲花');

    // The fleet board too: an estate's name finds its cars.
    await page.goto(`${base}/app/#/fleet?search=${encodeURIComponent('龙岗')}`);
    await page.waitFor('[data-testid=fleet-board] .tile');
    const estates = await page.evaluate<string[]>(
      `[...document.querySelectorAll('[data-testid=fleet-board] section h2')].map((h) => h.textContent)`,
    );
    expect(estates).toEqual(['龙岗新村']);
    await page.screenshot(join(ARTIFACTS, 'console-fleet-search-estate.png'));
  });

  for (const [size, viewport] of SIZES) {
    it(`speaks Chinese on every screen: no codes, no English reasons, names not usernames, a lost race said as such (${size})`, async () => {
      await t.db
        .updateTable('alerts')
        .set({
          state: 'resolved',
          resolved_by: 'duty-anju',
          resolved_at: Date.now() - 60_000,
          resolve_note: '已放人，门机复位',
          resolution: 'fault',
        })
        .where('id', '=', 'alert-anju-2')
        .execute();
      await t.db
        .updateTable('maintenance_visits')
        .set({
          reasons_json: JSON.stringify([
            {
              criterion: 'out_of_service',
              points: 25,
              max: 25,
              reason: '52 min in inspection or out of service',
            },
            { criterion: 'stop_switch_tests', points: 7.5, max: 15, reason: 'pit stop switch tested' },
          ]),
        })
        .where('id', '=', 'visit-anju-1')
        .execute();
      const page = await browser.newPage(viewport);
      await login(page, 'duty-anju', '#/alerts?state=all');
      const twin = '[data-testid=alert-list] li[data-alert-id="alert-twin-1"]';
      await page.waitFor(twin);
      await page.waitFor(
        '[data-testid=alert-list] li[data-alert-id="alert-anju-2"] [data-testid=resolution]',
      );
      await page.click(`${twin} [data-testid=alert-evidence] summary`);
      expect(await page.text(`${twin} [data-testid=alert-evidence] ul`)).toBe('停梯时长：45 秒');
      const resolvedRow = await page.text('[data-testid=alert-list] li[data-alert-id="alert-anju-2"]');
      expect(resolvedRow).toContain('处理人 安居值班员');
      expect(resolvedRow).not.toContain('duty-anju');
      expect(await rawCodes(page)).toEqual([]);
      await page.screenshot(join(ARTIFACTS, `console-zh-alerts-${size}.png`));

      // Someone else acknowledged it meanwhile: the answer is their decision, said in Chinese
      // with their name (the API answers 200 with the standing decision, never overwriting it).
      await page.click(`${twin} .actions button.primary`);
      await page.waitFor('dialog[open] textarea');
      await t.db
        .updateTable('alerts')
        .set({
          state: 'acknowledged',
          acknowledged_by: 'manager-anju',
          acknowledged_at: Date.now(),
          ack_note: '我去',
        })
        .where('id', '=', 'alert-twin-1')
        .execute();
      await page.fill('dialog[open] textarea', '值班员出发');
      await page.click('dialog[open] button[type=submit]');
      await page.waitFor('.toast.ok');
      expect(await page.text('.toast.ok')).toBe('安居物业经理 已先处理此告警，显示的是其处理结果');
      await t.db
        .updateTable('alerts')
        .set({ state: 'open', acknowledged_by: null, acknowledged_at: null, ack_note: null })
        .where('id', '=', 'alert-twin-1')
        .execute();

      await page.goto(`${base}/app/#/elevator/lianhua-b1-e1`);
      await page.waitFor('li[data-visit-id="visit-anju-1"] .score-bars li');
      const visit = await page.text('li[data-visit-id="visit-anju-1"]');
      expect(visit).toContain('半月保养');
      expect(visit).toContain('真实');
      expect(visit).toContain('时长 52 分钟');
      expect(visit).toContain('维保人员 王师傅');
      expect(visit).toContain('停止载客（检修或停用）时长 · 25/25 分');
      expect(visit).toContain('检修模式 52 分钟');
      expect(visit).not.toMatch(/tech-wang|inspection|tested/);
      expect(await page.text('.facts')).toMatch(/运行模式\s*正常门/);
      expect(await rawCodes(page)).toEqual([]);
      await page.screenshot(join(ARTIFACTS, `console-zh-elevator-${size}.png`));

      for (const hash of ['#/fleet', '#/reports?status=']) {
        await page.goto(`${base}/app/${hash}`);
        await page.waitFor('main .filters');
        await page.waitForGone('main [role=status]');
        expect(await rawCodes(page)).toEqual([]);
      }
    });
  }

  it('links CSV exports carrying the list filters, and the file opens as Chinese', async () => {
    const page = await browser.newPage(DESKTOP);
    await login(page, 'duty-anju', '#/alerts?state=resolved&estate=lianhua');
    // The link exists unfiltered until the list has read its filters from the URL: wait for them.
    await page.waitFor('[data-testid=export-csv][href*="estate=lianhua"]');
    const href = await page.evaluate<string>('document.querySelector("[data-testid=export-csv]").href');
    expect(new URL(href).pathname).toBe('/api/v1/alerts.csv');
    expect(Object.fromEntries(new URL(href).searchParams)).toEqual({ state: 'resolved', estate: 'lianhua' });
    // Fetched as the browser would follow the link: with the session cookie.
    const csv = await page.evaluate<string>(
      `fetch(${JSON.stringify(href)}).then(async (r) => r.headers.get('content-type') + '\\n' + new TextDecoder('utf-8', { ignoreBOM: true }).decode(await r.arrayBuffer()))`,
    );
    const [type, body = ''] = csv.split('\n', 2);
    expect(type).toBe('text/csv; charset=utf-8');
    expect(body.startsWith('\uFEFF编号,小区,电梯')).toBe(true);
    await page.screenshot(join(ARTIFACTS, 'console-alerts-export.png'));

    await page.goto(`${base}/app/#/reports`);
    await page.waitFor('[data-testid=export-csv][href*="reports.csv"]');
    await page.goto(`${base}/app/#/elevator/lianhua-b1-e1`);
    await page.waitFor('[data-testid=export-csv][href*="visits.csv?elevator=lianhua-b1-e1"]');
  });

  for (const [size, viewport] of SIZES) {
    it(`lists visits fleet-wide and previews the QR stickers per estate (${size})`, async () => {
      const page = await browser.newPage(viewport);
      await login(page, 'duty-anju', '#/visits?since=');
      const visit = '[data-testid=visit-list] li[data-visit-id="visit-anju-1"]';
      await page.waitFor(visit, 15_000);
      expect(await page.text(`${visit} [data-testid=visit-elevator]`)).toBe('莲花花园 · 1栋1号梯');
      expect(await page.text(visit)).toContain('维保人员 王师傅');
      expect(
        await page.evaluate<number>('document.querySelectorAll("[data-visit-id=visit-hexin-1]").length'),
      ).toBe(0);
      expect(
        await page.evaluate<string>('document.querySelector("[data-testid=export-csv]").href'),
      ).toContain('/api/v1/visits.csv');
      expect(await rawCodes(page)).toEqual([]);
      await page.screenshot(join(ARTIFACTS, `console-visits-${size}.png`));

      await page.goto(`${base}/app/#/stickers`);
      await page.waitFor('.sticker-sheet[data-estate=longgang] img', 15_000);
      await page.waitFor('.sticker-sheet[data-estate=lianhua] img.sticker-preview');
      // The preview is the API's own sheet, loaded with the session: it must really decode.
      const width = await page.evaluate<number>(
        `(async () => { const img = document.querySelector('.sticker-sheet[data-estate=lianhua] img'); img.loading = 'eager'; await img.decode(); return img.naturalWidth; })()`,
      );
      expect(width).toBeGreaterThan(100);
      expect(await page.text('.sticker-sheet[data-estate=lianhua] h2')).toContain('莲花花园');
      // One building's sheet: the preview and the PDF are that building's, and the URL keeps the choice.
      await page.select('.sticker-sheet[data-estate=lianhua] select', 'lianhua-b2');
      await page.waitFor('.sticker-sheet[data-estate=lianhua][data-building=lianhua-b2] img.sticker-preview');
      expect(await page.text('.sticker-sheet[data-estate=lianhua] h2')).toBe('莲花花园 · 2栋');
      expect(await page.evaluate<number>('document.querySelectorAll(".sticker-sheet").length')).toBe(1);
      expect(await page.evaluate<string>('document.querySelector(".sticker-choice select").value')).toBe(
        'lianhua',
      );
      const pdf = await page.evaluate<string>(
        'document.querySelector(".sticker-sheet[data-estate=lianhua] [data-testid=sticker-pdf]").href',
      );
      expect(pdf).toMatch(/\/api\/v1\/estates\/lianhua\/stickers\.pdf\?building=lianhua-b2$/);
      expect(await page.text('.sticker-sheet[data-estate=lianhua] [data-testid=sticker-pdf]')).toBe(
        '打开 PDF 打印',
      );
      expect(await page.evaluate<string>('location.hash')).toBe(
        '#/stickers?estate=lianhua&building=lianhua-b2',
      );
      const overflow = await page.evaluate<number>('document.documentElement.scrollWidth');
      expect(overflow).toBeLessThanOrEqual(viewport.width);
      expect(await rawCodes(page)).toEqual([]);
      await page.screenshot(join(ARTIFACTS, `console-stickers-${size}.png`));
    });
  }

  it('keeps the approval dates of the QR page spending list on one line at 360 px', async () => {
    const ledger = createFundLedger({ repository: storeOver(t.db).ledger });
    const firm = { username: 'pm-qr', role: 'property_manager', propertyFirmId: 'anju-pm', estateId: null };
    const manager = { ...firm, username: 'duty-anju' };
    const committee = {
      username: 'committee-lianhua',
      role: 'committee_member',
      propertyFirmId: null,
      estateId: 'lianhua',
    };
    const fund = await ledger.openFund(
      { actor: firm, idempotencyKey: 'qr-e2e-open' },
      { estateId: 'lianhua', name: '莲花花园电梯维修基金' },
    );
    const meta = (actor: typeof firm | typeof committee, key: string) => ({
      fundId: fund.id,
      actor,
      idempotencyKey: key,
    });
    await ledger.recordContribution(meta(firm, 'qr-e2e-contrib'), {
      period: new Date().toISOString().slice(0, 7),
      amountFen: 2_000_000,
    });
    const x = await ledger.propose(meta(firm, 'qr-e2e-propose'), {
      amountFen: 1_234_500,
      kind: 'repair',
      purpose: '更换2号楼1号梯门机皮带及门锁触点，检修层门联动装置',
      payee: '华夏电梯维保有限公司',
      elevatorId: 'lianhua-b2-e1',
      alertIds: ['alert-anju-2'],
      visitIds: ['visit-anju-1'],
      workOrder: 'WO-2025-0517',
    });
    await ledger.decide(meta(manager, 'qr-e2e-firm-ok'), { expenditureId: x.id, decision: 'approve' });
    await ledger.decide(meta(committee, 'qr-e2e-committee-ok'), { expenditureId: x.id, decision: 'approve' });
    await ledger.pay(meta(firm, 'qr-e2e-pay'), { expenditureId: x.id });

    const page = await browser.newPage(PHONE);
    await page.goto(`${base}/e/${await t.tokenOf('lianhua-b1-e1')}?lang=zh`);
    await page.waitFor('#fund li');
    // Every date (and "side date" pair) renders as one line box: no wrap inside it.
    const dates = await page.evaluate<{ text: string; lines: number }[]>(
      `[...document.querySelectorAll('#fund li .nw')].map((el) => ({ text: el.textContent, lines: new Set([...el.getClientRects()].map((r) => Math.round(r.top))).size }))`,
    );
    expect(dates.map((d) => d.text)).toEqual(
      expect.arrayContaining([
        expect.stringMatching(/^物业 \d{4}-\d{2}-\d{2}$/),
        expect.stringMatching(/^业委会 \d{4}-\d{2}-\d{2}$/),
        'WO-2025-0517',
      ]),
    );
    for (const d of dates) expect(d.lines, d.text).toBe(1);
    expect(await page.evaluate<number>('document.documentElement.scrollWidth')).toBeLessThanOrEqual(360);
    await page.screenshot(join(ARTIFACTS, 'resident-qr-spending-360.png'));
  });

  it('shows an admin the accounts with roles in words (and no Users entry for a duty officer)', async () => {
    const page = await browser.newPage(DESKTOP);
    await login(page, 'admin', '#/users');
    await page.waitFor('[data-testid=user-list] tr[data-user=duty-anju]', 15_000);
    const cells = await page.evaluate<string[]>(
      `[...document.querySelectorAll('[data-testid=user-list] tr[data-user=committee-lianhua] td')].map((td) => td.textContent)`,
    );
    expect(cells).toEqual(['莲花业委会', 'committee-lianhua', '业委会成员', '莲花花园']);
    await page.screenshot(join(ARTIFACTS, 'console-users.png'));
    const duty = await browser.newPage(PHONE);
    await login(duty, 'duty-anju');
    expect(
      await duty.evaluate<number>('document.querySelectorAll(\'header nav a[href="#/users"]\').length'),
    ).toBe(0);
  });
});
