/**
 * Who may do what to a fund. The property firm runs the fund and proposes; its other
 * managers and the estate's committee approve (four eyes); technicians and residents
 * never write. Admins operate the fund but never approve: approval is the parties' act.
 */
import { LedgerError } from './errors.ts';
import type { Actor, Fund } from './types.ts';

export function isFirmManager(actor: Actor, fund: Fund): boolean {
  return actor.role === 'property_manager' && actor.propertyFirmId === fund.propertyFirmId;
}

export function isCommitteeMember(actor: Actor, fund: Fund): boolean {
  return actor.role === 'committee_member' && actor.estateId === fund.estateId;
}

/** Bookkeeping (contributions, income, reversals, payments): the firm, or an admin. */
export function requireOperator(actor: Actor, fund: Fund): void {
  if (actor.role === 'admin' || isFirmManager(actor, fund)) return;
  throw new LedgerError('NOT_AUTHORIZED', 'only the property firm of this estate keeps its fund');
}

export function requireFirmManager(actor: Actor, fund: Fund): void {
  if (!isFirmManager(actor, fund))
    throw new LedgerError('NOT_AUTHORIZED', 'only a manager of the estate’s property firm may do this');
}

/** Votes and attachments may come from either party of the fund. */
export function requireParty(actor: Actor, fund: Fund): void {
  if (isFirmManager(actor, fund) || isCommitteeMember(actor, fund)) return;
  throw new LedgerError('NOT_AUTHORIZED', 'only the property firm or the owners’ committee of this estate');
}
