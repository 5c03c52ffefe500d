/**
 * The property firm proposes an expenditure: amount in yuan (sent as fen), kind, purpose,
 * supplier, the elevator, the estate's recent alerts and maintenance visits it pays for,
 * a work order, optionally the emergency path (a critical alert), and a quote or invoice
 * uploaded through the files route once the proposal exists.
 */
import { h, mount } from '../dom.ts';
import { apiMessage, chosenFile, field, messageLine, onSubmit, showDone, showError } from '../form.ts';
import type { Fund } from '../fund-api.ts';
import { ActionKey, EXPENSE_KINDS, FILE_TYPES, firmApi } from '../fund-firm-api.ts';
import { formatTime, lang, t, tCode } from '../i18n.ts';
import { parseYuan } from '../money.ts';
import { store } from '../store.ts';
import type { Alert, Visit } from '../types.ts';
import { errorBox, loading, severityBadge } from '../ui.ts';
import { kindLabel } from './fund-firm-status.ts';

/** A checkbox per item in a fieldset; the list scrolls, the legend stays. */
function pickList(name: string, items: { id: string; text: (Node | string)[] }[]): HTMLElement {
  if (items.length === 0) return h('p', { class: 'muted' }, t('nothingToLink'));
  return h(
    'ul',
    { class: 'pick-list' },
    items.map((item) =>
      h(
        'li',
        {},
        h(
          'label',
          { class: 'pick' },
          h('input', { type: 'checkbox', name, value: item.id }),
          h('span', {}, ...item.text),
        ),
      ),
    ),
  );
}

function alertLabel(a: Alert): string {
  const label = lang() === 'en' ? a.label_en : a.label_zh;
  return `${label} · ${store.elevatorLabel(a.elevator_id)} · ${formatTime(a.opened_at)}`;
}

function alertText(a: Alert): (Node | string)[] {
  return [severityBadge(a.severity), ` ${alertLabel(a)}`];
}

function visitText(v: Visit): (Node | string)[] {
  return [
    `${formatTime(v.check_in_at)} · ${store.elevatorLabel(v.elevator_id)} · ${tCode(v.kind)} `,
    h('span', { class: `badge v-${v.verdict ?? 'pending'}` }, tCode(v.verdict ?? v.status)),
  ];
}

/** Fills the pickers once the estate's alerts and visits arrive; each fails on its own. */
async function fillPickers(
  fund: Fund,
  hosts: { alerts: HTMLElement; visits: HTMLElement; emergency: HTMLSelectElement },
): Promise<void> {
  const [alerts, visits] = await Promise.allSettled([
    firmApi.recentAlerts(fund.estateId),
    firmApi.recentVisits(fund.estateId),
  ]);
  const retry = () => void fillPickers(fund, hosts);
  if (alerts.status === 'fulfilled') {
    mount(
      hosts.alerts,
      pickList(
        'alert',
        alerts.value.map((a) => ({ id: a.id, text: alertText(a) })),
      ),
    );
    // The API takes a critical alert still open or resolved as a real fault; a false alarm,
    // one that cleared by itself or one resolved without saying is refused.
    const critical = alerts.value.filter(
      (a) => a.severity === 'critical' && (a.state !== 'resolved' || a.resolution === 'fault'),
    );
    mount(
      hosts.emergency,
      h('option', { value: '' }, t('emergencyNone')),
      critical.map((a) => h('option', { value: a.id }, alertLabel(a))),
    );
    hosts.emergency.disabled = critical.length === 0;
  } else mount(hosts.alerts, errorBox(alerts.reason, retry));
  if (visits.status === 'fulfilled')
    mount(
      hosts.visits,
      pickList(
        'visit',
        visits.value.map((v) => ({ id: v.id, text: visitText(v) })),
      ),
    );
  else mount(hosts.visits, errorBox(visits.reason, retry));
}

export function proposalForm(fund: Fund, onProposed: () => void): HTMLElement {
  const key = new ActionKey();
  const amount = h('input', { name: 'amount', inputmode: 'decimal', required: true, autocomplete: 'off' });
  const kind = h(
    'select',
    { name: 'kind' },
    EXPENSE_KINDS.map((k) => h('option', { value: k }, kindLabel(k))),
  );
  const payee = h('input', { name: 'payee', required: true, maxlength: 200, autocomplete: 'organization' });
  const purpose = h('textarea', { name: 'purpose', required: true, maxlength: 500, rows: 2 });
  const elevator = h(
    'select',
    { name: 'elevator' },
    h('option', { value: '' }, t('noElevator')),
    [...store.elevators.values()]
      .filter((e) => e.estate_id === fund.estateId)
      .map((e) => h('option', { value: e.id }, store.elevatorLabel(e.id))),
  );
  const workOrder = h('input', { name: 'workOrder', maxlength: 100, autocomplete: 'off' });
  const emergency = h(
    'select',
    { name: 'emergency', disabled: true },
    h('option', { value: '' }, t('loading')),
  );
  const fileKind = h(
    'select',
    { name: 'fileKind' },
    h('option', { value: 'quote' }, t('fileQuote')),
    h('option', { value: 'invoice' }, t('fileInvoice')),
  );
  const file = h('input', { name: 'file', type: 'file', accept: FILE_TYPES.join(',') });
  const alerts = h('div', { class: 'pick-host' }, loading());
  const visits = h('div', { class: 'pick-host' }, loading());
  const line = messageLine('propose-message');
  const form = h(
    'form',
    { class: 'fund-form', 'data-testid': 'propose-form', 'aria-label': t('newProposal') },
    h(
      'div',
      { class: 'form-grid' },
      field(t('amountYuan'), amount, t('amountHint')),
      field(t('expenseKind'), kind),
      field(t('supplier'), payee),
      field(t('elevator'), elevator),
      field(t('workOrder'), workOrder),
    ),
    field(t('purpose'), purpose),
    h('fieldset', { class: 'picks' }, h('legend', {}, t('linkAlerts')), alerts),
    h('fieldset', { class: 'picks' }, h('legend', {}, t('linkVisits')), visits),
    field(t('emergencyPath'), emergency, t('emergencyHint')),
    h(
      'fieldset',
      { class: 'form-grid' },
      h('legend', {}, t('attachFile')),
      field(t('fileKind'), fileKind),
      field(t('file'), file, t('fileHint')),
    ),
    line,
    h('div', { class: 'actions' }, h('button', { type: 'submit', class: 'primary' }, t('submitProposal'))),
  );
  void fillPickers(fund, { alerts, visits, emergency });

  onSubmit(form, line, async () => {
    const amountFen = parseYuan(amount.value);
    if (amountFen === null) return showError(line, t('amountInvalid'), amount);
    const upload = chosenFile(file, FILE_TYPES);
    if (upload === 'bad-type') return showError(line, t('fileTypeInvalid'), file);
    const checked = (name: string) =>
      [...form.querySelectorAll<HTMLInputElement>(`input[name=${name}]:checked`)].map((i) => i.value);
    const x = await firmApi.propose(
      fund.id,
      {
        amountFen,
        kind: kind.value as (typeof EXPENSE_KINDS)[number],
        purpose: purpose.value.trim(),
        payee: payee.value.trim(),
        elevatorId: elevator.value || null,
        alertIds: checked('alert'),
        visitIds: checked('visit'),
        workOrder: workOrder.value.trim() || null,
        emergencyAlertId: emergency.value || null,
      },
      key,
    );
    // The proposal stands even if its file is refused; the file can be attached from the list.
    let fileError: unknown = null;
    if (upload) {
      const fileKindValue = fileKind.value === 'invoice' ? 'invoice' : 'quote';
      await firmApi.attach(fund.id, x.id, fileKindValue, upload, key.part('file')).catch((e: unknown) => {
        fileError = e;
      });
    }
    key.renew();
    form.reset();
    onProposed();
    if (fileError) showError(line, t('proposedFileFailed', { msg: apiMessage(fileError) }));
    else showDone(line, t('proposalSent'));
  });
  return form;
}
