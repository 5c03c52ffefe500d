/**
 * Pieces both sides of the fund share: an approval or refusal with its note (the committee
 * on its proposals screen, a second firm manager on the firm's), and the list of approvals
 * given on an expenditure's current amount.
 */
import { h } from '../dom.ts';
import { type Approval, type Expenditure, type Fund, fundApi } from '../fund-api.ts';
import { errorText, formatTime, t } from '../i18n.ts';
import { personName } from '../people.ts';
import { askNote, toast } from '../ui.ts';

async function decideExpenditure(
  fund: Fund,
  x: Expenditure,
  decision: 'approve' | 'refuse',
  reload: () => void,
): Promise<void> {
  // A refusal must say why (the API refuses it without a note); an approval may.
  const note = await askNote({
    title: `${t(decision)}: ${x.purpose}`,
    confirm: t(decision),
    danger: decision === 'refuse',
    required: decision === 'refuse',
  });
  if (note === null) return;
  try {
    await fundApi.decide(fund.id, x.id, decision, note);
    toast(t('done'));
    reload();
  } catch (error) {
    toast(t('actionFailed', { msg: errorText(error) }), 'error');
  }
}

/** The approvals on the current amount (a changed amount needs them again), or null for none. */
export function approvalList(current: readonly Approval[]): HTMLElement | null {
  if (current.length === 0) return null;
  return h(
    'ul',
    { class: 'links', 'data-testid': 'approvals' },
    current.map((a) =>
      h(
        'li',
        {},
        `${formatTime(a.at)} ${t(a.side === 'firm' ? 'firmSide' : 'committeeSide')} ${personName(a.actor)} ${t(a.decision)}${a.note ? `: ${a.note}` : ''}`,
      ),
    ),
  );
}

/** Approve and refuse buttons; each asks for its note (a refusal must give one). */
export function decisionButtons(
  fund: Fund,
  x: Expenditure,
  reload: () => void,
  approveLabel: string,
): HTMLElement {
  const button = (decision: 'approve' | 'refuse', label: string) =>
    h(
      'button',
      {
        type: 'button',
        class: decision === 'approve' ? 'primary' : 'danger',
        'data-action': decision,
        onclick: () => void decideExpenditure(fund, x, decision, reload),
      },
      label,
    );
  return h('div', { class: 'actions' }, button('approve', approveLabel), button('refuse', t('refuse')));
}
