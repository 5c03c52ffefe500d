/**
 * Exports of a fund's ledger: JSON carrying the chain entries with their hashes (enough
 * to re-verify offline with cli.ts), and CSV of the postings for spreadsheets. Both name
 * the head (seq:hash) so a printed copy pins the history.
 */
import type { Kysely } from 'kysely';
import type { Database } from '../../registry/schema.ts';
import { type ChainEntry, type ChainHead, chainHead, EMPTY_HEAD, readChain } from './chain.ts';
import { LedgerError } from './errors.ts';
import { formatYuan, periodBounds } from './money.ts';
import { listPostings, type PostingRow } from './queries.ts';
import { loadFund } from './store.ts';
import type { Fund } from './types.ts';
import { type VerifyResult, verifyChain } from './verify.ts';

export const EXPORT_FORMAT = 'lift-watch-fund-ledger/1';

export interface LedgerExport {
  format: typeof EXPORT_FORMAT;
  exportedAt: number;
  fund: Fund;
  period: { from: string; to: string } | null;
  /** The entry just before the first exported one (genesis for a full export). */
  anchor: ChainHead;
  /** The last exported entry. */
  head: ChainHead;
  /** The fund's head when exported, which may be later than `head` for a past period. */
  fundHead: ChainHead;
  entries: ChainEntry[];
  postings: PostingRow[];
}

export async function buildExport(
  db: Kysely<Database>,
  fundId: string,
  options: { now: number; utcOffsetMinutes: number; period?: { from: string; to: string } },
): Promise<LedgerExport> {
  const fund = await loadFund(db, fundId);
  let range: { fromAt?: number; toAt?: number } = {};
  if (options.period) {
    range = {
      fromAt: periodBounds(options.period.from, options.utcOffsetMinutes).fromAt,
      toAt: periodBounds(options.period.to, options.utcOffsetMinutes).toAt,
    };
    if (range.fromAt! >= range.toAt!)
      throw new LedgerError('INVALID_INPUT', 'period.from is after period.to');
  }
  // A contiguous run of seqs, so the export verifies from its anchor even if clocks wobbled.
  const inRange = await readChain(db, fundId, range);
  const first = inRange[0]?.seq;
  const last = inRange.at(-1)?.seq;
  const entries = first === undefined ? [] : await readChain(db, fundId, { fromSeq: first, toSeq: last });
  const anchor =
    first === undefined || first === 1
      ? EMPTY_HEAD
      : {
          seq: first - 1,
          hash: (await readChain(db, fundId, { fromSeq: first - 1, toSeq: first - 1 }))[0]!.hash,
        };
  const head = entries.at(-1) ? { seq: entries.at(-1)!.seq, hash: entries.at(-1)!.hash } : anchor;
  return {
    format: EXPORT_FORMAT,
    exportedAt: options.now,
    fund,
    period: options.period ?? null,
    anchor,
    head,
    fundHead: await chainHead(db, fundId),
    entries,
    postings: await listPostings(db, fundId, range),
  };
}

/** Verifies an export read from a file: the chain from its anchor, its claimed head, a pinned head. */
export function verifyExport(data: unknown, pinned?: ChainHead): VerifyResult {
  const x = data as Partial<LedgerExport> | null;
  if (!x || typeof x !== 'object' || !Array.isArray(x.entries))
    return { ok: false, index: 0, seq: null, reason: 'not a ledger export (no entries array)' };
  const anchor = x.anchor && typeof x.anchor.seq === 'number' ? x.anchor : EMPTY_HEAD;
  const result = verifyChain(x.entries, pinned ? { anchor, pinned } : { anchor });
  if (!result.ok) return result;
  if (x.head && (x.head.seq !== result.head.seq || x.head.hash !== result.head.hash))
    return {
      ok: false,
      index: x.entries.length,
      seq: x.head.seq ?? null,
      reason: `the export claims head ${x.head.seq}:${x.head.hash} but its entries end at ${result.head.seq}:${result.head.hash} (truncated?)`,
    };
  return result;
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
  const lines = [
    row(['fund', exp.fund.name, 'fund_id', exp.fund.id, 'estate_id', exp.fund.estateId]),
    row([
      'period',
      exp.period ? `${exp.period.from}..${exp.period.to}` : 'all',
      'exported_at',
      new Date(exp.exportedAt).toISOString(),
    ]),
    row([
      'head_seq',
      exp.head.seq,
      'head_hash',
      exp.head.hash,
      'fund_head',
      `${exp.fundHead.seq}:${exp.fundHead.hash}`,
    ]),
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
