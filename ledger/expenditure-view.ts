/** Reads an Expenditure with its approvals, votes and attachments, assessed at `now`. */
import type { LedgerReads } from '../store/repositories/ledger.ts';
import type { LedgerExpenditureTable } from '../store/schema.ts';
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

export async function loadExpenditureRow(reads: LedgerReads, fundId: string, id: string) {
  const row = await reads.expenditure(fundId, id);
  if (!row) throw new LedgerError('NOT_FOUND', `expenditure ${id} not found`);
  return row;
}

export function loadApprovals(reads: LedgerReads, expenditureId: string): Promise<Approval[]> {
  return reads.approvals(expenditureId);
}

export async function loadVotes(reads: LedgerReads, expenditureId: string): Promise<OwnersVote[]> {
  return (await reads.votes(expenditureId)).map((v) => ({ ...v, tally: v.tally as OwnersVote['tally'] }));
}

async function loadAttachments(reads: LedgerReads, expenditureId: string): Promise<Attachment[]> {
  return (await reads.attachments(expenditureId)).map((a) => ({ ...a, kind: a.kind as Attachment['kind'] }));
}

export async function viewExpenditure(
  reads: LedgerReads,
  row: LedgerExpenditureTable,
  config: LedgerConfig,
  now: number,
): Promise<Expenditure> {
  const [approvals, votes, attachments] = await Promise.all([
    loadApprovals(reads, row.id),
    loadVotes(reads, row.id),
    loadAttachments(reads, row.id),
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
  reads: LedgerReads,
  fundId: string,
  config: LedgerConfig,
  now: number,
): Promise<Expenditure[]> {
  const rows = await reads.expenditures(fundId);
  const list = await Promise.all(rows.map((r) => viewExpenditure(reads, r, config, now)));
  // Emergencies the committee has yet to ratify (proposed, or paid and awaiting) come first.
  const needsCommittee = (x: Expenditure) =>
    x.emergencyAlertId !== null && (x.status === 'proposed' || x.flags.includes('awaiting_ratification'));
  return [...list.filter(needsCommittee), ...list.filter((x) => !needsCommittee(x))];
}
