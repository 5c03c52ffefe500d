/**
 * The firm's expenditures, newest first, each with where it stands (fund-firm-status.ts),
 * its linked work, files and approvals, and the firm's next step (fund-firm-actions.ts).
 */
import { h, mount } from '../dom.ts';
import { type Expenditure, type Fund, fundApi } from '../fund-api.ts';
import { formatFen, formatTime, t } from '../i18n.ts';
import { personName } from '../people.ts';
import { empty, errorBox, loading } from '../ui.ts';
import { approvalList, decisionButtons } from './fund-common.ts';
import { amendForm, attachForm, canApproveAsFirm, paymentForm, type Reload } from './fund-firm-actions.ts';
import { kindLabel, payable, statusBadge, statusLines } from './fund-firm-status.ts';

const FILE_WORDS = { quote: 'fileQuote', invoice: 'fileInvoice', other: 'fileOther' } as const;

/** Linked work, files and decisions side by side on a desktop, stacked on a phone. */
function facts(fund: Fund, x: Expenditure): HTMLElement {
  const current = x.approvals.filter((a) => a.amountVersion === x.amountVersion);
  // Alerts and visits are shown on their elevator's page.
  const linkItem = (label: string) =>
    h(
      'li',
      {},
      x.elevatorId ? h('a', { href: `#/elevator/${encodeURIComponent(x.elevatorId)}` }, label) : label,
    );
  const group = (title: string, body: HTMLElement) => h('div', {}, h('h3', {}, title), body);
  const hasLinks = x.links.alertIds.length + x.links.visitIds.length > 0 || x.links.workOrder;
  return h(
    'div',
    { class: 'proposal-facts' },
    group(
      t('links'),
      hasLinks
        ? h(
            'ul',
            { class: 'links' },
            x.links.alertIds.map((id) => linkItem(`${t('alertWord')} ${id}`)),
            x.links.visitIds.map((id) => linkItem(`${t('visitWord')} ${id}`)),
            x.links.workOrder ? h('li', {}, `${t('workOrder')} ${x.links.workOrder}`) : null,
          )
        : h('p', { class: 'muted' }, '—'),
    ),
    group(
      t('invoices'),
      x.attachments.length
        ? h(
            'ul',
            { class: 'links', 'data-testid': 'attachments' },
            x.attachments.map((a) =>
              h(
                'li',
                {},
                h(
                  'a',
                  { href: fundApi.attachmentUrl(fund.id, x.id, a.id) },
                  `${t(FILE_WORDS[a.kind as keyof typeof FILE_WORDS] ?? 'fileOther')}: ${a.filename}`,
                ),
                h('span', { class: 'mono muted' }, ` sha256 ${a.sha256.slice(0, 16)}…`),
              ),
            ),
          )
        : h('p', { class: 'muted' }, t('noFiles')),
    ),
    group(t('approvals'), approvalList(current) ?? h('p', { class: 'muted' }, t('noApprovals'))),
  );
}

function card(fund: Fund, x: Expenditure, reload: Reload): HTMLElement {
  const open = x.status === 'proposed' || x.status === 'approved';
  return h(
    'li',
    {
      class: `proposal xs-${x.status}${x.emergencyAlertId ? ' emergency' : ''}`,
      'data-proposal-id': x.id,
      'data-status': x.status,
    },
    h(
      'div',
      { class: 'alert-head' },
      h('strong', {}, formatFen(x.amountFen)),
      statusBadge(x),
      h('span', {}, x.purpose),
      h('span', { class: 'muted' }, `${t('supplier')}: ${x.payee}`),
      h('span', { class: 'muted' }, kindLabel(x.kind)),
      x.emergencyAlertId ? h('span', { class: 'badge sev-critical' }, t('emergency')) : null,
    ),
    h(
      'div',
      { class: 'status-lines', 'data-testid': 'status-lines' },
      statusLines(x).map((line) => h('p', {}, line)),
    ),
    h(
      'p',
      { class: 'muted' },
      t('proposedByAt', { who: personName(x.proposedBy), at: formatTime(x.proposedAt) }),
    ),
    facts(fund, x),
    canApproveAsFirm(x) ? decisionButtons(fund, x, reload, t('approveAsFirm')) : null,
    payable(x) ? paymentForm(fund, x, reload) : null,
    open ? amendForm(fund, x, reload) : null,
    x.status !== 'refused' ? attachForm(fund, x, reload) : null,
  );
}

/** Draws the list into host; `onChange` redraws the balance and postings after a write. */
export async function firmProposalsSection(
  host: HTMLElement,
  fund: Fund,
  onChange: () => void,
): Promise<void> {
  const reload = () => {
    onChange();
    void firmProposalsSection(host, fund, onChange);
  };
  if (!host.firstChild) mount(host, loading());
  try {
    const list = (await fundApi.expenditures(fund.id)).sort((a, b) => b.proposedAt - a.proposedAt);
    mount(
      host,
      list.length
        ? h(
            'ul',
            { class: 'alerts', 'data-testid': 'firm-proposals' },
            list.map((x) => card(fund, x, reload)),
          )
        : empty(),
    );
  } catch (error) {
    mount(
      host,
      errorBox(error, () => void firmProposalsSection(host, fund, onChange)),
    );
  }
}
