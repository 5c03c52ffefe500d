/**
 * Proposals awaiting the committee: amount, purpose, payee, the alerts, visits and work
 * order they pay for, quotes and invoices with their SHA-256, approvals so far; approve
 * or refuse with a note, and record an owners' vote where the amount needs one.
 */
import { h, mount } from '../dom.ts';
import { fundApi, type Proposal, type VoteInput } from '../fund-api.ts';
import { formatFen, formatTime, t } from '../i18n.ts';
import { store } from '../store.ts';
import { askNote, empty, errorBox, isRouteMissing, loading, toast } from '../ui.ts';

async function decide(
  estate: string,
  p: Proposal,
  decision: 'approve' | 'refuse',
  reload: () => void,
): Promise<void> {
  const note = await askNote({
    title: `${t(decision)}: ${p.purpose}`,
    confirm: t(decision),
    danger: decision === 'refuse',
  });
  if (!note) return;
  try {
    await fundApi.decide(estate, p.id, decision, note);
    toast(t('done'));
    reload();
  } catch (error) {
    toast(t('actionFailed', { msg: error instanceof Error ? error.message : String(error) }), 'error');
  }
}

function voteForm(estate: string, p: Proposal, reload: () => void): HTMLElement {
  const num = (name: keyof VoteInput, label: string) =>
    h(
      'label',
      { class: 'field' },
      h('span', {}, label),
      h('input', { name, type: 'number', min: 0, step: 'any', required: true }),
    );
  const form = h(
    'form',
    { class: 'vote' },
    num('participants', t('voteParticipants')),
    num('participating_area_m2', t('voteParticipatingArea')),
    num('in_favour', t('voteInFavour')),
    num('in_favour_area_m2', t('voteFavourArea')),
    h('button', { type: 'submit' }, t('vote')),
  );
  form.addEventListener('submit', async (event) => {
    event.preventDefault();
    const data = new FormData(form);
    const value = (k: keyof VoteInput) => Number(data.get(k));
    try {
      await fundApi.vote(estate, p.id, {
        participants: value('participants'),
        participating_area_m2: value('participating_area_m2'),
        in_favour: value('in_favour'),
        in_favour_area_m2: value('in_favour_area_m2'),
      });
      toast(t('done'));
      reload();
    } catch (error) {
      toast(t('actionFailed', { msg: error instanceof Error ? error.message : String(error) }), 'error');
    }
  });
  return h('details', {}, h('summary', {}, t('vote')), form);
}

function card(estate: string, p: Proposal, reload: () => void): HTMLElement {
  const canDecide =
    store.me?.role === 'committee_member' ||
    store.me?.role === 'admin' ||
    store.me?.role === 'property_manager';
  const link = (kind: 'alerts' | 'visits', id: string) =>
    h(
      'li',
      {},
      p.elevator_id
        ? h('a', { href: `#/elevator/${encodeURIComponent(p.elevator_id)}` }, `${kind}: ${id}`)
        : `${kind}: ${id}`,
    );
  return h(
    'li',
    { class: `proposal${p.emergency ? ' emergency' : ''}`, 'data-proposal-id': p.id },
    h(
      'div',
      { class: 'alert-head' },
      h('strong', {}, formatFen(p.amount_fen)),
      h('span', {}, p.purpose),
      h('span', { class: 'muted' }, `${t('payee')}: ${p.payee}`),
      p.emergency ? h('span', { class: 'badge sev-critical' }, t('emergency')) : null,
    ),
    h('h3', {}, t('links')),
    h(
      'ul',
      { class: 'links' },
      p.links.alerts.map((id) => link('alerts', id)),
      p.links.visits.map((id) => link('visits', id)),
      p.links.work_order ? h('li', {}, p.links.work_order) : null,
    ),
    h('h3', {}, t('invoices')),
    h(
      'ul',
      { class: 'links' },
      p.attachments.map((a) =>
        h(
          'li',
          {},
          h('a', { href: a.url }, a.name),
          h('span', { class: 'mono muted' }, ` sha256 ${a.sha256.slice(0, 16)}…`),
        ),
      ),
    ),
    h('h3', {}, t('approvals')),
    p.approvals.length
      ? h(
          'ul',
          { class: 'links' },
          p.approvals.map((a) =>
            h('li', {}, `${formatTime(a.at)} ${a.by} (${a.role}) ${t(a.decision)}: ${a.note}`),
          ),
        )
      : empty(),
    p.needs_vote && !p.vote ? voteForm(estate, p, reload) : null,
    canDecide
      ? h(
          'div',
          { class: 'actions' },
          h(
            'button',
            { type: 'button', class: 'primary', onclick: () => void decide(estate, p, 'approve', reload) },
            t('approve'),
          ),
          h(
            'button',
            { type: 'button', class: 'danger', onclick: () => void decide(estate, p, 'refuse', reload) },
            t('refuse'),
          ),
        )
      : null,
  );
}

export async function proposalsSection(
  host: HTMLElement,
  estate: string,
  onMissing: () => void,
): Promise<void> {
  const reload = () => void proposalsSection(host, estate, onMissing);
  mount(host, loading());
  try {
    const list = await fundApi.proposals(estate);
    mount(
      host,
      list.length
        ? h(
            'ul',
            { class: 'alerts' },
            list.map((p) => card(estate, p, reload)),
          )
        : empty(),
    );
  } catch (error) {
    if (isRouteMissing(error)) onMissing();
    else mount(host, errorBox(error, reload));
  }
}
