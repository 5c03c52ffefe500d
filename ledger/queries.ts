/** Read side: balance, postings by period, and expected vs actual monthly contributions. */
import type { LedgerReads, PostingRow } from '../store/repositories/ledger.ts';
import { accountBalances } from './accounts.ts';
import { chainHead } from './chain.ts';
import { expectedContribution, nextPeriod } from './money.ts';
import type { Balance, ContributionRule } from './types.ts';

export type { PostingRow } from '../store/repositories/ledger.ts';

export async function fundBalance(reads: LedgerReads, fundId: string): Promise<Balance> {
  const [accounts, head] = await Promise.all([accountBalances(reads, fundId), chainHead(reads, fundId)]);
  return { fundId, cashFen: accounts.cash ?? 0, accounts, head };
}

/** Postings of transactions with `at` in [fromAt, toAt), with their chain entry's hash. */
export function listPostings(
  reads: LedgerReads,
  fundId: string,
  range: { fromAt?: number; toAt?: number } = {},
): Promise<PostingRow[]> {
  return reads.postings(fundId, range);
}

export function contributionRules(reads: LedgerReads, fundId: string): Promise<ContributionRule[]> {
  return reads.contributionRules(fundId);
}

export interface ContributionMonth {
  period: string;
  expectedFen: number;
  actualFen: number;
  /** Actual minus expected: negative means the firm paid in less than the rule says. */
  differenceFen: number;
}

/**
 * Months from..to inclusive; actual is net of reversals of that month's contributions.
 * Months before the first rule took effect are left out unless something was received.
 */
export async function contributionReport(
  reads: LedgerReads,
  fundId: string,
  from: string,
  to: string,
): Promise<ContributionMonth[]> {
  const rules = await contributionRules(reads, fundId);
  const actualRows = await reads.contributionsByPeriod(fundId, from, to);
  const actual = new Map(actualRows.map((r) => [r.period, r.net]));
  const months: ContributionMonth[] = [];
  for (let p = from; p <= to && months.length < 1200; p = nextPeriod(p)) {
    // Later rules win for the months they cover; rules are sorted by effective_from, then time set.
    const rule = rules.filter((r) => r.effectiveFrom <= p).at(-1);
    const expectedFen = rule
      ? expectedContribution(rule.rateFenPerM2Month, rule.areaCentiM2, rule.shareBp)
      : 0;
    const actualFen = actual.get(p) ?? 0;
    // A month before any rule, with nothing paid in, is not a ¥0 month: it is not listed.
    if (!rule && actualFen === 0) continue;
    months.push({ period: p, expectedFen, actualFen, differenceFen: actualFen - expectedFen });
  }
  return months;
}
