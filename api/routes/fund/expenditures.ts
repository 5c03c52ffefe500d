/**
 * The property firm's side of an expenditure: propose it (amount, purpose, payee, the
 * elevator, the alerts, visits or work order it pays for), change its amount (earlier
 * approvals and votes stop counting) and pay it once both sides, and the owners' vote when
 * needed, have approved. The emergency path (a critical alert still open) pays before the
 * approvals, not before a needed owners' vote, is pushed to the committee at once and
 * stays flagged until it ratifies. Approvals and votes are in api/routes/fund.ts.
 */
import type { FastifyPluginAsyncTypebox } from '@fastify/type-provider-typebox';
import type { FastifyInstance } from 'fastify';
import type { Expenditure, ExpenseKind, Fund } from '../../../ledger/types.ts';
import {
  AmendBody,
  ExpenditureParams,
  ExpenditureView,
  FundParams,
  IdempotencyHeaders,
  PaymentBody,
  PaymentView,
  ProposalBody,
} from '../../../protocol/fund-http.ts';
import { WRITERS } from '../../data/tenancy.ts';
import { estateAudience } from '../../plugins/socket.ts';
import { replies } from '../../schemas.ts';
import { type FundRouteOptions, fundAccess } from './access.ts';

/**
 * The committee sees an emergency at once: a push to the estate's socket.io rooms
 * (api/plugins/socket.ts `estateAudience`), besides the audit row and the list, where
 * emergencies awaiting the committee come first.
 */
function pushEmergency(app: FastifyInstance, fund: Fund, event: 'proposed' | 'paid', x: Expenditure): void {
  app.io?.to(estateAudience(fund.estateId)).emit('fund:emergency', {
    event,
    fund_id: fund.id,
    estate_id: fund.estateId,
    expenditure_id: x.id,
    amount_fen: x.amountFen,
    purpose: x.purpose,
    emergency_alert_id: x.emergencyAlertId,
    missing: x.missing,
    flags: x.flags,
  });
}

const expenditureRoutes: FastifyPluginAsyncTypebox<FundRouteOptions> = async (app, { ledger }) => {
  const { visibleFund, writeMeta } = fundAccess(ledger);
  const tags = ['fund'];

  app.get(
    '/funds/:id/expenditures/:xid',
    {
      schema: {
        tags,
        summary: 'One expenditure with its approvals, votes, files and flags',
        params: ExpenditureParams,
        response: replies({ 200: ExpenditureView }),
      },
    },
    async (request) => {
      const { fund } = await visibleFund(request.principal, request.params.id);
      return ledger.expenditure(fund.id, request.params.xid);
    },
  );

  app.post(
    '/funds/:id/expenditures',
    {
      schema: {
        tags,
        summary: 'Propose an expenditure (a manager of the estate’s property firm)',
        params: FundParams,
        headers: IdempotencyHeaders,
        body: ProposalBody,
        response: replies({ 200: ExpenditureView }),
      },
    },
    async (request) => {
      const { p, fund } = await visibleFund(request.principal, request.params.id, WRITERS);
      const x = await ledger.propose(writeMeta(request, p, fund), {
        ...request.body,
        kind: request.body.kind as ExpenseKind,
      });
      await app.audit(request, {
        action: 'fund.propose',
        targetType: 'expenditure',
        targetId: x.id,
        estateId: fund.estateId,
        detail: {
          amountFen: x.amountFen,
          kind: x.kind,
          payee: x.payee,
          emergency: x.emergencyAlertId !== null,
          ...(x.emergencyAlertId ? { emergencyAlertId: x.emergencyAlertId, missing: x.missing } : {}),
        },
      });
      if (x.emergencyAlertId) pushEmergency(app, fund, 'proposed', x);
      return x;
    },
  );

  app.post(
    '/funds/:id/expenditures/:xid/amount',
    {
      schema: {
        tags,
        summary: 'Change the amount of a proposal; every earlier approval and vote stops counting',
        params: ExpenditureParams,
        headers: IdempotencyHeaders,
        body: AmendBody,
        response: replies({ 200: ExpenditureView }),
      },
    },
    async (request) => {
      const { p, fund } = await visibleFund(request.principal, request.params.id, WRITERS);
      const x = await ledger.amendAmount(writeMeta(request, p, fund), {
        expenditureId: request.params.xid,
        ...request.body,
      });
      await app.audit(request, {
        action: 'fund.amend',
        targetType: 'expenditure',
        targetId: x.id,
        estateId: fund.estateId,
        detail: { amountFen: x.amountFen, amountVersion: x.amountVersion, reason: request.body.reason },
      });
      return x;
    },
  );

  app.post(
    '/funds/:id/expenditures/:xid/payment',
    {
      schema: {
        tags,
        summary:
          'Pay an approved expenditure (posted to the ledger); 409 while approvals or the vote are missing',
        params: ExpenditureParams,
        headers: IdempotencyHeaders,
        body: PaymentBody,
        response: replies({ 200: PaymentView }),
      },
    },
    async (request) => {
      const { p, fund } = await visibleFund(request.principal, request.params.id, WRITERS);
      const paid = await ledger.pay(writeMeta(request, p, fund), {
        expenditureId: request.params.xid,
        ...request.body,
      });
      await app.audit(request, {
        action: 'fund.pay',
        targetType: 'expenditure',
        targetId: request.params.xid,
        estateId: fund.estateId,
        detail: {
          amountFen: paid.expenditure.amountFen,
          transactionId: paid.transaction.id,
          flags: paid.expenditure.flags,
          emergency: paid.expenditure.emergencyAlertId !== null,
        },
      });
      if (paid.expenditure.emergencyAlertId) pushEmergency(app, fund, 'paid', paid.expenditure);
      return paid;
    },
  );
};

export default expenditureRoutes;
