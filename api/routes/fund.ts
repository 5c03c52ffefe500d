/**
 * The maintenance-fund ledger over HTTP (/api/v1/funds…). The firm and the committee read
 * the balance, postings, contributions and expenditures of their own estates (another
 * tenant's fund answers 404 like a missing one), approve or refuse with a note, record an
 * owners' vote, export CSV/JSON, print a monthly statement and verify the hash chain.
 * Technicians and residents never get here. Writes need an Idempotency-Key header.
 * The firm's own writes (books, proposals, payments, files) are in ./fund/.
 */
import type { FastifyPluginAsyncTypebox } from '@fastify/type-provider-typebox';
import { Type } from '@sinclair/typebox';
import { buildExport, toCsv } from '../../ledger/export.ts';
import { toXlsx } from '../../ledger/export-xlsx.ts';
import { createFundLedger } from '../../ledger/ledger.ts';
import { periodBounds, periodOf } from '../../ledger/money.ts';
import { ledgerSettings } from '../../ledger/settings.ts';
import { monthlyStatement } from '../../ledger/statement.ts';
import { parsePinnedHead } from '../../ledger/verify.ts';
import { LiftWatchError } from '../../lib/errors.ts';
import { XLSX_TYPE } from '../../lib/xlsx.ts';
import {
  BalanceView,
  ContributionMonthView,
  DecisionBody,
  ExpenditureParams,
  ExpenditureView,
  FundParams,
  FundView,
  IdempotencyHeaders,
  PeriodQuery,
  PostingView,
  StatementQuery,
  VerifyQuery,
  VerifyView,
  VoteBody,
} from '../../protocol/fund-http.ts';
import { estateFilter, READERS, requireRole } from '../data/tenancy.ts';
import { replies } from '../schemas.ts';
import { consoleAutohooks } from './console/autohooks.ts';
import { fundAccess } from './fund/access.ts';
import bookkeepingRoutes from './fund/bookkeeping.ts';
import expenditureRoutes from './fund/expenditures.ts';
import { diskAttachmentFiles } from './fund/file-store.ts';
import fileRoutes from './fund/files.ts';

const fundRoutes: FastifyPluginAsyncTypebox = async (app) => {
  consoleAutohooks(app);
  const settings = ledgerSettings(app.apiConfig);
  const ledger = createFundLedger({
    repository: app.store.ledger,
    clock: app.clock,
    config: settings.ledger,
    ...(settings.filesDir ? { files: diskAttachmentFiles(settings.filesDir) } : {}),
  });
  const { visibleFund } = fundAccess(ledger);
  const tags = ['fund'];

  // The firm's writes, one file per domain line; the auth hook above covers them too.
  await app.register(bookkeepingRoutes, { ledger });
  await app.register(expenditureRoutes, { ledger });
  await app.register(fileRoutes, { ledger });

  /** Display names of the estate's people, so exports and statements never print a login. */
  async function nameOf(fund: { estateId: string; propertyFirmId: string }) {
    const names = await app.store.people.names({
      estateIds: [fund.estateId],
      propertyFirmIds: [fund.propertyFirmId],
      companyIds: [],
    });
    return (username: string) => names.users[username] ?? username;
  }

  function periodRange(q: { from?: string; to?: string }) {
    if (!q.from && !q.to) return undefined;
    return { from: q.from ?? (q.to as string), to: q.to ?? (q.from as string) };
  }

  app.get(
    '/funds',
    { schema: { tags, summary: 'Funds of my estates', response: replies({ 200: Type.Array(FundView) }) } },
    async (request) => {
      const p = requireRole(request.principal, READERS);
      const estates = estateFilter(p) ?? [...app.directory.estates()].map((e) => e.id);
      return (await Promise.all(estates.map((id) => ledger.fundsOfEstate(id)))).flat();
    },
  );

  app.get(
    '/funds/:id',
    {
      schema: {
        tags,
        summary: 'Balance and chain head',
        params: FundParams,
        response: replies({ 200: BalanceView }),
      },
    },
    async (request) => {
      const { fund } = await visibleFund(request.principal, request.params.id);
      const { fundId: _, ...balance } = await ledger.balance(fund.id);
      return { fund, ...balance };
    },
  );

  app.get(
    '/funds/:id/postings',
    {
      schema: {
        tags,
        summary: 'Every posting, optionally of months from..to',
        params: FundParams,
        querystring: PeriodQuery,
        response: replies({ 200: Type.Array(PostingView) }),
      },
    },
    async (request) => {
      const { fund } = await visibleFund(request.principal, request.params.id);
      const range = periodRange(request.query);
      const off = ledger.config.utcOffsetMinutes;
      return ledger.postings(
        fund.id,
        range ? { fromAt: periodBounds(range.from, off).fromAt, toAt: periodBounds(range.to, off).toAt } : {},
      );
    },
  );

  app.get(
    '/funds/:id/contributions',
    {
      schema: {
        tags,
        summary: 'Expected vs actual monthly contributions (default: the last 12 months)',
        params: FundParams,
        querystring: PeriodQuery,
        response: replies({ 200: Type.Array(ContributionMonthView) }),
      },
    },
    async (request) => {
      const { fund } = await visibleFund(request.principal, request.params.id);
      const to = request.query.to ?? periodOf(app.clock(), ledger.config.utcOffsetMinutes);
      const from = request.query.from ?? `${Number(to.slice(0, 4)) - 1}-${to.slice(5)}`;
      return ledger.contributions(fund.id, from, to);
    },
  );

  app.get(
    '/funds/:id/expenditures',
    {
      schema: {
        tags,
        summary: 'Expenditures with approvals, votes, files and flags',
        params: FundParams,
        response: replies({ 200: Type.Array(ExpenditureView) }),
      },
    },
    async (request) => {
      const { fund } = await visibleFund(request.principal, request.params.id);
      return ledger.expenditures(fund.id);
    },
  );

  app.post(
    '/funds/:id/expenditures/:xid/decision',
    {
      schema: {
        tags,
        summary:
          'Approve or refuse (a refusal needs a note); firm managers other than the proposer, or the committee',
        params: ExpenditureParams,
        headers: IdempotencyHeaders,
        body: DecisionBody,
        response: replies({ 200: ExpenditureView }),
      },
    },
    async (request) => {
      const { p, fund } = await visibleFund(request.principal, request.params.id);
      const meta = { fundId: fund.id, actor: p, idempotencyKey: request.headers['idempotency-key'] };
      const result = await ledger.decide(meta, { expenditureId: request.params.xid, ...request.body });
      await app.audit(request, {
        action: `fund.${request.body.decision}`,
        targetType: 'expenditure',
        targetId: request.params.xid,
        estateId: fund.estateId,
        detail: { note: request.body.note ?? '' },
      });
      return result;
    },
  );

  app.post(
    '/funds/:id/expenditures/:xid/votes',
    {
      schema: {
        tags,
        summary: "Record an owners' vote (⅔ participation, then a majority of participants)",
        params: ExpenditureParams,
        headers: IdempotencyHeaders,
        body: VoteBody,
        response: replies({ 200: ExpenditureView }),
      },
    },
    async (request) => {
      const { p, fund } = await visibleFund(request.principal, request.params.id);
      const meta = { fundId: fund.id, actor: p, idempotencyKey: request.headers['idempotency-key'] };
      const result = await ledger.recordVote(meta, {
        expenditureId: request.params.xid,
        tally: request.body.tally,
      });
      await app.audit(request, {
        action: 'fund.vote',
        targetType: 'expenditure',
        targetId: request.params.xid,
        estateId: fund.estateId,
        detail: { ...request.body.tally },
      });
      return result;
    },
  );

  for (const format of ['json', 'csv', 'xlsx'] as const)
    app.get(
      `/funds/:id/export.${format}`,
      {
        schema: {
          tags,
          summary:
            format === 'json'
              ? 'JSON export with the hash chain'
              : format === 'csv'
                ? 'CSV for owners: postings, proposals and decisions (Chinese headers, yuan, Beijing time, UTF-8 with BOM)'
                : 'Excel workbook for owners: postings (with their sums), proposals and decisions; Chinese headers, yuan as numbers with a ¥ format, Beijing time',
          params: FundParams,
          querystring: PeriodQuery,
        },
      },
      async (request, reply) => {
        const { fund } = await visibleFund(request.principal, request.params.id);
        const period = periodRange(request.query);
        const exp = await buildExport(app.store.ledger, fund.id, {
          utcOffsetMinutes: ledger.config.utcOffsetMinutes,
          ...(period ? { period } : {}),
        });
        const name = `fund-${fund.id}${period ? `-${period.from}_${period.to}` : ''}.${format}`;
        reply.header('content-disposition', `attachment; filename="${name}"`);
        reply.header('x-ledger-head', `${exp.head.seq}:${exp.head.hash}`);
        if (format === 'json') return reply.type('application/json; charset=utf-8').send(JSON.stringify(exp));
        const extras = { expenditures: await ledger.expenditures(fund.id), nameOf: await nameOf(fund) };
        if (format === 'xlsx')
          return reply.type(XLSX_TYPE).send(await toXlsx(exp, extras, ledger.config.utcOffsetMinutes));
        return reply.type('text/csv; charset=utf-8').send(toCsv(exp, extras, ledger.config.utcOffsetMinutes));
      },
    );

  app.get(
    '/funds/:id/statement',
    {
      schema: {
        tags,
        summary:
          'Printable monthly statement (HTML): opening, income by kind, spending by item, closing, signatures',
        params: FundParams,
        querystring: StatementQuery,
      },
    },
    async (request, reply) => {
      const { fund } = await visibleFund(request.principal, request.params.id);
      const html = await monthlyStatement(
        app.store.ledger,
        fund.id,
        request.query.period,
        ledger.config,
        app.clock(),
        await nameOf(fund),
      );
      return reply.type('text/html; charset=utf-8').send(html);
    },
  );

  app.get(
    '/funds/:id/verify',
    {
      schema: {
        tags,
        summary: 'Recompute the hash chain, optionally against a pinned SEQ:HASH',
        params: FundParams,
        querystring: VerifyQuery,
        response: replies({ 200: VerifyView }),
      },
    },
    async (request) => {
      const { fund } = await visibleFund(request.principal, request.params.id);
      const pinned = request.query.head ? parsePinnedHead(request.query.head) : undefined;
      if (pinned === null)
        throw new LiftWatchError('BAD_REQUEST', 'head must be SEQ:HASH (at least 16 hex digits)');
      return ledger.verify(fund.id, pinned);
    },
  );
};

export default fundRoutes;
