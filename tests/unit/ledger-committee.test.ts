/**
 * What the owners' committee reads from the fund (issue 15): the monthly statement adds up
 * (opening + income by kind − spending by item = closing, summed here against the raw
 * postings), months before the contribution rule are not listed as ¥0, the CSV a committee
 * hands to owners (Chinese headers, yuan, Beijing time, proposals and decisions with names),
 * and an emergency proposal's real state once both sides approved. Real store: SQLite, or
 * PostgreSQL with LIFTWATCH_TEST_DATABASE=postgres.
 */
import { afterEach, beforeEach, describe, expect, it } from 'vitest';
import { buildExport, toCsv } from '../../ledger/export.ts';
import { createFundLedger, type FundLedger } from '../../ledger/ledger.ts';
import { memoText, periodBounds } from '../../ledger/money.ts';
import { monthlyStatement, statementFigures } from '../../ledger/statement.ts';
import type { Actor } from '../../ledger/types.ts';
import { memoWords } from '../../protocol/words.ts';
import type { RegistryDb } from '../../store/db.ts';
import type { PostingRow } from '../../store/repositories/ledger.ts';
import { storeOver } from '../../store/store.ts';
import { registryWithFleet, smallFleet } from '../helpers/fixtures.ts';
import { ACTORS, addAlert, manualClock, sequentialIds } from '../helpers/ledger-fixtures.ts';

let db: RegistryDb;
let cleanup: () => Promise<void>;
let ledger: FundLedger;
let clock: ReturnType<typeof manualClock>;
let fundId: string;
let keyN = 0;
const key = () => `c-${String(++keyN).padStart(8, '0')}`;
const as = (actor: Actor) => ({ fundId, actor, idempotencyKey: key() });
const NAMES: Record<string, string> = { 'pm-alice': '艾经理', 'pm-bob': '鲍经理', 'cm-carol': '蔡主任' };
const nameOf = (u: string) => NAMES[u] ?? u;
const proposal = { kind: 'repair' as const, payee: '华夏电梯', elevatorId: 't-e1' };

beforeEach(async () => {
  ({ db, cleanup } = await registryWithFleet(smallFleet(2)));
  clock = manualClock(); // 2025-03-03 12:00 Beijing
  ledger = createFundLedger({
    repository: storeOver(db).ledger,
    clock: clock.now,
    newId: sequentialIds(),
    config: { voteThresholdFen: 10_000_000 },
  });
  fundId = (
    await ledger.openFund(
      { actor: ACTORS.proposer, idempotencyKey: key() },
      { estateId: 'te', name: '测试基金' },
    )
  ).id;
});
afterEach(() => cleanup());

async function approveAndPay(amountFen: number, purpose: string, kind: 'repair' | 'parts' = 'repair') {
  const x = await ledger.propose(as(ACTORS.proposer), { ...proposal, kind, amountFen, purpose });
  await ledger.decide(as(ACTORS.manager), { expenditureId: x.id, decision: 'approve' });
  await ledger.decide(as(ACTORS.committee), { expenditureId: x.id, decision: 'approve', note: '报价合理' });
  return ledger.pay(as(ACTORS.proposer), { expenditureId: x.id });
}

/** Two months of books: contributions, interest, a reversed subsidy, paid and refused proposals. */
async function twoMonths() {
  await ledger.setContributionRule(as(ACTORS.proposer), {
    effectiveFrom: '2025-03',
    rateFenPerM2Month: 118,
    areaCentiM2: 1_234_567,
    shareBp: 2500,
  });
  await ledger.recordContribution(as(ACTORS.proposer), { period: '2025-03', amountFen: 5_000_000 });
  await ledger.recordOtherIncome(as(ACTORS.proposer), {
    source: 'interest',
    amountFen: 123,
    memo: '季度利息',
  });
  const subsidy = await ledger.recordOtherIncome(as(ACTORS.proposer), {
    source: 'subsidy',
    amountFen: 10_000,
    memo: '补贴',
  });
  await ledger.reverse(as(ACTORS.proposer), { transactionId: subsidy.id, reason: '重复入账' });
  await approveAndPay(80_000, '更换门锁');
  clock.set(Date.UTC(2025, 3, 10, 2, 0, 0)); // 2025-04-10 10:00 Beijing
  await ledger.recordContribution(as(ACTORS.proposer), { period: '2025-04', amountFen: 364_197 });
  const refused = await ledger.propose(as(ACTORS.proposer), {
    ...proposal,
    amountFen: 990_000,
    purpose: '更换主机',
  });
  await ledger.decide(as(ACTORS.committee), {
    expenditureId: refused.id,
    decision: 'refuse',
    note: '报价偏高，请重新询价',
  });
  const paid = await approveAndPay(30_000, '更换按钮', 'parts');
  return { refused, paid };
}

const cashOf = (rows: readonly PostingRow[]) =>
  rows.filter((r) => r.account === 'cash').reduce((s, r) => s + r.debitFen - r.creditFen, 0);

describe('default memos read in Chinese', () => {
  it('stores a contribution without a memo with a Chinese memo; an old English default reads in Chinese', async () => {
    await ledger.recordContribution(as(ACTORS.proposer), { period: '2025-03', amountFen: 5_000_000 });
    await ledger.recordContribution(as(ACTORS.proposer), {
      period: '2025-04',
      amountFen: 100,
      memo: '补缴',
    });
    const memos = (await ledger.postings(fundId)).filter((p) => p.account === 'cash').map((p) => p.memo);
    expect(memos).toEqual(['2025-03 业主分摊缴存', '补缴']);
    // Postings stored before the default was Chinese keep their bytes (the chain covers them);
    // the console's table and the exports show them in Chinese.
    const old = { kind: 'contribution', memo: 'Fee share 2024-11', period: '2024-11' };
    expect(memoWords(old)).toBe('2024-11 业主分摊缴存');
    expect(memoText(old)).toBe('2024-11 业主分摊缴存');
    // A memo someone typed is theirs, even if it looks like the default of another month.
    expect(memoWords({ ...old, memo: 'Fee share 2024-10' })).toBe('Fee share 2024-10');
    expect(memoWords({ ...old, kind: 'other_income' })).toBe('Fee share 2024-11');
  });
});

describe('the monthly statement adds up', () => {
  it('opening + income by kind − spending by item = closing, against the postings', async () => {
    await twoMonths();
    const reads = storeOver(db).ledger;
    for (const period of ['2025-03', '2025-04']) {
      const f = await statementFigures(reads, fundId, period, ledger.config);
      const { fromAt, toAt } = periodBounds(period, 480);
      const before = await ledger.postings(fundId, { toAt: fromAt });
      const upTo = await ledger.postings(fundId, { toAt });
      const during = await ledger.postings(fundId, { fromAt, toAt });
      expect(f.openingFen).toBe(cashOf(before));
      expect(f.closingFen).toBe(cashOf(upTo));
      expect(f.openingFen + f.incomeFen - f.spendingFen).toBe(f.closingFen);
      expect(f.income.reduce((s, l) => s + l.fen, 0)).toBe(f.incomeFen);
      expect(f.spending.reduce((s, l) => s + l.fen, 0)).toBe(f.spendingFen);
      // Each spending item is what its transaction put on the expense accounts.
      for (const s of f.spending) {
        const legs = during.filter(
          (p) => p.transactionId === s.transactionId && p.account.startsWith('expense:'),
        );
        expect(s.fen).toBe(legs.reduce((sum, p) => sum + p.debitFen - p.creditFen, 0));
      }
      // Every transaction of the month is in exactly one line.
      const txs = new Set(during.map((p) => p.transactionId));
      const counted = f.income.reduce((s, l) => s + l.count, 0) + f.spending.length;
      const reversals = new Set(during.filter((p) => p.reversesId).map((p) => p.transactionId));
      expect(counted + reversals.size).toBe(txs.size);
    }
    const march = await statementFigures(reads, fundId, '2025-03', ledger.config);
    expect(march.openingFen).toBe(0);
    expect(Object.fromEntries(march.income.map((l) => [l.kind, l.fen]))).toEqual({
      contribution: 5_000_000,
      interest: 123,
      subsidy: 0,
    });
    expect(march.spending.map((s) => [s.purpose, s.fen])).toEqual([['更换门锁', 80_000]]);
    expect(march.closingFen).toBe(5_000_000 + 123 - 80_000);
    const april = await statementFigures(reads, fundId, '2025-04', ledger.config);
    expect(april.openingFen).toBe(march.closingFen);
    expect(april.spending.map((s) => [s.purpose, s.kind, s.fen])).toEqual([['更换按钮', 'parts', 30_000]]);
  });

  it('prints the totals, the deciders by name and the two signature lines', async () => {
    await twoMonths();
    const html = await monthlyStatement(
      storeOver(db).ledger,
      fundId,
      '2025-03',
      ledger.config,
      clock.now(),
      nameOf,
    );
    expect(html).toContain('期初余额');
    expect(html).toMatch(/data-figure="opening">¥0\.00/);
    expect(html).toMatch(/data-figure="income">¥50,001\.23/);
    expect(html).toMatch(/data-figure="spending">¥800\.00/);
    expect(html).toMatch(/data-figure="closing">¥49,201\.23/);
    expect(html).toContain('业主分摊缴存');
    expect(html).toContain('利息收入');
    expect(html).toContain('业主委员会 蔡主任 同意：报价合理');
    expect(html).toContain('物业服务企业 鲍经理 同意');
    expect(html).toContain('物业服务企业（盖章）');
    expect(html).toContain('业主委员会（盖章）');
    expect(html).toContain('2025-03-03 12:00');
    expect(html).not.toMatch(/cm-carol|pm-bob|\brepair\b|contribution<|Fee share/);
  });
});

describe('contributions', () => {
  it('does not list months before the rule started as ¥0', async () => {
    await twoMonths();
    const months = await ledger.contributions(fundId, '2024-10', '2025-04');
    expect(months.map((m) => m.period)).toEqual(['2025-03', '2025-04']);
    expect(months[1]).toMatchObject({ expectedFen: 364_197, actualFen: 364_197, differenceFen: 0 });
  });
});

describe('the committee CSV', () => {
  it('has Chinese headers, yuan with 2 decimals, Beijing time, proposals and decisions by name', async () => {
    const { refused } = await twoMonths();
    const exp = await buildExport(storeOver(db).ledger, fundId, { utcOffsetMinutes: 480 });
    const csv = toCsv(exp, { expenditures: await ledger.expenditures(fundId), nameOf }, 480);
    expect(csv.charCodeAt(0)).toBe(0xfeff);
    expect(csv).toContain('序号,时间,交易编号,类型,科目,借方（元）,贷方（元）');
    expect(csv).toMatch(/,2025-03-03 12:00,[^,]+,缴存,资金账户,50000\.00,0\.00,2025-03,/);
    expect(csv).toContain('支出申请');
    expect(csv).toContain(`${refused.id},2025-04-10 10:00,艾经理,更换主机,华夏电梯,维修,9900.00,已拒绝,否,`);
    expect(csv).toContain(
      `${refused.id},更换主机,2025-04-10 10:00,业主委员会,蔡主任,拒绝,报价偏高，请重新询价,是`,
    );
    expect(csv).toContain('更换按钮');
    // No fen columns, no English codes, no logins.
    expect(csv).not.toMatch(/debit_fen|_fen|expense:|income:|pm-alice|cm-carol|\bcash\b/);
    // Times are local text, never epoch milliseconds.
    expect(csv).not.toContain(String(Date.UTC(2025, 2, 3, 4, 0, 0)));
  });

  it('keeps the whole history but a period export lists only that month’s proposals', async () => {
    const { paid, refused } = await twoMonths();
    const exp = await buildExport(storeOver(db).ledger, fundId, {
      utcOffsetMinutes: 480,
      period: { from: '2025-03', to: '2025-03' },
    });
    const csv = toCsv(exp, { expenditures: await ledger.expenditures(fundId), nameOf }, 480);
    expect(csv).toContain('更换门锁');
    expect(csv).not.toContain(refused.id);
    expect(csv).not.toContain(paid.expenditure.id);
  });
});

describe('an emergency proposal', () => {
  it('reads approved once both sides approved, before it is paid', async () => {
    await ledger.recordContribution(as(ACTORS.proposer), { period: '2025-03', amountFen: 5_000_000 });
    await addAlert(db, { id: 'al-sos', elevatorId: 't-e1', estateId: 'te', severity: 'critical' });
    const x = await ledger.propose(as(ACTORS.proposer), {
      ...proposal,
      amountFen: 50_000,
      purpose: '困人抢修',
      emergencyAlertId: 'al-sos',
    });
    expect(x.status).toBe('proposed');
    await ledger.decide(as(ACTORS.manager), { expenditureId: x.id, decision: 'approve' });
    expect((await ledger.expenditure(fundId, x.id)).status).toBe('proposed');
    const both = await ledger.decide(as(ACTORS.committee), { expenditureId: x.id, decision: 'approve' });
    expect(both).toMatchObject({ status: 'approved', missing: [], flags: [] });
    const { expenditure } = await ledger.pay(as(ACTORS.proposer), { expenditureId: x.id });
    // Approved before payment: nothing left to ratify.
    expect(expenditure).toMatchObject({ status: 'paid', flags: [] });
  });
});
