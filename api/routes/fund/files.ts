/**
 * Quotes and invoices: uploaded as the raw request body (PDF, PNG or JPEG, checked by
 * Content-Type *and* by the file's first bytes), at most LEDGER_MAX_ATTACHMENT_BYTES.
 * The SHA-256 goes into the hash chain; the bytes to the disk store. Either party of the
 * fund may upload; downloads are re-checked against the recorded hash.
 */
import type { FastifyPluginAsyncTypebox } from '@fastify/type-provider-typebox';
import { Type } from '@sinclair/typebox';
import { LiftWatchError } from '../../../lib/errors.ts';
import {
  AttachmentParams,
  AttachmentQuery,
  AttachmentView,
  ExpenditureParams,
  IdempotencyHeaders,
} from '../../../protocol/fund-http.ts';
import { replies } from '../../schemas.ts';
import { type FundRouteOptions, fundAccess } from './access.ts';

/** The accepted types and the signature their files start with. */
const SIGNATURES: Record<string, number[]> = {
  'application/pdf': [0x25, 0x50, 0x44, 0x46, 0x2d], // %PDF-
  'image/png': [0x89, 0x50, 0x4e, 0x47, 0x0d, 0x0a, 0x1a, 0x0a],
  'image/jpeg': [0xff, 0xd8, 0xff],
};

export function matchesSignature(mediaType: string, content: Uint8Array): boolean {
  const signature = SIGNATURES[mediaType];
  return signature?.every((byte, i) => content[i] === byte) ?? false;
}

const fileRoutes: FastifyPluginAsyncTypebox<FundRouteOptions> = async (app, { ledger }) => {
  const { visibleFund, writeMeta } = fundAccess(ledger);
  const tags = ['fund'];
  const bodyLimit = ledger.config.maxAttachmentBytes;

  // Scoped to this plugin: other routes keep answering 415 to anything but JSON and forms.
  app.addContentTypeParser(Object.keys(SIGNATURES), { parseAs: 'buffer', bodyLimit }, (_req, body, done) =>
    done(null, body),
  );

  app.post(
    '/funds/:id/expenditures/:xid/attachments',
    {
      bodyLimit,
      schema: {
        tags,
        summary: 'Upload a quote or an invoice (raw body: application/pdf, image/png or image/jpeg)',
        params: ExpenditureParams,
        querystring: AttachmentQuery,
        headers: IdempotencyHeaders,
        consumes: Object.keys(SIGNATURES),
        response: replies({ 200: AttachmentView }),
      },
    },
    async (request) => {
      const { p, fund } = await visibleFund(request.principal, request.params.id);
      const mediaType = (request.headers['content-type'] ?? '').split(';')[0]!.trim().toLowerCase();
      const content = request.body as Buffer;
      if (!Buffer.isBuffer(content) || !matchesSignature(mediaType, content))
        throw new LiftWatchError('UNSUPPORTED_MEDIA_TYPE', `the file is not a ${mediaType || 'known'} file`);
      const attachment = await ledger.attach(writeMeta(request, p, fund), {
        expenditureId: request.params.xid,
        kind: request.query.kind,
        filename: request.query.filename,
        mediaType,
        content,
      });
      await app.audit(request, {
        action: 'fund.attach',
        targetType: 'expenditure',
        targetId: request.params.xid,
        estateId: fund.estateId,
        detail: { kind: attachment.kind, sha256: attachment.sha256, size: attachment.size },
      });
      return attachment;
    },
  );

  app.get(
    '/funds/:id/expenditures/:xid/attachments/:aid',
    {
      schema: {
        tags,
        summary: 'Download a quote or invoice (refused if the stored bytes no longer match their hash)',
        params: AttachmentParams,
        response: { 200: Type.Any({ description: 'The file' }), ...replies({}) },
      },
    },
    async (request, reply) => {
      const { fund } = await visibleFund(request.principal, request.params.id);
      const file = await ledger.attachmentContent(fund.id, request.params.aid);
      const name = encodeURIComponent(file.filename);
      return reply
        .type(file.media_type)
        .header('content-disposition', `attachment; filename*=UTF-8''${name}`)
        .header('x-content-sha256', file.sha256)
        .send(file.content);
    },
  );
};

export default fileRoutes;
