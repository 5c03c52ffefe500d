/**
 * The operator's screens in a real Chromium at 1440×900 and on a 360×740 phone, against the
 * real API (the harness's store and lifecycle): the on-call screen (an estate's webhooks,
 * its roster in order with each person's channel, the escalation windows; a roster entry
 * added through the form), the audit log in words (the escalation sender's steps as
 * "系统"), and an escalated alert marked in the alert list. Every screen is asserted on the
 * Chinese a person reads and on the absence of raw codes (passenger_trapped, on_call.add,
 * duty:1, …). Screenshots go to tests/artifacts/.
 */
import { mkdir } from 'node:fs/promises';
import { createServer, type Server } from 'node:http';
import type { AddressInfo } from 'node:net';
import { join } from 'node:path';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import {
  listenOnFreePort,
  SAME_ORIGIN,
  startTestApi,
  TEST_PASSWORD,
  type TestApi,
} from '../helpers/api-harness.ts';
import { telemetrySample } from '../helpers/fixtures.ts';
import { launchBrowser, type TestBrowser, type TestPage } from './browser.ts';

const ARTIFACTS = join(import.meta.dirname, '..', 'artifacts');
const SIZES = [
  ['desktop', { width: 1440, height: 900 }],
  ['phone', { width: 360, height: 740, mobile: true }],
] as const;
const VISIBLE_TEXT = 'document.body.innerText';
/** A code such as passenger_trapped, on_call.add, alert.escalate or duty:1 leaking into the page. */
const RAW_CODE =
  /\b[a-z]+_[a-z_]+\b|\b(?:on_call|alert|webhook|fund|user|auth)\.[a-z_]+\b|\b(?:duty|manager):\d\b/g;

describe('on-call, webhooks and the audit log in the console', { timeout: 180_000 }, () => {
  let t: TestApi;
  let base: string;
  let browser: TestBrowser;
  let receiver: Server;
  let received = 0;

  beforeAll(async () => {
    await mkdir(ARTIFACTS, { recursive: true });
    receiver = createServer((req, res) => {
      req.resume();
      req.on('end', () => {
        received++;
        res.writeHead(200, { 'content-type': 'application/json' }).end('{"errcode":0}');
      });
    });
    await new Promise<void>((resolve) => receiver.listen(0, '127.0.0.1', resolve));
    const hookBase = `http://127.0.0.1:${(receiver.address() as AddressInfo).port}`;
    t = await startTestApi({
      config: { WEBHOOK_ALLOW_HOSTS: '127.0.0.1' },
      deps: { clock: () => Date.now(), escalations: { pollMs: 200 } },
    });
    t.clock.now = Date.now();
    for (const e of t.app.directory.elevators())
      t.store.applyTelemetry(e.id, telemetrySample({ ts: Date.now(), floor: 1 }), Date.now());
    // The estate's setup, as a manager would make it through the API.
    const writer = { cookie: await t.login('manager-anju'), origin: SAME_ORIGIN };
    const hook = await t.app.inject({
      method: 'POST',
      url: '/api/v1/estates/lianhua/webhooks',
      headers: writer,
      payload: { name: '莲花值班群', format: 'wecom', url: `${hookBase}/wecom?key=robot-token` },
    });
    expect(hook.statusCode).toBe(201);
    for (const payload of [
      { username: 'duty-anju', tier: 'duty', channel: 'webhook', webhook_id: hook.json().id },
      {
        username: 'manager-anju',
        tier: 'manager',
        channel: 'dingtalk',
        robot_url: `${hookBase}/ding?access_token=tok`,
      },
    ]) {
      const res = await t.app.inject({
        method: 'POST',
        url: '/api/v1/estates/lianhua/on-call',
        headers: writer,
        payload,
      });
      expect(res.statusCode).toBe(201);
    }
    // The seeded trapped passenger (two days old) escalates: the steps are taken and sent.
    expect((await t.lifecycle.checkEscalations()).length).toBeGreaterThan(0);
    const deadline = Date.now() + 30_000;
    while (received < 2 && Date.now() < deadline) await new Promise((r) => setTimeout(r, 50));
    expect(received).toBeGreaterThanOrEqual(2);
    base = await listenOnFreePort(t);
    browser = await launchBrowser();
    // Generous: the machine is shared by several sessions; the waits inside end on events.
  }, 180_000);

  afterAll(async () => {
    await browser?.close();
    await t?.close();
    await new Promise((r) => receiver?.close(r));
  });

  async function login(page: TestPage, username: string, hash: string): Promise<void> {
    await page.goto(`${base}/app/`);
    await page.evaluate('localStorage.setItem("lw.lang", "zh")');
    await page.goto('about:blank');
    await page.goto(`${base}/app/${hash}`);
    await page.waitFor('form.login input[name=username]', 15_000);
    await page.fill('input[name=username]', username);
    await page.fill('input[name=password]', TEST_PASSWORD);
    await page.click('form.login button[type=submit]');
    await page.waitFor('header nav a', 15_000);
  }
  const visible = (page: TestPage) => page.evaluate<string>(VISIBLE_TEXT);
  /** Codes a person could read now; a URL a manager typed (its `access_token=…`) is theirs, not ours. */
  const rawCodes = async (page: TestPage) =>
    (await visible(page)).replace(/https?:\/\/\S+/g, '').match(RAW_CODE) ?? [];

  for (const [size, viewport] of SIZES) {
    it(`shows the estate's webhooks, roster and windows in words (${size})`, async () => {
      const page = await browser.newPage(viewport);
      await login(page, 'duty-anju', '#/oncall?estate=lianhua');
      await page.waitFor('[data-testid=roster-list] tr[data-entry]', 15_000);
      await page.waitFor('[data-testid=webhook-list] [data-delivery-status]', 15_000);
      const text = await visible(page);
      for (const words of [
        '值班与通知',
        '通知渠道',
        '莲花值班群',
        '企业微信机器人',
        '值班表',
        '安居值班员',
        '安居物业经理',
        '钉钉机器人',
        '主管',
        '升级时限',
        '（默认）',
        '告警升级',
      ]) {
        expect(text, words).toContain(words);
      }
      // The robot's access token is never shown, only where it goes.
      expect(text).not.toContain('=tok');
      expect(await rawCodes(page)).toEqual([]);
      await page.screenshot(join(ARTIFACTS, `console-oncall-${size}.png`));
    });
  }

  it('adds a roster entry and sets the windows through the forms', async () => {
    const page = await browser.newPage(SIZES[0][1]);
    await login(page, 'manager-anju', '#/oncall?estate=lianhua');
    await page.waitFor('[data-testid=roster-form] select[name=username]', 15_000);
    await page.select('[data-testid=roster-form] select[name=username]', 'manager-anju');
    await page.select('[data-testid=roster-form] select[name=tier]', 'duty');
    await page.click('[data-testid=roster-form] button[type=submit]');
    const deadline = Date.now() + 15_000;
    while (
      (await page.evaluate<number>(
        `document.querySelectorAll('[data-testid=roster-list] tr[data-entry]').length`,
      )) < 3
    ) {
      if (Date.now() > deadline) throw new Error('the new roster entry did not appear');
      await page.waitFor('[data-testid=roster-list]', 1000);
    }
    const rows = await page.evaluate<string[]>(
      `[...document.querySelectorAll('[data-testid=roster-list] tr[data-entry]')].map((tr) => tr.innerText.replace(/\\s+/g, ' ').trim())`,
    );
    expect(rows[0]).toMatch(/^值班 1 安居值班员 企业微信机器人|^值班 1 安居值班员 小区通知渠道/);
    expect(rows[1]).toMatch(/^值班 2 安居物业经理/);
    expect(rows[2]).toMatch(/^主管 1 安居物业经理 钉钉机器人/);
    await page.fill('[data-testid=windows-form] input[name=ack]', '3');
    await page.click('[data-testid=windows-form] button[type=submit]');
    await page.waitFor('[data-testid=windows-message].form-done', 15_000);
    expect(await page.text('[data-testid=windows-message]')).toBe('已保存');
    const roster = (
      await t.app.inject({
        url: '/api/v1/estates/lianhua/on-call',
        headers: { cookie: await t.login('manager-anju') },
      })
    ).json();
    expect(roster.policy).toMatchObject({ ack_within_min: 3, arrive_within_min: 30, own: true });
    await page.screenshot(join(ARTIFACTS, 'console-oncall-added-desktop.png'));
  });

  for (const [size, viewport] of SIZES) {
    it(`reads the audit log in words, escalation steps included (${size})`, async () => {
      const page = await browser.newPage(viewport);
      await login(page, 'manager-anju', '#/audit');
      await page.waitFor('[data-testid=audit-list] tr[data-action="alert.escalate"]', 15_000);
      const text = await visible(page);
      for (const words of [
        '操作记录',
        '加入值班表',
        '新增通知渠道',
        '系统',
        '告警升级通知',
        '通知值班第 1 位',
        '安居值班员',
        '已送达',
        '莲花花园',
      ]) {
        expect(text, words).toContain(words);
      }
      expect(await rawCodes(page)).toEqual([]);
      await page.screenshot(join(ARTIFACTS, `console-audit-${size}.png`));
    });
  }

  it('marks the escalated alert in the alert list', async () => {
    const page = await browser.newPage(SIZES[1][1]);
    await login(page, 'duty-anju', '#/alerts');
    await page.waitFor(
      '[data-testid=alert-list] li[data-alert-id="alert-anju-1"] [data-testid=escalated]',
      15_000,
    );
    expect(
      await page.text('[data-testid=alert-list] li[data-alert-id="alert-anju-1"] [data-testid=escalated]'),
    ).toBe('已升级：超时未到场');
    await page.screenshot(join(ARTIFACTS, 'console-alert-escalated-phone.png'));
  });

  it('names firms and companies on the accounts screen, never their ids', async () => {
    const page = await browser.newPage(SIZES[0][1]);
    await login(page, 'admin', '#/users');
    await page.waitFor('[data-testid=user-list] tr[data-user=duty-anju]', 15_000);
    const scope = (user: string) =>
      page.evaluate<string>(
        `document.querySelector('[data-testid=user-list] tr[data-user=${user}] td:last-child').textContent`,
      );
    expect(await scope('duty-anju')).toBe('安居物业管理有限公司');
    expect(await scope('tech-wang')).toBe('华夏电梯维保有限公司');
    expect(await visible(page)).not.toMatch(/anju-pm|huaxia-lift/);
    await page.screenshot(join(ARTIFACTS, 'console-users-names-desktop.png'));
  });
});
