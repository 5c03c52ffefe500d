/**
 * The printable monthly statement (月度公示) a committee hands to owners: opening balance,
 * income by kind, spending by item with who decided and why, closing balance, the
 * contribution against the rule, every transaction, the chain head (so the printed page
 * pins the history it shows) and the two signature lines. The figures come from the
 * month's postings alone (`statementFigures`), so opening + income − spending = closing
 * holds by construction and a test sums them against the postings.
 */

import { FUND_WORDS, wordOf } from '../protocol/words.ts';
import type { LedgerReads, PostingRow } from '../store/repositories/ledger.ts';
import { readChain } from './chain.ts';
import { listExpenditures } from './expenditure-view.ts';
import { formatYuanGrouped, localTime, memoText, periodBounds } from './money.ts';
import { contributionReport, listPostings } from './queries.ts';
import { loadFund } from './store.ts';
import type { Expenditure, LedgerConfig } from './types.ts';

const esc = (s: string) =>
  s.replace(
    /[&<>"']/g,
    (c) => ({ '&': '&amp;', '<': '&lt;', '>': '&gt;', '"': '&quot;', "'": '&#39;' })[c] as string,
  );

const zh = (table: keyof typeof FUND_WORDS, code: string) => wordOf(FUND_WORDS[table], code, 'zh') ?? code;

function cashNet(rows: readonly PostingRow[]): number {
  return rows.filter((r) => r.account === 'cash').reduce((s, r) => s + r.debitFen - r.creditFen, 0);
}

/** A display name for a username; the statement never prints a login. */
export type NameOf = (username: string) => string;

export interface StatementIncome {
  /** `contribution`, or an other income's source (interest, subsidy, insurance_payout). */
  kind: string;
  fen: number;
  count: number;
}

export interface StatementSpending {
  transactionId: string;
  expenditureId: string | null;
  purpose: string;
  payee: string;
  kind: string;
  at: number;
  /** Cash paid out (a reversal of a payment is a negative line). */
  fen: number;
}

export interface StatementFigures {
  period: string;
  openingFen: number;
  income: StatementIncome[];
  incomeFen: number;
  spending: StatementSpending[];
  spendingFen: number;
  closingFen: number;
  /** The month's postings the figures were read from. */
  postings: PostingRow[];
}

/**
 * Every transaction of the month lands in exactly one line: income by kind, or a spending
 * item; a reversal lands where the transaction it reverses did, with the opposite sign.
 */
export async function statementFigures(
  reads: LedgerReads,
  fundId: string,
  period: string,
  config: LedgerConfig,
): Promise<StatementFigures> {
  const { fromAt, toAt } = periodBounds(period, config.utcOffsetMinutes);
  const [before, during] = await Promise.all([
    listPostings(reads, fundId, { toAt: fromAt }),
    listPostings(reads, fundId, { fromAt, toAt }),
  ]);
  const byTx = new Map<string, PostingRow[]>();
  for (const p of during) byTx.set(p.transactionId, [...(byTx.get(p.transactionId) ?? []), p]);
  const income = new Map<string, StatementIncome>();
  const spending: StatementSpending[] = [];
  for (const [txId, rows] of byTx) {
    const net = cashNet(rows);
    const tx = await reads.transaction(fundId, txId);
    const origin = tx?.reversesId ? await reads.transaction(fundId, tx.reversesId) : tx;
    const kind = origin?.kind ?? rows[0]?.kind ?? 'other_income';
    if (kind === 'expenditure') {
      const x = origin?.expenditureId ? await reads.expenditure(fundId, origin.expenditureId) : undefined;
      spending.push({
        transactionId: txId,
        expenditureId: origin?.expenditureId ?? null,
        purpose: x?.purpose ?? rows[0]?.memo ?? '',
        payee: x?.payee ?? '',
        kind: x?.expense_kind ?? '',
        at: rows[0]?.at ?? fromAt,
        fen: -net,
      });
      continue;
    }
    const key = kind === 'contribution' ? 'contribution' : (origin?.source ?? 'other_income');
    const line = income.get(key) ?? { kind: key, fen: 0, count: 0 };
    line.fen += net;
    line.count += tx?.reversesId ? 0 : 1;
    income.set(key, line);
  }
  const openingFen = cashNet(before);
  const incomeFen = [...income.values()].reduce((s, l) => s + l.fen, 0);
  const spendingFen = spending.reduce((s, l) => s + l.fen, 0);
  return {
    period,
    openingFen,
    income: [...income.values()],
    incomeFen,
    spending,
    spendingFen,
    closingFen: openingFen + incomeFen - spendingFen,
    postings: during,
  };
}

function decisions(x: Expenditure | undefined, nameOf: NameOf): string {
  if (!x) return '—';
  const current = x.approvals.filter((a) => a.amountVersion === x.amountVersion);
  if (current.length === 0) return x.emergencyAlertId ? '紧急程序支付，待业委会追认' : '—';
  return current
    .map(
      (a) =>
        `${esc(zh('side', a.side))} ${esc(nameOf(a.actor))} ${esc(zh('decision', a.decision))}${a.note ? `：${esc(a.note)}` : ''}`,
    )
    .join('<br>');
}

export async function monthlyStatement(
  reads: LedgerReads,
  fundId: string,
  period: string,
  config: LedgerConfig,
  now: number,
  nameOf: NameOf = (u) => u,
): Promise<string> {
  const fund = await loadFund(reads, fundId);
  const { toAt } = periodBounds(period, config.utcOffsetMinutes);
  const [figures, contributions, expenditures, chain] = await Promise.all([
    statementFigures(reads, fundId, period, config),
    contributionReport(reads, fundId, period, period),
    listExpenditures(reads, fundId, config, now),
    readChain(reads, fundId, { toAt }),
  ]);
  const yuan = (fen: number) => `${fen < 0 ? '-' : ''}¥${formatYuanGrouped(Math.abs(fen))}`;
  const byId = new Map(expenditures.map((x) => [x.id, x]));
  const head = chain.at(-1);
  const month = contributions[0];
  const [y, m] = period.split('-');
  const incomeRows = figures.income.map(
    (l) =>
      `<tr><td>${esc(zh('incomeKind', l.kind))}</td><td class="n">${l.count}</td><td class="n">${yuan(l.fen)}</td></tr>`,
  );
  const spendingRows = figures.spending.map((s) => {
    const x = s.expenditureId ? byId.get(s.expenditureId) : undefined;
    return `<tr><td>${localTime(s.at, config.utcOffsetMinutes).slice(0, 10)}</td><td>${esc(s.purpose)}</td><td>${esc(s.payee)}</td><td>${esc(zh('expenseKind', s.kind))}</td><td>${decisions(x, nameOf)}</td><td class="n">${yuan(s.fen)}</td></tr>`;
  });
  const txIds = [...new Set(figures.postings.map((p) => p.transactionId))];
  const txRows = txIds.map((id) => {
    const rows = figures.postings.filter((p) => p.transactionId === id);
    const p = rows[0] as PostingRow;
    return `<tr><td>${p.seq}</td><td>${localTime(p.at, config.utcOffsetMinutes)}</td><td>${esc(zh('transactionKind', p.kind))}</td><td>${esc(memoText(p))}</td><td class="n">${yuan(cashNet(rows))}</td></tr>`;
  });
  const contributionLine = month
    ? `<tr><th>本月应缴 / 实缴</th><td class="n">${yuan(month.expectedFen)} / ${yuan(month.actualFen)}</td></tr>`
    : '<tr><th>本月应缴 / 实缴</th><td class="n">尚未施行缴存规则</td></tr>';
  const headText = head ? `${head.seq}:${head.hash}` : '0:genesis';
  return `<!doctype html>
<html lang="zh-CN"><head><meta charset="utf-8"><title>${esc(fund.name)} ${y}年${m}月收支公示</title>
<style>body{font-family:"Noto Sans CJK SC","Source Han Sans SC","Microsoft YaHei",sans-serif;margin:2em;color:#111}table{border-collapse:collapse;width:100%;margin:.6em 0 1.4em}td,th{border:1px solid #999;padding:4px 6px;text-align:left;vertical-align:top}.n{text-align:right;white-space:nowrap}.total td,.total th{font-weight:bold;border-top:2px solid #333}code{font-size:.8em;word-break:break-all}.sign{display:flex;gap:4em;margin-top:3em}.sign p{flex:1;line-height:2.4}.hint{color:#666}@media print{.hint{display:none}body{margin:1cm}}</style>
</head><body>
<h1>电梯维修资金月度收支公示</h1>
<p>${esc(fund.name)} · ${y}年${m}月 · 编制时间（北京时间）${localTime(now, config.utcOffsetMinutes)}</p>
<p class="hint">使用浏览器的“打印”（Ctrl+P）打印本页或另存为 PDF。</p>
<h2>收支汇总</h2>
<table data-testid="statement-summary">
<tr><th>期初余额</th><td class="n" data-figure="opening">${yuan(figures.openingFen)}</td></tr>
<tr><th>本月收入合计</th><td class="n" data-figure="income">${yuan(figures.incomeFen)}</td></tr>
<tr><th>本月支出合计</th><td class="n" data-figure="spending">${yuan(figures.spendingFen)}</td></tr>
<tr class="total"><th>期末余额</th><td class="n" data-figure="closing">${yuan(figures.closingFen)}</td></tr>
${contributionLine}
</table>
<h2>收入明细（按类别）</h2>
<table><tr><th>类别</th><th class="n">笔数</th><th class="n">金额</th></tr>${incomeRows.join('') || '<tr><td colspan="3">本月无收入</td></tr>'}
<tr class="total"><th>合计</th><td></td><td class="n">${yuan(figures.incomeFen)}</td></tr></table>
<h2>支出明细（按项目）</h2>
<table><tr><th>日期</th><th>用途</th><th>收款方</th><th>类别</th><th>审批（决定人、意见）</th><th class="n">金额</th></tr>${spendingRows.join('') || '<tr><td colspan="6">本月无支出</td></tr>'}
<tr class="total"><th colspan="5">合计</th><td class="n">${yuan(figures.spendingFen)}</td></tr></table>
<h2>收支流水</h2>
<table><tr><th>序号</th><th>时间（北京时间）</th><th>类型</th><th>摘要</th><th class="n">资金变动</th></tr>${txRows.join('') || '<tr><td colspan="5">—</td></tr>'}</table>
<p>账本链头：<code>${headText}</code></p>
<p class="hint">核验：<code>npm run ledger -- verify EXPORT.json --head ${headText}</code></p>
<div class="sign">
<p>物业服务企业（盖章）<br>签字：________________<br>日期：________________</p>
<p>业主委员会（盖章）<br>签字：________________<br>日期：________________</p>
</div>
</body></html>
`;
}
