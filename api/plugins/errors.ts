/**
 * One error handler for the whole API. Every 4xx answers { statusCode, code, message }
 * from the catalogue in lib/errors.ts (resident pages get the same as a small HTML page);
 * schema failures are 400 with Fastify's message; anything unexpected is logged and
 * answered as a 500 that reveals nothing.
 */
import type { FastifyError, FastifyReply, FastifyRequest } from 'fastify';
import fp from 'fastify-plugin';
import { ERRORS, type ErrorCode, LiftWatchError } from '../../lib/errors.ts';
import { pickLang, WORDS } from '../resident/i18n.ts';
import { renderMessagePage } from '../resident/render.ts';

declare module 'fastify' {
  interface FastifyContextConfig {
    /** Resident pages answer errors as HTML. */
    html?: boolean;
  }
}

const STATUS_CODES: Record<number, ErrorCode> = {
  400: 'BAD_REQUEST',
  401: 'UNAUTHENTICATED',
  403: 'FORBIDDEN',
  404: 'NOT_FOUND',
  409: 'CONFLICT',
  413: 'PAYLOAD_TOO_LARGE',
  415: 'UNSUPPORTED_MEDIA_TYPE',
  429: 'RATE_LIMITED',
};

export interface CodedError {
  statusCode: number;
  code: ErrorCode;
  message: string;
  /** A finer code (the ledger's reasons), so a screen can word it (protocol/words.ts). */
  reason?: string;
}

function reasonOf(error: LiftWatchError): string | undefined {
  const details = error.details as { reason?: unknown } | undefined;
  return typeof details?.reason === 'string' ? details.reason : undefined;
}

export function toCodedError(error: FastifyError | LiftWatchError | Error): CodedError {
  if (error instanceof LiftWatchError) {
    const reason = reasonOf(error);
    return {
      statusCode: error.statusCode,
      code: error.code,
      message: error.message,
      ...(reason ? { reason } : {}),
    };
  }
  const fe = error as FastifyError;
  if (fe.validation) return { statusCode: 400, code: 'BAD_REQUEST', message: fe.message };
  const status = fe.statusCode ?? 500;
  if (status >= 400 && status < 500) {
    const code = STATUS_CODES[status] ?? 'BAD_REQUEST';
    return {
      statusCode: STATUS_CODES[status] ? status : 400,
      code,
      message: fe.message || ERRORS[code].message,
    };
  }
  return { statusCode: 500, code: 'INTERNAL_ERROR', message: ERRORS.INTERNAL_ERROR.message };
}

function wantsHtml(request: FastifyRequest): boolean {
  return request.routeOptions.config?.html === true || /^\/e\//.test(request.url);
}

function sendHtmlError(request: FastifyRequest, reply: FastifyReply, coded: CodedError) {
  const query = request.query as { lang?: string } | undefined;
  const body = request.body as { lang?: string } | undefined;
  const lang = pickLang(body?.lang ?? query?.lang, request.headers['accept-language']);
  const w = WORDS[lang];
  const [title, text] =
    coded.statusCode === 404
      ? [w.notFoundTitle, w.notFoundText]
      : coded.statusCode === 429
        ? [w.errorTitle, w.tooMany]
        : coded.statusCode < 500
          ? [w.errorTitle, w.badInput]
          : [w.errorTitle, w.notFoundText];
  return reply
    .code(coded.statusCode)
    .type('text/html; charset=utf-8')
    .send(renderMessagePage(lang, title, text));
}

export default fp(
  async (app) => {
    app.setErrorHandler((error: FastifyError, request, reply) => {
      const coded = toCodedError(error);
      if (coded.statusCode >= 500) request.log.error({ err: error }, 'request failed');
      else request.log.info({ code: coded.code, reason: coded.message }, 'request refused');
      if (wantsHtml(request)) return sendHtmlError(request, reply, coded);
      return reply.code(coded.statusCode).send(coded);
    });
    app.setNotFoundHandler((request, reply) => {
      const coded = {
        statusCode: 404,
        code: 'NOT_FOUND' as const,
        message: `No route ${request.method} ${request.url.split('?')[0]}`,
      };
      if (wantsHtml(request)) return sendHtmlError(request, reply, coded);
      return reply.code(404).send(coded);
    });
  },
  { name: 'lift-errors' },
);
