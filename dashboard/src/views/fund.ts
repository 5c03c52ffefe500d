/**
 * The owners' committee's fund screens: balance and chain head, contributions expected
 * against received, every posting, proposals awaiting approval, chain verification,
 * exports and the monthly statement. While api/routes/fund.ts is missing the page says
 * so plainly and shows no numbers at all (no invented data).
 */
import { h, mount } from '../dom.ts';
import { type Contribution, type FundSummary, fundApi, type Posting } from '../fund-api.ts';
import { formatFen, formatTime, lang, t } from '../i18n.ts';
import type { View } from '../main.ts';
import { store } from '../store.ts';
import { awaiting, empty, errorBox, isRouteMissing, loading, select } from '../ui.ts';
import { proposalsSection } from './fund-proposals.ts';

let estate = '';
const month = () => new Date().toISOString().slice(0, 7);

function table(head: string[], rows: (string | number)[][]): HTMLElement {
  if (rows.length === 0) return empty();
  return h(
    'div',
    { class: 'table-wrap' },
    h(
      'table',
      {},
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

function summaryBlock(s: FundSummary): HTMLElement {
  return h(
    'div',
    { class: 'fund-summary' },
    h('p', { class: 'balance' }, h('span', {}, t('balance')), h('strong', {}, formatFen(s.balance_fen))),
    h('p', { class: 'muted mono' }, `#${s.head.seq} ${s.head.hash}`),
  );
}

function contributionsBlock(list: Contribution[]): HTMLElement {
  return table(
    [t('month'), t('expected'), t('receivedAmount')],
    list.map((c) => [c.month, formatFen(c.expected_fen), formatFen(c.received_fen)]),
  );
}

function postingsBlock(list: Posting[]): HTMLElement {
  return table(
    ['#', t('date'), t('account'), t('debit'), t('credit'), t('memo')],
    list.map((p) => [
      p.seq,
      formatTime(p.at),
      p.account,
      p.debit_fen ? formatFen(p.debit_fen) : '',
      p.credit_fen ? formatFen(p.credit_fen) : '',
      p.memo,
    ]),
  );
}

function verifyBlock(): HTMLElement {
  const result = h('p', { role: 'status', 'aria-live': 'polite', 'data-testid': 'chain-result' });
  const button = h('button', { type: 'button', class: 'primary' }, t('verifyChain'));
  button.addEventListener('click', async () => {
    button.disabled = true;
    mount(result, loading());
    try {
      const v = await fundApi.verify(estate);
      result.className = v.ok ? 'chain-ok' : 'chain-bad';
      result.textContent = v.ok
        ? t('chainOk', { n: v.entries, seq: v.head.seq, hash: v.head.hash })
        : t('chainBad', { index: v.first_bad?.index ?? '?', reason: v.first_bad?.reason ?? '' });
    } catch (error) {
      mount(result, isRouteMissing(error) ? awaiting(t('awaitingFund')) : errorBox(error));
    } finally {
      button.disabled = false;
    }
  });
  return h('div', { class: 'actions' }, button, result);
}

function exportsBlock(): HTMLElement {
  return h(
    'div',
    { class: 'actions' },
    h(
      'a',
      { class: 'button', href: fundApi.exportUrl(estate, 'csv', month()), download: '' },
      t('exportCsv'),
    ),
    h(
      'a',
      { class: 'button', href: fundApi.exportUrl(estate, 'json', month()), download: '' },
      t('exportJson'),
    ),
    h(
      'a',
      { class: 'button', href: fundApi.statementUrl(estate, month()), target: '_blank', rel: 'noopener' },
      t('printStatement'),
    ),
  );
}

/** Draws one section from its loader; a missing route collapses the whole page to "awaiting". */
async function fill<T>(
  host: HTMLElement,
  load: () => Promise<T>,
  draw: (v: T) => Node,
  onMissing: () => void,
): Promise<void> {
  mount(host, loading());
  try {
    mount(host, draw(await load()));
  } catch (error) {
    if (isRouteMissing(error)) onMissing();
    else
      mount(
        host,
        errorBox(error, () => void fill(host, load, draw, onMissing)),
      );
  }
}

export const fundView: View = (host) => {
  const estates = store.estates;
  if (!estate || !estates.some((e) => e.id === estate)) estate = store.me?.estate_id ?? estates[0]?.id ?? '';
  const body = h('div', { class: 'fund' });
  const draw = () => {
    const sections = {
      summary: h('div', {}),
      contributions: h('div', {}),
      postings: h('div', {}),
      proposals: h('div', {}),
    };
    let missing = false;
    const onMissing = () => {
      if (missing) return;
      missing = true;
      // The structure stays visible so the committee sees what is coming; no figures.
      mount(
        body,
        awaiting(t('awaitingFund')),
        h(
          'ul',
          { class: 'coming' },
          [
            t('balance'),
            t('contributions'),
            t('postings'),
            t('proposals'),
            t('verifyChain'),
            `${t('exportCsv')} / ${t('exportJson')}`,
            t('printStatement'),
          ].map((s) => h('li', {}, s)),
        ),
      );
    };
    const block = (title: string, el: HTMLElement) => h('section', {}, h('h2', {}, title), el);
    mount(
      body,
      sections.summary,
      block(t('proposals'), sections.proposals),
      block(t('contributions'), sections.contributions),
      block(t('postings'), sections.postings),
      block(t('verifyChain'), verifyBlock()),
      exportsBlock(),
    );
    void fill(sections.summary, () => fundApi.summary(estate), summaryBlock, onMissing);
    void fill(sections.contributions, () => fundApi.contributions(estate), contributionsBlock, onMissing);
    void fill(
      sections.postings,
      () => fundApi.postings(estate),
      (p) => postingsBlock(p.items),
      onMissing,
    );
    void proposalsSection(sections.proposals, estate, onMissing);
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
            draw();
          },
        )
      : null,
    body,
  );
  if (estate) draw();
  else mount(body, empty());
  return undefined;
};
