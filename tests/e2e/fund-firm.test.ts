/**
 * The property firm's side of the maintenance fund in a real Chromium against the real API
 * (buildApi on a temp SQLite registry, Debian's /usr/bin/chromium driven by playwright-core,
 * one browser context per person): the firm opens the estate's fund, proposes a repair
 * linked to one of the estate's alerts and visits with a quote uploaded through the files
 * route; the owners' committee and a second manager of the firm approve it in their own
 * contexts; the firm's first payment is refused by the API (the fund is empty) and the
 * message shows next to the form; the firm records a contribution and pays with a payment
 * reference and the paid invoice. The balance, the postings and the chain verification are
 * checked in the page and through the API. Screenshots go to tests/artifacts/fund-firm-*.png.
 */
import { createHash } from 'node:crypto';
import { mkdir } from 'node:fs/promises';
import { join } from 'node:path';
import { type Browser, type BrowserContext, chromium, type Page } from 'playwright-core';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import {
  ANJU_ELEVATOR,
  alertRow,
  listenOnFreePort,
  SAME_ORIGIN,
  startTestApi,
  TEST_PASSWORD,
  type TestApi,
} from '../helpers/api-harness.ts';
import { CHROMIUM, CHROMIUM_ARGS } from './browser.ts';

const ARTIFACTS = join(import.meta.dirname, '..', 'artifacts');
const DESKTOP = { width: 1280, height: 900 };
const PHONE = { width: 375, height: 667 };

/** Small but real files: the files route checks the first bytes against the type. */
const QUOTE_PDF = Buffer.from('%PDF-1.4\n% quote Q-0601: door belt 1850.00 CNY\n%%EOF\n');
const INVOICE_PNG = Buffer.concat([
  Buffer.from([0x89, 0x50, 0x4e, 0x47, 0x0d, 0x0a, 0x1a, 0x0a]),
  Buffer.from('invoice 44031234 paid'),
]);
const sha256 = (b: Buffer) => createHash('sha256').update(b).digest('hex');

interface ExpenditureJson {
  id: string;
  status: string;
  amountFen: number;
  kind: string;
  payee: string;
  proposedBy: string;
  elevatorId: string | null;
  links: { alertIds: string[]; visitIds: string[]; workOrder: string | null };
  missing: string[];
  paidTransactionId: string | null;
  approvals: { side: string; actor: string; decision: string; note: string }[];
  attachments: { id: string; kind: string; filename: string; sha256: string }[];
}

describe('the property firm’s fund screens in Chromium', () => {
  let t: TestApi;
  let base: string;
  let browser: Browser;
  const contexts: BrowserContext[] = [];

  beforeAll(async () => {
    await mkdir(ARTIFACTS, { recursive: true });
    // Real time: the browser's months and the ledger's periods must agree.
    t = await startTestApi({ deps: { clock: () => Date.now() } });
    base = await listenOnFreePort(t);
    // A second manager of 安居物业: four eyes on the firm's side (docs/ledger.md).
    const created = await t.app.inject({
      method: 'POST',
      url: '/api/v1/users',
      headers: { cookie: await t.login('admin'), origin: SAME_ORIGIN },
      payload: {
        username: 'pm-li',
        display_name: '李经理',
        role: 'property_manager',
        property_firm_id: 'anju-pm',
        password: TEST_PASSWORD,
      },
    });
    expect(created.statusCode).toBe(201);
    // Two critical alerts already resolved: one as a real fault (the emergency path may cite
    // it), one as a false alarm (it may not).
    await t.db
      .insertInto('alerts')
      .values(
        (['fault', 'false_alarm'] as const).map((resolution) =>
          alertRow({
            id: `alert-anju-${resolution}`,
            elevator_id: ANJU_ELEVATOR,
            estate_id: 'lianhua',
            state: 'resolved',
            resolved_by: 'duty-anju',
            resolved_at: Date.now() - 3_600_000,
            resolution,
          }),
        ),
      )
      .execute();
    browser = await chromium.launch({ executablePath: CHROMIUM, args: CHROMIUM_ARGS });
  });

  afterAll(async () => {
    for (const c of contexts) await c.close().catch(() => {});
    await browser?.close();
    await t?.close();
  });

  async function pageFor(
    username: string,
    options: { viewport?: typeof DESKTOP; locale?: string; mobile?: boolean } = {},
  ): Promise<Page> {
    const context = await browser.newContext({
      viewport: options.viewport ?? DESKTOP,
      locale: options.locale ?? 'zh-CN',
      isMobile: options.mobile ?? false,
    });
    contexts.push(context);
    const page = await context.newPage();
    await page.goto(`${base}/app/`);
    await page.fill('form.login input[name=username]', username);
    await page.fill('form.login input[name=password]', TEST_PASSWORD);
    await page.click('form.login button[type=submit]');
    await page.waitForSelector('header nav a');
    await page.goto(`${base}/app/#/fund`);
    return page;
  }

  /** A firm sees two estates: pick 莲花花园 (lianhua), whose committee takes part. */
  async function pickLianhua(page: Page): Promise<void> {
    const estate = page.locator('main label.field:has(> span:text-is("小区")) select');
    await estate.waitFor();
    await estate.selectOption('lianhua');
  }

  async function api<T>(username: string, url: string): Promise<T> {
    const res = await t.app.inject({ url: `/api/v1${url}`, headers: { cookie: await t.login(username) } });
    expect(res.statusCode, res.body).toBe(200);
    return res.json() as T;
  }

  async function note(page: Page, text: string): Promise<void> {
    await page.fill('dialog[open] textarea', text);
    await page.click('dialog[open] button[type=submit]');
    await page.waitForSelector('dialog[open]', { state: 'detached' });
  }

  it('proposes, gets both approvals, is refused payment while empty, then pays and verifies', {
    timeout: 180_000,
  }, async () => {
    const firm = await pageFor('duty-anju');
    await pickLianhua(firm);

    // No fund yet: the firm opens it.
    const openForm = firm.locator('[data-testid=open-fund-form]');
    await openForm.waitFor();
    expect(await openForm.locator('input[name=name]').inputValue()).toBe('莲花花园电梯维修基金');
    await firm.screenshot({ path: join(ARTIFACTS, 'fund-firm-open.png'), fullPage: true });
    await openForm.locator('button[type=submit]').click();
    await firm.waitForSelector('[data-testid=fund-balance]');
    const funds = await api<{ id: string; estateId: string; name: string }[]>('duty-anju', '/funds');
    expect(funds).toEqual([expect.objectContaining({ estateId: 'lianhua', name: '莲花花园电梯维修基金' })]);
    const fundId = funds[0]!.id;
    expect(await firm.textContent('[data-testid=fund-balance]')).toContain('0.00');
    await firm.waitForSelector('[data-testid=firm-proposals], .fund section .state-msg.empty');

    // The proposal form, opened and partly filled from the keyboard.
    const summary = firm.locator('[data-testid=new-proposal]');
    await summary.focus();
    await firm.keyboard.press('Enter');
    const form = firm.locator('[data-testid=propose-form]');
    await form.waitFor({ state: 'visible' });
    await form.locator('input[name=alert][value=alert-anju-2]').waitFor();
    // The emergency path offers the critical alerts still open or resolved as a real fault.
    const emergencyOptions = await form
      .locator('select[name=emergency] option')
      .evaluateAll((options) => options.map((o) => o.getAttribute('value')));
    expect(emergencyOptions.sort()).toEqual(['', 'alert-anju-1', 'alert-anju-fault']);
    await form.getByLabel('金额（元）').fill('1850.005');
    await form.getByLabel('供应商（收款方）').fill('华夏电梯维保有限公司');
    await form.getByLabel('用途').fill('更换2号楼1号梯门机皮带（门关不上）');
    await form.locator('button[type=submit]').click();
    // Three decimals never reach the API: the form says why, next to itself.
    await firm.waitForSelector('[data-testid=propose-message]:text("最多两位小数")');
    expect(await form.getByLabel('金额（元）').getAttribute('aria-invalid')).toBe('true');

    await form.getByLabel('金额（元）').fill('1,850.00');
    await form.getByLabel('支出类别').selectOption('repair');
    await form.getByLabel('电梯').selectOption('lianhua-b2-e1');
    await form.getByLabel('工单号').fill('WO-2025-0601');
    await form.locator('input[name=alert][value=alert-anju-2]').check();
    await form.locator('input[name=visit][value=visit-anju-1]').focus();
    await firm.keyboard.press('Space');
    expect(await form.locator('input[name=visit][value=visit-anju-1]').isChecked()).toBe(true);
    await form.getByLabel('文件类型').selectOption('quote');
    await form
      .locator('input[type=file]')
      .setInputFiles({ name: 'quote-Q-0601.pdf', mimeType: 'application/pdf', buffer: QUOTE_PDF });
    await firm.screenshot({ path: join(ARTIFACTS, 'fund-firm-propose.png'), fullPage: true });
    await form.locator('button[type=submit]').click();
    await firm.waitForSelector('[data-testid=propose-message].form-done');
    const card = firm.locator('[data-testid=firm-proposals] > li').first();
    await card.waitFor();
    const xid = (await card.getAttribute('data-proposal-id')) as string;
    expect(await card.getAttribute('data-status')).toBe('proposed');
    const waiting = await card.locator('[data-testid=status-lines]').textContent();
    expect(waiting).toContain('物业另一位经理审批');
    expect(waiting).toContain('业委会审批');
    // The proposer is not the firm's second pair of eyes.
    expect(await card.locator('button[data-action=approve]').count()).toBe(0);

    const proposed = await api<ExpenditureJson>('duty-anju', `/funds/${fundId}/expenditures/${xid}`);
    expect(proposed).toMatchObject({
      amountFen: 185_000,
      kind: 'repair',
      payee: '华夏电梯维保有限公司',
      proposedBy: 'duty-anju',
      elevatorId: 'lianhua-b2-e1',
      links: { alertIds: ['alert-anju-2'], visitIds: ['visit-anju-1'], workOrder: 'WO-2025-0601' },
      missing: ['firm_approval', 'committee_approval'],
    });
    expect(proposed.attachments).toEqual([
      expect.objectContaining({ kind: 'quote', filename: 'quote-Q-0601.pdf', sha256: sha256(QUOTE_PDF) }),
    ]);

    // The owners' committee, in its own browser context.
    const committee = await pageFor('committee-lianhua');
    const committeeCard = committee.locator(`li[data-proposal-id="${xid}"]`);
    await committeeCard.locator('button.primary').click();
    await note(committee, '同意，报价已核对');
    await committeeCard.locator('[data-testid=approvals] li').first().waitFor();
    await committeeCard.locator('button.primary').waitFor({ state: 'detached' });
    await committee.screenshot({ path: join(ARTIFACTS, 'fund-firm-committee.png'), fullPage: true });

    // The firm's second manager.
    const second = await pageFor('pm-li');
    await pickLianhua(second);
    const secondCard = second.locator(`li[data-proposal-id="${xid}"]`);
    await secondCard.locator('button[data-action=approve]').click();
    await note(second, '已核对工单');
    await second.locator(`li[data-proposal-id="${xid}"][data-status=approved]`).waitFor();

    const approved = await api<ExpenditureJson>('duty-anju', `/funds/${fundId}/expenditures/${xid}`);
    expect(approved.status).toBe('approved');
    expect(approved.approvals.map((a) => [a.side, a.actor, a.decision, a.note])).toEqual([
      ['committee', 'committee-lianhua', 'approve', '同意，报价已核对'],
      ['firm', 'pm-li', 'approve', '已核对工单'],
    ]);

    // Back to the proposer: approved, so the payment form is there.
    await firm.reload();
    await pickLianhua(firm);
    const payCard = firm.locator(`li[data-proposal-id="${xid}"][data-status=approved]`);
    await payCard.waitFor();
    expect(await payCard.locator('[data-testid=status-lines]').textContent()).toContain('双方均已批准');
    const payForm = payCard.locator('[data-testid=pay-form]');
    await payForm.getByLabel('付款凭证号').fill('BOC-20250601-0042');
    await payForm
      .locator('input[type=file]')
      .setInputFiles({ name: 'invoice-44031234.png', mimeType: 'image/png', buffer: INVOICE_PNG });
    await payForm.locator('button[type=submit]').click();
    // The fund is empty: the API refuses (409, INSUFFICIENT_FUNDS) and says so in Chinese next to the form.
    const refusal = payForm.locator('[data-testid=pay-message]');
    await refusal.filter({ hasText: '409' }).waitFor();
    expect(await refusal.textContent()).toContain('基金余额不足，无法支付');
    await firm.screenshot({ path: join(ARTIFACTS, 'fund-firm-pay-refused.png'), fullPage: true });
    const notPaid = await api<ExpenditureJson>('duty-anju', `/funds/${fundId}/expenditures/${xid}`);
    expect(notPaid.status).toBe('approved');
    expect(notPaid.attachments.map((a) => a.kind)).toEqual(['quote', 'invoice']);
    expect(await payForm.textContent()).toContain('已有发票');

    // What each month should bring in: ¥1.18/m² × 30,000 m² × 50 % = ¥17,700.
    await firm.click('summary:text("缴存规则")');
    const rule = firm.locator('[data-testid=rule-form]');
    await rule.getByLabel('物业费（元/㎡/月）').fill('1.18');
    await rule.getByLabel('计费面积（㎡）').fill('30000');
    await rule.getByLabel('计入基金比例（%）').fill('50');
    await rule.locator('button[type=submit]').click();
    await firm.waitForSelector('[data-testid=rule-message].form-done');
    await firm.waitForSelector('table[aria-label="缴存"] td:text("17,700.00")');

    // The month's contribution arrives; expected vs received is on the same screen.
    const contribution = firm.locator('[data-testid=contribution-form]');
    await contribution.getByLabel('实收金额（元）').fill('20000');
    await contribution.locator('button[type=submit]').click();
    await firm.waitForSelector('[data-testid=contribution-message].form-done');
    await firm.waitForSelector('[data-testid=fund-balance]:text("20,000.00")');
    await firm.waitForSelector('table[aria-label="缴存"] td:text("20,000.00")');
    const months = await api<{ period: string; actualFen: number }[]>(
      'duty-anju',
      `/funds/${fundId}/contributions`,
    );
    expect(months.filter((m) => m.actualFen > 0)).toEqual([
      expect.objectContaining({ expectedFen: 1_770_000, actualFen: 2_000_000, differenceFen: 230_000 }),
    ]);

    // The same form, sent again: the invoice is on file now, so only the payment goes.
    await payForm.locator('button[type=submit]').click();
    const paidCard = firm.locator(`li[data-proposal-id="${xid}"][data-status=paid]`);
    await paidCard.waitFor();
    expect(await paidCard.locator('[data-testid=status-lines]').textContent()).toContain('支付');
    await firm.waitForSelector('[data-testid=fund-balance]:text("18,150.00")');
    await firm.waitForSelector('table[aria-label="分录"] td:text("ref BOC-20250601-0042")');
    await firm.click('[data-testid=verify-chain]');
    await firm.waitForSelector('[data-testid=chain-result].chain-ok');

    // The same through the API.
    const balance = await api<{
      cashFen: number;
      accounts: Record<string, number>;
      head: { seq: number; hash: string };
    }>('duty-anju', `/funds/${fundId}`);
    expect(balance.cashFen).toBe(2_000_000 - 185_000);
    expect(balance.accounts['expense:repair']).toBe(185_000);
    expect(await firm.textContent('[data-testid=chain-result]')).toContain(balance.head.hash);
    const verified = await api<{ ok: boolean; head: { seq: number; hash: string } }>(
      'committee-lianhua',
      `/funds/${fundId}/verify?head=${balance.head.seq}:${balance.head.hash}`,
    );
    expect(verified).toMatchObject({ ok: true, head: balance.head });
    const paid = await api<ExpenditureJson>('committee-lianhua', `/funds/${fundId}/expenditures/${xid}`);
    expect(paid.status).toBe('paid');
    expect(paid.attachments.map((a) => [a.kind, a.sha256])).toEqual([
      ['quote', sha256(QUOTE_PDF)],
      ['invoice', sha256(INVOICE_PNG)],
    ]);
    const postings = await api<
      { transactionId: string; account: string; debitFen: number; creditFen: number; memo: string }[]
    >('committee-lianhua', `/funds/${fundId}/postings`);
    const payment = postings.filter((p) => p.transactionId === paid.paidTransactionId);
    expect(payment.map((p) => [p.account, p.debitFen, p.creditFen])).toEqual([
      ['expense:repair', 185_000, 0],
      ['cash', 0, 185_000],
    ]);
    expect(payment[0]!.memo).toContain('ref BOC-20250601-0042');
    const invoice = paid.attachments.find((a) => a.kind === 'invoice')!;
    const download = await t.app.inject({
      url: `/api/v1/funds/${fundId}/expenditures/${xid}/attachments/${invoice.id}`,
      headers: { cookie: await t.login('committee-lianhua') },
    });
    expect(download.rawPayload.equals(INVOICE_PNG)).toBe(true);

    await firm.screenshot({ path: join(ARTIFACTS, 'fund-firm.png'), fullPage: true });
  });

  // Uses the fund and the paid expenditure of the test above.
  it('fits a phone, in English, with the proposal form open', async () => {
    const page = await pageFor('duty-anju', { viewport: PHONE, locale: 'en-GB', mobile: true });
    const estate = page.locator('main label.field:has(> span:text-is("Estate")) select');
    await estate.selectOption('lianhua');
    await page.locator('[data-testid=firm-proposals] > li[data-status=paid]').waitFor();
    await page.click('[data-testid=new-proposal]');
    await page.locator('[data-testid=propose-form] input[name=alert]').first().waitFor();
    expect(await page.getByLabel('Amount (yuan)').isVisible()).toBe(true);
    expect(await page.locator('[data-testid=contribution-form] h3').textContent()).toBe(
      'Record a contribution received',
    );
    const width = await page.evaluate<number>('document.documentElement.scrollWidth');
    expect(width).toBeLessThanOrEqual(PHONE.width);
    await page.screenshot({ path: join(ARTIFACTS, 'fund-firm-phone-en.png'), fullPage: true });
    await page
      .locator('[data-testid=propose-form]')
      .screenshot({ path: join(ARTIFACTS, 'fund-firm-phone-form-en.png') });
  });
});
