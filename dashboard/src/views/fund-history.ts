/**
 * The committee's decision history: every expenditure no longer waiting for anyone (paid,
 * refused, reversed), newest first, with who proposed it, who decided on each side, by
 * display name, and why (the note), so a decision stays visible after it is taken.
 * Awaiting items are on the proposals screen (fund-proposals.ts).
 */
import { h, mount } from '../dom.ts';
import { awaitingDecision, type Expenditure, type Fund, fundApi } from '../fund-api.ts';
import { formatFen, formatTime, t } from '../i18n.ts';
import { personName } from '../people.ts';
import { errorBox, loading } from '../ui.ts';
import { approvalList } from './fund-common.ts';
import { kindLabel, statusBadge, statusLines } from './fund-firm-status.ts';

/** Decided: neither awaiting a side nor an owners' vote nor the committee's ratification. */
export function decided(list: readonly Expenditure[]): Expenditure[] {
  const open = new Set(awaitingDecision([...list]).map((x) => x.id));
  return list
    .filter((x) => !open.has(x.id))
    .sort((a, b) => (b.paidAt ?? b.proposedAt) - (a.paidAt ?? a.proposedAt));
}

function entry(x: Expenditure): HTMLElement {
  return h(
    'li',
    { class: `proposal xs-${x.status}`, 'data-history-id': x.id },
    h(
      'div',
      { class: 'alert-head' },
      h('strong', {}, formatFen(x.amountFen)),
      h('span', {}, x.purpose),
      h('span', { class: 'muted' }, `${t('payee')}: ${x.payee} · ${kindLabel(x.kind)}`),
      statusBadge(x),
      x.emergencyAlertId !== null ? h('span', { class: 'badge sev-critical' }, t('emergency')) : null,
    ),
    h(
      'p',
      { class: 'muted' },
      t('proposedBy', { who: personName(x.proposedBy), at: formatTime(x.proposedAt) }),
    ),
    statusLines(x).map((line) => h('p', { class: 'status-line' }, line)),
    h('h3', {}, t('decisions')),
    approvalList(x.approvals) ?? h('p', { class: 'muted' }, '—'),
  );
}

export async function historySection(host: HTMLElement, fund: Fund): Promise<void> {
  mount(host, loading());
  try {
    const list = decided(await fundApi.expenditures(fund.id));
    mount(
      host,
      list.length
        ? h('ul', { class: 'alerts', 'data-testid': 'decision-history' }, list.map(entry))
        : h('p', { class: 'empty' }, t('historyEmpty')),
    );
  } catch (error) {
    mount(
      host,
      errorBox(error, () => void historySection(host, fund)),
    );
  }
}
