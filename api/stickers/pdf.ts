/**
 * The sticker sheet as a PDF. QR modules are filled rectangles (vector, no image). Text needs
 * no embedded font: English in Helvetica (one of the standard 14 fonts every viewer has) and
 * Chinese in STSong-Light through the predefined UniGB-UCS2-H CMap, the Adobe-GB1 font that
 * PDF viewers supply or substitute with an installed Simplified Chinese font (PDF Reference
 * 1.4 §5.6.4-5.6.5 "predefined CMaps"). A viewer without any CJK font shows the English lines.
 */
import { type DrawOp, moduleSize, PAGE, type SheetPage } from './layout.ts';
import { PdfDocument, pdfLiteral, pdfTextString, pdfUcs2Hex } from './pdf-writer.ts';
import { QUIET_ZONE, qrRuns } from './qr.ts';

const n = (v: number) => Number(v.toFixed(2)).toString();
const LATIN = /^[\x20-\x7e]*$/;

function textOp(op: Extract<DrawOp, { kind: 'text' }>): string {
  const y = PAGE.height - op.y;
  const latin = LATIN.test(op.text);
  const font = latin ? (op.bold ? '/HB' : '/H') : '/CJK';
  const shown = latin ? pdfLiteral(op.text) : pdfUcs2Hex(op.text);
  // No bold CJK font without embedding: a 0.3 pt stroke over the fill thickens it (render mode 2).
  const mode = !latin && op.bold ? '2 Tr 0.3 w ' : '0 Tr ';
  return `BT ${mode}${font} ${op.size} Tf ${n(op.x)} ${n(y)} Td ${shown} Tj ET`;
}

/**
 * The QR in module units: `cm` maps module (col, row) to the page with y flipped, so each
 * run is `col row length 1 re` and the matrix can be read back from the stream.
 */
function qrOp(op: Extract<DrawOp, { kind: 'qr' }>): string {
  const m = moduleSize(op);
  const top = PAGE.height - op.y;
  const white = `1 g ${n(op.x)} ${n(top - op.size)} ${n(op.size)} ${n(op.size)} re f 0 g`;
  const origin = `${m.toFixed(4)} 0 0 ${(-m).toFixed(4)} ${n(op.x + QUIET_ZONE * m)} ${n(top - QUIET_ZONE * m)} cm`;
  const runs = qrRuns(op.matrix)
    .map((r) => `${r.col} ${r.row} ${r.length} 1 re`)
    .join('\n');
  return `${white}\nq ${origin} % qr ${op.matrix.size}\n${runs}\nf Q`;
}

function opPdf(op: DrawOp): string {
  switch (op.kind) {
    case 'text':
      return textOp(op);
    case 'frame':
      return `q 0.6 w [4 3] 0 d ${n(op.x)} ${n(PAGE.height - op.y - op.height)} ${n(op.width)} ${n(op.height)} re S Q`;
    case 'qr':
      return qrOp(op);
  }
}

function fontObjects(doc: PdfDocument): string {
  const helvetica = doc.add(
    '<< /Type /Font /Subtype /Type1 /BaseFont /Helvetica /Encoding /WinAnsiEncoding >>',
  );
  const helveticaBold = doc.add(
    '<< /Type /Font /Subtype /Type1 /BaseFont /Helvetica-Bold /Encoding /WinAnsiEncoding >>',
  );
  const descriptor = doc.add(
    '<< /Type /FontDescriptor /FontName /STSong-Light /Flags 6 /FontBBox [-25 -254 1000 880] /ItalicAngle 0 /Ascent 880 /Descent -120 /CapHeight 880 /StemV 93 >>',
  );
  // CIDs 1-95 of Adobe-GB1 are the proportional Latin set: half width, the rest full width.
  const cidFont = doc.add(
    `<< /Type /Font /Subtype /CIDFontType0 /BaseFont /STSong-Light /CIDSystemInfo << /Registry (Adobe) /Ordering (GB1) /Supplement 2 >> /FontDescriptor ${descriptor} 0 R /DW 1000 /W [1 95 500] >>`,
  );
  const cjk = doc.add(
    `<< /Type /Font /Subtype /Type0 /BaseFont /STSong-Light-UniGB-UCS2-H /Encoding /UniGB-UCS2-H /DescendantFonts [${cidFont} 0 R] >>`,
  );
  return `<< /H ${helvetica} 0 R /HB ${helveticaBold} 0 R /CJK ${cjk} 0 R >>`;
}

export function renderSheetPdf(pages: SheetPage[], title: string, createdAt: Date): Buffer {
  const doc = new PdfDocument();
  const catalog = doc.reserve();
  const pageTree = doc.reserve();
  const fonts = fontObjects(doc);
  const kids: number[] = [];
  for (const page of pages) {
    const content = doc.add(doc.stream(page.ops.map(opPdf).join('\n')));
    kids.push(
      doc.add(
        `<< /Type /Page /Parent ${pageTree} 0 R /MediaBox [0 0 ${PAGE.width} ${PAGE.height}] /Resources << /Font ${fonts} /ProcSet [/PDF /Text] >> /Contents ${content} 0 R >>`,
      ),
    );
  }
  doc.set(
    pageTree,
    `<< /Type /Pages /Kids [${kids.map((k) => `${k} 0 R`).join(' ')}] /Count ${kids.length} >>`,
  );
  doc.set(catalog, `<< /Type /Catalog /Pages ${pageTree} 0 R >>`);
  const date = createdAt
    .toISOString()
    .replace(/[-:T]/g, '')
    .replace(/\.\d+Z$/, 'Z');
  const info = doc.add(
    `<< /Title ${pdfTextString(title)} /Producer (Lift Watch) /CreationDate (D:${date}) >>`,
  );
  return doc.toBuffer(catalog, info);
}
