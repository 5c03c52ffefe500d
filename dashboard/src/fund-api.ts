/**
 * The fund ledger's routes (api/routes/fund.ts, docs/ledger.md) as the committee's screens
 * use them. Funds are addressed by id; the screens pick an estate, so `fundOf` finds its
 * fund (the estate-wide one first). Money is integer fen. Every write sends a fresh
 * Idempotency-Key, made once per user action, so a retried request posts once.
 */
import type { Static } from '@sinclair/typebox';
import type {
  BalanceView,
  ContributionMonthView,
  ExpenditureView,
  FundView,
  PostingView,
  VerifyView,
} from '../../protocol/fund-http.ts';
import { api, apiUrl } from './api.ts';

// The HTTP contract (protocol/fund-http.ts), type-only: erased from the bundle.
export type Fund = Static<typeof FundView>;
export type Balance = Static<typeof BalanceView>;
export type Head = Balance['head'];
export type ContributionMonth = Static<typeof ContributionMonthView>;
export type Posting = Static<typeof PostingView>;
export type Expenditure = Static<typeof ExpenditureView>;
export type Approval = Expenditure['approvals'][number];
export type Attachment = Expenditure['attachments'][number];
export type Verification = Static<typeof VerifyView>;

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
  exportUrl: (fundId: string, format: 'csv' | 'xlsx' | 'json', month?: string) =>
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
