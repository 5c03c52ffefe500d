/**
 * The owners' committee's fund screens: balance and chain head, contributions expected
 * against received, every posting, expenditures awaiting a decision, chain verification,
 * exports and the monthly statement, all from the real fund routes (fund-api.ts). An
 * estate without a fund says so; each section has its own loading and error state.
 */
import { FUND_WORDS, memoWords, wordOf } from '../../../protocol/words.ts';
import { h, mount } from '../dom.ts';
import { type Balance, type ContributionMonth, type Fund, fundApi, type Posting } from '../fund-api.ts';
import { formatFen, formatTime, lang, t } from '../i18n.ts';
import type { View } from '../main.ts';
import { store } from '../store.ts';
import { empty, errorBox, loading, select } from '../ui.ts';
import { contributionForm, openFundForm, ruleForm } from './fund-books.ts';
import { proposalForm } from './fund-firm-form.ts';
import { firmProposalsSection } from './fund-firm-list.ts';
import { historySection } from './fund-history.ts';
import { proposalsSection } from './fund-proposals.ts';

let estate = '';
/** This month in Beijing time (UTC+8): statements are per calendar month there. */
const month = () => new Date(Date.now() + 8 * 3_600_000).toISOString().slice(0, 7);

function table(head: string[], rows: (string | number)[][], label: string): HTMLElement {
  if (rows.length === 0) return empty();
  return h(
    'div',
    { class: 'table-wrap' },
    h(
      'table',
      { 'aria-label': label },
      h(
        'thead',
        {},
        h(
          'tr',
          {},
          head.map((c) => h('th', { scope: 'col' }, c)),
        ),
      ),
      h(
        'tbody',
        {},
        rows.map((r) =>
          h(
            'tr',
            {},
            r.map((c) => h('td', {}, String(c))),
          ),
        ),
      ),
    ),
  );
}

function summaryBlock(b: Balance): HTMLElement {
  return h(
    'div',
    { class: 'fund-summary' },
    h('p', { class: 'muted' }, b.fund.name),
    h(
      'p',
      { class: 'balance' },
      h('span', {}, t('balance')),
      h('strong', { 'data-testid': 'fund-balance' }, formatFen(b.cashFen)),
    ),
    h('p', { class: 'muted mono', 'data-testid': 'fund-head' }, `#${b.head.seq} ${b.head.hash}`),
  );
}

function contributionsBlock(list: ContributionMonth[]): HTMLElement {
  return table(
    [t('month'), t('expected'), t('receivedAmount')],
    list.map((c) => [c.period, formatFen(c.expectedFen), formatFen(c.actualFen)]),
    t('contributions'),
  );
}

function postingsBlock(list: Posting[]): HTMLElement {
  return table(
    ['#', t('date'), t('account'), t('debit'), t('credit'), t('memo')],
    list.map((p) => [
      p.seq,
      formatTime(p.at),
      wordOf(FUND_WORDS.account, p.account, lang()) ?? p.account,
      p.debitFen ? formatFen(p.debitFen) : '',
      p.creditFen ? formatFen(p.creditFen) : '',
      memoWords(p),
    ]),
    t('postings'),
  );
}

function verifyBlock(fund: Fund): HTMLElement {
  const result = h('p', { role: 'status', 'aria-live': 'polite', 'data-testid': 'chain-result' });
  const button = h(
    'button',
    { type: 'button', class: 'primary', 'data-testid': 'verify-chain' },
    t('verifyChain'),
  );
  button.addEventListener('click', async () => {
    button.disabled = true;
    mount(result, loading());
    try {
      const v = await fundApi.verify(fund.id);
      result.className = v.ok ? 'chain-ok' : 'chain-bad';
      result.textContent = v.ok
        ? t('chainOk', { n: v.count ?? 0, seq: v.head?.seq ?? 0, hash: v.head?.hash ?? '' })
        : t('chainBad', { index: v.index ?? '?', reason: v.reason ?? '' });
    } catch (error) {
      mount(result, errorBox(error));
    } finally {
      button.disabled = false;
    }
  });
  return h('div', { class: 'actions' }, button, result);
}

function exportsBlock(fund: Fund): HTMLElement {
  return h(
    'div',
    { class: 'actions' },
    h(
      'a',
      {
        class: 'button',
        href: fundApi.exportUrl(fund.id, 'csv'),
        download: '',
        title: t('exportCsvHint'),
        'data-testid': 'export-csv',
      },
      t('exportFundCsv'),
    ),
    h(
      'a',
      {
        class: 'button',
        href: fundApi.exportUrl(fund.id, 'xlsx'),
        download: '',
        title: t('exportXlsxHint'),
        'data-testid': 'export-xlsx',
      },
      t('exportXlsx'),
    ),
    h('a', { class: 'button', href: fundApi.exportUrl(fund.id, 'json'), download: '' }, t('exportJson')),
    h(
      'a',
      {
        class: 'button',
        href: fundApi.statementUrl(fund.id, month()),
        target: '_blank',
        rel: 'noopener',
        'data-testid': 'print-statement',
      },
      t('printStatement'),
    ),
  );
}

/** Draws one section from its loader, with a retry on error. */
async function fill<T>(host: HTMLElement, load: () => Promise<T>, draw: (v: T) => Node): Promise<void> {
  mount(host, loading());
  try {
    mount(host, draw(await load()));
  } catch (error) {
    mount(
      host,
      errorBox(error, () => void fill(host, load, draw)),
    );
  }
}

function drawFund(body: HTMLElement, fund: Fund): void {
  const sections = {
    summary: h('div', {}),
    contributions: h('div', {}),
    postings: h('div', {}),
    proposals: h('div', {}),
    history: h('div', {}),
  };
  const block = (title: string, el: HTMLElement) => h('section', {}, h('h2', {}, title), el);
  // A decision changes the balance, the postings and the head: redraw them with the list.
  const refresh = () => {
    void fill(sections.summary, () => fundApi.balance(fund.id), summaryBlock);
    void fill(sections.contributions, () => fundApi.contributions(fund.id), contributionsBlock);
    void fill(sections.postings, () => fundApi.postings(fund.id), postingsBlock);
  };
  // The firm proposes and pays (fund-firm-*.ts); the committee decides (fund-proposals.ts).
  const firm = store.me?.role === 'property_manager';
  // The firm's list keeps decided items; the committee's history holds them (fund-history.ts),
  // so a committee decision redraws the history too.
  const loadHistory = () => void historySection(sections.history, fund);
  const loadProposals = () => {
    if (firm) void firmProposalsSection(sections.proposals, fund, refresh);
    else {
      void proposalsSection(sections.proposals, fund, () => {
        refresh();
        loadHistory();
      });
      loadHistory();
    }
  };
  const newProposal = firm
    ? h(
        'details',
        { class: 'new-proposal' },
        h('summary', { 'data-testid': 'new-proposal' }, t('newProposal')),
        proposalForm(fund, () => {
          refresh();
          loadProposals();
        }),
      )
    : null;
  mount(
    body,
    sections.summary,
    h('section', {}, h('h2', {}, t(firm ? 'firmProposals' : 'proposals')), newProposal, sections.proposals),
    firm ? null : block(t('decisionHistory'), sections.history),
    block(t('contributions'), sections.contributions),
    store.canWrite()
      ? h('div', { class: 'books' }, contributionForm(fund, refresh), ruleForm(fund, refresh))
      : null,
    block(t('postings'), sections.postings),
    block(t('verifyChain'), verifyBlock(fund)),
    exportsBlock(fund),
  );
  refresh();
  loadProposals();
}

export const fundView: View = (host) => {
  const estates = store.estates;
  if (!estate || !estates.some((e) => e.id === estate)) estate = store.me?.estate_id ?? estates[0]?.id ?? '';
  const body = h('div', { class: 'fund' });
  // Each draw gets its own box: an answer for an estate no longer chosen lands off the page.
  const draw = () => {
    const box = h('div', {});
    const chosen = estate;
    mount(body, box);
    return fill(
      box,
      () => fundApi.fundOf(chosen),
      (fund) => {
        if (!fund) {
          const named = estates.find((e) => e.id === chosen);
          const name = (lang() === 'en' && named?.name_en) || named?.name || chosen;
          return store.canWrite()
            ? openFundForm(chosen, name, () => void draw())
            : h('p', { class: 'empty' }, t('noFund'));
        }
        const host = h('div', {});
        drawFund(host, fund);
        return host;
      },
    );
  };
  mount(
    host,
    h('h1', {}, t('fundTitle')),
    estates.length > 1
      ? select(
          t('estate'),
          estate,
          estates.map((e): [string, string] => [e.id, lang() === 'en' && e.name_en ? e.name_en : e.name]),
          (v) => {
            estate = v;
            void draw();
          },
        )
      : null,
    body,
  );
  if (estate) void draw();
  else mount(body, empty());
  // An emergency expenditure pushed live: show it at once.
  return store.on('fund', () => {
    if (estate) void draw();
  });
};
