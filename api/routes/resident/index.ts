/**
 * The residents' side, reached by scanning the QR sticker in the car: no login, no
 * personal data. The page is built from the in-memory directory and state plus a small
 * per-elevator cache, so a QR hit costs no query in the common case.
 */
import type { FastifyPluginAsyncTypebox } from '@fastify/type-provider-typebox';
import { Type } from '@sinclair/typebox';
import type { FastifyReply, FastifyRequest } from 'fastify';
import { ledgerSettings } from '../../../ledger/settings.ts';
import { alertStepOf, effectiveReportStatus, followsAlert } from '../../../protocol/index.ts';
import type { ReportWithAlert } from '../../../store/repositories/reports.ts';
import type { ResidentReportTable } from '../../../store/schema.ts';
import { estateAudience } from '../../plugins/socket.ts';
import { ResidentCardCache } from '../../resident/card.ts';
import { FundDisclosureCache } from '../../resident/fund-disclosure.ts';
import { residentHealthOf } from '../../resident/health-words.ts';
import { CONDITION_WORDS, pickLang, REPORT_CATEGORIES, WORDS } from '../../resident/i18n.ts';
import { LOOP_WORDS } from '../../resident/loop-words.ts';
import { etagMatches, type RenderedPage, ResidentPageCache } from '../../resident/page-cache.ts';
import {
  heardAgo,
  renderElevatorPage,
  renderFundPage,
  renderMessagePage,
  renderReceiptPage,
} from '../../resident/render.ts';
import { reportProgress } from '../../resident/report-progress.ts';
import type { StateListener } from '../../state-source.ts';
import { LIVE_SCRIPT } from './live-script.ts';

const TokenParams = Type.Object({ token: Type.String({ minLength: 1, maxLength: 128 }) });
const ReceiptParams = Type.Object({
  token: Type.String({ minLength: 1, maxLength: 128 }),
  receipt: Type.String({ minLength: 1, maxLength: 32 }),
});
const LangQuery = Type.Object({ lang: Type.Optional(Type.String({ maxLength: 8 })) });
const Html = Type.String({ description: 'text/html' });
/** A card load waits at most this for the health line (the line is left out otherwise). */
const HEALTH_READ_TIMEOUT_MS = 1500;
const PAGE_HEADERS = { 'content-type': 'text/html; charset=utf-8', 'cache-control': 'no-cache' };

const residentRoutes: FastifyPluginAsyncTypebox = async (app) => {
  // The report is an HTML form (no script needed): form bodies are parsed here only.
  await app.acceptForms(app);
  const health = app.health;
  const cards = new ResidentCardCache({
    reads: app.store.residentCard,
    ttlMs: app.apiConfig.API_QR_CACHE_TTL_S * 1000,
    clock: app.clock,
    ...(health
      ? { health: async (id: string) => residentHealthOf(await health.latestOf(id, HEALTH_READ_TIMEOUT_MS)) }
      : {}),
  });
  // Two languages per car; a minute bounds day-granular words and the rescue-time flag.
  const pages = new ResidentPageCache({ maxAgeMs: 60_000, maxEntries: 50_000 });
  const invalidate: StateListener = (change) => {
    if (change.kind !== 'state') cards.invalidate(change.elevatorId);
  };
  app.stateSource.on('change', invalidate);
  app.addHook('onClose', async () => app.stateSource.off('change', invalidate));
  // Fund disclosure: read once per estate, dropped when the ledger announces a write.
  const funds = new FundDisclosureCache({
    repository: app.store.ledger,
    config: ledgerSettings(app.apiConfig).ledger,
    clock: app.clock,
  });
  app.addHook('onClose', async () => funds.stop());

  /** The report as it now is, to the consoles of its estate (the list and the nav badge). */
  const pushReport = (report: ResidentReportTable | ReportWithAlert) =>
    app.io?.to(estateAudience(report.estate_id)).emit('report', report);

  const html = (reply: FastifyReply, status: number, body: string) =>
    reply.code(status).type('text/html; charset=utf-8').header('cache-control', 'no-cache').send(body);

  const langOf = (request: FastifyRequest, explicit?: string) =>
    pickLang(explicit ?? (request.query as { lang?: string }).lang, request.headers['accept-language']);

  /** The cached bytes, or 304 when the phone already holds this exact page (a repeat scan). */
  const sendPage = (request: FastifyRequest, reply: FastifyReply, page: RenderedPage) => {
    reply.headers(PAGE_HEADERS).header('etag', page.etag);
    if (etagMatches(request.headers['if-none-match'], page.etag)) return reply.code(304).send();
    return reply.code(200).send(page.body);
  };

  const notFound = (request: FastifyRequest, reply: FastifyReply) => {
    const w = WORDS[langOf(request)];
    return html(reply, 404, renderMessagePage(langOf(request), w.notFoundTitle, w.notFoundText));
  };

  app.get(
    '/e/:token',
    {
      // Read-only and served from memory: the cheap limiter instead of @fastify/rate-limit.
      config: { html: true, rateLimit: false },
      onRequest: app.readLimit,
      schema: {
        tags: ['residents'],
        summary: 'The QR status page of one elevator',
        params: TokenParams,
        querystring: LangQuery,
        produces: ['text/html'],
        response: { 200: Html, 304: Type.Null({ description: 'Not modified' }), 404: Html },
      },
    },
    async (request, reply) => {
      const elevator = app.directory.elevatorByToken(request.params.token);
      const estate = elevator && app.directory.estate(elevator.estateId);
      if (!elevator || !estate) return notFound(request, reply);
      const now = app.clock();
      const lang = langOf(request);
      const lastHeardAt = app.stateSource.get(elevator.id)?.lastHeardAt ?? null;
      const version = {
        card: cards.peek(elevator.id) ?? (await cards.get(elevator.id)),
        condition: app.stateSource.conditionOf(elevator.id, now),
        heard: heardAgo(lastHeardAt, now, lang),
      };
      // From memory on a hit; null (no fund) is a hit too, only undefined means load.
      let fund = funds.peek(estate.id, elevator.buildingId);
      if (fund === undefined) fund = await funds.load(estate.id, elevator.buildingId);
      // The fund's version is in the key, so a ledger write renders the page afresh.
      const key = `${elevator.id}\u0000${lang}\u0000${fund?.version ?? 0}`;
      let page = pages.get(key, version, now);
      if (page === undefined) {
        const body = renderElevatorPage({ lang, elevator, estate, ...version, lastHeardAt, now, fund });
        page = pages.set(key, version, body, now);
      }
      return sendPage(request, reply, page);
    },
  );

  app.get(
    '/e/:token/fund',
    {
      config: { html: true, rateLimit: false },
      onRequest: app.readLimit,
      schema: {
        tags: ['residents'],
        summary: "Every paid expenditure of the lift's maintenance fund, newest first (30 a page)",
        params: TokenParams,
        querystring: Type.Object({
          lang: Type.Optional(Type.String({ maxLength: 8 })),
          page: Type.Optional(Type.Integer({ minimum: 1, maximum: 100000 })),
        }),
        produces: ['text/html'],
        response: { 200: Html, 404: Html },
      },
    },
    async (request, reply) => {
      const elevator = app.directory.elevatorByToken(request.params.token);
      const estate = elevator && app.directory.estate(elevator.estateId);
      if (!elevator || !estate) return notFound(request, reply);
      let fund = funds.peek(estate.id, elevator.buildingId);
      if (fund === undefined) fund = await funds.load(estate.id, elevator.buildingId);
      if (!fund) return notFound(request, reply);
      return html(reply, 200, renderFundPage(langOf(request), elevator, fund, request.query.page ?? 1));
    },
  );

  app.get(
    '/e/:token/state.json',
    {
      config: { rateLimit: false },
      onRequest: app.readLimit,
      schema: {
        tags: ['residents'],
        summary: 'The live state line of the QR page',
        params: TokenParams,
        querystring: LangQuery,
        response: {
          200: Type.Object({
            condition: Type.String(),
            label: Type.String(),
            last_heard_at: Type.Union([Type.Integer(), Type.Null()]),
            heard: Type.String(),
          }),
          '4xx': Type.Ref('ErrorResponse'),
        },
      },
    },
    async (request, reply) => {
      const elevator = app.directory.elevatorByToken(request.params.token);
      if (!elevator)
        return reply.code(404).send({ statusCode: 404, code: 'NOT_FOUND', message: 'Lift not found' });
      const lang = langOf(request);
      const now = app.clock();
      const condition = app.stateSource.conditionOf(elevator.id, now);
      const lastHeardAt = app.stateSource.get(elevator.id)?.lastHeardAt ?? null;
      reply.header('cache-control', 'no-store');
      return {
        condition,
        label: CONDITION_WORDS[lang][condition],
        last_heard_at: lastHeardAt,
        heard: heardAgo(lastHeardAt, now, lang),
      };
    },
  );

  app.post(
    '/e/:token/reports',
    {
      config: {
        html: true,
        rateLimit: {
          max: app.apiConfig.API_REPORT_RATE_MAX,
          timeWindow: app.apiConfig.API_REPORT_RATE_WINDOW_S * 1000,
        },
      },
      schema: {
        tags: ['residents'],
        summary: 'File a resident report (form post); redirects to its receipt page',
        params: TokenParams,
        body: Type.Object({
          category: Type.Union(REPORT_CATEGORIES.map((c) => Type.Literal(c))),
          description: Type.String({ minLength: 1, maxLength: 500 }),
          website: Type.Optional(Type.String({ maxLength: 200, description: 'Honeypot: must stay empty' })),
          lang: Type.Optional(Type.String({ maxLength: 8 })),
        }),
        produces: ['text/html'],
        response: { 200: Html, 303: Type.Null(), '4xx': Html },
      },
    },
    async (request, reply) => {
      const elevator = app.directory.elevatorByToken(request.params.token);
      if (!elevator) return notFound(request, reply);
      const { category, description, website, lang: bodyLang } = request.body;
      const lang = langOf(request, bodyLang);
      if (website) {
        // Answer like a success so the bot learns nothing; store nothing.
        request.log.info({ elevatorId: elevator.id }, 'resident report dropped by the honeypot');
        return html(reply, 200, renderMessagePage(lang, WORDS[lang].report, WORDS[lang].thanks));
      }
      const report = await app.store.reports.file({
        elevatorId: elevator.id,
        estateId: elevator.estateId,
        category,
        description: description.trim(),
        now: app.clock(),
      });
      // "有人被困" is an alarm, not a queue item: it opens (or joins) the car's trapped alert.
      const alert =
        category === 'trapped'
          ? await app.alertActions.raiseFromResident({
              elevatorId: elevator.id,
              reportId: report.id,
              receipt: report.receipt,
              description: report.description,
              at: report.created_at,
            })
          : null;
      if (alert) {
        await app.store.reports.linkAlert(report.id, alert.id);
        report.alert_id = alert.id;
      }
      await app.audit(request, {
        action: 'report.create',
        targetType: 'resident_report',
        targetId: report.id,
        estateId: elevator.estateId,
        detail: { elevator_id: elevator.id, category, ...(alert ? { alert_id: alert.id } : {}) },
      });
      // As the console lists it: a report joining an answered alarm is already being handled.
      pushReport({
        ...report,
        status: effectiveReportStatus(report, alert),
        alert_step: alert ? alertStepOf(alert) : null,
        follows_alert: followsAlert(report, alert),
      });
      const token = encodeURIComponent(elevator.publicToken);
      return reply
        .code(303)
        .header('location', `/e/${token}/reports/${report.receipt}?lang=${lang}`)
        .send(null);
    },
  );

  app.get(
    '/e/:token/reports/:receipt',
    {
      config: { html: true },
      schema: {
        tags: ['residents'],
        summary: 'Progress of a resident report by its receipt number',
        params: ReceiptParams,
        querystring: LangQuery,
        produces: ['text/html'],
        response: { 200: Html, 404: Html },
      },
    },
    async (request, reply) => {
      const elevator = app.directory.elevatorByToken(request.params.token);
      const report = elevator && (await app.store.reports.byReceipt(elevator.id, request.params.receipt));
      if (!elevator || !report) return notFound(request, reply);
      const alert = report.alert_id ? ((await app.store.alerts.byId(report.alert_id)) ?? null) : null;
      const progress = reportProgress(report, alert);
      return html(reply, 200, renderReceiptPage(langOf(request), elevator, report, { alert, progress }));
    },
  );

  app.post(
    '/e/:token/reports/:receipt/feedback',
    {
      config: {
        html: true,
        rateLimit: {
          max: app.apiConfig.API_REPORT_RATE_MAX,
          timeWindow: app.apiConfig.API_REPORT_RATE_WINDOW_S * 1000,
        },
      },
      schema: {
        tags: ['residents'],
        summary:
          'The resident confirms the fix (fixed) or reopens the report (not_fixed), and rates the handling 1–5 (form post); redirects to the receipt page',
        params: ReceiptParams,
        body: Type.Object({
          outcome: Type.Union([Type.Literal('fixed'), Type.Literal('not_fixed')]),
          // A form posts text: the rating is one of five literal strings.
          rating: Type.Union(['1', '2', '3', '4', '5'].map((n) => Type.Literal(n))),
          lang: Type.Optional(Type.String({ maxLength: 8 })),
        }),
        produces: ['text/html'],
        response: { 303: Type.Null(), '4xx': Html },
      },
    },
    async (request, reply) => {
      const elevator = app.directory.elevatorByToken(request.params.token);
      const report = elevator && (await app.store.reports.byReceipt(elevator.id, request.params.receipt));
      if (!elevator || !report) return notFound(request, reply);
      const lang = langOf(request, request.body.lang);
      const alert = report.alert_id ? ((await app.store.alerts.byId(report.alert_id)) ?? null) : null;
      const back = `/e/${encodeURIComponent(elevator.publicToken)}/reports/${report.receipt}?lang=${lang}`;
      if (!reportProgress(report, alert).canGiveFeedback)
        return html(
          reply,
          409,
          renderMessagePage(lang, LOOP_WORDS[lang].feedbackTitle, LOOP_WORDS[lang].tooEarly, back),
        );
      const { outcome } = request.body;
      const rating = Number(request.body.rating);
      // A double submit applies once: the second finds feedback_at moved and just sees the page.
      const updated = await app.store.reports.feedback({
        id: report.id,
        outcome,
        rating,
        now: app.clock(),
        expectedFeedbackAt: report.feedback_at,
      });
      if (updated) {
        await app.audit(request, {
          action: outcome === 'fixed' ? 'report.confirm' : 'report.reopen',
          targetType: 'resident_report',
          targetId: report.id,
          estateId: report.estate_id,
          detail: { rating, alert_id: report.alert_id },
        });
        // As the console lists it: with its linked alert's step.
        pushReport((await app.store.reports.byId(updated.id)) ?? updated);
      }
      return reply.code(303).header('location', back).send(null);
    },
  );

  app.get(
    '/e/assets/live.js',
    { config: { rateLimit: false }, onRequest: app.readLimit, schema: { hide: true } },
    async (_request, reply) =>
      reply
        .type('text/javascript; charset=utf-8')
        .header('cache-control', 'public, max-age=3600')
        .send(LIVE_SCRIPT),
  );
};

export default residentRoutes;
