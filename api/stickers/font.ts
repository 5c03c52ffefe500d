/**
 * The CJK font the sticker PDFs embed. Read once and kept: each PDF embeds only the glyphs
 * it uses (pdfkit subsets), so the sheet prints the same on a reader without any Chinese
 * font pack. A missing or unusable font is STICKER_FONT_MISSING, which names the package.
 */
import { readFile } from 'node:fs/promises';
import PDFDocument from 'pdfkit';
import { LiftWatchError } from '../../lib/errors.ts';

export interface StickerFont {
  /** The whole font file (a collection holds several faces); pdfkit picks `name` out of it. */
  data: Buffer;
  /** PostScript name of the face, e.g. NotoSansCJKsc-Regular. */
  name: string;
  file: string;
}

export async function loadStickerFont(file: string, name: string): Promise<StickerFont> {
  let data: Buffer;
  try {
    data = await readFile(file);
  } catch (error) {
    throw new LiftWatchError('STICKER_FONT_MISSING', undefined, { cause: error, details: { file } });
  }
  // A font file without the face (a .ttc holding other names, or not a font at all) fails here,
  // at load, rather than halfway through a sheet.
  try {
    const probe = new PDFDocument({ autoFirstPage: false });
    probe.font(data, name);
    probe.end();
  } catch (error) {
    throw new LiftWatchError(
      'STICKER_FONT_MISSING',
      `The sticker font ${file} has no usable face ${name}; install fonts-noto-cjk or set STICKER_FONT_FILE / STICKER_FONT_NAME`,
      { cause: error, details: { file, name } },
    );
  }
  return { data, name, file };
}

/** Loads the font on first use and keeps it; a failure is not kept, so installing the font later works. */
export function stickerFontSource(file: string, name: string): () => Promise<StickerFont> {
  let loading: Promise<StickerFont> | null = null;
  return () => {
    loading ??= loadStickerFont(file, name).catch((error: unknown) => {
      loading = null;
      throw error;
    });
    return loading;
  };
}
