/** Read side: balance, postings by period, and expected vs actual monthly contributions. */
import { type Kysely, sql } from 'kysely';
import type { Database } from '../store/schema.ts';
import { accountBalances } from './accounts.ts';
import { chainHead } from './chain.ts';
import { expectedContribution, nextPeriod } from './money.ts';
import type { Balance, ContributionRule } from './types.ts';

export async function fundBalance(db: Kysely<Database>, fundId: string): Promise<Balance> {
  const [accounts, head] = await Promise.all([accountBalances(db, fundId), chainHead(db, fundId)]);
  return { fundId, cashFen: accounts.cash ?? 0, accounts, head };
}

export interface PostingRow {
  seq: number;
  at: number;
  transactionId: string;
  kind: string;
  memo: string;
  period: string | null;
  expenditureId: string | null;
  reversesId: string | null;
  account: string;
  debitFen: number;
  creditFen: number;
  hash: string;
}

/** Postings of transactions with `at` in [fromAt, toAt), with their chain entry's hash. */
export async function listPostings(
  db: Kysely<Database>,
  fundId: string,
  range: { fromAt?: number; toAt?: number } = {},
): Promise<PostingRow[]> {
  let q = db
    .selectFrom('ledger_postings as p')
    .innerJoin('ledger_transactions as t', 't.id', 'p.transaction_id')
    .innerJoin('ledger_chain as c', (j) =>
      j.onRef('c.fund_id', '=', 't.fund_id').onRef('c.seq', '=', 't.seq'),
    )
    .select([
      't.seq',
      't.at',
      't.id as transactionId',
      't.kind',
      't.memo',
      't.period',
      't.expenditure_id as expenditureId',
      't.reverses_id as reversesId',
      'p.account',
      'p.debit_fen as debitFen',
      'p.credit_fen as creditFen',
      'c.hash',
    ])
    .where('t.fund_id', '=', fundId);
  if (range.fromAt !== undefined) q = q.where('t.at', '>=', range.fromAt);
  if (range.toAt !== undefined) q = q.where('t.at', '<', range.toAt);
  return q.orderBy('t.seq').orderBy('p.id').execute();
}

export async function contributionRules(db: Kysely<Database>, fundId: string): Promise<ContributionRule[]> {
  const rows = await db
    .selectFrom('ledger_contribution_rules')
    .selectAll()
    .where('fund_id', '=', fundId)
    .orderBy('effective_from')
    .orderBy('at')
    .execute();
  return rows.map((r) => ({
    id: r.id,
    fundId: r.fund_id,
    effectiveFrom: r.effective_from,
    rateFenPerM2Month: r.rate_fen_per_m2_month,
    areaCentiM2: r.area_centi_m2,
    shareBp: r.share_bp,
  }));
}

export interface ContributionMonth {
  period: string;
  expectedFen: number;
  actualFen: number;
  /** Actual minus expected: negative means the firm paid in less than the rule says. */
  differenceFen: number;
}

/** Months from..to inclusive; actual is net of reversals of that month's contributions. */
export async function contributionReport(
  db: Kysely<Database>,
  fundId: string,
  from: string,
  to: string,
): Promise<ContributionMonth[]> {
  const rules = await contributionRules(db, fundId);
  const actualRows = await db
    .selectFrom('ledger_postings as p')
    .innerJoin('ledger_transactions as t', 't.id', 'p.transaction_id')
    .select(['t.period', sql<number>`sum(p.credit_fen) - sum(p.debit_fen)`.as('net')])
    .where('t.fund_id', '=', fundId)
    .where('p.account', '=', 'income:fee_share')
    .where('t.period', '>=', from)
    .where('t.period', '<=', to)
    .groupBy('t.period')
    .execute();
  const actual = new Map(actualRows.map((r) => [r.period, r.net]));
  const months: ContributionMonth[] = [];
  for (let p = from; p <= to && months.length < 1200; p = nextPeriod(p)) {
    // Later rules win for the months they cover; rules are sorted by effective_from, then time set.
    const rule = rules.filter((r) => r.effectiveFrom <= p).at(-1);
    const expectedFen = rule
      ? expectedContribution(rule.rateFenPerM2Month, rule.areaCentiM2, rule.shareBp)
      : 0;
    const actualFen = actual.get(p) ?? 0;
    months.push({ period: p, expectedFen, actualFen, differenceFen: actualFen - expectedFen });
  }
  return months;
}
