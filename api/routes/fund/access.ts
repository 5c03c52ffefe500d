/**
 * What every fund route does first: role, then tenancy. The role is checked before any
 * lookup, so a 403 reveals nothing; another tenant's fund and a missing one are the same
 * 404. Writes also get the ledger's meta (fund, actor, the client's Idempotency-Key).
 */
import type { FastifyRequest } from 'fastify';
import { LedgerError } from '../../../ledger/errors.ts';
import type { FundLedger, WriteMeta } from '../../../ledger/ledger.ts';
import type { Fund } from '../../../ledger/types.ts';
import type { Role } from '../../../protocol/index.ts';
import { canSeeEstate, notFound, type Principal, READERS, requireRole } from '../../data/tenancy.ts';

export interface FundRouteOptions {
  ledger: FundLedger;
}

export function fundAccess(ledger: FundLedger) {
  async function visibleFund(principal: Principal | null, id: string, roles: readonly Role[] = READERS) {
    const p = requireRole(principal, roles);
    const fund = await ledger.fund(id).catch((error: unknown) => {
      if (error instanceof LedgerError && error.reason === 'NOT_FOUND') return null;
      throw error;
    });
    if (!fund || !canSeeEstate(p, fund.estateId)) throw notFound('Fund');
    return { p, fund };
  }

  function writeMeta(request: FastifyRequest, p: Principal, fund: Fund): WriteMeta {
    const key = request.headers['idempotency-key'];
    return { fundId: fund.id, actor: p, idempotencyKey: typeof key === 'string' ? key : '' };
  }

  return { visibleFund, writeMeta };
}
