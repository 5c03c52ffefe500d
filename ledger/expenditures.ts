/**
 * Expenditure workflow: the firm proposes; another firm manager and a committee member
 * approve the current amount (four eyes); above the threshold an owners' vote must pass;
 * then the firm pays and the payment is posted. The emergency path (a critical alert
 * still open, or resolved as a real fault) pays before the approvals and stays flagged
 * until the committee ratifies it; above the vote threshold the owners' vote must still
 * pass first.
 */
import type { AlertResolution } from '../store/schema.ts';
import { credit, debit } from './accounts.ts';
import { isCommitteeMember, isFirmManager, requireFirmManager, requireParty } from './authority.ts';
import { sha256Hex } from './canonical.ts';
import { appendEntry } from './chain.ts';
import { LedgerError } from './errors.ts';
import { loadApprovals, loadExpenditureRow, loadVotes, viewExpenditure } from './expenditure-view.ts';
import type { AttachmentFiles } from './files.ts';
import { assertFen, formatYuan } from './money.ts';
import { assessExpenditure, evaluateVote, validateTally } from './rules.ts';
import { optionalText, requireText, type WriteContext } from './store.ts';
import { postTransaction } from './transactions.ts';
import {
  type ApprovalSide,
  type Attachment,
  EXPENSE_KINDS,
  type ExpenseKind,
  type VoteTally,
} from './types.ts';

export interface ProposalInput {
  amountFen: number;
  kind: ExpenseKind;
  purpose: string;
  payee: string;
  elevatorId?: string | null;
  alertIds?: string[];
  visitIds?: string[];
  workOrder?: string | null;
  /** A critical alert of this estate, still open or resolved as a real fault: the emergency path (pay first, ratify later). */
  emergencyAlertId?: string | null;
}

async function assertInEstate(
  ctx: WriteContext,
  table: 'alerts' | 'maintenance_visits' | 'elevators',
  id: string,
) {
  if ((await ctx.tx.estateOf(table, id)) !== ctx.fund.estateId)
    throw new LedgerError('INVALID_INPUT', `${table} id ${id} is not in this fund's estate`);
}

/**
 * The emergency path stands on a real fault: a critical alert of this estate that is still
 * open or acknowledged, or one a person resolved as a real fault ('fault'). A false alarm,
 * an alert that cleared by itself ('auto_cleared': conditions returned to normal) and one
 * resolved before outcomes were recorded (null) cannot show a real fault, so they are
 * refused; such work is paid through the normal path, both sides approving first.
 */
async function emergencyAlertStanding(ctx: WriteContext, alertId: string) {
  const alert = await ctx.tx.alertStanding(alertId);
  if (!alert || alert.estate_id !== ctx.fund.estateId)
    throw new LedgerError(
      'INVALID_INPUT',
      `the emergency path needs an alert of this estate; ${alertId} is not one`,
    );
  if (alert.severity !== 'critical')
    throw new LedgerError(
      'INVALID_INPUT',
      `the emergency path needs a critical alert; ${alertId} is ${alert.severity}`,
    );
  if (alert.state === 'resolved' && alert.resolution !== 'fault')
    throw new LedgerError(
      'EMERGENCY_ALERT_CLOSED',
      `alert ${alertId} ${notARealFault(alert.resolution, alert.resolved_at)}: the emergency path needs an alert that is still open or was resolved as a real fault; propose this through the normal path, both sides approving first`,
    );
  return {
    id: alert.id,
    elevatorId: alert.elevator_id,
    code: alert.code,
    severity: alert.severity,
    state: alert.state,
    openedAt: alert.opened_at,
    // A resolved alert is cited as what it was: a real fault, handled, and when.
    ...(alert.state === 'resolved' ? { resolution: alert.resolution, resolvedAt: alert.resolved_at } : {}),
  };
}

/** Why a resolved alert cannot stand for a real fault, for the refusal's message. */
function notARealFault(resolution: AlertResolution | null, resolvedAt: number | null): string {
  const at = new Date(resolvedAt ?? 0).toISOString();
  switch (resolution) {
    case 'false_alarm':
      return `was resolved as a false alarm at ${at}`;
    case 'auto_cleared':
      return `cleared by itself at ${at} (conditions returned to normal, nobody confirmed a fault)`;
    default:
      return `was resolved at ${at} without saying whether it was a real fault (resolved before outcomes were recorded)`;
  }
}

export async function proposeExpenditure(ctx: WriteContext, input: ProposalInput) {
  requireFirmManager(ctx.actor, ctx.fund);
  const amount = assertFen(input.amountFen);
  if (!EXPENSE_KINDS.includes(input.kind))
    throw new LedgerError('INVALID_INPUT', `kind must be one of ${EXPENSE_KINDS.join(', ')}`);
  const alertIds = [...new Set(input.alertIds ?? [])];
  const visitIds = [...new Set(input.visitIds ?? [])];
  const emergencyAlertId = input.emergencyAlertId ?? null;
  const emergencyAlert = emergencyAlertId ? await emergencyAlertStanding(ctx, emergencyAlertId) : null;
  if (emergencyAlertId && !alertIds.includes(emergencyAlertId)) alertIds.push(emergencyAlertId);
  if (input.elevatorId) await assertInEstate(ctx, 'elevators', input.elevatorId);
  for (const id of alertIds) await assertInEstate(ctx, 'alerts', id);
  for (const id of visitIds) await assertInEstate(ctx, 'maintenance_visits', id);
  const links = { alertIds, visitIds, workOrder: optionalText(input.workOrder, 'workOrder', 100) };
  const id = ctx.newId();
  const row = {
    id,
    fund_id: ctx.fund.id,
    amount_fen: amount,
    amount_version: 1,
    expense_kind: input.kind,
    purpose: requireText(input.purpose, 'purpose'),
    payee: requireText(input.payee, 'payee', 200),
    elevator_id: input.elevatorId ?? null,
    links_json: JSON.stringify(links),
    emergency_alert_id: emergencyAlertId,
    status: 'proposed' as const,
    proposed_by: ctx.actor.username,
    amended_by: null,
    proposed_at: ctx.at,
    paid_transaction_id: null,
    paid_at: null,
    ratification_due_at: null,
  };
  await ctx.tx.insertExpenditure(row);
  await appendEntry(ctx.tx, ctx.fund.id, 'expenditure_proposed', ctx.at, {
    id,
    amountFen: amount,
    kind: row.expense_kind,
    purpose: row.purpose,
    payee: row.payee,
    elevatorId: row.elevator_id,
    links,
    emergencyAlertId,
    // What the alert was when cited: the committee and the auditors see it in the chain.
    ...(emergencyAlert ? { emergencyAlert } : {}),
    proposedBy: row.proposed_by,
  });
  return viewExpenditure(ctx.tx, row, ctx.config, ctx.at);
}

/** A new amount is a new question: every earlier approval and vote stops counting. */
export async function amendAmount(
  ctx: WriteContext,
  input: { expenditureId: string; amountFen: number; reason: string },
) {
  requireFirmManager(ctx.actor, ctx.fund);
  const amount = assertFen(input.amountFen);
  const reason = requireText(input.reason, 'reason');
  const row = await loadExpenditureRow(ctx.tx, ctx.fund.id, input.expenditureId);
  if (row.status !== 'proposed') throw new LedgerError('INVALID_STATE', `expenditure is ${row.status}`);
  if (amount === row.amount_fen) throw new LedgerError('INVALID_INPUT', 'the amount is unchanged');
  const version = row.amount_version + 1;
  await ctx.tx.updateExpenditure(row.id, {
    amount_fen: amount,
    amount_version: version,
    amended_by: ctx.actor.username,
  });
  await appendEntry(ctx.tx, ctx.fund.id, 'expenditure_amended', ctx.at, {
    expenditureId: row.id,
    amountFen: amount,
    amountVersion: version,
    previousAmountFen: row.amount_fen,
    reason,
    by: ctx.actor.username,
  });
  const updated = { ...row, amount_fen: amount, amount_version: version, amended_by: ctx.actor.username };
  return viewExpenditure(ctx.tx, updated, ctx.config, ctx.at);
}

function sideOf(ctx: WriteContext): ApprovalSide {
  if (isFirmManager(ctx.actor, ctx.fund)) return 'firm';
  if (isCommitteeMember(ctx.actor, ctx.fund)) return 'committee';
  throw new LedgerError('NOT_AUTHORIZED', 'only a firm manager or a committee member of this estate decides');
}

export async function decideExpenditure(
  ctx: WriteContext,
  input: { expenditureId: string; decision: 'approve' | 'refuse'; note?: string },
) {
  const side = sideOf(ctx);
  if (input.decision !== 'approve' && input.decision !== 'refuse')
    throw new LedgerError('INVALID_INPUT', 'decision must be approve or refuse');
  const note =
    input.decision === 'refuse' ? requireText(input.note, 'note') : (optionalText(input.note, 'note') ?? '');
  const row = await loadExpenditureRow(ctx.tx, ctx.fund.id, input.expenditureId);
  if (side === 'firm' && (ctx.actor.username === row.proposed_by || ctx.actor.username === row.amended_by))
    throw new LedgerError('SELF_APPROVAL', 'the proposer (or whoever set the amount) cannot approve it');
  const ratifying = row.emergency_alert_id !== null && row.status === 'paid' && side === 'committee';
  if (row.status !== 'proposed' && !ratifying)
    throw new LedgerError('INVALID_STATE', `expenditure is ${row.status}`);
  const prior = (await loadApprovals(ctx.tx, row.id)).find(
    (a) => a.amountVersion === row.amount_version && a.side === side,
  );
  if (prior) throw new LedgerError('INVALID_STATE', `the ${side} side already decided (${prior.decision})`);
  const id = ctx.newId();
  const approval = {
    id,
    expenditureId: row.id,
    amountVersion: row.amount_version,
    side,
    decision: input.decision,
    actor: ctx.actor.username,
    note,
  };
  const entry = await appendEntry(ctx.tx, ctx.fund.id, 'approval', ctx.at, approval);
  await ctx.tx.insertApproval({ ...approval, seq: entry.seq, at: ctx.at });
  let status = row.status;
  if (input.decision === 'refuse' && row.status === 'proposed') {
    status = 'refused';
    await ctx.tx.updateExpenditure(row.id, { status });
  }
  return viewExpenditure(ctx.tx, { ...row, status }, ctx.config, ctx.at);
}

export async function recordVote(ctx: WriteContext, input: { expenditureId: string; tally: VoteTally }) {
  requireParty(ctx.actor, ctx.fund);
  const tally = validateTally(input.tally);
  const row = await loadExpenditureRow(ctx.tx, ctx.fund.id, input.expenditureId);
  if (row.status !== 'proposed') throw new LedgerError('INVALID_STATE', `expenditure is ${row.status}`);
  const outcome = evaluateVote(tally);
  const id = ctx.newId();
  const entry = await appendEntry(ctx.tx, ctx.fund.id, 'vote', ctx.at, {
    id,
    expenditureId: row.id,
    amountVersion: row.amount_version,
    tally,
    ...outcome,
    recordedBy: ctx.actor.username,
  });
  await ctx.tx.insertVote({
    id,
    expenditureId: row.id,
    seq: entry.seq,
    amountVersion: row.amount_version,
    tally,
    passed: outcome.passed,
    recordedBy: ctx.actor.username,
    at: ctx.at,
  });
  return viewExpenditure(ctx.tx, row, ctx.config, ctx.at);
}

export interface AttachmentInput {
  expenditureId: string;
  kind: Attachment['kind'];
  filename: string;
  mediaType: string;
  content: Uint8Array;
}

/**
 * Only the SHA-256 enters the chain. The bytes go to the file store when there is one
 * (before the row: a rollback leaves an unreferenced file, never a row without its file),
 * else into the table; either way they are checkable against the hash.
 */
export async function attachFile(
  ctx: WriteContext,
  input: AttachmentInput,
  files?: AttachmentFiles,
): Promise<Attachment> {
  requireParty(ctx.actor, ctx.fund);
  if (!['quote', 'invoice', 'other'].includes(input.kind))
    throw new LedgerError('INVALID_INPUT', 'kind must be quote, invoice or other');
  if (input.content.byteLength === 0 || input.content.byteLength > ctx.config.maxAttachmentBytes)
    throw new LedgerError('INVALID_INPUT', `a file must be 1 byte to ${ctx.config.maxAttachmentBytes} bytes`);
  const row = await loadExpenditureRow(ctx.tx, ctx.fund.id, input.expenditureId);
  const id = ctx.newId();
  const meta = {
    id,
    expenditureId: row.id,
    kind: input.kind,
    filename: requireText(input.filename, 'filename', 200),
    mediaType: requireText(input.mediaType, 'mediaType', 100),
    size: input.content.byteLength,
    sha256: sha256Hex(input.content),
    uploadedBy: ctx.actor.username,
    at: ctx.at,
  };
  if (files) await files.put(meta.sha256, input.content);
  const entry = await appendEntry(ctx.tx, ctx.fund.id, 'attachment', ctx.at, meta);
  await ctx.tx.insertAttachment({
    ...meta,
    seq: entry.seq,
    content: files ? Buffer.alloc(0) : Buffer.from(input.content),
  });
  return { ...meta, seq: entry.seq };
}

export async function payExpenditure(ctx: WriteContext, input: { expenditureId: string; memo?: string }) {
  requireFirmManager(ctx.actor, ctx.fund);
  const row = await loadExpenditureRow(ctx.tx, ctx.fund.id, input.expenditureId);
  if (row.status !== 'proposed') throw new LedgerError('INVALID_STATE', `expenditure is ${row.status}`);
  const emergency = row.emergency_alert_id !== null;
  const assessment = assessExpenditure(
    {
      amountFen: row.amount_fen,
      amountVersion: row.amount_version,
      storedStatus: row.status,
      emergency,
      ratificationDueAt: null,
      approvals: await loadApprovals(ctx.tx, row.id),
      votes: await loadVotes(ctx.tx, row.id),
    },
    ctx.config,
    ctx.at,
  );
  if (assessment.missing.length > 0)
    throw new LedgerError(
      'INVALID_STATE',
      `not payable yet: missing ${assessment.missing.join(', ')}${
        emergency && assessment.missing.includes('owners_vote')
          ? ` (an emergency may be paid before the approvals, but above ${formatYuan(ctx.config.voteThresholdFen)} yuan only after the owners' vote passes)`
          : ''
      }`,
    );
  const kind = row.expense_kind as ExpenseKind;
  const tx = await postTransaction(ctx, {
    kind: 'expenditure',
    memo: input.memo ? requireText(input.memo, 'memo') : `${row.purpose} → ${row.payee}`,
    expenditureId: row.id,
    postings: [debit(`expense:${kind}`, row.amount_fen), credit('cash', row.amount_fen)],
  });
  const paid = {
    status: 'paid' as const,
    paid_transaction_id: tx.id,
    paid_at: ctx.at,
    ratification_due_at: emergency ? ctx.at + ctx.config.emergencyRatificationDays * 86_400_000 : null,
  };
  await ctx.tx.updateExpenditure(row.id, paid);
  return {
    transaction: tx,
    expenditure: await viewExpenditure(ctx.tx, { ...row, ...paid }, ctx.config, ctx.at),
  };
}
