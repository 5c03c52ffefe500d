/**
 * The QR code of a sticker as a plain module matrix, and the same matrix as horizontal
 * runs: both the SVG and the PDF draw one filled rectangle per run, so the printed code
 * is vector, sharp at any size, and a test can read the matrix back out of either file.
 */
import QRCode from 'qrcode';

export interface QrMatrix {
  size: number;
  /** Row-major, 1 = dark module. */
  dark: Uint8Array;
}

/** Level M survives a scuffed sticker in a lift car and keeps a short URL at version 3-4. */
export function qrMatrix(text: string): QrMatrix {
  const { modules } = QRCode.create(text, { errorCorrectionLevel: 'M' });
  const dark = new Uint8Array(modules.size * modules.size);
  for (let i = 0; i < dark.length; i++) dark[i] = modules.data[i] ? 1 : 0;
  return { size: modules.size, dark };
}

export interface QrRun {
  row: number;
  col: number;
  length: number;
}

/** Consecutive dark modules of a row become one run: about a third of the rectangles. */
export function qrRuns(m: QrMatrix): QrRun[] {
  const runs: QrRun[] = [];
  for (let row = 0; row < m.size; row++) {
    let col = 0;
    while (col < m.size) {
      if (!m.dark[row * m.size + col]) {
        col++;
        continue;
      }
      const start = col;
      while (col < m.size && m.dark[row * m.size + col]) col++;
      runs.push({ row, col: start, length: col - start });
    }
  }
  return runs;
}

/** The quiet zone the QR standard asks for around the code, in modules (ISO/IEC 18004 §6.3.8). */
export const QUIET_ZONE = 4;
