/**
 * The property firm's writes to the fund (api/routes/fund/*.ts, docs/ledger.md): open the
 * fund, set the contribution rule, record a month's contribution, propose an expenditure,
 * change its amount, attach a quote or invoice, decide as the firm's second manager, pay.
 * Money goes out as integer fen. Each form holds one ActionKey: a retry of the same action
 * (after a network error) sends the same Idempotency-Key, so it is written once.
 */
import { api } from './api.ts';
import type { Attachment, Expenditure, Fund } from './fund-api.ts';
import type { Alert, Page, Visit } from './types.ts';

export const EXPENSE_KINDS = [
  'repair',
  'parts',
  'routine_maintenance',
  'inspection',
  'major_overhaul',
] as const;
export type ExpenseKind = (typeof EXPENSE_KINDS)[number];

/** What the files route accepts (it also checks the first bytes). */
export const FILE_TYPES = ['application/pdf', 'image/png', 'image/jpeg'] as const;

export interface ProposalInput {
  amountFen: number;
  kind: ExpenseKind;
  purpose: string;
  payee: string;
  elevatorId: string | null;
  alertIds: string[];
  visitIds: string[];
  workOrder: string | null;
  emergencyAlertId: string | null;
}

export interface ContributionRuleInput {
  effectiveFrom: string;
  rateFenPerM2Month: number;
  areaCentiM2: number;
  shareBp: number;
}

/** One user action's Idempotency-Key: the same across retries, a new one after success. */
export class ActionKey {
  #value = ActionKey.fresh();

  static fresh(): string {
    return `ui-${crypto.randomUUID()}`;
  }

  get header(): Record<string, string> {
    return { 'idempotency-key': this.#value };
  }

  /** A sub-key for the second request of one action (the file after the proposal). */
  part(name: string): Record<string, string> {
    return { 'idempotency-key': `${this.#value}.${name}` };
  }

  renew(): void {
    this.#value = ActionKey.fresh();
  }
}

const base = (fundId: string) => `/funds/${encodeURIComponent(fundId)}`;
const one = (fundId: string, id: string) => `${base(fundId)}/expenditures/${encodeURIComponent(id)}`;

/** The payment reference goes into the posting's memo, which the chain and the exports keep. */
export function paymentMemo(x: Pick<Expenditure, 'purpose' | 'payee'>, reference: string): string {
  const tail = ` · ref ${reference}`;
  const head = `${x.purpose} → ${x.payee}`;
  return head.length + tail.length <= 500 ? head + tail : `${head.slice(0, 499 - tail.length)}…${tail}`;
}

export const firmApi = {
  openFund: (estateId: string, name: string, key: ActionKey) =>
    api.post<Fund>('/funds', { estateId, name }, key.header),
  setRule: (fundId: string, rule: ContributionRuleInput, key: ActionKey) =>
    api.post(`${base(fundId)}/contribution-rules`, rule, key.header),
  recordContribution: (
    fundId: string,
    input: { period: string; amountFen: number; memo?: string },
    key: ActionKey,
  ) => api.post(`${base(fundId)}/contributions`, input, key.header),
  propose: (fundId: string, input: ProposalInput, key: ActionKey) =>
    api.post<Expenditure>(`${base(fundId)}/expenditures`, input, key.header),
  amend: (fundId: string, id: string, amountFen: number, reason: string, key: ActionKey) =>
    api.post<Expenditure>(`${one(fundId, id)}/amount`, { amountFen, reason }, key.header),
  attach: (
    fundId: string,
    id: string,
    kind: 'quote' | 'invoice' | 'other',
    file: File,
    key: Record<string, string>,
  ) => api.upload<Attachment>(`${one(fundId, id)}/attachments`, file, { kind, filename: file.name }, key),
  pay: (fundId: string, id: string, memo: string, key: Record<string, string>) =>
    api.post<{ expenditure: Expenditure }>(`${one(fundId, id)}/payment`, { memo }, key),
  /** The estate's newest alerts and visits, to link a proposal to the work it pays for. */
  recentAlerts: (estateId: string) =>
    api.get<Page<Alert>>('/alerts', { estate: estateId, limit: 30 }).then((p) => p.items),
  recentVisits: (estateId: string) =>
    api.get<Page<Visit>>('/visits', { estate: estateId, limit: 30 }).then((p) => p.items),
};
