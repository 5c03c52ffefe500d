/**
 * The printable monthly statement (月度公示) in Chinese and English: opening and closing
 * cash, expected vs actual contributions, every income and payment with its approvals,
 * and the chain head, so the printed page pins the history it shows.
 */
import type { LedgerReads } from '../store/repositories/ledger.ts';
import { readChain } from './chain.ts';
import { listExpenditures } from './expenditure-view.ts';
import { formatYuan, periodBounds } from './money.ts';
import { contributionReport, listPostings } from './queries.ts';
import { loadFund } from './store.ts';
import type { LedgerConfig } from './types.ts';

const esc = (s: string) =>
  s.replace(
    /[&<>"']/g,
    (c) => ({ '&': '&amp;', '<': '&lt;', '>': '&gt;', '"': '&quot;', "'": '&#39;' })[c] as string,
  );

function cashNet(rows: { account: string; debitFen: number; creditFen: number }[]): number {
  return rows.filter((r) => r.account === 'cash').reduce((s, r) => s + r.debitFen - r.creditFen, 0);
}

export async function monthlyStatement(
  reads: LedgerReads,
  fundId: string,
  period: string,
  config: LedgerConfig,
  now: number,
): Promise<string> {
  const fund = await loadFund(reads, fundId);
  const { fromAt, toAt } = periodBounds(period, config.utcOffsetMinutes);
  const [before, during, contributions, expenditures, chain] = await Promise.all([
    listPostings(reads, fundId, { toAt: fromAt }),
    listPostings(reads, fundId, { fromAt, toAt }),
    contributionReport(reads, fundId, period, period),
    listExpenditures(reads, fundId, config, now),
    readChain(reads, fundId, { toAt }),
  ]);
  const opening = cashNet(before);
  const closing = opening + cashNet(during);
  const head = chain.at(-1);
  const month = contributions[0];
  const txRows = [...new Map(during.map((p) => [p.transactionId, p])).values()].map((p) => {
    const cash = during.filter((r) => r.transactionId === p.transactionId && r.account === 'cash');
    const net = cash.reduce((s, r) => s + r.debitFen - r.creditFen, 0);
    return `<tr><td>${p.seq}</td><td>${new Date(p.at).toISOString().slice(0, 10)}</td><td>${esc(p.kind)}</td><td>${esc(p.memo)}</td><td class="n">${formatYuan(net)}</td></tr>`;
  });
  const paid = expenditures.filter((x) => x.paidAt !== null && x.paidAt >= fromAt && x.paidAt < toAt);
  const xRows = paid.map((x) => {
    const approvals = x.approvals
      .filter((a) => a.amountVersion === x.amountVersion)
      .map((a) => `${esc(a.side)}: ${esc(a.actor)} (${esc(a.decision)})`)
      .join('<br>');
    const flags = x.flags.length ? ` <strong>[${x.flags.map(esc).join(', ')}]</strong>` : '';
    return `<tr><td>${esc(x.purpose)}${flags}</td><td>${esc(x.payee)}</td><td>${esc(x.kind)}</td><td class="n">${formatYuan(x.amountFen)}</td><td>${approvals || '—'}</td><td>${x.attachments.map((a) => `${esc(a.filename)} <code>${a.sha256.slice(0, 12)}…</code>`).join('<br>')}</td></tr>`;
  });
  return `<!doctype html>
<html lang="zh-CN"><head><meta charset="utf-8"><title>${esc(fund.name)} ${period}</title>
<style>body{font-family:sans-serif;margin:2em}table{border-collapse:collapse;width:100%;margin:1em 0}td,th{border:1px solid #999;padding:4px 6px;text-align:left}.n{text-align:right}code{font-size:.85em}@media print{a{color:inherit}}</style>
</head><body>
<h1>电梯维修资金月度公示 · Elevator fund statement</h1>
<p>${esc(fund.name)} · ${period}</p>
<table>
<tr><th>期初余额 Opening cash</th><td class="n">${formatYuan(opening)}</td></tr>
<tr><th>应缴 Expected contribution</th><td class="n">${formatYuan(month?.expectedFen ?? 0)}</td></tr>
<tr><th>实缴 Actual contribution</th><td class="n">${formatYuan(month?.actualFen ?? 0)}</td></tr>
<tr><th>期末余额 Closing cash</th><td class="n">${formatYuan(closing)}</td></tr>
</table>
<h2>收支明细 Transactions</h2>
<table><tr><th>#</th><th>日期 Date</th><th>类型 Kind</th><th>摘要 Memo</th><th>现金变动 Cash (¥)</th></tr>${txRows.join('') || '<tr><td colspan="5">—</td></tr>'}</table>
<h2>支出 Expenditures paid</h2>
<table><tr><th>用途 Purpose</th><th>收款方 Payee</th><th>类别 Kind</th><th>金额 Amount (¥)</th><th>审批 Approvals</th><th>附件 Files (SHA-256)</th></tr>${xRows.join('') || '<tr><td colspan="6">—</td></tr>'}</table>
<p>账本链头 Ledger head: <code>${head ? `${head.seq}:${head.hash}` : '0:genesis'}</code></p>
<p><small>核验 Verify: <code>npm run ledger -- verify EXPORT.json --head ${head ? `${head.seq}:${head.hash}` : ''}</code></small></p>
</body></html>
`;
}
