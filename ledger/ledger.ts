/**
 * The fund ledger as one object built from explicit deps (its repository, a clock,
 * config): no Fastify, no SQL, no other I/O. Every write is `(meta, input)` where meta names the fund,
 * the actor and the client's idempotency key; see store.ts for the replay rules.
 */
import { randomUUID } from 'node:crypto';
import type { LedgerRepository, LinkedWork } from '../store/repositories/ledger.ts';
import { sha256Hex } from './canonical.ts';
import { type ChainHead, chainHead, readChain } from './chain.ts';
import { announceLedgerChange } from './changes.ts';
import { LedgerError } from './errors.ts';
import { listExpenditures, loadExpenditureRow, viewExpenditure } from './expenditure-view.ts';
import {
  type AttachmentInput,
  amendAmount,
  attachFile,
  decideExpenditure,
  type ProposalInput,
  payExpenditure,
  proposeExpenditure,
  recordVote,
} from './expenditures.ts';
import { buildExport } from './export.ts';
import { verifyExport } from './export-verify.ts';
import type { AttachmentFiles } from './files.ts';
import { type ContributionRuleInput, type OpenFundInput, openFund, setContributionRule } from './funds.ts';
import { contributionReport, fundBalance, listPostings } from './queries.ts';
import { idempotent, type LedgerDeps, loadFund, type WriteContext } from './store.ts';
import {
  type ContributionInput,
  type OtherIncomeInput,
  recordContribution,
  recordOtherIncome,
  reverseTransaction,
} from './transactions.ts';
import { type Actor, DEFAULT_LEDGER_CONFIG, type Fund, type LedgerConfig, type VoteTally } from './types.ts';

export interface WriteMeta {
  fundId: string;
  actor: Actor;
  idempotencyKey: string;
}

export interface FundLedgerOptions {
  /** The store's ledger repository (`store.ledger`). */
  repository: LedgerRepository;
  clock?: () => number;
  config?: Partial<LedgerConfig>;
  newId?: () => string;
  /** Keeps attachment bytes outside the database (on disk); without it they go in the table. */
  files?: AttachmentFiles;
}

export type FundLedger = ReturnType<typeof createFundLedger>;

export function createFundLedger(options: FundLedgerOptions) {
  const deps: LedgerDeps = {
    repository: options.repository,
    clock: options.clock ?? Date.now,
    config: Object.freeze({ ...DEFAULT_LEDGER_CONFIG, ...options.config }),
    newId: options.newId ?? randomUUID,
  };
  const { repository, config } = deps;
  const files = options.files;

  function write<I, R>(
    op: string,
    run: (ctx: WriteContext, input: I) => Promise<R>,
    bodyOf = (i: I): unknown => i,
  ) {
    return async (meta: WriteMeta, input: I): Promise<R> => {
      // Set only when the operation ran: a replayed key changed nothing to announce.
      let estateId: string | null = null;
      const result = await idempotent(
        deps,
        {
          scope: `fund:${meta.fundId}`,
          key: meta.idempotencyKey,
          op,
          actor: meta.actor,
          body: bodyOf(input),
        },
        async (tx, at) => {
          const fund = await loadFund(tx, meta.fundId);
          const out = await run({ tx, fund, actor: meta.actor, at, config, newId: deps.newId }, input);
          estateId = fund.estateId;
          return out;
        },
      );
      if (estateId) announceLedgerChange(repository, { fundId: meta.fundId, estateId });
      return result;
    };
  }

  return {
    config,
    async openFund(meta: { actor: Actor; idempotencyKey: string }, input: OpenFundInput): Promise<Fund> {
      const fund = await idempotent(
        deps,
        {
          scope: `estate:${input.estateId}`,
          key: meta.idempotencyKey,
          op: 'openFund',
          actor: meta.actor,
          body: input,
        },
        (tx, at) => openFund(tx, meta.actor, at, deps.newId, input),
      );
      announceLedgerChange(repository, { fundId: fund.id, estateId: fund.estateId });
      return fund;
    },
    setContributionRule: write<ContributionRuleInput, Awaited<ReturnType<typeof setContributionRule>>>(
      'setContributionRule',
      setContributionRule,
    ),
    recordContribution: write('recordContribution', (ctx, i: ContributionInput) =>
      recordContribution(ctx, i),
    ),
    recordOtherIncome: write('recordOtherIncome', (ctx, i: OtherIncomeInput) => recordOtherIncome(ctx, i)),
    reverse: write('reverse', (ctx, i: { transactionId: string; reason: string }) =>
      reverseTransaction(ctx, i),
    ),
    propose: write('propose', (ctx, i: ProposalInput) => proposeExpenditure(ctx, i)),
    amendAmount: write(
      'amendAmount',
      (ctx, i: { expenditureId: string; amountFen: number; reason: string }) => amendAmount(ctx, i),
    ),
    decide: write(
      'decide',
      (ctx, i: { expenditureId: string; decision: 'approve' | 'refuse'; note?: string }) =>
        decideExpenditure(ctx, i),
    ),
    recordVote: write('recordVote', (ctx, i: { expenditureId: string; tally: VoteTally }) =>
      recordVote(ctx, i),
    ),
    // The body's identity is the file's hash, not its bytes.
    attach: write(
      'attach',
      (ctx, i: AttachmentInput) => attachFile(ctx, i, files),
      ({ content, ...rest }) => ({ ...rest, sha256: sha256Hex(content) }),
    ),
    pay: write('pay', (ctx, i: { expenditureId: string; memo?: string }) => payExpenditure(ctx, i)),

    fund: (fundId: string) => loadFund(repository, fundId),
    async fundsOfEstate(estateId: string): Promise<Fund[]> {
      const ids = await repository.fundIdsOfEstate(estateId);
      return Promise.all(ids.map((id) => loadFund(repository, id)));
    },
    balance: (fundId: string) => fundBalance(repository, fundId),
    postings: (fundId: string, range?: { fromAt?: number; toAt?: number }) =>
      listPostings(repository, fundId, range),
    contributions: (fundId: string, from: string, to: string) =>
      contributionReport(repository, fundId, from, to),
    expenditures: (fundId: string) => listExpenditures(repository, fundId, config, deps.clock()),
    async expenditure(fundId: string, id: string) {
      return viewExpenditure(
        repository,
        await loadExpenditureRow(repository, fundId, id),
        config,
        deps.clock(),
      );
    },
    async attachmentContent(fundId: string, attachmentId: string) {
      const row = await repository.attachmentContent(fundId, attachmentId);
      if (!row) throw new LedgerError('NOT_FOUND', `attachment ${attachmentId} not found`);
      if (row.content.byteLength > 0 || !files) return row;
      const content = Buffer.from(await files.get(row.sha256));
      // The chain pins the hash; a file edited on disk is refused rather than served.
      if (sha256Hex(content) !== row.sha256)
        throw new LedgerError('INVALID_STATE', `attachment ${attachmentId} does not match its recorded hash`);
      return { ...row, content };
    },
    /** The alerts and visits the expenditures name, as their links show them. */
    linkedWork: (alertIds: readonly string[], visitIds: readonly string[]): Promise<LinkedWork> =>
      repository.linkedWork(alertIds, visitIds),
    head: (fundId: string): Promise<ChainHead> => chainHead(repository, fundId),
    chain: (fundId: string, range?: Parameters<typeof readChain>[2]) => readChain(repository, fundId, range),
    /**
     * Recomputes the stored chain as a full export would carry it (the postings tables are
     * checked against the transaction entries too), optionally against a pinned head.
     */
    async verify(fundId: string, pinned?: ChainHead) {
      const exp = await buildExport(repository, fundId, { utcOffsetMinutes: config.utcOffsetMinutes });
      return verifyExport(exp, pinned);
    },
  };
}
