/**
 * Exports of a fund's ledger: JSON carrying the chain entries with their hashes (enough
 * to re-verify offline with cli.ts), and CSV of the postings for spreadsheets. Every
 * field of the JSON is either a chain entry or derived from the entries, so the verifier
 * (export-verify.ts) recomputes all of it: the fund's identity from its `fund_opened`
 * entry, the postings from the transaction entries, the head from the last entry. A
 * period export starts at an anchor (the entry before the period) and, like a full one,
 * runs to the fund's head, so the head published on the QR page pins either.
 */
import type { LedgerRepository } from '../store/repositories/ledger.ts';
import { type ChainEntry, type ChainHead, chainHead, readChain } from './chain.ts';
import { LedgerError } from './errors.ts';
import { formatYuan, periodBounds } from './money.ts';
import { listPostings, type PostingRow } from './queries.ts';
import type { Fund } from './types.ts';

export const EXPORT_FORMAT = 'lift-watch-fund-ledger/2';

/** Calendar months from..to inclusive, in local time `utcOffsetMinutes` east of UTC. */
export interface ExportPeriod {
  from: string;
  to: string;
  utcOffsetMinutes: number;
}

export interface LedgerExport {
  format: typeof EXPORT_FORMAT;
  /** As the fund's first chain entry (`fund_opened`) records it. */
  fund: Fund;
  /** Null: the whole ledger, from the fund's first entry. */
  period: ExportPeriod | null;
  /** Only in a period export that starts mid-chain: the whole entry just before the period. */
  anchor: ChainEntry | null;
  /** With an anchor: the fund's `fund_opened` entry, which names the fund. */
  genesis: ChainEntry | null;
  /** The last entry: the fund's head when exported. */
  head: ChainHead;
  entries: ChainEntry[];
  /** The postings of the transaction entries (of the period), as the CSV shows them. */
  postings: PostingRow[];
}

/** The fund as its `fund_opened` entry records it (a rename would be a later entry). */
export function fundOfGenesis(genesis: ChainEntry): Fund {
  const d = genesis.data as Record<string, unknown>;
  return {
    id: d.id as string,
    estateId: d.estateId as string,
    buildingId: (d.buildingId ?? null) as string | null,
    propertyFirmId: d.propertyFirmId as string,
    name: d.name as string,
  };
}

export async function buildExport(
  repository: LedgerRepository,
  fundId: string,
  options: { utcOffsetMinutes: number; period?: { from: string; to: string } },
): Promise<LedgerExport> {
  let range: { fromAt?: number; toAt?: number } = {};
  const period = options.period ? { ...options.period, utcOffsetMinutes: options.utcOffsetMinutes } : null;
  if (period) {
    range = {
      fromAt: periodBounds(period.from, period.utcOffsetMinutes).fromAt,
      toAt: periodBounds(period.to, period.utcOffsetMinutes).toAt,
    };
    if (range.fromAt! >= range.toAt!)
      throw new LedgerError('INVALID_INPUT', 'period.from is after period.to');
  }
  // One read transaction: the postings must be those of exactly these entries.
  return repository.snapshot(async (reads) => {
    const [genesis] = await readChain(reads, fundId, { toSeq: 1 });
    if (!genesis) throw new LedgerError('NOT_FOUND', `fund ${fundId} not found`);
    const first = period ? await reads.firstSeqFrom(fundId, range.fromAt!) : 1;
    // Nothing at or after the period's start: no entries, and the anchor is the head.
    const fromSeq = first ?? (await chainHead(reads, fundId)).seq + 1;
    const entries = await readChain(reads, fundId, { fromSeq });
    const anchor =
      fromSeq === 1
        ? null
        : ((await readChain(reads, fundId, { fromSeq: fromSeq - 1, toSeq: fromSeq - 1 }))[0] ?? null);
    const last = entries.at(-1) ?? anchor ?? genesis;
    return {
      format: EXPORT_FORMAT,
      fund: fundOfGenesis(genesis),
      period,
      anchor,
      genesis: anchor ? genesis : null,
      head: { seq: last.seq, hash: last.hash },
      entries,
      postings: await listPostings(reads, fundId, range),
    };
  });
}

/** Spreadsheets run a cell starting with = + - @ (or tab/CR) as a formula; a leading ' stops that. */
export function csvCell(value: string | number | null): string {
  let s = value === null ? '' : String(value);
  if (typeof value === 'string' && /^[=+\-@\t\r]/.test(s)) s = `'${s}`;
  return /[",\r\n]/.test(s) ? `"${s.replaceAll('"', '""')}"` : s;
}

const BOM = '\uFEFF';

export function toCsv(exp: LedgerExport): string {
  const row = (cells: (string | number | null)[]) => cells.map(csvCell).join(',');
  const offset = (m: number) =>
    `UTC${m < 0 ? '-' : '+'}${String(Math.trunc(Math.abs(m) / 60)).padStart(2, '0')}:${String(Math.abs(m) % 60).padStart(2, '0')}`;
  const lines = [
    row(['fund', exp.fund.name, 'fund_id', exp.fund.id, 'estate_id', exp.fund.estateId]),
    row([
      'period',
      exp.period ? `${exp.period.from}..${exp.period.to} ${offset(exp.period.utcOffsetMinutes)}` : 'all',
    ]),
    row(['head_seq', exp.head.seq, 'head_hash', exp.head.hash]),
    '',
    row([
      'seq',
      'time',
      'transaction_id',
      'kind',
      'account',
      'debit_fen',
      'credit_fen',
      'debit_yuan',
      'credit_yuan',
      'period',
      'expenditure_id',
      'reverses_id',
      'memo',
      'entry_hash',
    ]),
  ];
  for (const p of exp.postings)
    lines.push(
      row([
        p.seq,
        new Date(p.at).toISOString(),
        p.transactionId,
        p.kind,
        p.account,
        p.debitFen,
        p.creditFen,
        formatYuan(p.debitFen),
        formatYuan(p.creditFen),
        p.period,
        p.expenditureId,
        p.reversesId,
        p.memo,
        p.hash,
      ]),
    );
  // CRLF and a BOM: what Excel on a Chinese Windows expects to read UTF-8 correctly.
  return `${BOM}${lines.join('\r\n')}\r\n`;
}
