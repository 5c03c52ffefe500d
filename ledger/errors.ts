/**
 * Ledger errors: a coded LiftWatchError (so the API answers the catalogue's status) plus a
 * ledger reason a client can branch on (`IDEMPOTENCY_MISMATCH` vs `INSUFFICIENT_FUNDS`).
 */
import { type ErrorCode, LiftWatchError } from '../lib/errors.ts';

const REASONS = {
  INVALID_AMOUNT: 'BAD_REQUEST',
  INVALID_INPUT: 'BAD_REQUEST',
  UNBALANCED: 'BAD_REQUEST',
  NOT_AUTHORIZED: 'FORBIDDEN',
  SELF_APPROVAL: 'FORBIDDEN',
  NOT_FOUND: 'NOT_FOUND',
  IDEMPOTENCY_MISMATCH: 'CONFLICT',
  INSUFFICIENT_FUNDS: 'CONFLICT',
  ALREADY_REVERSED: 'CONFLICT',
  INVALID_STATE: 'CONFLICT',
  DUPLICATE: 'CONFLICT',
  EMERGENCY_ALERT_CLOSED: 'CONFLICT',
} as const satisfies Record<string, ErrorCode>;

export type LedgerReason = keyof typeof REASONS;

export class LedgerError extends LiftWatchError {
  readonly reason: LedgerReason;

  constructor(reason: LedgerReason, message: string) {
    super(REASONS[reason], message, { details: { reason } });
    this.name = 'LedgerError';
    this.reason = reason;
  }
}
