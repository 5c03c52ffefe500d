import { describe, expect, it } from 'vitest';
import { loadStickerFont } from '../../api/stickers/font.ts';
import { layoutSheet, type StickerEntry } from '../../api/stickers/layout.ts';
import { renderSheetPdf } from '../../api/stickers/pdf.ts';
import { loadConfig } from '../../lib/config.ts';
import { readPages } from '../helpers/pdf-read.ts';

const config = loadConfig({});

const sticker = (n: number, url: string): StickerEntry => ({
  elevatorName: `${n}号梯`,
  buildingName: '7栋',
  registrationCode: `3110440300000${n}`,
  url,
  estateName: '香蜜湖畔',
  estateNameEn: null,
  emergencyPhone: '0755-1234-5678',
});

describe('the sticker PDF', () => {
  it('reads back every line as drawn, ligatures included, in black, six stickers a page', async () => {
    const font = await loadStickerFont(config.STICKER_FONT_FILE, config.STICKER_FONT_NAME);
    // "ff" and "fi" become one ligature glyph, which ToUnicode must map back to two letters.
    const urls = Array.from({ length: 7 }, (_, i) => `https://lift.example.cn/e/ffi${i}Office`);
    const pdf = await renderSheetPdf(
      layoutSheet(urls.map((u, i) => sticker(i + 1, u))),
      '香蜜湖畔 7栋',
      new Date(0),
      font,
    );
    const { pages } = readPages(pdf);
    expect(pages).toHaveLength(2);
    const lines = pages.flatMap((p) => p.lines);
    for (const url of urls) expect(lines).toContain(url);
    expect(lines.filter((l) => l === '香蜜湖畔')).toHaveLength(7);
    expect(lines).toContain('7栋 1号梯');
    expect(pages[1]!.lines).toContain('7栋 7号梯');
    expect(new Set(pages.flatMap((p) => p.fills))).toEqual(new Set(['0 0 0']));
  });
});
