/**
 * Double entry. Cash and expenses are debit-normal, income credit-normal; a transaction is
 * accepted only when its debits equal its credits, and the fund's accounts stay
 * non-negative on their normal side (cash above all: the fund cannot owe).
 */
import type { LedgerReads } from '../store/repositories/ledger.ts';
import { LedgerError } from './errors.ts';
import { assertFen } from './money.ts';
import type { Account, Posting } from './types.ts';

export function isDebitNormal(account: string): boolean {
  return account === 'cash' || account.startsWith('expense:');
}

export function debit(account: Account, amount: number): Posting {
  return { account, debit: amount, credit: 0 };
}

export function credit(account: Account, amount: number): Posting {
  return { account, debit: 0, credit: amount };
}

export function assertBalanced(postings: readonly Posting[]): void {
  if (postings.length < 2) throw new LedgerError('UNBALANCED', 'a transaction needs at least two postings');
  let debits = 0;
  let credits = 0;
  for (const p of postings) {
    if ((p.debit === 0) === (p.credit === 0))
      throw new LedgerError('UNBALANCED', 'each posting is either a debit or a credit');
    if (p.debit) debits += assertFen(p.debit, 'debit');
    if (p.credit) credits += assertFen(p.credit, 'credit');
  }
  if (debits !== credits) throw new LedgerError('UNBALANCED', `debits ${debits} ≠ credits ${credits}`);
}

/** Swapping sides undoes a transaction exactly. */
export function reversed(postings: readonly Posting[]): Posting[] {
  return postings.map((p) => ({ account: p.account, debit: p.credit, credit: p.debit }));
}

/** Balance of each account on its normal side. */
export async function accountBalances(reads: LedgerReads, fundId: string): Promise<Record<string, number>> {
  const out: Record<string, number> = {};
  for (const r of await reads.accountTotals(fundId))
    out[r.account] = isDebitNormal(r.account) ? r.debit - r.credit : r.credit - r.debit;
  return out;
}

/** After the postings are written, inside the same write transaction: throws to roll back. */
export async function assertNoNegative(reads: LedgerReads, fundId: string, touched: readonly Posting[]) {
  const balances = await accountBalances(reads, fundId);
  for (const p of touched) {
    const b = balances[p.account] ?? 0;
    if (b >= 0) continue;
    if (p.account === 'cash')
      throw new LedgerError('INSUFFICIENT_FUNDS', `the fund's cash would be ${b} fen; it cannot go negative`);
    throw new LedgerError('INVALID_STATE', `account ${p.account} would be negative (${b} fen)`);
  }
}
