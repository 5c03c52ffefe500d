/**
 * What residents see of their estate's maintenance fund on the QR page: the balance, the
 * last months' contributions (expected vs received), every paid expenditure with its
 * approvals and linked work, and the chain head. Read from the ledger once per estate and
 * kept until the ledger announces a write for that estate (ledger/changes.ts), so a
 * QR hit costs a map lookup, never a ledger query. `maxAgeMs` covers what changes with
 * the clock alone: the month window and the "ratification overdue" flag.
 */
import { onLedgerChange } from '../../ledger/changes.ts';
import { createFundLedger } from '../../ledger/ledger.ts';
import { periodOf } from '../../ledger/money.ts';
import type { ContributionMonth } from '../../ledger/queries.ts';
import type { ExpenditureFlag, LedgerConfig } from '../../ledger/types.ts';
import type { LedgerRepository } from '../../store/repositories/ledger.ts';

export interface DisclosedExpenditure {
  purpose: string;
  kind: string;
  payee: string;
  amountFen: number;
  paidAt: number;
  /** Sides and dates only: the page shows no one's account name. */
  approvals: { side: string; at: number }[];
  alerts: { code: string; openedAt: number }[];
  visits: { kind: string; at: number }[];
  workOrder: string | null;
  invoiceSha256: string | null;
  flags: ExpenditureFlag[];
}

export interface FundDisclosure {
  /** Changes whenever anything shown changes: part of the rendered page's cache key. */
  version: number;
  fundName: string;
  buildingId: string | null;
  cashFen: number;
  head: { seq: number; hash: string };
  months: ContributionMonth[];
  /** The month in progress (its period, as in `months`): not yet short, whatever it holds. */
  currentPeriod: string;
  /** Newest first. */
  paid: DisclosedExpenditure[];
}

interface Entry {
  funds: FundDisclosure[];
  loadedAt: number;
}

export interface FundDisclosureOptions {
  /** The store's ledger repository (`store.ledger`). */
  repository: LedgerRepository;
  config: LedgerConfig;
  clock: () => number;
  maxAgeMs?: number;
  /** How many months of contributions to show, this one included. */
  months?: number;
}

export class FundDisclosureCache {
  readonly #entries = new Map<string, Entry>();
  readonly #loading = new Map<string, Promise<FundDisclosure[]>>();
  /** Bumped per estate on each ledger change, so a load that raced a write is not kept. */
  readonly #generation = new Map<string, number>();
  readonly #ledger;
  readonly #options: Required<FundDisclosureOptions>;
  #version = 0;
  readonly stop: () => void;

  constructor(options: FundDisclosureOptions) {
    this.#options = { maxAgeMs: 10 * 60_000, months: 6, ...options };
    this.#ledger = createFundLedger({
      repository: options.repository,
      clock: options.clock,
      config: options.config,
    });
    this.stop = onLedgerChange(options.repository, ({ estateId }) => this.invalidate(estateId));
  }

  invalidate(estateId: string): void {
    this.#entries.delete(estateId);
    this.#loading.delete(estateId);
    this.#generation.set(estateId, (this.#generation.get(estateId) ?? 0) + 1);
  }

  /**
   * The disclosure for a building's lift (that building's own fund, else the estate's),
   * synchronously from memory; `undefined` when it must be loaded first (`load`).
   */
  peek(estateId: string, buildingId: string): FundDisclosure | null | undefined {
    const funds = this.#fresh(estateId);
    return funds && pickFund(funds, buildingId);
  }

  async load(estateId: string, buildingId: string): Promise<FundDisclosure | null> {
    return pickFund(this.#fresh(estateId) ?? (await this.#load(estateId)), buildingId);
  }

  #fresh(estateId: string): FundDisclosure[] | undefined {
    const hit = this.#entries.get(estateId);
    if (hit && this.#options.clock() - hit.loadedAt < this.#options.maxAgeMs) return hit.funds;
    return undefined;
  }

  #load(estateId: string): Promise<FundDisclosure[]> {
    const pending = this.#loading.get(estateId);
    if (pending !== undefined) return pending;
    const generation = this.#generation.get(estateId) ?? 0;
    const loadedAt = this.#options.clock();
    const load = this.#read(estateId, loadedAt).then(
      (funds) => {
        if ((this.#generation.get(estateId) ?? 0) === generation) {
          this.#entries.set(estateId, { funds, loadedAt });
          this.#loading.delete(estateId);
        }
        return funds;
      },
      (error: unknown) => {
        this.#loading.delete(estateId);
        throw error;
      },
    );
    this.#loading.set(estateId, load);
    return load;
  }

  async #read(estateId: string, now: number): Promise<FundDisclosure[]> {
    const ledger = this.#ledger;
    const funds = await ledger.fundsOfEstate(estateId);
    return Promise.all(
      funds.map(async (fund) => {
        const [balance, expenditures] = await Promise.all([
          ledger.balance(fund.id),
          ledger.expenditures(fund.id),
        ]);
        const to = periodOf(now, this.#options.config.utcOffsetMinutes);
        const months = await ledger.contributions(fund.id, monthsBefore(to, this.#options.months - 1), to);
        const paid = expenditures
          .filter((x) => x.status === 'paid' && x.paidAt !== null)
          .sort((a, b) => (b.paidAt ?? 0) - (a.paidAt ?? 0) || b.proposedAt - a.proposedAt);
        const alertIds = [...new Set(paid.flatMap((x) => x.links.alertIds))];
        const visitIds = [...new Set(paid.flatMap((x) => x.links.visitIds))];
        const { alerts, visits } = await ledger.linkedWork(alertIds, visitIds);
        this.#version += 1;
        return {
          version: this.#version,
          fundName: fund.name,
          buildingId: fund.buildingId,
          cashFen: balance.cashFen,
          head: balance.head,
          months,
          currentPeriod: to,
          paid: paid.map((x) => ({
            purpose: x.purpose,
            kind: x.kind,
            payee: x.payee,
            amountFen: x.amountFen,
            paidAt: x.paidAt as number,
            approvals: x.approvals
              .filter((a) => a.decision === 'approve' && a.amountVersion === x.amountVersion)
              .map((a) => ({ side: a.side, at: a.at })),
            alerts: alerts
              .filter((a) => x.links.alertIds.includes(a.id))
              .map((a) => ({ code: a.code, openedAt: a.opened_at })),
            visits: visits
              .filter((v) => x.links.visitIds.includes(v.id))
              .map((v) => ({ kind: v.kind, at: v.check_in_at })),
            workOrder: x.links.workOrder,
            invoiceSha256: x.attachments.find((a) => a.kind === 'invoice')?.sha256 ?? null,
            flags: x.flags,
          })),
        };
      }),
    );
  }
}

function pickFund(funds: FundDisclosure[], buildingId: string): FundDisclosure | null {
  return funds.find((f) => f.buildingId === buildingId) ?? funds.find((f) => f.buildingId === null) ?? null;
}

function monthsBefore(period: string, count: number): string {
  const index = Number(period.slice(0, 4)) * 12 + Number(period.slice(5)) - 1 - count;
  return `${Math.floor(index / 12)}-${String((index % 12) + 1).padStart(2, '0')}`;
}
