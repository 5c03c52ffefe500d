/** Reads an Expenditure with its approvals, votes and attachments, assessed at `now`. */
import type { Kysely } from 'kysely';
import type { Database, LedgerExpenditureTable } from '../store/schema.ts';
import { LedgerError } from './errors.ts';
import { assessExpenditure } from './rules.ts';
import type {
  Approval,
  Attachment,
  Expenditure,
  ExpenditureLinks,
  ExpenseKind,
  LedgerConfig,
  OwnersVote,
} from './types.ts';

export async function loadExpenditureRow(db: Kysely<Database>, fundId: string, id: string) {
  const row = await db
    .selectFrom('ledger_expenditures')
    .selectAll()
    .where('fund_id', '=', fundId)
    .where('id', '=', id)
    .executeTakeFirst();
  if (!row) throw new LedgerError('NOT_FOUND', `expenditure ${id} not found`);
  return row;
}

export async function loadApprovals(db: Kysely<Database>, expenditureId: string): Promise<Approval[]> {
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
}

export async function loadVotes(db: Kysely<Database>, expenditureId: string): Promise<OwnersVote[]> {
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
}

async function loadAttachments(db: Kysely<Database>, expenditureId: string): Promise<Attachment[]> {
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
    kind: r.kind as Attachment['kind'],
    filename: r.filename,
    mediaType: r.media_type,
    size: r.size,
    sha256: r.sha256,
    uploadedBy: r.uploaded_by,
    at: r.at,
  }));
}

export async function viewExpenditure(
  db: Kysely<Database>,
  row: LedgerExpenditureTable,
  config: LedgerConfig,
  now: number,
): Promise<Expenditure> {
  const [approvals, votes, attachments] = await Promise.all([
    loadApprovals(db, row.id),
    loadVotes(db, row.id),
    loadAttachments(db, row.id),
  ]);
  const a = assessExpenditure(
    {
      amountFen: row.amount_fen,
      amountVersion: row.amount_version,
      storedStatus: row.status,
      emergency: row.emergency_alert_id !== null,
      ratificationDueAt: row.ratification_due_at,
      approvals,
      votes,
    },
    config,
    now,
  );
  return {
    id: row.id,
    fundId: row.fund_id,
    amountFen: row.amount_fen,
    amountVersion: row.amount_version,
    kind: row.expense_kind as ExpenseKind,
    purpose: row.purpose,
    payee: row.payee,
    elevatorId: row.elevator_id,
    links: JSON.parse(row.links_json) as ExpenditureLinks,
    emergencyAlertId: row.emergency_alert_id,
    status: a.status,
    proposedBy: row.proposed_by,
    amendedBy: row.amended_by,
    proposedAt: row.proposed_at,
    paidTransactionId: row.paid_transaction_id,
    paidAt: row.paid_at,
    ratificationDueAt: row.ratification_due_at,
    approvals,
    votes,
    attachments,
    voteRequired: a.voteRequired,
    missing: a.missing,
    flags: a.flags,
  };
}

export async function listExpenditures(
  db: Kysely<Database>,
  fundId: string,
  config: LedgerConfig,
  now: number,
): Promise<Expenditure[]> {
  const rows = await db
    .selectFrom('ledger_expenditures')
    .selectAll()
    .where('fund_id', '=', fundId)
    .orderBy('proposed_at')
    .orderBy('id')
    .execute();
  const list = await Promise.all(rows.map((r) => viewExpenditure(db, r, config, now)));
  // Emergencies the committee has yet to ratify (proposed, or paid and awaiting) come first.
  const needsCommittee = (x: Expenditure) =>
    x.emergencyAlertId !== null && (x.status === 'proposed' || x.flags.includes('awaiting_ratification'));
  return [...list.filter(needsCommittee), ...list.filter((x) => !needsCommittee(x))];
}
