/**
 * Issue 15, the technician's phone, in a real Chromium (375×740, touch, location granted)
 * against the real API (buildApi, temp SQLite): tech-wang signs in and lands on 我的工单 (not
 * 加载失败), opens the car with an open trapped-passenger alarm, 签到 with the phone's location,
 * 到场, ticks checklist items and adds a photo; then the connection drops in the shaft, 签退 is
 * queued ("待同步 1 项"), the connection returns, the queue drains, and the server holds the
 * check-out exactly once (one record, one audit row, one message handed to the ingest). Then,
 * offline, a check-in at a second car is queued and the page reloaded: the service worker
 * answers the shell and the work page shows the queued action. Last, a technician who is not
 * signed in follows the sticker's "维保人员入口" link from the resident page, signs in and lands
 * on that car's check-in.
 * Driven with playwright-core directly: the offline switch, the file input and the confirm
 * dialog are beyond the suites' small page interface (browser.ts). Screenshots to tests/artifacts/.
 */
import { mkdir } from 'node:fs/promises';
import { join } from 'node:path';
import { deflateSync } from 'node:zlib';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import type { MaintenanceMessage } from '../../protocol/index.ts';
import { listenOnFreePort, startTestApi, TEST_PASSWORD, type TestApi } from '../helpers/api-harness.ts';
import { CHROMIUM, CHROMIUM_ARGS } from './browser.ts';

const ARTIFACTS = join(import.meta.dirname, '..', 'artifacts');
const PHONE = { width: 375, height: 740 };
/** 莲花花园 1栋1号梯: the harness seeds an open trapped-passenger alarm on it (alert-anju-1). */
const CAR = 'lianhua-b1-e1';
/** Checked in offline, then the page reloaded with no network (the service worker). */
const SECOND_CAR = 'lianhua-b2-e1';
/** Reached from its sticker's resident page by a technician who is not signed in. */
const STICKER_CAR = 'lianhua-b3-e1';
const WAIT = { timeout: 20_000 };

/** A small real PNG (solid colour), so the page's decode-and-shrink runs as on a phone. */
function png(width: number, height: number): Buffer {
  const crcTable = Array.from({ length: 256 }, (_, n) => {
    let c = n;
    for (let k = 0; k < 8; k++) c = c & 1 ? 0xedb88320 ^ (c >>> 1) : c >>> 1;
    return c >>> 0;
  });
  const crc = (buf: Buffer) => {
    let c = 0xffffffff;
    for (const byte of buf) c = crcTable[(c ^ byte) & 0xff]! ^ (c >>> 8);
    return (c ^ 0xffffffff) >>> 0;
  };
  const chunk = (type: string, data: Buffer) => {
    const body = Buffer.concat([Buffer.from(type, 'ascii'), data]);
    const out = Buffer.alloc(body.length + 8);
    out.writeUInt32BE(data.length, 0);
    body.copy(out, 4);
    out.writeUInt32BE(crc(body), body.length + 4);
    return out;
  };
  const header = Buffer.alloc(13);
  header.writeUInt32BE(width, 0);
  header.writeUInt32BE(height, 4);
  header.set([8, 2, 0, 0, 0], 8);
  const row = Buffer.concat([Buffer.from([0]), Buffer.alloc(width * 3, 0x80)]);
  const pixels = deflateSync(Buffer.concat(Array.from({ length: height }, () => row)));
  return Buffer.concat([
    Buffer.from([0x89, 0x50, 0x4e, 0x47, 0x0d, 0x0a, 0x1a, 0x0a]),
    chunk('IHDR', header),
    chunk('IDAT', pixels),
    chunk('IEND', Buffer.alloc(0)),
  ]);
}

// biome-ignore lint/suspicious/noExplicitAny: playwright-core is optional and untyped here.
type Any = any;

describe('the technician on a phone', () => {
  let t: TestApi;
  let base: string;
  let browser: Any;
  let context: Any;
  let page: Any;
  const claims: MaintenanceMessage[] = [];

  beforeAll(async () => {
    await mkdir(ARTIFACTS, { recursive: true });
    t = await startTestApi({
      deps: {
        clock: () => Date.now(),
        visitClaims: {
          async claim(_elevatorId, message) {
            claims.push(message);
          },
        },
      },
    });
    Object.defineProperty(t.clock, 'now', { get: () => Date.now(), set: () => {} });
    base = await listenOnFreePort(t);
    const pw: Any = await import('playwright-core' as string);
    browser = await pw.chromium.launch({ executablePath: CHROMIUM, args: CHROMIUM_ARGS });
    context = await browser.newContext({
      viewport: PHONE,
      isMobile: true,
      hasTouch: true,
      locale: 'zh-CN',
      geolocation: { latitude: 22.5431, longitude: 114.0579, accuracy: 15 },
      permissions: ['geolocation'],
    });
    page = await context.newPage();
    // 签退 asks for confirmation, as a person would answer it.
    page.on('dialog', (dialog: Any) => dialog.accept());
  }, 180_000);

  afterAll(async () => {
    await browser?.close();
    await t?.close();
  });

  const visitRow = () =>
    t.db.selectFrom('field_visits').selectAll().where('elevator_id', '=', CAR).executeTakeFirst();
  const syncState = () => page.textContent('[data-testid=sync-state]');
  // A selector, not a function: the console's CSP (script-src 'self') refuses evaluated strings.
  const synced = () => page.locator('[data-testid=sync-state]', { hasText: '已全部同步' }).waitFor(WAIT);

  it('signs in and lands on the work list, in Chinese', async () => {
    await page.goto(`${base}/app/`);
    await page.evaluate("localStorage.setItem('lw.lang', 'zh')");
    await page.goto(`${base}/app/`);
    await page.waitForSelector('form.login input[name=username]', WAIT);
    await page.fill('input[name=username]', 'tech-wang');
    await page.fill('input[name=password]', TEST_PASSWORD);
    await page.click('form.login button[type=submit]');
    await page.waitForSelector('[data-testid=work-orders]', WAIT);
    const text: string = await page.textContent('main');
    expect(text).toContain('我的工单');
    expect(text).toContain('告警：困人');
    expect(text).toContain('住户报修：');
    expect(text).not.toContain('加载失败');
    expect(text).not.toMatch(/passenger_trapped|half_monthly|received/);
    expect(await page.textContent('header nav')).toBe('我的工单');
    await page.screenshot({ path: join(ARTIFACTS, 'technician-work-375.png'), fullPage: true });
  });

  it('scans the car, checks in with the location, stamps 到场, ticks items and adds a photo', async () => {
    // What the phone's scanner read from the sticker in the car: its resident-page link.
    await page.fill('form.work-scan input', `https://lift.example.cn/e/${await t.tokenOf(CAR)}`);
    await page.click('form.work-scan button[type=submit]');
    await page.waitForSelector('button:has-text("签到")', WAIT);
    await page.click('button:has-text("签到")');
    await page.waitForSelector('[data-testid=checked-in]', WAIT);
    expect(await page.textContent('[data-testid=checked-in]')).toContain('半月');
    await synced();
    const checkedIn = await visitRow();
    expect(checkedIn).toMatchObject({
      technician: 'tech-wang',
      kind: 'half_monthly',
      method: 'qr',
      lat: 22.5431,
      lon: 114.0579,
    });

    await page.click('button:has-text("到场")');
    await page.waitForSelector('text=已到场', WAIT);
    await synced();
    const alert = await t.db
      .selectFrom('alerts')
      .selectAll()
      .where('id', '=', 'alert-anju-1')
      .executeTakeFirstOrThrow();
    expect(alert.arrived_by).toBe('tech-wang');

    for (const item of ['1. 机房、滑轮间环境', '12. 轿顶检修开关、停止装置', '31. 底坑停止装置'])
      await page.click(`label.work-item:has-text("${item}") input`);
    await page.waitForSelector('legend:has-text("维保项目（3/31）")', WAIT);
    await page.selectOption('select[aria-label="照片对应项目"]', '31');
    // The page is drawn again whenever the queue syncs or the network comes and goes; the
    // chosen item must survive that (it once reset to 无, filing the photo under no item).
    await page.evaluate("window.dispatchEvent(new Event('online'))");
    expect(await page.inputValue('select[aria-label="照片对应项目"]')).toBe('31');
    await page.setInputFiles('[data-testid=photo-input]', {
      name: 'pit.png',
      mimeType: 'image/png',
      buffer: png(64, 48),
    });
    await page.waitForSelector('text=已拍 1 张', WAIT);
    await synced();
    const row = await visitRow();
    expect(JSON.parse(row!.items_json)).toEqual([1, 12, 31]);
    const photos = await t.db.selectFrom('field_visit_photos').select(['item', 'media_type']).execute();
    expect(photos).toEqual([{ item: 31, media_type: 'image/jpeg' }]);
    await page.screenshot({ path: join(ARTIFACTS, 'technician-visit-375.png'), fullPage: true });
  });

  it('checks out offline, shows 待同步 1 项, and the server has the check-out once after reconnecting', async () => {
    // The service worker took the page before the network goes: cut off while it was still
    // caching the shell, its install fails and the phone has no offline copy until its next
    // load online (seen once under a loaded CI run, as the next case's 20 s wait for it).
    await page.waitForSelector('html[data-offline-ready]', WAIT);
    await context.setOffline(true);
    await page.click('button:has-text("签退")');
    await page.waitForSelector('[data-testid=checked-out]', WAIT);
    expect(await syncState()).toBe('待同步 1 项');
    expect(await page.textContent('main')).toContain('当前离线');
    expect((await visitRow())!.check_out_at).toBeNull();
    await page.screenshot({ path: join(ARTIFACTS, 'technician-offline-375.png'), fullPage: true });

    await context.setOffline(false);
    await synced();
    const row = await visitRow();
    expect(row!.check_out_at).not.toBeNull();
    expect(row!.check_out_at!).toBeGreaterThanOrEqual(row!.check_in_at);
    const outs = claims.filter((c) => c.action === 'check_out');
    expect(outs).toHaveLength(1);
    expect(outs[0]).toMatchObject({ visit_id: row!.id, items: [1, 12, 31], technician_id: 'tech-wang' });
    const audited = await t.db
      .selectFrom('audit_log')
      .select('action')
      .where('action', '=', 'field_visit.check_out')
      .execute();
    expect(audited).toHaveLength(1);
    expect(await t.db.selectFrom('field_visits').select('id').execute()).toHaveLength(1);
    await page.screenshot({ path: join(ARTIFACTS, 'technician-synced-375.png'), fullPage: true });
  });

  it('reloads #/work with no network from the service worker, the queued check-in counted', async () => {
    await page.goto(`${base}/app/#/work`);
    await page.waitForSelector('[data-testid=work-lifts]', WAIT);
    // The service worker controls the page (it claims it once this build's shell is cached).
    await page.waitForSelector('html[data-offline-ready]', WAIT);
    await context.setOffline(true);
    await page.goto(`${base}/app/#/work/${SECOND_CAR}`);
    await page.click('button:has-text("签到")');
    await page.waitForSelector('[data-testid=checked-in]', WAIT);
    expect(await syncState()).toBe('待同步 1 项');

    const reloaded = await page.reload();
    // Answered by the worker from the cached shell, not by the server (the phone is offline).
    expect(reloaded.fromServiceWorker()).toBe(true);
    await page.waitForSelector('[data-testid=sync-state]', WAIT);
    expect(await syncState()).toBe('待同步 1 项');
    expect(await page.textContent('main')).toContain('当前离线');
    expect(await page.textContent('header nav')).toBe('我的工单');
    await page.screenshot({ path: join(ARTIFACTS, 'technician-offline-reload-375.png'), fullPage: true });

    await context.setOffline(false);
    await synced();
    const row = await t.db
      .selectFrom('field_visits')
      .selectAll()
      .where('elevator_id', '=', SECOND_CAR)
      .executeTakeFirstOrThrow();
    expect(row.technician).toBe('tech-wang');
    expect(claims.filter((c) => c.visit_id === row.id).map((c) => c.action)).toEqual(['check_in']);
  });

  it("goes from the sticker's resident page to the car's check-in, signing in on the way", async () => {
    const fresh = await browser.newContext({
      viewport: PHONE,
      isMobile: true,
      hasTouch: true,
      locale: 'zh-CN',
    });
    try {
      const phone = await fresh.newPage();
      await phone.goto(`${base}/e/${await t.tokenOf(STICKER_CAR)}`);
      await phone.click('a:has-text("维保人员入口")');
      await phone.waitForSelector('form.login input[name=username]', WAIT);
      await phone.fill('input[name=username]', 'tech-wang');
      await phone.fill('input[name=password]', TEST_PASSWORD);
      await phone.click('form.login button[type=submit]');
      await phone.waitForSelector('button:has-text("签到")', WAIT);
      expect(new URL(phone.url()).hash).toBe(`#/work/${STICKER_CAR}`);
      expect(await phone.textContent('main')).toContain('莲花花园');
      await phone.screenshot({ path: join(ARTIFACTS, 'technician-from-sticker-375.png'), fullPage: true });
    } finally {
      await fresh.close();
    }
  });
});
