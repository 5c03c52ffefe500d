/** Domain types of the maintenance-fund ledger. Amounts are integer fen. */
import type { ChainHead } from './chain.ts';
import type { Fen } from './money.ts';

/** Who writes. An API Principal fits this shape; so does a test's plain object. */
export interface Actor {
  username: string;
  role: string;
  propertyFirmId: string | null;
  estateId: string | null;
}

export interface Fund {
  id: string;
  estateId: string;
  buildingId: string | null;
  propertyFirmId: string;
  name: string;
}

export const EXPENSE_KINDS = [
  'routine_maintenance',
  'repair',
  'parts',
  'inspection',
  'major_overhaul',
] as const;
export type ExpenseKind = (typeof EXPENSE_KINDS)[number];

export const INCOME_SOURCES = ['interest', 'subsidy', 'insurance_payout'] as const;
export type IncomeSource = (typeof INCOME_SOURCES)[number];

export type Account = 'cash' | 'income:fee_share' | 'income:other' | `expense:${ExpenseKind}`;

export interface Posting {
  account: Account;
  debit: Fen;
  credit: Fen;
}

export type TransactionKind = 'contribution' | 'other_income' | 'expenditure' | 'reversal';

export interface LedgerTransaction {
  id: string;
  fundId: string;
  seq: number;
  kind: TransactionKind;
  memo: string;
  period: string | null;
  source: IncomeSource | null;
  expenditureId: string | null;
  reversesId: string | null;
  createdBy: string;
  at: number;
  postings: Posting[];
}

export interface ContributionRule {
  id: string;
  fundId: string;
  effectiveFrom: string;
  rateFenPerM2Month: Fen;
  areaCentiM2: number;
  shareBp: number;
}

export interface ExpenditureLinks {
  alertIds: string[];
  visitIds: string[];
  workOrder: string | null;
}

export type ApprovalSide = 'firm' | 'committee';

export interface Approval {
  id: string;
  expenditureId: string;
  seq: number;
  amountVersion: number;
  side: ApprovalSide;
  decision: 'approve' | 'refuse';
  actor: string;
  note: string;
  at: number;
}

/** An owners' vote as counted (业主大会表决): eligible, participating and agreeing owners and area. */
export interface VoteTally {
  eligibleOwners: number;
  eligibleAreaCentiM2: number;
  participatingOwners: number;
  participatingAreaCentiM2: number;
  yesOwners: number;
  yesAreaCentiM2: number;
}

export interface OwnersVote {
  id: string;
  expenditureId: string;
  seq: number;
  amountVersion: number;
  tally: VoteTally;
  passed: boolean;
  recordedBy: string;
  at: number;
}

export interface Attachment {
  id: string;
  expenditureId: string;
  seq: number;
  kind: 'quote' | 'invoice' | 'other';
  filename: string;
  mediaType: string;
  size: number;
  sha256: string;
  uploadedBy: string;
  at: number;
}

export type ExpenditureFlag = 'awaiting_ratification' | 'ratification_overdue' | 'ratification_refused';

export interface Expenditure {
  id: string;
  fundId: string;
  amountFen: Fen;
  amountVersion: number;
  kind: ExpenseKind;
  purpose: string;
  payee: string;
  elevatorId: string | null;
  links: ExpenditureLinks;
  emergencyAlertId: string | null;
  /** `approved` is derived: proposed, with both sides (and the vote when needed) on this amount. */
  status: 'proposed' | 'approved' | 'refused' | 'paid' | 'reversed';
  proposedBy: string;
  amendedBy: string | null;
  proposedAt: number;
  paidTransactionId: string | null;
  paidAt: number | null;
  ratificationDueAt: number | null;
  approvals: Approval[];
  votes: OwnersVote[];
  attachments: Attachment[];
  voteRequired: boolean;
  /** What is still missing before it can be paid, e.g. ['committee_approval']. */
  missing: string[];
  flags: ExpenditureFlag[];
}

export interface Balance {
  fundId: string;
  cashFen: Fen;
  accounts: Record<string, Fen>;
  head: ChainHead;
}

export interface LedgerConfig {
  /** Expenditures strictly above this need a passed owners' vote. */
  voteThresholdFen: Fen;
  /** Days the committee has to ratify an emergency payment. */
  emergencyRatificationDays: number;
  /** Month boundaries of statements and periods, minutes east of UTC (China: 480). */
  utcOffsetMinutes: number;
  maxAttachmentBytes: number;
}

export const DEFAULT_LEDGER_CONFIG: Readonly<LedgerConfig> = Object.freeze({
  voteThresholdFen: 5_000_000,
  emergencyRatificationDays: 7,
  utcOffsetMinutes: 480,
  maxAttachmentBytes: 10 * 1024 * 1024,
});
