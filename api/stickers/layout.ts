/**
 * The printable sheet as data: A4 pages of stickers (2 × 3 per page), each a list of
 * drawing operations in points with a top-left origin. svg.ts and pdf.ts only translate
 * these operations, so both formats show the same sticker at the same place.
 */
import { type QrMatrix, QUIET_ZONE, qrMatrix } from './qr.ts';

export const PAGE = { width: 595.28, height: 841.89 } as const;
const MARGIN = 28;
const GAP = 12;
const COLS = 2;
const ROWS = 3;
const CARD_W = (PAGE.width - 2 * MARGIN - (COLS - 1) * GAP) / COLS;
const CARD_H = (PAGE.height - 2 * MARGIN - (ROWS - 1) * GAP) / ROWS;
const QR_SIZE = 124;

/** The national elevator emergency line (96333), printed on every sticker. */
export const NATIONAL_EMERGENCY = '96333';

export interface StickerEntry {
  elevatorName: string;
  buildingName: string;
  registrationCode: string;
  url: string;
  estateName: string;
  estateNameEn: string | null;
  emergencyPhone: string;
}

export type DrawOp =
  | { kind: 'text'; x: number; y: number; size: number; text: string; bold?: boolean }
  | { kind: 'frame'; x: number; y: number; width: number; height: number }
  | { kind: 'qr'; x: number; y: number; size: number; matrix: QrMatrix; url: string };

export interface SheetPage {
  ops: DrawOp[];
}

/** Rough advance widths, enough to keep a line inside its card: CJK 1 em, Latin ~0.55 em. */
export function textWidth(text: string, size: number): number {
  let em = 0;
  for (const ch of text) em += ch.codePointAt(0)! > 0x2e7f ? 1 : 0.55;
  return em * size;
}

export function fitText(text: string, size: number, width: number): string {
  if (textWidth(text, size) <= width) return text;
  let out = '';
  for (const ch of text) {
    if (textWidth(`${out}${ch}…`, size) > width) break;
    out += ch;
  }
  return `${out}…`;
}

function stickerOps(s: StickerEntry, x: number, y: number): DrawOp[] {
  const ops: DrawOp[] = [{ kind: 'frame', x, y, width: CARD_W, height: CARD_H }];
  const text = (dx: number, dy: number, size: number, value: string, width: number, bold = false) =>
    ops.push({ kind: 'text', x: x + dx, y: y + dy, size, text: fitText(value, size, width), bold });
  const full = CARD_W - 24;
  text(12, 22, 12, '电梯安全码 Lift safety code', full, true);
  ops.push({ kind: 'qr', x: x + 8, y: y + 30, size: QR_SIZE, matrix: qrMatrix(s.url), url: s.url });
  const side = 12 + QR_SIZE;
  const sideW = CARD_W - side - 10;
  text(side, 50, 11, s.estateName, sideW, true);
  if (s.estateNameEn) text(side, 63, 7.5, s.estateNameEn, sideW);
  // Demo names already carry the building (1栋2号梯); others get it in front.
  const car = s.elevatorName.startsWith(s.buildingName)
    ? s.elevatorName
    : `${s.buildingName} ${s.elevatorName}`;
  text(side, 82, 11, car, sideW, true);
  // The same words as the CSV exports' column (使用登记证号) for the fleet's registration_code.
  text(side, 104, 7, '使用登记证号 Registration no.', sideW);
  text(side, 116, 9, s.registrationCode, sideW);
  text(side, 136, 7, '扫码查看运行状态、维保记录', sideW);
  text(side, 146, 7, 'Scan: status, maintenance', sideW);
  text(12, 172, 8, '困梯或故障请拨打 Trapped or a fault? Call:', full);
  text(12, 190, 13, `${s.emergencyPhone}`, full, true);
  text(12, 206, 8, `物业紧急电话 Estate emergency line`, full);
  text(12, 226, 13, NATIONAL_EMERGENCY, full, true);
  text(60, 226, 8, '电梯应急处置平台 Lift emergency service', full - 48);
  text(12, CARD_H - 8, 6, s.url, full);
  return ops;
}

/** Stickers in the given order, six to a page. */
export function layoutSheet(stickers: StickerEntry[]): SheetPage[] {
  const perPage = COLS * ROWS;
  const pages: SheetPage[] = [];
  stickers.forEach((s, i) => {
    const slot = i % perPage;
    if (slot === 0) pages.push({ ops: [] });
    const x = MARGIN + (slot % COLS) * (CARD_W + GAP);
    const y = MARGIN + Math.floor(slot / COLS) * (CARD_H + GAP);
    pages.at(-1)!.ops.push(...stickerOps(s, x, y));
  });
  if (pages.length === 0) pages.push({ ops: [] });
  return pages;
}

/** Side of one QR module in points, the quiet zone included in `size`. */
export function moduleSize(op: { size: number; matrix: QrMatrix }): number {
  return op.size / (op.matrix.size + 2 * QUIET_ZONE);
}
