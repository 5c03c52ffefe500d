import { describe, expect, it } from 'vitest';
import { loadStickerFont, stickerFontSource } from '../../api/stickers/font.ts';
import { loadConfig } from '../../lib/config.ts';
import { LiftWatchError } from '../../lib/errors.ts';

const { STICKER_FONT_FILE: file, STICKER_FONT_NAME: name } = loadConfig({});

async function codeOf(promise: Promise<unknown>): Promise<string | undefined> {
  const error = await promise.then(
    () => undefined,
    (e: unknown) => e,
  );
  expect(error).toBeInstanceOf(LiftWatchError);
  return (error as LiftWatchError).code;
}

describe('the sticker font', () => {
  it("defaults to Debian's Noto Sans CJK collection, Simplified Chinese face", async () => {
    expect(file).toBe('/usr/share/fonts/opentype/noto/NotoSansCJK-Regular.ttc');
    const font = await loadStickerFont(file, name);
    expect(font.name).toBe('NotoSansCJKsc-Regular');
    expect(font.data.length).toBeGreaterThan(1_000_000);
  });

  it('is STICKER_FONT_MISSING, naming the package, when the file is absent', async () => {
    const load = loadStickerFont('/nonexistent/NotoSansCJK-Regular.ttc', name);
    expect(await codeOf(load)).toBe('STICKER_FONT_MISSING');
    await expect(load).rejects.toThrow(/fonts-noto-cjk/);
  });

  it('is STICKER_FONT_MISSING when the collection has no face of that name, or the file is no font', async () => {
    expect(await codeOf(loadStickerFont(file, 'NoSuchFace-Regular'))).toBe('STICKER_FONT_MISSING');
    expect(await codeOf(loadStickerFont('/etc/hostname', name))).toBe('STICKER_FONT_MISSING');
  });

  it('loads once, and tries again after a failure', async () => {
    const source = stickerFontSource(file, name);
    expect(await source()).toBe(await source());
    const missing = stickerFontSource('/nonexistent/font.ttc', name);
    const first = missing();
    await expect(first).rejects.toThrow(LiftWatchError);
    expect(missing()).not.toBe(first);
    await missing().catch(() => undefined);
  });
});
