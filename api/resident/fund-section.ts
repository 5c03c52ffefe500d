/**
 * The fund disclosure section of the QR page, in Chinese and English: balance, the last
 * months' contributions (expected vs received), the paid expenditures with approvals and
 * linked work, and the chain head a resident can photograph to pin the history. The page
 * must stay under 30 KB, so at most `MAX_LISTED` expenditures are itemised there; every
 * paid expenditure is on the fund page (`/e/{token}/fund`, `FUND_PAGE_SIZE` a page).
 */

import { formatYuan } from '../../ledger/money.ts';
import { ALERT_CATALOGUE } from '../../protocol/index.ts';

/** Yuan as residents read amounts: ¥12,345.60, thousands grouped. */
function yuan(fen: number): string {
  const [whole, cents] = formatYuan(fen).split('.');
  return `${whole!.replace(/\B(?=(\d{3})+(?!\d))/g, ',')}.${cents}`;
}

/** A date stays on one line on a 360 px phone. */
const nowrap = (text: string) => `<span class="nw">${text}</span>`;

import type { FundDisclosure } from './fund-disclosure.ts';
import type { Lang } from './i18n.ts';

const MAX_LISTED = 12;
export const FUND_PAGE_SIZE = 30;

const FUND_WORDS = {
  zh: {
    title: '电梯维修基金公示',
    balance: '基金余额',
    contributions: '近几个月缴存（应缴 / 实缴）',
    month: '月份',
    expected: '应缴',
    received: '实缴',
    short: '少缴',
    inProgress: '本月未结束',
    spending: '已支付的支出',
    none: '暂无支出',
    approvedBy: '审批',
    firm: '物业',
    committee: '业委会',
    work: '相关工作',
    workOrder: '工单',
    invoice: '发票指纹',
    awaiting: '紧急支付，待业委会追认',
    overdue: '追认已逾期',
    refused: '业委会拒绝追认',
    more: (n: number, total: string) => `另有 ${n} 笔较早的支出，共 ¥${total}。`,
    all: '全部支出明细',
    page: (n: number, of: number) => `第 ${n} / ${of} 页`,
    newer: '较新',
    older: '较早',
    head: '账本链头',
    headHint: '每笔记账都串入哈希链；拍下此编号即可日后核对账本是否被改动。',
    kinds: {
      routine_maintenance: '日常维保',
      repair: '维修',
      parts: '配件',
      inspection: '检验',
      major_overhaul: '大修',
    } as Record<string, string>,
    visit: '维保记录',
  },
  en: {
    title: 'Lift maintenance fund',
    balance: 'Balance',
    contributions: 'Recent contributions (expected / received)',
    month: 'Month',
    expected: 'Expected',
    received: 'Received',
    short: 'short',
    inProgress: 'month not over',
    spending: 'Paid expenditures',
    none: 'No expenditures yet',
    approvedBy: 'Approved by',
    firm: 'property firm',
    committee: "owners' committee",
    work: 'For',
    workOrder: 'work order',
    invoice: 'Invoice fingerprint',
    awaiting: 'Emergency payment, awaiting committee ratification',
    overdue: 'ratification overdue',
    refused: 'committee refused to ratify',
    more: (n: number, total: string) => `${n} earlier expenditures, ¥${total} in all.`,
    all: 'Every expenditure',
    page: (n: number, of: number) => `page ${n} of ${of}`,
    newer: 'Newer',
    older: 'Older',
    head: 'Ledger chain head',
    headHint:
      'Every entry is linked into a hash chain; photograph this number to check later that nothing was changed.',
    kinds: {
      routine_maintenance: 'Routine maintenance',
      repair: 'Repair',
      parts: 'Parts',
      inspection: 'Inspection',
      major_overhaul: 'Major overhaul',
    } as Record<string, string>,
    visit: 'maintenance visit',
  },
} as const;

type Escape = (value: string | number) => string;
type Time = (ms: number) => string;

type Expenditure = FundDisclosure['paid'][number];

function expenditureItem(x: Expenditure, lang: Lang, esc: Escape, localTime: Time): string {
  const w = FUND_WORDS[lang];
  const day = (ms: number) => localTime(ms).slice(0, 10);
  // Each "who date" and each date stays whole on a 360 px phone: the line breaks between
  // approvals, never inside 2025-06-01.
  const sides = x.approvals.map((a) =>
    nowrap(esc(`${a.side === 'firm' ? w.firm : w.committee} ${day(a.at)}`)),
  );
  const work = [
    ...x.alerts.map(
      (a) =>
        `${esc(ALERT_CATALOGUE[a.code as keyof typeof ALERT_CATALOGUE]?.[lang] ?? a.code)} ${nowrap(day(a.openedAt))}`,
    ),
    ...x.visits.map((v) => `${w.visit} ${nowrap(day(v.at))}`),
    ...(x.workOrder ? [`${w.workOrder} ${nowrap(esc(x.workOrder))}`] : []),
  ];
  const flags = x.flags.map((f) =>
    f === 'awaiting_ratification' ? w.awaiting : f === 'ratification_overdue' ? w.overdue : w.refused,
  );
  return (
    `<li><b>¥${yuan(x.amountFen)}</b> · ${nowrap(day(x.paidAt))} · ${esc(w.kinds[x.kind] ?? x.kind)}<br>${esc(x.purpose)} → ${esc(x.payee)}` +
    `<br><span class="muted">${w.approvedBy}: ${sides.join(', ') || '—'}</span>` +
    (work.length ? `<br><span class="muted">${w.work}: ${work.join(', ')}</span>` : '') +
    (x.invoiceSha256 ? `<br><span class="muted">${w.invoice}: ${x.invoiceSha256.slice(0, 12)}</span>` : '') +
    (flags.length ? `<br><b class="bad">${esc(flags.join(' · '))}</b>` : '') +
    '</li>'
  );
}

function chainHead(fund: FundDisclosure, lang: Lang): string {
  const w = FUND_WORDS[lang];
  return (
    `<p>${w.head}: <b class="mono">#${fund.head.seq} ${fund.head.hash.slice(0, 16)}</b></p>` +
    `<p class="muted">${w.headHint}</p>`
  );
}

/** The QR page's section; `fundHref` is the full list (with the page's language). */
export function fundSection(
  fund: FundDisclosure,
  lang: Lang,
  esc: Escape,
  localTime: Time,
  fundHref: string,
): string {
  const w = FUND_WORDS[lang];
  const months = fund.months
    // Before the contribution rule began nothing was due: not a row of ¥0.00.
    .filter((m) => m.expectedFen > 0 || m.actualFen > 0)
    .map((m) => {
      // The month in progress is not short before it ends: contributions are still coming in.
      const running = m.period === fund.currentPeriod;
      const short = m.actualFen < m.expectedFen;
      const cls = running ? '' : short ? 'bad' : 'good';
      const note = short ? ` (${running ? w.inProgress : w.short})` : '';
      return (
        `<tr><td>${nowrap(esc(m.period))}</td><td>¥${yuan(m.expectedFen)}</td>` +
        `<td${cls ? ` class="${cls}"` : ''}>¥${yuan(m.actualFen)}${note}</td></tr>`
      );
    })
    .join('');
  const listed = fund.paid.slice(0, MAX_LISTED).map((x) => expenditureItem(x, lang, esc, localTime));
  const rest = fund.paid.slice(MAX_LISTED);
  const more = rest.length
    ? `<p class="muted">${esc(w.more(rest.length, yuan(rest.reduce((sum, x) => sum + x.amountFen, 0))))}</p>`
    : '';
  const all = fund.paid.length ? `<p><a href="${esc(fundHref)}">${w.all}</a></p>` : '';
  return (
    `<section id="fund"><h2>${w.title}</h2><p>${esc(fund.fundName)}</p>` +
    `<p>${w.balance}: <b class="big">¥${yuan(fund.cashFen)}</b></p>` +
    `<h2>${w.contributions}</h2><table><tr><th>${w.month}</th><th>${w.expected}</th><th>${w.received}</th></tr>${months}</table>` +
    `<h2>${w.spending}</h2>${listed.length ? `<ul>${listed.join('')}</ul>${more}${all}` : `<p>${w.none}</p>`}` +
    `${chainHead(fund, lang)}</section>`
  );
}

/**
 * Every paid expenditure, newest first, `FUND_PAGE_SIZE` a page, for the fund page. Returns
 * the body and the page actually shown (a page past the end shows the last one).
 */
export function fundExpenditureList(
  fund: FundDisclosure,
  lang: Lang,
  esc: Escape,
  localTime: Time,
  page: number,
  pageHref: (page: number) => string,
): { title: string; body: string } {
  const w = FUND_WORDS[lang];
  const pages = Math.max(1, Math.ceil(fund.paid.length / FUND_PAGE_SIZE));
  const shown = Math.min(Math.max(1, page), pages);
  const items = fund.paid
    .slice((shown - 1) * FUND_PAGE_SIZE, shown * FUND_PAGE_SIZE)
    .map((x) => expenditureItem(x, lang, esc, localTime));
  const nav = [
    shown > 1 ? `<a href="${esc(pageHref(shown - 1))}">${w.newer}</a>` : '',
    `<span class="muted">${w.page(shown, pages)}</span>`,
    shown < pages ? `<a href="${esc(pageHref(shown + 1))}">${w.older}</a>` : '',
  ]
    .filter(Boolean)
    .join(' · ');
  const body =
    `<p>${esc(fund.fundName)} · ${w.balance}: <b>¥${yuan(fund.cashFen)}</b></p>` +
    `<h2>${w.spending}</h2>${items.length ? `<ul>${items.join('')}</ul>` : `<p>${w.none}</p>`}<p>${nav}</p>` +
    chainHead(fund, lang);
  return { title: w.title, body };
}
