/**
 * The sticker sheet as one SVG: the A4 pages stacked top to bottom, Chinese and English
 * text set in the viewer's CJK font, each QR one `<path class="qr">` of module runs in
 * module units (scaled by a transform), so the file stays small and a test can read it.
 */
import { type DrawOp, moduleSize, PAGE, type SheetPage } from './layout.ts';
import { QUIET_ZONE, qrRuns } from './qr.ts';

const FONT = "'Noto Sans CJK SC','Source Han Sans SC','PingFang SC','Microsoft YaHei',sans-serif";
const n = (v: number) => Number(v.toFixed(2));

export function escapeXml(text: string): string {
  return text.replace(/[&<>"']/g, (c) => `&#${c.charCodeAt(0)};`);
}

function opSvg(op: DrawOp): string {
  switch (op.kind) {
    case 'text':
      return `<text x="${n(op.x)}" y="${n(op.y)}" font-size="${op.size}"${op.bold ? ' font-weight="bold"' : ''}>${escapeXml(op.text)}</text>`;
    case 'frame':
      return `<rect x="${n(op.x)}" y="${n(op.y)}" width="${n(op.width)}" height="${n(op.height)}" rx="8" fill="none" stroke="#000" stroke-width="0.6" stroke-dasharray="4 3"/>`;
    case 'qr': {
      const m = moduleSize(op);
      const d = qrRuns(op.matrix)
        .map((r) => `M${r.col} ${r.row}h${r.length}v1h-${r.length}z`)
        .join('');
      const origin = `translate(${n(op.x + QUIET_ZONE * m)} ${n(op.y + QUIET_ZONE * m)}) scale(${m.toFixed(4)})`;
      return `<rect x="${n(op.x)}" y="${n(op.y)}" width="${n(op.size)}" height="${n(op.size)}" fill="#fff"/><path class="qr" data-size="${op.matrix.size}" data-url="${escapeXml(op.url)}" transform="${origin}" d="${d}"/>`;
    }
  }
}

export function renderSheetSvg(pages: SheetPage[], title: string): string {
  const height = PAGE.height * pages.length;
  const body = pages
    .map((page, i) => `<g transform="translate(0 ${n(i * PAGE.height)})">${page.ops.map(opSvg).join('')}</g>`)
    .join('\n');
  return [
    '<?xml version="1.0" encoding="UTF-8"?>',
    `<svg xmlns="http://www.w3.org/2000/svg" width="210mm" height="${n(297 * pages.length)}mm" viewBox="0 0 ${PAGE.width} ${n(height)}" font-family="${FONT}" shape-rendering="crispEdges">`,
    `<title>${escapeXml(title)}</title>`,
    `<rect width="${PAGE.width}" height="${n(height)}" fill="#fff"/>`,
    body,
    '</svg>',
  ].join('\n');
}
