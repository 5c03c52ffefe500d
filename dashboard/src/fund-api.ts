/**
 * The fund ledger as the committee's screens expect it (issue 5). api/routes/fund.ts is
 * being written in parallel; until it lands these routes answer 404 "No route" and the
 * screens show "awaiting API". AWAITING API: every path and field below is the UI's
 * reading of issue 5 (money in integer fen, hash-chained entries, idempotency keys) and
 * must be aligned with the real routes in this one file when they exist.
 */
import { api, apiUrl } from './api.ts';
import type { Page } from './types.ts';

export interface FundSummary {
  estate_id: string;
  balance_fen: number;
  head: { seq: number; hash: string };
}

export interface Contribution {
  month: string;
  expected_fen: number;
  received_fen: number;
}

export interface Posting {
  seq: number;
  transaction_id: string;
  at: number;
  account: string;
  debit_fen: number;
  credit_fen: number;
  memo: string;
  reverses: string | null;
}

export interface Approval {
  by: string;
  role: string;
  decision: 'approve' | 'refuse';
  note: string;
  at: number;
}

export interface Proposal {
  id: string;
  amount_fen: number;
  purpose: string;
  payee: string;
  elevator_id: string | null;
  status: string;
  emergency: boolean;
  links: { alerts: string[]; visits: string[]; work_order: string | null };
  attachments: { name: string; sha256: string; url: string }[];
  approvals: Approval[];
  needs_vote: boolean;
  vote: {
    participants: number;
    participating_area_m2: number;
    in_favour: number;
    in_favour_area_m2: number;
    passed: boolean;
  } | null;
}

export interface Verification {
  ok: boolean;
  entries: number;
  head: { seq: number; hash: string };
  first_bad: { index: number; reason: string } | null;
}

export interface VoteInput {
  participants: number;
  participating_area_m2: number;
  in_favour: number;
  in_favour_area_m2: number;
}

const base = (estate: string) => `/fund/${encodeURIComponent(estate)}`;

/** Every write carries a client-generated idempotency key, so a double click posts once. */
const key = () => crypto.randomUUID();

export const fundApi = {
  summary: (estate: string) => api.get<FundSummary>(base(estate)),
  contributions: (estate: string) => api.get<Contribution[]>(`${base(estate)}/contributions`),
  postings: (estate: string, offset = 0) =>
    api.get<Page<Posting>>(`${base(estate)}/postings`, { limit: 50, offset }),
  proposals: (estate: string) =>
    api.get<Proposal[]>(`${base(estate)}/proposals`, { status: 'awaiting_approval' }),
  decide: (estate: string, id: string, decision: 'approve' | 'refuse', note: string) =>
    api.post<Proposal>(`${base(estate)}/proposals/${encodeURIComponent(id)}/${decision}`, {
      note,
      idempotency_key: key(),
    }),
  vote: (estate: string, id: string, vote: VoteInput) =>
    api.post<Proposal>(`${base(estate)}/proposals/${encodeURIComponent(id)}/vote`, {
      ...vote,
      idempotency_key: key(),
    }),
  verify: (estate: string) => api.get<Verification>(`${base(estate)}/verify`),
  exportUrl: (estate: string, format: 'csv' | 'json', period?: string) =>
    apiUrl(`${base(estate)}/export.${format}`, { period }),
  statementUrl: (estate: string, month: string) => apiUrl(`${base(estate)}/statement`, { month }),
};
