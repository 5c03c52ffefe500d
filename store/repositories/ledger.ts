/**
 * The maintenance fund's tables (`ledger_*`) and the few rows of other aggregates the
 * ledger checks an expenditure against (the estate, its buildings, elevators, alerts and
 * visits). The rules, the money, the hashing of the chain and the verification stay in
 * ledger/; this file only reads and writes rows.
 *
 * Writes run in `write(scope, work)`: one transaction that first locks its scope (the fund,
 * or the estate for a new fund; dialect.ts lockForWrite), so any number of processes may
 * write and writers of one fund take turns. `chainHeadForAppend` reads the head under a
 * lock on the fund's row (PostgreSQL; SQLite's write transaction is already exclusive), so
 * two writers never append after the same head; the chain's (fund_id, seq) key and
 * ledger_idempotency's primary key refuse whatever a missing lock would let through.
 * `passed` is an integer column in both dialects and a boolean above this file.
 */
import { type Kysely, sql } from 'kysely';
import type { RegistryDb } from '../db.ts';
import { dialectOf, lockForWrite } from '../dialect.ts';
import type {
  AlertResolution,
  Database,
  LedgerChainTable,
  LedgerContributionRuleTable,
  LedgerExpenditureTable,
  LedgerIdempotencyTable,
  LedgerTransactionTable,
} from '../schema.ts';

export interface FundRow {
  id: string;
  estateId: string;
  buildingId: string | null;
  propertyFirmId: string;
  name: string;
}

export interface ChainRow {
  fund_id: string;
  seq: number;
  kind: string;
  at: number;
  data: unknown;
  prev_hash: string;
  hash: string;
}

export interface HeadRow {
  seq: number;
  hash: string;
}

export interface ChainRange {
  fromSeq?: number;
  toSeq?: number;
  fromAt?: number;
  toAt?: number;
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

export interface PostingLeg {
  account: string;
  debit: number;
  credit: number;
}

export interface TransactionRow {
  id: string;
  fundId: string;
  seq: number;
  kind: string;
  memo: string;
  period: string | null;
  source: string | null;
  expenditureId: string | null;
  reversesId: string | null;
  createdBy: string;
  at: number;
  postings: PostingLeg[];
}

export interface ContributionRuleRow {
  id: string;
  fundId: string;
  effectiveFrom: string;
  rateFenPerM2Month: number;
  areaCentiM2: number;
  shareBp: number;
}

export interface ApprovalRow {
  id: string;
  expenditureId: string;
  seq: number;
  amountVersion: number;
  side: 'firm' | 'committee';
  decision: 'approve' | 'refuse';
  actor: string;
  note: string;
  at: number;
}

export interface VoteRow {
  id: string;
  expenditureId: string;
  seq: number;
  amountVersion: number;
  tally: unknown;
  passed: boolean;
  recordedBy: string;
  at: number;
}

export interface AttachmentRow {
  id: string;
  expenditureId: string;
  seq: number;
  kind: string;
  filename: string;
  mediaType: string;
  size: number;
  sha256: string;
  uploadedBy: string;
  at: number;
}

export interface AttachmentContentRow {
  content: Buffer;
  sha256: string;
  media_type: string;
  filename: string;
}

/** An alert as the emergency path weighs it. */
export interface AlertStandingRow {
  id: string;
  estate_id: string;
  elevator_id: string;
  code: string;
  severity: string;
  state: string;
  opened_at: number;
  resolved_at: number | null;
  resolution: AlertResolution | null;
}

/** What an expenditure links to, as the residents' page names it. */
export interface LinkedWork {
  alerts: { id: string; code: string; opened_at: number }[];
  visits: { id: string; kind: string; check_in_at: number }[];
}

/** Rows an expenditure may name: each must be of the fund's estate. */
export type EstateScoped = 'alerts' | 'maintenance_visits' | 'elevators';

export interface LedgerReads {
  fund(fundId: string): Promise<FundRow | undefined>;
  /** Oldest first. */
  fundIdsOfEstate(estateId: string): Promise<string[]>;
  /** Whether the estate (buildingId null) or the building already has a fund. */
  fundExists(estateId: string, buildingId: string | null): Promise<boolean>;
  estate(estateId: string): Promise<{ id: string; propertyFirmId: string } | undefined>;
  buildingEstate(buildingId: string): Promise<string | undefined>;
  estateOf(table: EstateScoped, id: string): Promise<string | undefined>;
  alertStanding(alertId: string): Promise<AlertStandingRow | undefined>;
  linkedWork(alertIds: readonly string[], visitIds: readonly string[]): Promise<LinkedWork>;

  chainHead(fundId: string): Promise<HeadRow | undefined>;
  /** Entries in the range, in order; `data` parsed from its canonical JSON. */
  chain(fundId: string, range?: ChainRange): Promise<ChainRow[]>;
  /** Seq of the first entry at or after `at`; undefined when there is none. */
  firstSeqFrom(fundId: string, at: number): Promise<number | undefined>;

  /** Debit and credit totals per account. */
  accountTotals(fundId: string): Promise<{ account: string; debit: number; credit: number }[]>;
  /** Postings of transactions with `at` in [fromAt, toAt), with their chain entry's hash. */
  postings(fundId: string, range?: { fromAt?: number; toAt?: number }): Promise<PostingRow[]>;
  transaction(fundId: string, id: string): Promise<TransactionRow | undefined>;
  /** The id of the transaction that reverses `transactionId`, if any. */
  reversalOf(transactionId: string): Promise<string | undefined>;
  /** Sorted by effective_from, then time set. */
  contributionRules(fundId: string): Promise<ContributionRuleRow[]>;
  /** Net fee share (credits minus debits) per period in [from, to]. */
  contributionsByPeriod(fundId: string, from: string, to: string): Promise<{ period: string; net: number }[]>;

  expenditure(fundId: string, id: string): Promise<LedgerExpenditureTable | undefined>;
  /** In proposal order. */
  expenditures(fundId: string): Promise<LedgerExpenditureTable[]>;
  approvals(expenditureId: string): Promise<ApprovalRow[]>;
  votes(expenditureId: string): Promise<VoteRow[]>;
  attachments(expenditureId: string): Promise<AttachmentRow[]>;
  attachmentContent(fundId: string, attachmentId: string): Promise<AttachmentContentRow | undefined>;
}

export interface LedgerWriter extends LedgerReads {
  idempotencyRecord(
    scope: string,
    key: string,
  ): Promise<Pick<LedgerIdempotencyTable, 'request_hash' | 'result_json'> | undefined>;
  saveIdempotency(row: LedgerIdempotencyTable): Promise<void>;
  /** The head to append after, read under the fund's lock (see the module comment). */
  chainHeadForAppend(fundId: string): Promise<HeadRow | undefined>;
  insertChainEntry(row: LedgerChainTable): Promise<void>;
  insertFund(row: {
    id: string;
    estateId: string;
    buildingId: string | null;
    name: string;
    at: number;
    by: string;
  }): Promise<void>;
  insertContributionRule(row: LedgerContributionRuleTable): Promise<void>;
  insertTransaction(row: LedgerTransactionTable, postings: readonly PostingLeg[]): Promise<void>;
  insertExpenditure(row: LedgerExpenditureTable): Promise<void>;
  updateExpenditure(
    id: string,
    patch: Partial<Omit<LedgerExpenditureTable, 'id' | 'fund_id'>>,
  ): Promise<void>;
  insertApproval(row: ApprovalRow): Promise<void>;
  insertVote(row: VoteRow): Promise<void>;
  insertAttachment(row: AttachmentRow & { content: Buffer }): Promise<void>;
}

export interface LedgerRepository extends LedgerReads {
  /** Runs `work` in one write transaction, its scope locked first; see the module comment. */
  write<T>(scope: string, work: (tx: LedgerWriter) => Promise<T>): Promise<T>;
  /** Runs `work` in one transaction, so every read sees the same moment (an export). */
  snapshot<T>(work: (tx: LedgerReads) => Promise<T>): Promise<T>;
}

type Db = Kysely<Database>;

function reads(db: Db): LedgerReads {
  const chainHead = (fundId: string) =>
    db
      .selectFrom('ledger_chain')
      .select(['seq', 'hash'])
      .where('fund_id', '=', fundId)
      .orderBy('seq', 'desc')
      .limit(1)
      .executeTakeFirst();
  return {
    async fund(fundId) {
      const row = await db
        .selectFrom('ledger_funds as f')
        .innerJoin('estates as e', 'e.id', 'f.estate_id')
        .select(['f.id', 'f.estate_id', 'f.building_id', 'f.name', 'e.property_firm_id'])
        .where('f.id', '=', fundId)
        .executeTakeFirst();
      return (
        row && {
          id: row.id,
          estateId: row.estate_id,
          buildingId: row.building_id,
          propertyFirmId: row.property_firm_id,
          name: row.name,
        }
      );
    },
    async fundIdsOfEstate(estateId) {
      const rows = await db
        .selectFrom('ledger_funds')
        .select('id')
        .where('estate_id', '=', estateId)
        .orderBy('created_at')
        .execute();
      return rows.map((r) => r.id);
    },
    async fundExists(estateId, buildingId) {
      let q = db.selectFrom('ledger_funds').select('id').where('estate_id', '=', estateId);
      q = buildingId ? q.where('building_id', '=', buildingId) : q.where('building_id', 'is', null);
      return (await q.executeTakeFirst()) !== undefined;
    },
    async estate(estateId) {
      const row = await db
        .selectFrom('estates')
        .select(['id', 'property_firm_id'])
        .where('id', '=', estateId)
        .executeTakeFirst();
      return row && { id: row.id, propertyFirmId: row.property_firm_id };
    },
    async buildingEstate(buildingId) {
      const row = await db
        .selectFrom('buildings')
        .select('estate_id')
        .where('id', '=', buildingId)
        .executeTakeFirst();
      return row?.estate_id;
    },
    async estateOf(table, id) {
      const row = await db.selectFrom(table).select('estate_id').where('id', '=', id).executeTakeFirst();
      return row?.estate_id;
    },
    alertStanding: (alertId) =>
      db
        .selectFrom('alerts')
        .select([
          'id',
          'estate_id',
          'elevator_id',
          'code',
          'severity',
          'state',
          'opened_at',
          'resolved_at',
          'resolution',
        ])
        .where('id', '=', alertId)
        .executeTakeFirst(),
    async linkedWork(alertIds, visitIds) {
      const [alerts, visits] = await Promise.all([
        alertIds.length
          ? db
              .selectFrom('alerts')
              .select(['id', 'code', 'opened_at'])
              .where('id', 'in', [...alertIds])
              .execute()
          : [],
        visitIds.length
          ? db
              .selectFrom('maintenance_visits')
              .select(['id', 'kind', 'check_in_at'])
              .where('id', 'in', [...visitIds])
              .execute()
          : [],
      ]);
      return { alerts, visits };
    },

    chainHead,
    async chain(fundId, range = {}) {
      let q = db.selectFrom('ledger_chain').selectAll().where('fund_id', '=', fundId);
      if (range.fromSeq !== undefined) q = q.where('seq', '>=', range.fromSeq);
      if (range.toSeq !== undefined) q = q.where('seq', '<=', range.toSeq);
      if (range.fromAt !== undefined) q = q.where('at', '>=', range.fromAt);
      if (range.toAt !== undefined) q = q.where('at', '<', range.toAt);
      const rows = await q.orderBy('seq').execute();
      return rows.map((r) => ({
        fund_id: r.fund_id,
        seq: r.seq,
        kind: r.kind,
        at: r.at,
        data: JSON.parse(r.data_json),
        prev_hash: r.prev_hash,
        hash: r.hash,
      }));
    },
    async firstSeqFrom(fundId, at) {
      const [first] = await db
        .selectFrom('ledger_chain')
        .select((eb) => eb.fn.min('seq').as('seq'))
        .where('fund_id', '=', fundId)
        .where('at', '>=', at)
        .execute();
      return first?.seq ?? undefined;
    },

    async accountTotals(fundId) {
      const rows = await db
        .selectFrom('ledger_postings')
        .select(['account', sql<number>`sum(debit_fen)`.as('d'), sql<number>`sum(credit_fen)`.as('c')])
        .where('fund_id', '=', fundId)
        .groupBy('account')
        .execute();
      return rows.map((r) => ({ account: r.account, debit: r.d, credit: r.c }));
    },
    postings(fundId, range = {}) {
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
    },
    async transaction(fundId, id) {
      const row = await db
        .selectFrom('ledger_transactions')
        .selectAll()
        .where('fund_id', '=', fundId)
        .where('id', '=', id)
        .executeTakeFirst();
      if (!row) return undefined;
      const postings = await db
        .selectFrom('ledger_postings')
        .select(['account', 'debit_fen', 'credit_fen'])
        .where('transaction_id', '=', id)
        .orderBy('id')
        .execute();
      return {
        id: row.id,
        fundId: row.fund_id,
        seq: row.seq,
        kind: row.kind,
        memo: row.memo,
        period: row.period,
        source: row.source,
        expenditureId: row.expenditure_id,
        reversesId: row.reverses_id,
        createdBy: row.created_by,
        at: row.at,
        postings: postings.map((p) => ({ account: p.account, debit: p.debit_fen, credit: p.credit_fen })),
      };
    },
    async reversalOf(transactionId) {
      const row = await db
        .selectFrom('ledger_transactions')
        .select('id')
        .where('reverses_id', '=', transactionId)
        .executeTakeFirst();
      return row?.id;
    },
    async contributionRules(fundId) {
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
    },
    async contributionsByPeriod(fundId, from, to) {
      const rows = await db
        .selectFrom('ledger_postings as p')
        .innerJoin('ledger_transactions as t', 't.id', 'p.transaction_id')
        .select(['t.period', sql<number>`sum(p.credit_fen) - sum(p.debit_fen)`.as('net')])
        .where('t.fund_id', '=', fundId)
        .where('p.account', '=', 'income:fee_share')
        .where('t.period', '>=', from)
        .where('t.period', '<=', to)
        .groupBy('t.period')
        .execute();
      return rows.flatMap((r) => (r.period === null ? [] : [{ period: r.period, net: r.net }]));
    },

    expenditure: (fundId, id) =>
      db
        .selectFrom('ledger_expenditures')
        .selectAll()
        .where('fund_id', '=', fundId)
        .where('id', '=', id)
        .executeTakeFirst(),
    expenditures: (fundId) =>
      db
        .selectFrom('ledger_expenditures')
        .selectAll()
        .where('fund_id', '=', fundId)
        .orderBy('proposed_at')
        .orderBy('id')
        .execute(),
    async approvals(expenditureId) {
      const rows = await db
        .selectFrom('ledger_approvals')
        .selectAll()
        .where('expenditure_id', '=', expenditureId)
        .orderBy('seq')
        .execute();
      return rows.map((r) => ({
        id: r.id,
        expenditureId: r.expenditure_id,
        seq: r.seq,
        amountVersion: r.amount_version,
        side: r.side,
        decision: r.decision,
        actor: r.actor,
        note: r.note,
        at: r.at,
      }));
    },
    async votes(expenditureId) {
      const rows = await db
        .selectFrom('ledger_votes')
        .selectAll()
        .where('expenditure_id', '=', expenditureId)
        .orderBy('seq')
        .execute();
      return rows.map((r) => ({
        id: r.id,
        expenditureId: r.expenditure_id,
        seq: r.seq,
        amountVersion: r.amount_version,
        tally: JSON.parse(r.tally_json),
        passed: r.passed === 1,
        recordedBy: r.recorded_by,
        at: r.at,
      }));
    },
    async attachments(expenditureId) {
      const rows = await db
        .selectFrom('ledger_attachments')
        .select([
          'id',
          'expenditure_id',
          'seq',
          'kind',
          'filename',
          'media_type',
          'size',
          'sha256',
          'uploaded_by',
          'at',
        ])
        .where('expenditure_id', '=', expenditureId)
        .orderBy('seq')
        .execute();
      return rows.map((r) => ({
        id: r.id,
        expenditureId: r.expenditure_id,
        seq: r.seq,
        kind: r.kind,
        filename: r.filename,
        mediaType: r.media_type,
        size: r.size,
        sha256: r.sha256,
        uploadedBy: r.uploaded_by,
        at: r.at,
      }));
    },
    attachmentContent: (fundId, attachmentId) =>
      db
        .selectFrom('ledger_attachments as a')
        .innerJoin('ledger_expenditures as x', 'x.id', 'a.expenditure_id')
        .select(['a.content', 'a.sha256', 'a.media_type', 'a.filename'])
        .where('x.fund_id', '=', fundId)
        .where('a.id', '=', attachmentId)
        .executeTakeFirst(),
  };
}

function writer(trx: Db): LedgerWriter {
  const read = reads(trx);
  return {
    ...read,
    idempotencyRecord: (scope, key) =>
      trx
        .selectFrom('ledger_idempotency')
        .select(['request_hash', 'result_json'])
        .where('scope', '=', scope)
        .where('key', '=', key)
        .executeTakeFirst(),
    async saveIdempotency(row) {
      await trx.insertInto('ledger_idempotency').values(row).execute();
    },
    async chainHeadForAppend(fundId) {
      if (dialectOf(trx) === 'postgres')
        await trx.selectFrom('ledger_funds').select('id').where('id', '=', fundId).forUpdate().execute();
      return read.chainHead(fundId);
    },
    async insertChainEntry(row) {
      await trx.insertInto('ledger_chain').values(row).execute();
    },
    async insertFund(f) {
      await trx
        .insertInto('ledger_funds')
        .values({
          id: f.id,
          estate_id: f.estateId,
          building_id: f.buildingId,
          name: f.name,
          created_at: f.at,
          created_by: f.by,
        })
        .execute();
    },
    async insertContributionRule(row) {
      await trx.insertInto('ledger_contribution_rules').values(row).execute();
    },
    async insertTransaction(row, postings) {
      await trx.insertInto('ledger_transactions').values(row).execute();
      await trx
        .insertInto('ledger_postings')
        .values(
          postings.map((p) => ({
            transaction_id: row.id,
            fund_id: row.fund_id,
            account: p.account,
            debit_fen: p.debit,
            credit_fen: p.credit,
          })),
        )
        .execute();
    },
    async insertExpenditure(row) {
      await trx.insertInto('ledger_expenditures').values(row).execute();
    },
    async updateExpenditure(id, patch) {
      await trx.updateTable('ledger_expenditures').set(patch).where('id', '=', id).execute();
    },
    async insertApproval(a) {
      await trx
        .insertInto('ledger_approvals')
        .values({
          id: a.id,
          expenditure_id: a.expenditureId,
          seq: a.seq,
          amount_version: a.amountVersion,
          side: a.side,
          decision: a.decision,
          actor: a.actor,
          note: a.note,
          at: a.at,
        })
        .execute();
    },
    async insertVote(v) {
      await trx
        .insertInto('ledger_votes')
        .values({
          id: v.id,
          expenditure_id: v.expenditureId,
          seq: v.seq,
          amount_version: v.amountVersion,
          tally_json: JSON.stringify(v.tally),
          passed: v.passed ? 1 : 0,
          recorded_by: v.recordedBy,
          at: v.at,
        })
        .execute();
    },
    async insertAttachment(a) {
      await trx
        .insertInto('ledger_attachments')
        .values({
          id: a.id,
          expenditure_id: a.expenditureId,
          seq: a.seq,
          kind: a.kind,
          filename: a.filename,
          media_type: a.mediaType,
          size: a.size,
          sha256: a.sha256,
          content: a.content,
          uploaded_by: a.uploadedBy,
          at: a.at,
        })
        .execute();
    },
  };
}

const repositories = new WeakMap<RegistryDb, LedgerRepository>();

/** One repository per database handle: the ledger's change announcements are keyed by it. */
export function ledgerRepository(db: RegistryDb): LedgerRepository {
  const known = repositories.get(db);
  if (known) return known;
  const repository: LedgerRepository = {
    ...reads(db),
    write: (scope, work) =>
      db.transaction().execute(async (trx) => {
        await lockForWrite(trx, `ledger:${scope}`);
        return work(writer(trx));
      }),
    snapshot: (work) => db.transaction().execute((trx) => work(reads(trx))),
  };
  repositories.set(db, repository);
  return repository;
}
