/**
 * Exports of a fund's ledger: JSON carrying the chain entries with their hashes (enough
 * to re-verify offline with cli.ts), and the committee's CSV (postings, proposals and
 * decisions, in Chinese, yuan and local time) for spreadsheets. Every
 * field of the JSON is either a chain entry or derived from the entries, so the verifier
 * (export-verify.ts) recomputes all of it: the fund's identity from its `fund_opened`
 * entry, the postings from the transaction entries, the head from the last entry. A
 * period export starts at an anchor (the entry before the period) and, like a full one,
 * runs to the fund's head, so the head published on the QR page pins either.
 */

import { FUND_WORDS, wordOf } from '../protocol/words.ts';
import type { LedgerRepository } from '../store/repositories/ledger.ts';
import { type ChainEntry, type ChainHead, chainHead, readChain } from './chain.ts';
import { LedgerError } from './errors.ts';
import { formatYuan, localTime, memoText, periodBounds } from './money.ts';
import { listPostings, type PostingRow } from './queries.ts';
import type { Expenditure, Fund } from './types.ts';

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

/** What the committee's CSV adds beside the postings: the proposals and their decisions, with names. */
export interface CsvExtras {
  expenditures: readonly Expenditure[];
  /** A display name for a username: the CSV never prints a login. */
  nameOf: (username: string) => string;
}

/** A fund code (kind, status, side, decision) in the committee's words. */
export const zh = (table: keyof typeof FUND_WORDS, code: string | null) =>
  code === null ? '' : (wordOf(FUND_WORDS[table], code, 'zh') ?? code);

/** How an export writes times and amounts: text in the CSV, dates and numbers in the workbook. */
export interface CellFormat<Time, Yuan> {
  time(at: number | null): Time;
  yuan(fen: number): Yuan;
}

/** 支出申请, one row a proposal: the same columns in the CSV and the workbook. */
export function proposalRows<Time, Yuan>(
  list: readonly Expenditure[],
  extras: CsvExtras,
  f: CellFormat<Time, Yuan>,
): (string | Time | Yuan)[][] {
  return list.map((x) => [
    x.id,
    f.time(x.proposedAt),
    extras.nameOf(x.proposedBy),
    x.purpose,
    x.payee,
    zh('expenseKind', x.kind),
    f.yuan(x.amountFen),
    zh('status', x.status),
    x.emergencyAlertId ? '是' : '否',
    f.time(x.paidAt),
  ]);
}

/** 审批记录, one row a decision on a proposal: the same columns in the CSV and the workbook. */
export function decisionRows<Time>(
  list: readonly Expenditure[],
  extras: CsvExtras,
  f: Pick<CellFormat<Time, never>, 'time'>,
): (string | Time)[][] {
  return list.flatMap((x) =>
    x.approvals.map((a) => [
      x.id,
      x.purpose,
      f.time(a.at),
      zh('side', a.side),
      extras.nameOf(a.actor),
      zh('decision', a.decision),
      a.note,
      a.amountVersion === x.amountVersion ? '是' : '否（金额已变更）',
    ]),
  );
}

/** A proposal belongs to an export's period when it was proposed, decided or paid in it. */
export function expendituresOfExport(
  exp: LedgerExport,
  expenditures: readonly Expenditure[],
  utcOffsetMinutes: number,
): Expenditure[] {
  const off = exp.period?.utcOffsetMinutes ?? utcOffsetMinutes;
  const range = exp.period
    ? { fromAt: periodBounds(exp.period.from, off).fromAt, toAt: periodBounds(exp.period.to, off).toAt }
    : null;
  const inRange = (at: number | null) => at !== null && (!range || (at >= range.fromAt && at < range.toAt));
  return expenditures.filter(
    (x) => inRange(x.proposedAt) || inRange(x.paidAt) || x.approvals.some((a) => inRange(a.at)),
  );
}

/** "UTC+08:00" for an offset in minutes east of UTC. */
export function zoneName(off: number): string {
  return `UTC${off < 0 ? '-' : '+'}${String(Math.trunc(Math.abs(off) / 60)).padStart(2, '0')}:${String(Math.abs(off) % 60).padStart(2, '0')}`;
}

/**
 * The CSV a committee hands to owners: Chinese headers, yuan with two decimals, local time
 * (the export's offset, Beijing by default), the postings, then the proposals and every
 * decision with who made it and why.
 */
export function toCsv(exp: LedgerExport, extras?: CsvExtras, utcOffsetMinutes = 480): string {
  const row = (cells: (string | number | null)[]) => cells.map(csvCell).join(',');
  const off = exp.period?.utcOffsetMinutes ?? utcOffsetMinutes;
  const time = (at: number | null) => (at === null ? '' : localTime(at, off));
  const zone = zoneName(off);
  const lines = [
    row(['基金', exp.fund.name, '基金编号', exp.fund.id, '小区编号', exp.fund.estateId]),
    row(['期间', exp.period ? `${exp.period.from} 至 ${exp.period.to}` : '全部', '时区', zone]),
    row(['链头序号', exp.head.seq, '链头哈希', exp.head.hash]),
    '',
    row(['收支明细']),
    row([
      '序号',
      '时间',
      '交易编号',
      '类型',
      '科目',
      '借方（元）',
      '贷方（元）',
      '所属月份',
      '支出编号',
      '冲正对象',
      '摘要',
      '链哈希',
    ]),
  ];
  for (const p of exp.postings)
    lines.push(
      row([
        p.seq,
        time(p.at),
        p.transactionId,
        zh('transactionKind', p.kind),
        zh('account', p.account),
        formatYuan(p.debitFen),
        formatYuan(p.creditFen),
        p.period,
        p.expenditureId,
        p.reversesId,
        memoText(p),
        p.hash,
      ]),
    );
  if (extras) {
    const list = expendituresOfExport(exp, extras.expenditures, off);
    lines.push(
      '',
      row(['支出申请']),
      row([
        '支出编号',
        '提出时间',
        '提出人',
        '用途',
        '收款方',
        '类别',
        '金额（元）',
        '状态',
        '紧急程序',
        '支付时间',
      ]),
    );
    const format = { time, yuan: formatYuan };
    for (const cells of proposalRows(list, extras, format)) lines.push(row(cells));
    lines.push(
      '',
      row(['审批记录']),
      row(['支出编号', '用途', '时间', '审批方', '决定人', '决定', '意见', '针对当前金额']),
    );
    for (const cells of decisionRows(list, extras, format)) lines.push(row(cells));
  }
  // CRLF and a BOM: what Excel on a Chinese Windows expects to read UTF-8 correctly.
  return `${BOM}${lines.join('\r\n')}\r\n`;
}
