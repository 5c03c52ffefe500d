/**
 * What the firm can do to one expenditure: approve or refuse as the second manager, change
 * the amount, attach a quote or invoice, and, once payable, record the payment with its
 * reference and the paid invoice. Each form keeps its ActionKey across retries.
 */
import { h } from '../dom.ts';
import { chosenFile, field, messageLine, onSubmit, showError } from '../form.ts';
import type { Expenditure, Fund } from '../fund-api.ts';
import { ActionKey, FILE_TYPES, firmApi, paymentMemo } from '../fund-firm-api.ts';
import { t } from '../i18n.ts';
import { parseYuan } from '../money.ts';
import { store } from '../store.ts';
import { toast } from '../ui.ts';

export type Reload = () => void;

function fileInput(required: boolean): HTMLInputElement {
  return h('input', { name: 'file', type: 'file', accept: FILE_TYPES.join(','), required });
}

/** Reference and paid invoice first, then the payment: a refused payment leaves the invoice on file. */
export function paymentForm(fund: Fund, x: Expenditure, reload: Reload): HTMLElement {
  const key = new ActionKey();
  const hasInvoice = x.attachments.some((a) => a.kind === 'invoice');
  const reference = h('input', { name: 'reference', required: true, maxlength: 100, autocomplete: 'off' });
  const invoice = fileInput(!hasInvoice);
  const line = messageLine('pay-message');
  const form = h(
    'form',
    { class: 'fund-form inline', 'data-testid': 'pay-form', 'aria-label': t('recordPayment') },
    h('div', { class: 'form-grid' }, [
      field(t('paymentRef'), reference, t('paymentRefHint')),
      field(t('paidInvoice'), invoice, hasInvoice ? t('invoiceOnFile') : t('fileHint')),
    ]),
    line,
    h('div', { class: 'actions' }, h('button', { type: 'submit', class: 'primary' }, t('recordPayment'))),
  );
  let sent = 0;
  onSubmit(form, line, async () => {
    const file = chosenFile(invoice, FILE_TYPES);
    if (file === 'bad-type') return showError(line, t('fileTypeInvalid'), invoice);
    if (file) {
      await firmApi.attach(fund.id, x.id, 'invoice', file, key.part(`invoice-${sent}`));
      // On file now: a retry after a refused payment does not send it again.
      sent += 1;
      invoice.value = '';
      invoice.required = false;
      const hint = form.querySelector(`#${invoice.id}-hint`);
      if (hint) hint.textContent = t('invoiceOnFile');
    }
    await firmApi.pay(fund.id, x.id, paymentMemo(x, reference.value.trim()), key.part('pay'));
    key.renew();
    toast(t('paymentRecorded'));
    reload();
  });
  return form;
}

export function attachForm(fund: Fund, x: Expenditure, reload: Reload): HTMLElement {
  const key = new ActionKey();
  const kind = h(
    'select',
    { name: 'fileKind' },
    h('option', { value: 'quote' }, t('fileQuote')),
    h('option', { value: 'invoice' }, t('fileInvoice')),
    h('option', { value: 'other' }, t('fileOther')),
  );
  const file = fileInput(true);
  const line = messageLine('attach-message');
  const form = h(
    'form',
    { class: 'fund-form inline' },
    h('div', { class: 'form-grid' }, field(t('fileKind'), kind), field(t('file'), file, t('fileHint'))),
    line,
    h('div', { class: 'actions' }, h('button', { type: 'submit' }, t('upload'))),
  );
  onSubmit(form, line, async () => {
    const chosen = chosenFile(file, FILE_TYPES);
    if (chosen === 'bad-type' || chosen === null) return showError(line, t('fileTypeInvalid'), file);
    await firmApi.attach(fund.id, x.id, kind.value as 'quote' | 'invoice' | 'other', chosen, key.header);
    key.renew();
    toast(t('done'));
    reload();
  });
  return h('details', {}, h('summary', {}, t('attachFile')), form);
}

export function amendForm(fund: Fund, x: Expenditure, reload: Reload): HTMLElement {
  const key = new ActionKey();
  const amount = h('input', { name: 'amount', inputmode: 'decimal', required: true, autocomplete: 'off' });
  const reason = h('input', { name: 'reason', required: true, maxlength: 500 });
  const line = messageLine('amend-message');
  const form = h(
    'form',
    { class: 'fund-form inline' },
    h(
      'div',
      { class: 'form-grid' },
      field(t('amountYuan'), amount, t('amendHint')),
      field(t('amendReason'), reason),
    ),
    line,
    h('div', { class: 'actions' }, h('button', { type: 'submit' }, t('amendAmount'))),
  );
  onSubmit(form, line, async () => {
    const fen = parseYuan(amount.value);
    if (fen === null) return showError(line, t('amountInvalid'), amount);
    await firmApi.amend(fund.id, x.id, fen, reason.value.trim(), key);
    key.renew();
    toast(t('done'));
    reload();
  });
  return h('details', {}, h('summary', {}, t('amendAmount')), form);
}

/** The second manager's four eyes: not the proposer, not whoever set the amount. */
export function canApproveAsFirm(x: Expenditure): boolean {
  const me = store.me?.username;
  const decided = x.approvals.some((a) => a.amountVersion === x.amountVersion && a.side === 'firm');
  return x.status === 'proposed' && !decided && me !== x.proposedBy && me !== x.amendedBy;
}
