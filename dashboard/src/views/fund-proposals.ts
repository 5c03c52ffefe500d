/**
 * Expenditures awaiting a decision: amount, purpose, payee, the alerts, visits and work
 * order they pay for, quotes and invoices with their SHA-256, the approvals on the current
 * amount and what is still missing; approve or refuse with a note, and record an owners'
 * vote where the amount needs one. Emergency payments wait here for ratification. A
 * proposal above the fund's balance says so (payment would refuse it).
 */
import { h, mount } from '../dom.ts';
import { awaitingDecision, type Expenditure, type Fund, fundApi, type VoteInput } from '../fund-api.ts';
import { errorText, formatFen, t } from '../i18n.ts';
import { store } from '../store.ts';
import { empty, errorBox, loading, toast } from '../ui.ts';
import { approvalList, decisionButtons } from './fund-common.ts';
import { statusLines } from './fund-firm-status.ts';
import { healthBeside } from './health.ts';

const FILE_WORDS = { quote: 'fileQuote', invoice: 'fileInvoice', other: 'fileOther' } as const;

const VOTE_FIELDS: [keyof VoteInput, Parameters<typeof t>[0]][] = [
  ['eligibleOwners', 'voteEligible'],
  ['eligibleAreaM2', 'voteEligibleArea'],
  ['participatingOwners', 'voteParticipants'],
  ['participatingAreaM2', 'voteParticipatingArea'],
  ['yesOwners', 'voteInFavour'],
  ['yesAreaM2', 'voteFavourArea'],
];

function voteForm(fund: Fund, x: Expenditure, reload: () => void): HTMLElement {
  const form = h(
    'form',
    { class: 'vote' },
    VOTE_FIELDS.map(([name, label]) =>
      h(
        'label',
        { class: 'field' },
        h('span', {}, t(label)),
        h('input', { name, type: 'number', min: 0, step: name.endsWith('M2') ? 0.01 : 1, required: true }),
      ),
    ),
    h('button', { type: 'submit' }, t('vote')),
  );
  form.addEventListener('submit', async (event) => {
    event.preventDefault();
    const data = new FormData(form);
    const vote = Object.fromEntries(
      VOTE_FIELDS.map(([k]) => [k, Number(data.get(k))]),
    ) as unknown as VoteInput;
    try {
      await fundApi.vote(fund.id, x.id, vote);
      toast(t('done'));
      reload();
    } catch (error) {
      toast(t('actionFailed', { msg: errorText(error) }), 'error');
    }
  });
  return h('details', {}, h('summary', {}, t('vote')), form);
}

/** Payment would refuse it (the balance cannot go negative): say so before anyone approves. */
function overBalance(x: Expenditure, cashFen: number | null): HTMLElement | null {
  if (cashFen === null || x.status === 'paid' || x.amountFen <= cashFen) return null;
  return h(
    'p',
    { class: 'chain-bad', role: 'alert', 'data-testid': 'over-balance' },
    t('overBalance', { balance: formatFen(cashFen) }),
  );
}

function card(fund: Fund, x: Expenditure, reload: () => void, cashFen: number | null): HTMLElement {
  const role = store.me?.role;
  // Admins operate the fund but never approve (docs/ledger.md); the API enforces the rest.
  const current = x.approvals.filter((a) => a.amountVersion === x.amountVersion);
  const side = role === 'committee_member' ? 'committee' : role === 'property_manager' ? 'firm' : null;
  const canDecide = side !== null && !current.some((a) => a.side === side);
  const elevatorLink = (label: string) =>
    x.elevatorId ? h('a', { href: `#/elevator/${encodeURIComponent(x.elevatorId)}` }, label) : label;
  const emergency = x.emergencyAlertId !== null;
  return h(
    'li',
    { class: `proposal${emergency ? ' emergency' : ''}`, 'data-proposal-id': x.id },
    h(
      'div',
      { class: 'alert-head' },
      h('strong', {}, formatFen(x.amountFen)),
      h('span', {}, x.purpose),
      h('span', { class: 'muted' }, `${t('payee')}: ${x.payee}`),
      emergency ? h('span', { class: 'badge sev-critical' }, t('emergency')) : null,
    ),
    // The degradation that justifies a repair, beside the proposal (issue 16).
    overBalance(x, cashFen),
    x.elevatorId ? healthBeside(x.elevatorId) : null,
    x.flags.includes('awaiting_ratification')
      ? h('p', { class: 'chain-bad' }, t('awaitingRatification'))
      : null,
    h('h3', {}, t('links')),
    h(
      'ul',
      { class: 'links' },
      x.links.alertIds.map((id) => h('li', {}, elevatorLink(`${t('alertWord')} ${id}`))),
      x.links.visitIds.map((id) => h('li', {}, elevatorLink(`${t('visitWord')} ${id}`))),
      x.links.workOrder ? h('li', {}, x.links.workOrder) : null,
    ),
    h('h3', {}, t('invoices')),
    x.attachments.length
      ? h(
          'ul',
          { class: 'links' },
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
      : empty(),
    h('h3', {}, t('approvals')),
    approvalList(current) ?? empty(),
    statusLines(x).map((line) => h('p', { class: 'muted status-line' }, line)),
    x.voteRequired && x.missing.includes('owners_vote') ? voteForm(fund, x, reload) : null,
    canDecide ? decisionButtons(fund, x, reload, t('approve')) : null,
  );
}

export async function proposalsSection(host: HTMLElement, fund: Fund, onChange: () => void): Promise<void> {
  const reload = () => {
    onChange();
    void proposalsSection(host, fund, onChange);
  };
  mount(host, loading());
  try {
    // Without the balance the list still shows, only the over-balance warning is missing.
    const [all, cashFen] = await Promise.all([
      fundApi.expenditures(fund.id),
      fundApi.balance(fund.id).then(
        (b) => b.cashFen,
        () => null,
      ),
    ]);
    const list = awaitingDecision(all);
    mount(
      host,
      list.length
        ? h(
            'ul',
            { class: 'alerts' },
            list.map((x) => card(fund, x, reload, cashFen)),
          )
        : empty(),
    );
  } catch (error) {
    mount(
      host,
      errorBox(error, () => void proposalsSection(host, fund, onChange)),
    );
  }
}
