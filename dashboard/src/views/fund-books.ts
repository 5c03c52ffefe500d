/**
 * The firm's bookkeeping forms: open the estate's fund, set the contribution rule (what
 * each month should bring in), and record a month's contribution as received. The
 * contributions table above them then shows expected against received.
 */
import { h } from '../dom.ts';
import { field, messageLine, onSubmit, showDone, showError, thisMonth } from '../form.ts';
import type { Fund } from '../fund-api.ts';
import { ActionKey, firmApi } from '../fund-firm-api.ts';
import { t } from '../i18n.ts';
import { parseHundredths, parseYuan } from '../money.ts';

const monthInput = (name: string) =>
  h('input', { name, type: 'month', required: true, value: thisMonth(), pattern: '\\d{4}-\\d{2}' });

export function openFundForm(estateId: string, estateName: string, onOpened: () => void): HTMLElement {
  const key = new ActionKey();
  const name = h('input', {
    name: 'name',
    required: true,
    maxlength: 200,
    value: `${estateName}${t('fundSuffix')}`,
  });
  const line = messageLine('open-fund-message');
  const form = h(
    'form',
    { class: 'fund-form', 'data-testid': 'open-fund-form', 'aria-labelledby': 'open-fund-title' },
    h('h2', { id: 'open-fund-title' }, t('openFund')),
    h('p', { class: 'muted' }, t('noFund')),
    field(t('fundName'), name),
    line,
    h('div', { class: 'actions' }, h('button', { type: 'submit', class: 'primary' }, t('openFund'))),
  );
  onSubmit(form, line, async () => {
    await firmApi.openFund(estateId, name.value.trim(), key);
    key.renew();
    onOpened();
  });
  return form;
}

export function contributionForm(fund: Fund, onRecorded: () => void): HTMLElement {
  const key = new ActionKey();
  const period = monthInput('period');
  const amount = h('input', { name: 'amount', inputmode: 'decimal', required: true, autocomplete: 'off' });
  const memo = h('input', { name: 'memo', maxlength: 500 });
  const line = messageLine('contribution-message');
  const form = h(
    'form',
    { class: 'fund-form', 'data-testid': 'contribution-form', 'aria-labelledby': 'contribution-title' },
    h('h3', { id: 'contribution-title' }, t('recordContribution')),
    h(
      'div',
      { class: 'form-grid' },
      field(t('month'), period),
      field(t('receivedYuan'), amount, t('amountHint')),
      field(t('memoOptional'), memo),
    ),
    line,
    h(
      'div',
      { class: 'actions' },
      h('button', { type: 'submit', class: 'primary' }, t('recordContribution')),
    ),
  );
  onSubmit(form, line, async () => {
    const amountFen = parseYuan(amount.value);
    if (amountFen === null) return showError(line, t('amountInvalid'), amount);
    const text = memo.value.trim();
    await firmApi.recordContribution(
      fund.id,
      { period: period.value, amountFen, ...(text ? { memo: text } : {}) },
      key,
    );
    key.renew();
    amount.value = '';
    memo.value = '';
    showDone(line, t('contributionRecorded'));
    onRecorded();
  });
  return form;
}

/** Rate in yuan per m² per month, area in m², share in percent: all kept to two decimals. */
export function ruleForm(fund: Fund, onSet: () => void): HTMLElement {
  const key = new ActionKey();
  const from = monthInput('effectiveFrom');
  const rate = h('input', { name: 'rate', inputmode: 'decimal', required: true, autocomplete: 'off' });
  const area = h('input', { name: 'area', inputmode: 'decimal', required: true, autocomplete: 'off' });
  const share = h('input', { name: 'share', inputmode: 'decimal', required: true, autocomplete: 'off' });
  const line = messageLine('rule-message');
  const form = h(
    'form',
    { class: 'fund-form', 'data-testid': 'rule-form' },
    h(
      'div',
      { class: 'form-grid' },
      field(t('effectiveFrom'), from),
      field(t('rateYuanM2'), rate),
      field(t('chargedArea'), area),
      field(t('sharePercent'), share),
    ),
    line,
    h('div', { class: 'actions' }, h('button', { type: 'submit' }, t('setRule'))),
  );
  onSubmit(form, line, async () => {
    const rateFen = parseYuan(rate.value);
    if (rateFen === null) return showError(line, t('amountInvalid'), rate);
    const areaCenti = parseHundredths(area.value);
    if (areaCenti === null) return showError(line, t('numberInvalid'), area);
    const shareBp = parseHundredths(share.value, 10_000);
    if (shareBp === null) return showError(line, t('shareInvalid'), share);
    await firmApi.setRule(
      fund.id,
      { effectiveFrom: from.value, rateFenPerM2Month: rateFen, areaCentiM2: areaCenti, shareBp },
      key,
    );
    key.renew();
    showDone(line, t('ruleSet'));
    onSet();
  });
  return h('details', {}, h('summary', {}, t('contributionRule')), form);
}
