/**
 * The sticker sheet as a PDF, drawn with pdfkit. Every line, Latin or Chinese, is set in the
 * configured CJK font, which pdfkit embeds as a subset with a ToUnicode map: the sheet prints
 * on any reader, with or without its own Chinese fonts, and its text stays searchable. QR
 * modules are filled rectangles (vector, no image), one per run of dark modules.
 */
import PDFDocument from 'pdfkit';
import type { StickerFont } from './font.ts';
import { type DrawOp, moduleSize, PAGE, type SheetPage } from './layout.ts';
import { QUIET_ZONE, qrRuns } from './qr.ts';

const FONT = 'sticker';

function drawOp(doc: PDFKit.PDFDocument, op: DrawOp): void {
  switch (op.kind) {
    case 'text':
      // The font has no bold face in the file: bold lines get a thin outline over the fill.
      doc
        .font(FONT)
        .fontSize(op.size)
        .fillColor('#000000')
        .strokeColor('#000000')
        .lineWidth(0.3)
        .text(op.text, op.x, op.y, {
          baseline: 'alphabetic',
          lineBreak: false,
          fill: true,
          stroke: op.bold ?? false,
        });
      return;
    case 'frame':
      doc.save().lineWidth(0.6).dash(4, { space: 3 });
      doc.roundedRect(op.x, op.y, op.width, op.height, 8).stroke().undash().restore();
      return;
    case 'qr': {
      const m = moduleSize(op);
      doc.save().rect(op.x, op.y, op.size, op.size).fill('#ffffff').restore();
      // In module units, so a test can read the matrix back: `col row length 1 re`.
      doc
        .save()
        .translate(op.x + QUIET_ZONE * m, op.y + QUIET_ZONE * m)
        .scale(m);
      doc.addContent(`% qr ${op.matrix.size}`);
      for (const r of qrRuns(op.matrix)) doc.rect(r.col, r.row, r.length, 1);
      doc.fill('#000000').restore();
      return;
    }
  }
}

export function renderSheetPdf(
  pages: SheetPage[],
  title: string,
  createdAt: Date,
  font: StickerFont,
): Promise<Buffer> {
  const doc = new PDFDocument({
    autoFirstPage: false,
    info: { Title: title, Producer: 'Lift Watch', Creator: 'Lift Watch', CreationDate: createdAt },
    lang: 'zh-CN',
    displayTitle: true,
  });
  doc.registerFont(FONT, font.data, font.name);
  const chunks: Buffer[] = [];
  const done = new Promise<Buffer>((resolve, reject) => {
    doc.on('data', (chunk: Buffer) => chunks.push(chunk));
    doc.on('end', () => resolve(Buffer.concat(chunks)));
    doc.on('error', reject);
  });
  for (const page of pages) {
    doc.addPage({ size: [PAGE.width, PAGE.height], margin: 0 });
    for (const op of page.ops) drawOp(doc, op);
  }
  doc.end();
  return done;
}
