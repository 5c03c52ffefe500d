/**
 * The residents' fund disclosure on the QR page, through the real API: balance, recent
 * contributions (expected vs received), paid expenditures with approvals and linked work,
 * the chain head; Chinese and English; under 30 KB with many expenditures; refreshed when
 * the ledger changes (a write through the fund routes), and read from memory otherwise.
 */
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { FundDisclosureCache } from '../../api/resident/fund-disclosure.ts';
import { createFundLedger, type FundLedger } from '../../ledger/ledger.ts';
import { type Actor, DEFAULT_LEDGER_CONFIG } from '../../ledger/types.ts';
import { storeOver } from '../../store/store.ts';
import { ANJU_ELEVATOR, NOW, SAME_ORIGIN, startTestApi, type TestApi } from '../helpers/api-harness.ts';

let api: TestApi;
let token: string;
let ledger: FundLedger;
let fundId: string;
const firm: Actor = {
  username: 'pm-proposer',
  role: 'property_manager',
  propertyFirmId: 'anju-pm',
  estateId: null,
};
const manager = { ...firm, username: 'duty-anju' };
const committee: Actor = {
  username: 'committee-lianhua',
  role: 'committee_member',
  propertyFirmId: null,
  estateId: 'lianhua',
};
let n = 0;
const key = () => `disclosure-key-${++n}`;

async function payOne(
  amountFen: number,
  purpose: string,
  links: { alertIds?: string[]; visitIds?: string[]; workOrder?: string } = {},
) {
  const meta = (actor: Actor) => ({ fundId, actor, idempotencyKey: key() });
  const x = await ledger.propose(meta(firm), {
    amountFen,
    kind: 'repair',
    purpose,
    payee: '华夏电梯',
    ...links,
  });
  await ledger.attach(meta(firm), {
    expenditureId: x.id,
    kind: 'invoice',
    filename: 'invoice.pdf',
    mediaType: 'application/pdf',
    content: Buffer.from(`%PDF-1.4 ${purpose}`),
  });
  await ledger.decide(meta(manager), { expenditureId: x.id, decision: 'approve' });
  await ledger.decide(meta(committee), { expenditureId: x.id, decision: 'approve', note: '同意' });
  return ledger.pay(meta(firm), { expenditureId: x.id });
}

beforeAll(async () => {
  api = await startTestApi();
  token = await api.tokenOf(ANJU_ELEVATOR);
  ledger = createFundLedger({ repository: storeOver(api.db).ledger, clock: () => api.clock.now });
  const fund = await ledger.openFund(
    { actor: firm, idempotencyKey: key() },
    { estateId: 'lianhua', name: '莲花花园电梯维修基金' },
  );
  fundId = fund.id;
  const meta = () => ({ fundId, actor: firm, idempotencyKey: key() });
  await ledger.setContributionRule(meta(), {
    effectiveFrom: '2025-01',
    rateFenPerM2Month: 118,
    areaCentiM2: 1_000_000,
    shareBp: 5000,
  });
  await ledger.recordContribution(meta(), { period: '2025-04', amountFen: 590_000 });
  await ledger.recordContribution(meta(), { period: '2025-05', amountFen: 400_000 });
  await payOne(123_456, '更换门机皮带', {
    alertIds: ['alert-anju-2'],
    visitIds: ['visit-anju-1'],
    workOrder: 'WO-0517',
  });
});
afterAll(() => api.close());

const page = (lang: 'zh' | 'en') => api.app.inject({ url: `/e/${token}?lang=${lang}` });

describe('fund disclosure on the QR page', () => {
  it('shows balance, contributions, the paid expenditure and the chain head in Chinese', async () => {
    const res = await page('zh');
    const head = await ledger.head(fundId);
    expect(res.body).toContain('电梯维修基金公示');
    expect(res.body).toContain('¥8,665.44'); // 990,000 − 123,456 fen, thousands grouped
    // The month in progress (the clock says 2025-05-20) is not "short" before it ends; a past one is.
    expect(res.body).toContain('2025-05</span></td><td>¥5,900.00</td><td>¥4,000.00 (本月未结束)');
    expect(res.body).toContain('2025-03</span></td><td>¥5,900.00</td><td class="bad">¥0.00 (少缴)');
    expect(res.body).toContain('2025-04</span></td><td>¥5,900.00</td><td class="good">¥5,900.00</td>');
    expect(res.body).not.toContain('2024-12'); // before the rule began: nothing was due
    expect(res.body).toContain('<b>¥1,234.56</b> · <span class="nw">2025-05-20</span>'); // dates never wrap
    expect(res.body).toContain('更换门机皮带');
    // Each side with its date is one unbreakable span (a 360 px phone wraps between them only).
    expect(res.body).toContain(
      '<span class="nw">物业 2025-05-20</span>, <span class="nw">业委会 2025-05-20</span>',
    );
    expect(res.body).toContain('关门故障');
    expect(res.body).toContain('工单 <span class="nw">WO-0517</span>');
    expect(res.body).toContain(`#${head.seq} ${head.hash.slice(0, 16)}`);
    expect(res.body).not.toContain('pm-proposer'); // no account names on a public page
    expect(Buffer.byteLength(res.body)).toBeLessThan(30 * 1024);
  });

  it('shows the same in English', async () => {
    const res = await page('en');
    expect(res.body).toContain('Lift maintenance fund');
    expect(res.body).toContain(
      'Approved by: <span class="nw">property firm 2025-05-20</span>, <span class="nw">owners&#39; committee 2025-05-20</span>',
    );
    expect(res.body).toContain('Door close fault');
    expect(res.body).toContain('Ledger chain head');
    expect(res.body).toContain('(short)');
    expect(res.body).toContain('(month not over)');
  });

  it('refreshes when the ledger changes through the API', async () => {
    const before = await page('en');
    const again = await page('en');
    expect(again.body).toBe(before.body);
    const res = await api.app.inject({
      method: 'POST',
      url: `/api/v1/funds/${fundId}/income`,
      headers: {
        cookie: await api.login('duty-anju'),
        origin: SAME_ORIGIN,
        'idempotency-key': 'disclosure-income-1',
      },
      payload: { source: 'interest', amountFen: 10_000, memo: '利息' },
    });
    expect(res.statusCode).toBe(200);
    const after = await page('en');
    expect(after.body).toContain('¥8,765.44');
    const head = await ledger.head(fundId);
    expect(after.body).toContain(`#${head.seq} ${head.hash.slice(0, 16)}`);
  });

  it('stays under 30 KB in both languages with many expenditures and an emergency flag', async () => {
    api.clock.now = NOW + 3_600_000;
    await ledger.recordContribution(
      { fundId, actor: firm, idempotencyKey: key() },
      { period: '2025-05', amountFen: 9_000_000 },
    );
    for (let i = 0; i < 40; i++)
      await payOne(10_000 + i, `第${i}次：更换对重导靴、门锁触点与轿厢照明，附现场照片与检验记录`);
    api.clock.now += 60_000; // paid after the others, so it is among the itemised newest
    const sos = await ledger.propose(
      { fundId, actor: firm, idempotencyKey: key() },
      {
        amountFen: 5_000,
        kind: 'repair',
        purpose: '困人抢修',
        payee: '华夏电梯',
        emergencyAlertId: 'alert-anju-1',
      },
    );
    await ledger.pay({ fundId, actor: firm, idempotencyKey: key() }, { expenditureId: sos.id });
    for (const lang of ['zh', 'en'] as const) {
      const res = await page(lang);
      expect(Buffer.byteLength(res.body), lang).toBeLessThan(30 * 1024);
      expect(res.body).toContain(lang === 'zh' ? '另有 30 笔较早的支出' : '30 earlier expenditures');
      expect(res.body).toContain(lang === 'zh' ? '待业委会追认' : 'awaiting committee ratification');
    }
  });

  it('lists every paid expenditure on the fund page, 30 a page, linked from the QR page', async () => {
    const qr = await page('en');
    expect(qr.body).toContain(`/e/${token}/fund?lang=en`);
    const purposes = new Set<string>();
    let pages = 0;
    for (let p = 1; p <= 3; p++) {
      const res = await api.app.inject({ url: `/e/${token}/fund?lang=zh&page=${p}` });
      expect(res.statusCode).toBe(200);
      pages += 1;
      for (const m of res.body.matchAll(/<br>([^<]+?) → /g)) purposes.add(m[1]!);
      if (!res.body.includes('较早</a>')) break;
    }
    // 1 + 40 + 1 emergency payment made above: all 42 named, none twice, over two pages.
    expect(pages).toBe(2);
    expect(purposes.size).toBe(42);
    expect(purposes.has('更换门机皮带')).toBe(true);
    const missing = await api.app.inject({ url: '/e/no-such-token/fund' });
    expect(missing.statusCode).toBe(404);
    const bad = await api.app.inject({ url: `/e/${token}/fund?page=zero` });
    expect(bad.statusCode).toBe(400);
  });

  it('answers repeat hits from memory: no ledger query until a change is announced', async () => {
    let queries = 0;
    const counted = api.db.withPlugin({
      transformQuery: (args) => {
        queries++;
        return args.node;
      },
      transformResult: async (args) => args.result,
    });
    const cache = new FundDisclosureCache({
      repository: storeOver(counted).ledger,
      config: DEFAULT_LEDGER_CONFIG,
      clock: () => api.clock.now,
    });
    const first = await cache.load('lianhua', 'lianhua-b1');
    expect(first?.paid.length).toBe(42);
    const loaded = queries;
    for (let i = 0; i < 100; i++) expect(cache.peek('lianhua', 'lianhua-b1')).toBe(first);
    expect(queries).toBe(loaded);
    cache.invalidate('lianhua');
    expect(cache.peek('lianhua', 'lianhua-b1')).toBeUndefined();
    expect((await cache.load('lianhua', 'lianhua-b1'))?.version).toBeGreaterThan(first?.version ?? 0);
    cache.stop();
  });
});
