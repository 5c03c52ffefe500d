/**
 * Pure decision rules of an expenditure: the owners' vote and what is still missing before
 * payment (the emergency path included: it may pay before the approvals, not before the
 * vote). Civil Code art. 278 (newer rule): at least ⅔ of owners and ⅔ of the area take
 * part, then more than half of the participants, by number and by area, agree.
 */
import { LedgerError } from './errors.ts';
import { assertCount } from './money.ts';
import type { Approval, ExpenditureFlag, LedgerConfig, OwnersVote, VoteTally } from './types.ts';

export interface VoteOutcome {
  participationMet: boolean;
  majorityMet: boolean;
  passed: boolean;
}

export function validateTally(t: VoteTally): VoteTally {
  const n = (k: keyof VoteTally, min = 0) => assertCount(t[k], k, min);
  const tally: VoteTally = {
    eligibleOwners: n('eligibleOwners', 1),
    eligibleAreaCentiM2: n('eligibleAreaCentiM2', 1),
    participatingOwners: n('participatingOwners'),
    participatingAreaCentiM2: n('participatingAreaCentiM2'),
    yesOwners: n('yesOwners'),
    yesAreaCentiM2: n('yesAreaCentiM2'),
  };
  if (tally.participatingOwners > tally.eligibleOwners || tally.yesOwners > tally.participatingOwners)
    throw new LedgerError('INVALID_INPUT', 'owners: yes ≤ participating ≤ eligible');
  if (
    tally.participatingAreaCentiM2 > tally.eligibleAreaCentiM2 ||
    tally.yesAreaCentiM2 > tally.participatingAreaCentiM2
  )
    throw new LedgerError('INVALID_INPUT', 'area: yes ≤ participating ≤ eligible');
  return tally;
}

/** Integer comparisons only: ⅔ as 3·x ≥ 2·total, majority as 2·yes > participants. */
export function evaluateVote(t: VoteTally): VoteOutcome {
  const participationMet =
    3 * t.participatingOwners >= 2 * t.eligibleOwners &&
    3 * t.participatingAreaCentiM2 >= 2 * t.eligibleAreaCentiM2;
  const majorityMet =
    2 * t.yesOwners > t.participatingOwners && 2 * t.yesAreaCentiM2 > t.participatingAreaCentiM2;
  return { participationMet, majorityMet, passed: participationMet && majorityMet };
}

export interface ExpenditureFacts {
  amountFen: number;
  amountVersion: number;
  storedStatus: 'proposed' | 'refused' | 'paid' | 'reversed';
  emergency: boolean;
  ratificationDueAt: number | null;
  approvals: readonly Approval[];
  votes: readonly OwnersVote[];
}

export interface Assessment {
  status: 'proposed' | 'approved' | 'refused' | 'paid' | 'reversed';
  voteRequired: boolean;
  missing: string[];
  flags: ExpenditureFlag[];
}

/** Only decisions on the current amount count: changing the amount voids the others. */
export function assessExpenditure(f: ExpenditureFacts, config: LedgerConfig, now: number): Assessment {
  const current = f.approvals.filter((a) => a.amountVersion === f.amountVersion);
  const decided = (side: Approval['side'], decision: Approval['decision']) =>
    current.some((a) => a.side === side && a.decision === decision);
  // An emergency skips the wait for the two sides (the committee ratifies afterwards),
  // never the owners' vote: above the threshold it must pass before anything is paid.
  const voteRequired = f.amountFen > config.voteThresholdFen;
  const lastVote = f.votes.filter((v) => v.amountVersion === f.amountVersion).at(-1);
  const missing: string[] = [];
  if (!f.emergency) {
    if (!decided('firm', 'approve')) missing.push('firm_approval');
    if (!decided('committee', 'approve')) missing.push('committee_approval');
  }
  if (voteRequired && !lastVote?.passed) missing.push('owners_vote');
  const flags: ExpenditureFlag[] = [];
  if (f.emergency && (f.storedStatus === 'paid' || f.storedStatus === 'reversed')) {
    if (decided('committee', 'refuse')) flags.push('ratification_refused');
    else if (!decided('committee', 'approve')) {
      flags.push('awaiting_ratification');
      if (f.ratificationDueAt !== null && now > f.ratificationDueAt) flags.push('ratification_overdue');
    }
  }
  // An emergency not yet paid reads 'approved' once both sides did approve (and any vote
  // passed), like any other proposal: it may be paid at once, but it is no longer waiting.
  const bothApproved = decided('firm', 'approve') && decided('committee', 'approve');
  const status =
    f.storedStatus === 'proposed' && missing.length === 0 && (!f.emergency || bothApproved)
      ? 'approved'
      : f.storedStatus;
  return { status, voteRequired, missing, flags };
}
