/**
 * The property firm keeps the fund's books: opens the fund, sets the contribution rule,
 * records each month's contribution and other income (interest, subsidies, insurance
 * payouts), and corrects a mistake with a reversal. Admins may do the same; the
 * committee, technicians and residents may not (403 before any lookup).
 */
import type { FastifyPluginAsyncTypebox } from '@fastify/type-provider-typebox';
import {
  ContributionBody,
  ContributionRuleBody,
  ContributionRuleView,
  FundParams,
  FundView,
  IdempotencyHeaders,
  OpenFundBody,
  OtherIncomeBody,
  ReversalBody,
  TransactionParams,
  TransactionView,
} from '../../../protocol/fund-http.ts';
import { canSeeEstate, notFound, requireRole, WRITERS } from '../../data/tenancy.ts';
import { replies } from '../../schemas.ts';
import { type FundRouteOptions, fundAccess } from './access.ts';

const bookkeepingRoutes: FastifyPluginAsyncTypebox<FundRouteOptions> = async (app, { ledger }) => {
  const { visibleFund, writeMeta } = fundAccess(ledger);
  const tags = ['fund'];

  app.post(
    '/funds',
    {
      schema: {
        tags,
        summary: 'Open the fund of an estate (or of one building)',
        headers: IdempotencyHeaders,
        body: OpenFundBody,
        response: replies({ 200: FundView }),
      },
    },
    async (request) => {
      const p = requireRole(request.principal, WRITERS);
      if (!canSeeEstate(p, request.body.estateId)) throw notFound('Estate');
      const fund = await ledger.openFund(
        { actor: p, idempotencyKey: request.headers['idempotency-key'] },
        request.body,
      );
      await app.audit(request, {
        action: 'fund.open',
        targetType: 'fund',
        targetId: fund.id,
        estateId: fund.estateId,
        detail: { name: fund.name, buildingId: fund.buildingId },
      });
      return fund;
    },
  );

  app.post(
    '/funds/:id/contribution-rules',
    {
      schema: {
        tags,
        summary: 'Set the contribution rule from a month on (rate per m² per month, share to the fund)',
        params: FundParams,
        headers: IdempotencyHeaders,
        body: ContributionRuleBody,
        response: replies({ 200: ContributionRuleView }),
      },
    },
    async (request) => {
      const { p, fund } = await visibleFund(request.principal, request.params.id, WRITERS);
      const rule = await ledger.setContributionRule(writeMeta(request, p, fund), request.body);
      await app.audit(request, {
        action: 'fund.contribution_rule',
        targetType: 'fund',
        targetId: fund.id,
        estateId: fund.estateId,
        detail: { ...request.body },
      });
      return rule;
    },
  );

  app.post(
    '/funds/:id/contributions',
    {
      schema: {
        tags,
        summary: "Record a month's contribution (the fee share actually received)",
        params: FundParams,
        headers: IdempotencyHeaders,
        body: ContributionBody,
        response: replies({ 200: TransactionView }),
      },
    },
    async (request) => {
      const { p, fund } = await visibleFund(request.principal, request.params.id, WRITERS);
      const tx = await ledger.recordContribution(writeMeta(request, p, fund), request.body);
      await app.audit(request, {
        action: 'fund.contribution',
        targetType: 'transaction',
        targetId: tx.id,
        estateId: fund.estateId,
        detail: { period: request.body.period, amountFen: request.body.amountFen },
      });
      return tx;
    },
  );

  app.post(
    '/funds/:id/income',
    {
      schema: {
        tags,
        summary: 'Record other income: interest, a subsidy or an insurance payout',
        params: FundParams,
        headers: IdempotencyHeaders,
        body: OtherIncomeBody,
        response: replies({ 200: TransactionView }),
      },
    },
    async (request) => {
      const { p, fund } = await visibleFund(request.principal, request.params.id, WRITERS);
      const tx = await ledger.recordOtherIncome(writeMeta(request, p, fund), request.body);
      await app.audit(request, {
        action: 'fund.income',
        targetType: 'transaction',
        targetId: tx.id,
        estateId: fund.estateId,
        detail: { source: request.body.source, amountFen: request.body.amountFen },
      });
      return tx;
    },
  );

  app.post(
    '/funds/:id/transactions/:tid/reversal',
    {
      schema: {
        tags,
        summary: 'Reverse a transaction once (the only way to correct the ledger)',
        params: TransactionParams,
        headers: IdempotencyHeaders,
        body: ReversalBody,
        response: replies({ 200: TransactionView }),
      },
    },
    async (request) => {
      const { p, fund } = await visibleFund(request.principal, request.params.id, WRITERS);
      const tx = await ledger.reverse(writeMeta(request, p, fund), {
        transactionId: request.params.tid,
        reason: request.body.reason,
      });
      await app.audit(request, {
        action: 'fund.reverse',
        targetType: 'transaction',
        targetId: request.params.tid,
        estateId: fund.estateId,
        detail: { reason: request.body.reason, reversalId: tx.id },
      });
      return tx;
    },
  );
};

export default bookkeepingRoutes;
