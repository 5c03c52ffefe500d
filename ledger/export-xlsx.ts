/**
 * The committee's Excel workbook: what the CSV carries (ledger/export.ts `toCsv`), as sheets a
 * treasurer can sum: 收支明细 (the postings), 支出申请 (proposals), 审批记录 (decisions).
 * Chinese headers; amounts are numbers in yuan with a ¥ format (so Excel adds them up, unlike
 * text); times are local time (the export's offset, Beijing by default) as Excel dates. The
 * sheet writer is lib/xlsx.ts, shared with the console's list exports.
 */
import { localTime, addSheet as sheet, workbook, xlsxBytes } from '../lib/xlsx.ts';
import {
  type CsvExtras,
  decisionRows,
  expendituresOfExport,
  type LedgerExport,
  proposalRows,
  zh,
  zoneName,
} from './export.ts';
import { memoText } from './money.ts';

/** The workbook's bytes (.xlsx). */
export async function toXlsx(exp: LedgerExport, extras: CsvExtras, utcOffsetMinutes = 480): Promise<Buffer> {
  const off = exp.period?.utcOffsetMinutes ?? utcOffsetMinutes;
  const time = (at: number | null) => localTime(at, off);
  const yuan = (fen: number) => fen / 100;
  const book = workbook();
  sheet(
    book,
    '说明',
    [
      { header: '项目', width: 12 },
      { header: '内容', width: 70 },
    ],
    [
      ['基金', exp.fund.name],
      ['基金编号', exp.fund.id],
      ['期间', exp.period ? `${exp.period.from} 至 ${exp.period.to}` : '全部'],
      ['时区', zoneName(off)],
      ['链头序号', exp.head.seq],
      ['链头哈希', exp.head.hash],
    ],
  );

  const postings = sheet(
    book,
    '收支明细',
    [
      { header: '序号', width: 8 },
      { header: '时间', width: 18, kind: 'time' },
      { header: '类型', width: 12 },
      { header: '科目', width: 16 },
      { header: '借方（元）', width: 14, kind: 'yuan' },
      { header: '贷方（元）', width: 14, kind: 'yuan' },
      { header: '所属月份', width: 10 },
      { header: '摘要', width: 32 },
      { header: '交易编号', width: 38 },
      { header: '链哈希', width: 20 },
    ],
    exp.postings.map((p) => [
      p.seq,
      time(p.at),
      zh('transactionKind', p.kind),
      zh('account', p.account),
      yuan(p.debitFen),
      yuan(p.creditFen),
      p.period,
      memoText(p),
      p.transactionId,
      p.hash,
    ]),
  );
  // The sums under the columns, as formulas Excel keeps current if someone filters or edits.
  const last = exp.postings.length + 1;
  const total = postings.addRow(['合计', null, null, null]);
  total.font = { bold: true };
  total.getCell(5).value = { formula: `SUM(E2:E${last})`, result: sumOf(exp, 'debitFen') };
  total.getCell(6).value = { formula: `SUM(F2:F${last})`, result: sumOf(exp, 'creditFen') };

  const list = expendituresOfExport(exp, extras.expenditures, off);
  sheet(
    book,
    '支出申请',
    [
      { header: '支出编号', width: 38 },
      { header: '提出时间', width: 18, kind: 'time' },
      { header: '提出人', width: 12 },
      { header: '用途', width: 28 },
      { header: '收款方', width: 24 },
      { header: '类别', width: 12 },
      { header: '金额（元）', width: 14, kind: 'yuan' },
      { header: '状态', width: 12 },
      { header: '紧急程序', width: 10 },
      { header: '支付时间', width: 18, kind: 'time' },
    ],
    proposalRows(list, extras, { time, yuan }),
  );
  sheet(
    book,
    '审批记录',
    [
      { header: '支出编号', width: 38 },
      { header: '用途', width: 28 },
      { header: '时间', width: 18, kind: 'time' },
      { header: '审批方', width: 10 },
      { header: '决定人', width: 12 },
      { header: '决定', width: 8 },
      { header: '意见', width: 32 },
      { header: '针对当前金额', width: 16 },
    ],
    decisionRows(list, extras, { time }),
  );
  return xlsxBytes(book);
}

function sumOf(exp: LedgerExport, key: 'debitFen' | 'creditFen'): number {
  return exp.postings.reduce((s, p) => s + p[key], 0) / 100;
}
