/**
 * Money movements: contributions, other income, payments and reversals. Each one is an
 * immutable transaction of balanced postings, linked into the chain in the same write
 * transaction. A mistake is undone by a reversal naming the original, never by an edit.
 */

import { defaultContributionMemo } from '../protocol/words.ts';
import type { LedgerReads } from '../store/repositories/ledger.ts';
import { assertBalanced, assertNoNegative, credit, debit, reversed } from './accounts.ts';
import { requireOperator } from './authority.ts';
import { appendEntry } from './chain.ts';
import { LedgerError } from './errors.ts';
import { assertFen, assertPeriod } from './money.ts';
import { requireText, type WriteContext } from './store.ts';
import {
  INCOME_SOURCES,
  type IncomeSource,
  type LedgerTransaction,
  type Posting,
  type TransactionKind,
} from './types.ts';

interface NewTransaction {
  kind: TransactionKind;
  memo: string;
  postings: Posting[];
  period?: string | null;
  source?: IncomeSource | null;
  expenditureId?: string | null;
  reversesId?: string | null;
}

/** Writes the transaction, its postings and its chain entry; refuses a negative balance. */
export async function postTransaction(ctx: WriteContext, spec: NewTransaction): Promise<LedgerTransaction> {
  assertBalanced(spec.postings);
  const id = ctx.newId();
  const body = {
    id,
    fundId: ctx.fund.id,
    kind: spec.kind,
    memo: spec.memo,
    period: spec.period ?? null,
    source: spec.source ?? null,
    expenditureId: spec.expenditureId ?? null,
    reversesId: spec.reversesId ?? null,
    createdBy: ctx.actor.username,
    at: ctx.at,
    postings: spec.postings,
  };
  const entry = await appendEntry(ctx.tx, ctx.fund.id, 'transaction', ctx.at, body);
  const tx: LedgerTransaction = { ...body, seq: entry.seq };
  await ctx.tx.insertTransaction(
    {
      id,
      fund_id: ctx.fund.id,
      seq: entry.seq,
      kind: tx.kind,
      memo: tx.memo,
      period: tx.period,
      source: tx.source,
      expenditure_id: tx.expenditureId,
      reverses_id: tx.reversesId,
      created_by: tx.createdBy,
      at: tx.at,
    },
    spec.postings,
  );
  await assertNoNegative(ctx.tx, ctx.fund.id, spec.postings);
  return tx;
}

export interface ContributionInput {
  period: string;
  amountFen: number;
  memo?: string;
}

export async function recordContribution(ctx: WriteContext, input: ContributionInput) {
  requireOperator(ctx.actor, ctx.fund);
  const period = assertPeriod(input.period);
  const amount = assertFen(input.amountFen);
  return postTransaction(ctx, {
    kind: 'contribution',
    memo: input.memo ? requireText(input.memo, 'memo') : defaultContributionMemo(period),
    period,
    postings: [debit('cash', amount), credit('income:fee_share', amount)],
  });
}

export interface OtherIncomeInput {
  source: IncomeSource;
  amountFen: number;
  memo: string;
}

export async function recordOtherIncome(ctx: WriteContext, input: OtherIncomeInput) {
  requireOperator(ctx.actor, ctx.fund);
  if (!INCOME_SOURCES.includes(input.source))
    throw new LedgerError('INVALID_INPUT', `source must be one of ${INCOME_SOURCES.join(', ')}`);
  const amount = assertFen(input.amountFen);
  return postTransaction(ctx, {
    kind: 'other_income',
    memo: requireText(input.memo, 'memo'),
    source: input.source,
    postings: [debit('cash', amount), credit('income:other', amount)],
  });
}

export async function loadTransaction(
  reads: LedgerReads,
  fundId: string,
  id: string,
): Promise<LedgerTransaction | null> {
  const row = await reads.transaction(fundId, id);
  if (!row) return null;
  return {
    ...row,
    kind: row.kind as TransactionKind,
    source: row.source as IncomeSource | null,
    postings: row.postings.map((p) => ({ ...p, account: p.account as Posting['account'] })),
  };
}

/** Reverses a transaction once. Reversing a reversal is refused: post a new entry instead. */
export async function reverseTransaction(
  ctx: WriteContext,
  input: { transactionId: string; reason: string },
) {
  requireOperator(ctx.actor, ctx.fund);
  const reason = requireText(input.reason, 'reason');
  const original = await loadTransaction(ctx.tx, ctx.fund.id, input.transactionId);
  if (!original) throw new LedgerError('NOT_FOUND', `transaction ${input.transactionId} not found`);
  if (original.kind === 'reversal')
    throw new LedgerError('INVALID_STATE', 'a reversal cannot be reversed; record a new transaction');
  const already = await ctx.tx.reversalOf(original.id);
  if (already)
    throw new LedgerError('ALREADY_REVERSED', `transaction ${original.id} was reversed by ${already}`);
  const tx = await postTransaction(ctx, {
    kind: 'reversal',
    memo: reason,
    period: original.period,
    source: original.source,
    expenditureId: original.expenditureId,
    reversesId: original.id,
    postings: reversed(original.postings),
  });
  if (original.kind === 'expenditure' && original.expenditureId)
    await ctx.tx.updateExpenditure(original.expenditureId, { status: 'reversed' });
  return tx;
}
