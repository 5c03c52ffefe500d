/**
 * The printable QR sticker sheet of one estate, SVG or PDF, for the firm to print and put
 * in each car. Tenancy as everywhere: an estate the principal may not see is a 404.
 */
import type { FastifyPluginAsyncTypebox } from '@fastify/type-provider-typebox';
import { Type } from '@sinclair/typebox';
import { canSeeEstate, notFound, type Principal, READERS, requireRole } from '../../data/tenancy.ts';
import { IdParams } from '../../schemas.ts';
import { renderSheetPdf } from '../../stickers/pdf.ts';
import { estateSheet, sheetTitle } from '../../stickers/sheet.ts';
import { renderSheetSvg } from '../../stickers/svg.ts';

const stickerRoutes: FastifyPluginAsyncTypebox = async (app) => {
  const estateOf = (principal: Principal | null, id: string) => {
    const p = requireRole(principal, READERS);
    const estate = app.directory.estate(id);
    if (!estate || !canSeeEstate(p, estate.id)) throw notFound('Estate');
    return estate;
  };
  const errors = { '4xx': Type.Ref('ErrorResponse'), '5xx': Type.Ref('ErrorResponse') };
  // ASCII file names: estate ids are ASCII, and a quoted-string must not carry anything else.
  const disposition = (id: string, ext: string) =>
    `inline; filename="lift-stickers-${id.replace(/[^A-Za-z0-9_-]/g, '_')}.${ext}"`;

  app.get(
    '/estates/:id/stickers.svg',
    {
      schema: {
        tags: ['fleet'],
        summary: 'Printable QR stickers of an estate (SVG, Chinese and English)',
        params: IdParams,
        produces: ['image/svg+xml'],
        response: { 200: Type.String({ description: 'image/svg+xml' }), ...errors },
      },
    },
    async (request, reply) => {
      const estate = estateOf(request.principal, request.params.id);
      const svg = renderSheetSvg(estateSheet(app.directory, estate, app.publicBaseUrl), sheetTitle(estate));
      return reply
        .type('image/svg+xml; charset=utf-8')
        .header('content-disposition', disposition(estate.id, 'svg'))
        .send(svg);
    },
  );

  app.get(
    '/estates/:id/stickers.pdf',
    {
      schema: {
        tags: ['fleet'],
        summary: 'Printable QR stickers of an estate (PDF, A4, six per page)',
        params: IdParams,
        produces: ['application/pdf'],
        response: { 200: Type.String({ format: 'binary', description: 'application/pdf' }), ...errors },
      },
    },
    async (request, reply) => {
      const estate = estateOf(request.principal, request.params.id);
      const pages = estateSheet(app.directory, estate, app.publicBaseUrl);
      const pdf = renderSheetPdf(pages, sheetTitle(estate), new Date(app.clock()));
      return reply
        .type('application/pdf')
        .header('content-disposition', disposition(estate.id, 'pdf'))
        .send(pdf);
    },
  );
};

export default stickerRoutes;
