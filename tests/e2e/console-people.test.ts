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
    await page.waitFor('form.login input[name=username]');
    await page.fill('input[name=username]', username);
    await page.fill('input[name=password]', TEST_PASSWORD);
    await page.click('form.login button[type=submit]');
    await page.waitFor('header nav a');
  }

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
        `[...document.querySelectorAll('[data-testid=alert-list] li')].map((li) => li.dataset.alertId).sort()`,
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
});
