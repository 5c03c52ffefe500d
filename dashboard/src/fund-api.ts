/**
 * The fund ledger's routes (api/routes/fund.ts, docs/ledger.md) as the committee's screens
 * use them. Funds are addressed by id; the screens pick an estate, so `fundOf` finds its
 * fund (the estate-wide one first). Money is integer fen. Every write sends a fresh
 * Idempotency-Key, made once per user action, so a retried request posts once.
 */
import { api, apiUrl } from './api.ts';

export interface Head {
  seq: number;
  hash: string;
}

export interface Fund {
  id: string;
  estateId: string;
  buildingId: string | null;
  name: string;
}

export interface Balance {
  fund: Fund;
  cashFen: number;
  accounts: Record<string, number>;
  head: Head;
}

export interface ContributionMonth {
  period: string;
  expectedFen: number;
  actualFen: number;
  differenceFen: number;
}

export interface Posting {
  seq: number;
  at: number;
  transactionId: string;
  kind: string;
  memo: string;
  account: string;
  debitFen: number;
  creditFen: number;
  reversesId: string | null;
}

export interface Approval {
  side: 'firm' | 'committee';
  decision: 'approve' | 'refuse';
  actor: string;
  note: string;
  at: number;
  amountVersion: number;
}

export interface Attachment {
  id: string;
  kind: string;
  filename: string;
  sha256: string;
  size: number;
}

export interface Expenditure {
  id: string;
  amountFen: number;
  amountVersion: number;
  kind: string;
  purpose: string;
  payee: string;
  elevatorId: string | null;
  links: { alertIds: string[]; visitIds: string[]; workOrder: string | null };
  emergencyAlertId: string | null;
  status: 'proposed' | 'approved' | 'refused' | 'paid' | 'reversed';
  proposedBy: string;
  amendedBy: string | null;
  proposedAt: number;
  paidTransactionId: string | null;
  paidAt: number | null;
  ratificationDueAt: number | null;
  approvals: Approval[];
  votes: { passed: boolean; amountVersion: number; at: number }[];
  attachments: Attachment[];
  voteRequired: boolean;
  missing: string[];
  flags: string[];
}

export interface Verification {
  ok: boolean;
  count?: number;
  head?: Head;
  index?: number;
  reason?: string;
}

/** An owners' vote as counted; areas in m² here, sent to the API in 1/100 m². */
export interface VoteInput {
  eligibleOwners: number;
  eligibleAreaM2: number;
  participatingOwners: number;
  participatingAreaM2: number;
  yesOwners: number;
  yesAreaM2: number;
}

const base = (fundId: string) => `/funds/${encodeURIComponent(fundId)}`;
const keyed = () => ({ 'idempotency-key': `ui-${crypto.randomUUID()}` });
const centi = (m2: number) => Math.round(m2 * 100);

export const fundApi = {
  /** The estate's own fund, else the first building fund; null when none is opened. */
  async fundOf(estateId: string): Promise<Fund | null> {
    const funds = (await api.get<Fund[]>('/funds')).filter((f) => f.estateId === estateId);
    return funds.find((f) => f.buildingId === null) ?? funds[0] ?? null;
  },
  balance: (fundId: string) => api.get<Balance>(base(fundId)),
  contributions: (fundId: string) => api.get<ContributionMonth[]>(`${base(fundId)}/contributions`),
  postings: (fundId: string) => api.get<Posting[]>(`${base(fundId)}/postings`),
  expenditures: (fundId: string) => api.get<Expenditure[]>(`${base(fundId)}/expenditures`),
  decide: (fundId: string, id: string, decision: 'approve' | 'refuse', note: string) =>
    api.post<Expenditure>(
      `${base(fundId)}/expenditures/${encodeURIComponent(id)}/decision`,
      note ? { decision, note } : { decision },
      keyed(),
    ),
  vote: (fundId: string, id: string, v: VoteInput) =>
    api.post<Expenditure>(
      `${base(fundId)}/expenditures/${encodeURIComponent(id)}/votes`,
      {
        tally: {
          eligibleOwners: v.eligibleOwners,
          eligibleAreaCentiM2: centi(v.eligibleAreaM2),
          participatingOwners: v.participatingOwners,
          participatingAreaCentiM2: centi(v.participatingAreaM2),
          yesOwners: v.yesOwners,
          yesAreaCentiM2: centi(v.yesAreaM2),
        },
      },
      keyed(),
    ),
  verify: (fundId: string) => api.get<Verification>(`${base(fundId)}/verify`),
  attachmentUrl: (fundId: string, expenditureId: string, attachmentId: string) =>
    apiUrl(
      `${base(fundId)}/expenditures/${encodeURIComponent(expenditureId)}/attachments/${encodeURIComponent(attachmentId)}`,
    ),
  exportUrl: (fundId: string, format: 'csv' | 'json', month?: string) =>
    apiUrl(`${base(fundId)}/export.${format}`, { from: month, to: month }),
  statementUrl: (fundId: string, month: string) => apiUrl(`${base(fundId)}/statement`, { period: month }),
};

/** What the committee still has to act on: open proposals and unratified emergencies. */
export function awaitingDecision(list: Expenditure[]): Expenditure[] {
  return list.filter(
    (x) =>
      x.status === 'proposed' ||
      x.status === 'approved' ||
      (x.status === 'paid' && x.flags.includes('awaiting_ratification')),
  );
}
