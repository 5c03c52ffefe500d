/**
 * The printable QR sticker sheet of one estate, or of one of its buildings (?building=),
 * SVG or PDF, for the firm to print and put in each car. Tenancy as everywhere: an estate
 * the principal may not see, or a building outside the estate, is a 404. The PDF embeds a
 * subset of the configured CJK font (STICKER_FONT_FILE); without it the route answers
 * STICKER_FONT_MISSING, and the API says so in its log at start.
 */
import { access } from 'node:fs/promises';
import type { FastifyPluginAsyncTypebox } from '@fastify/type-provider-typebox';
import { Type } from '@sinclair/typebox';
import { ERRORS } from '../../../lib/errors.ts';
import { canSeeEstate, notFound, type Principal, READERS, requireRole } from '../../data/tenancy.ts';
import { IdParams } from '../../schemas.ts';
import { stickerFontSource } from '../../stickers/font.ts';
import { renderSheetPdf } from '../../stickers/pdf.ts';
import { type SheetScope, scopeSheet, sheetTitle } from '../../stickers/sheet.ts';
import { renderSheetSvg } from '../../stickers/svg.ts';

const SheetQuery = Type.Object({
  building: Type.Optional(
    Type.String({
      minLength: 1,
      maxLength: 64,
      description: "Only this building's cars (a building id of the estate)",
    }),
  ),
});

const stickerRoutes: FastifyPluginAsyncTypebox = async (app) => {
  const { STICKER_FONT_FILE: fontFile, STICKER_FONT_NAME: fontName } = app.apiConfig;
  const stickerFont = stickerFontSource(fontFile, fontName);
  app.addHook('onReady', async () => {
    // The rest of the API works without the font; the operator hears of it now, not at the first print.
    await access(fontFile).catch(() =>
      app.log.warn({ code: 'STICKER_FONT_MISSING', file: fontFile }, ERRORS.STICKER_FONT_MISSING.message),
    );
  });

  const scopeOf = (principal: Principal | null, id: string, buildingId?: string): SheetScope => {
    const p = requireRole(principal, READERS);
    const estate = app.directory.estate(id);
    if (!estate || !canSeeEstate(p, estate.id)) throw notFound('Estate');
    if (buildingId === undefined) return { estate, building: null };
    const building = app.directory.building(buildingId);
    if (!building || building.estateId !== estate.id) throw notFound('Building');
    return { estate, building };
  };
  const errors = { '4xx': Type.Ref('ErrorResponse'), '5xx': Type.Ref('ErrorResponse') };
  // ASCII file names: ids are ASCII, and a quoted-string must not carry anything else.
  const disposition = ({ estate, building }: SheetScope, ext: string) => {
    const name = [estate.id, building?.id].filter(Boolean).join('-');
    return `inline; filename="lift-stickers-${name.replace(/[^A-Za-z0-9_-]/g, '_')}.${ext}"`;
  };

  app.get(
    '/estates/:id/stickers.svg',
    {
      schema: {
        tags: ['fleet'],
        summary: 'Printable QR stickers of an estate or one of its buildings (SVG, Chinese and English)',
        params: IdParams,
        querystring: SheetQuery,
        produces: ['image/svg+xml'],
        response: { 200: Type.String({ description: 'image/svg+xml' }), ...errors },
      },
    },
    async (request, reply) => {
      const scope = scopeOf(request.principal, request.params.id, request.query.building);
      const svg = renderSheetSvg(scopeSheet(app.directory, scope, app.publicBaseUrl), sheetTitle(scope));
      return reply
        .type('image/svg+xml; charset=utf-8')
        .header('content-disposition', disposition(scope, 'svg'))
        .send(svg);
    },
  );

  app.get(
    '/estates/:id/stickers.pdf',
    {
      schema: {
        tags: ['fleet'],
        summary:
          'Printable QR stickers of an estate or one of its buildings (PDF, A4, six per page, CJK font subset embedded)',
        params: IdParams,
        querystring: SheetQuery,
        produces: ['application/pdf'],
        response: { 200: Type.String({ format: 'binary', description: 'application/pdf' }), ...errors },
      },
    },
    async (request, reply) => {
      const scope = scopeOf(request.principal, request.params.id, request.query.building);
      const pages = scopeSheet(app.directory, scope, app.publicBaseUrl);
      const pdf = await renderSheetPdf(pages, sheetTitle(scope), new Date(app.clock()), await stickerFont());
      return reply.type('application/pdf').header('content-disposition', disposition(scope, 'pdf')).send(pdf);
    },
  );
};

export default stickerRoutes;
