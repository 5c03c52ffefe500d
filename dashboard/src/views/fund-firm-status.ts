/**
 * Where an expenditure stands, in words the firm can act on: whose approval it waits for,
 * whether the owners must vote (and how the recorded vote came out), the refusal and its
 * note, the payment, and the emergency flags. Read from the API's status, missing and flags.
 */
import { h } from '../dom.ts';
import type { Expenditure } from '../fund-api.ts';
import type { ExpenseKind } from '../fund-firm-api.ts';
import { formatTime, type Key, t } from '../i18n.ts';
import { personName } from '../people.ts';

const KIND_WORDS: Record<ExpenseKind, Key> = {
  repair: 'kindRepair',
  parts: 'kindParts',
  routine_maintenance: 'kindRoutine',
  inspection: 'kindInspection',
  major_overhaul: 'kindOverhaul',
};

const STATUS_WORDS: Record<Expenditure['status'], Key> = {
  proposed: 'xsProposed',
  approved: 'xsApproved',
  refused: 'xsRefused',
  paid: 'xsPaid',
  reversed: 'xsReversed',
};

const MISSING_WORDS: Record<string, Key> = {
  firm_approval: 'needFirm',
  committee_approval: 'needCommittee',
  owners_vote: 'needVote',
};

/** What an expenditure still needs, in words (never `firm_approval`); an unknown need reads as a dash. */
export function missingWords(missing: readonly string[]): string {
  return missing.map((m) => (MISSING_WORDS[m] ? t(MISSING_WORDS[m]) : '—')).join(t('listSep'));
}

const FLAG_WORDS: Record<string, Key> = {
  awaiting_ratification: 'awaitingRatification',
  ratification_overdue: 'ratificationOverdue',
  ratification_refused: 'ratificationRefused',
};

export function kindLabel(kind: string): string {
  const key = KIND_WORDS[kind as ExpenseKind];
  return key ? t(key) : kind;
}

export function statusBadge(x: Expenditure): HTMLElement {
  return h(
    'span',
    { class: `badge xs-${x.status}`, 'data-testid': 'proposal-status' },
    t(STATUS_WORDS[x.status] ?? 'xsProposed'),
  );
}

/** The recorded vote on the current amount, if any. */
export function currentVote(x: Expenditure) {
  return x.votes.filter((v) => v.amountVersion === x.amountVersion).at(-1) ?? null;
}

/** One or more sentences saying what happens next. */
export function statusLines(x: Expenditure): string[] {
  const lines: string[] = [];
  switch (x.status) {
    case 'refused': {
      const refusal = x.approvals.filter((a) => a.decision === 'refuse').at(-1);
      const side = t(refusal?.side === 'firm' ? 'firmSide' : 'committeeSide');
      lines.push(t('statusRefused', { side, who: personName(refusal?.actor), note: refusal?.note ?? '' }));
      break;
    }
    case 'paid':
      lines.push(t('statusPaid', { at: x.paidAt ? formatTime(x.paidAt) : '' }));
      break;
    case 'reversed':
      lines.push(t('statusReversed'));
      break;
    case 'approved':
      lines.push(t('statusApproved'));
      break;
    case 'proposed': {
      // An emergency skips the approvals, not the owners' vote above the threshold.
      if (x.emergencyAlertId !== null && x.missing.length === 0) {
        lines.push(t('statusEmergencyReady'));
        break;
      }
      const what = missingWords(x.missing);
      lines.push(t('statusWaiting', { what }));
    }
  }
  if (x.voteRequired) {
    const vote = currentVote(x);
    lines.push(vote ? t(vote.passed ? 'votePassed' : 'voteFailed') : t('voteNeeded'));
  }
  for (const flag of x.flags) if (FLAG_WORDS[flag]) lines.push(t(FLAG_WORDS[flag]));
  return lines;
}

/** Paid at once (the emergency path, once any needed vote passed) or once both sides and any needed vote approved. */
export function payable(x: Expenditure): boolean {
  return (
    x.status === 'approved' ||
    (x.status === 'proposed' && x.emergencyAlertId !== null && x.missing.length === 0)
  );
}
