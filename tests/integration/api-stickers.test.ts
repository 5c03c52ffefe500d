import pino from 'pino';
import QRCode from 'qrcode';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { startTestApi, type TestApi } from '../helpers/api-harness.ts';
import { readPages, ref, xrefProblems } from '../helpers/pdf-read.ts';

/** The dark modules of a QR as a '0'/'1' string, as qrcode computes it for `url`. */
function expectedModules(url: string): string {
  const { modules } = QRCode.create(url, { errorCorrectionLevel: 'M' });
  return Array.from(modules.data, (v) => (v ? '1' : '0')).join('');
}

function fromRuns(size: number, runs: [number, number, number][]): string {
  const cells = new Array<string>(size * size).fill('0');
  for (const [col, row, length] of runs) for (let c = col; c < col + length; c++) cells[row * size + c] = '1';
  return cells.join('');
}

/** The QR matrices a page draws, read back from its `% qr N` blocks of `col row length 1 re`. */
function drawnQrs(content: string): string[] {
  return [...content.matchAll(/% qr (\d+)\n((?:\d+ \d+ \d+ 1 re\n)+)/g)].map((block) =>
    fromRuns(
      Number(block[1]),
      [...block[2]!.matchAll(/(\d+) (\d+) (\d+) 1 re/g)].map(
        (r) => [Number(r[1]), Number(r[2]), Number(r[3])] as [number, number, number],
      ),
    ),
  );
}

describe('QR sticker sheets', () => {
  let t: TestApi;
  let anju: string;
  let urls: string[];
  beforeAll(async () => {
    t = await startTestApi();
    anju = await t.login('duty-anju');
    const rows = await t.db
      .selectFrom('elevators')
      .select('public_token')
      .where('estate_id', '=', 'lianhua')
      .execute();
    urls = rows.map((r) => `http://lift.test/e/${r.public_token}`);
  });
  afterAll(async () => t.close());

  it('draws one QR per elevator in the SVG, each the module matrix of its public URL', async () => {
    const res = await t.app.inject({
      url: '/api/v1/estates/lianhua/stickers.svg',
      headers: { cookie: anju },
    });
    expect(res.statusCode).toBe(200);
    expect(res.headers['content-type']).toMatch(/^image\/svg\+xml/);
    const svg = res.body;
    const qrs = [
      ...svg.matchAll(
        /<path class="qr" data-size="(\d+)" data-url="([^"]+)" transform="[^"]+" d="([^"]+)"\/>/g,
      ),
    ];
    expect(qrs).toHaveLength(urls.length);
    expect(qrs.map((q) => q[2]).sort()).toEqual([...urls].sort());
    for (const [, size, url, d] of qrs) {
      const runs = [...d!.matchAll(/M(\d+) (\d+)h(\d+)v1h-\d+z/g)].map(
        (r) => [Number(r[1]), Number(r[2]), Number(r[3])] as [number, number, number],
      );
      expect(fromRuns(Number(size), runs)).toBe(expectedModules(url!));
    }
    for (const words of [
      '莲花花园',
      'Lianhua Garden',
      '1栋1号梯',
      '96333',
      '0755-8000-9000',
      '使用登记证号 Registration no.',
    ])
      expect(svg).toContain(words);
    expect(svg).toContain('>3110440300000001<');
  });

  const pdfOf = async (query = '') => {
    const res = await t.app.inject({
      url: `/api/v1/estates/lianhua/stickers.pdf${query}`,
      headers: { cookie: anju },
    });
    expect(res.statusCode).toBe(200);
    expect(res.headers['content-type']).toBe('application/pdf');
    expect(xrefProblems(res.rawPayload)).toEqual([]);
    return readPages(res.rawPayload);
  };

  it('draws each QR as vector rectangles, the module matrix of its public URL', async () => {
    const { pages } = await pdfOf();
    expect(pages).toHaveLength(Math.ceil(urls.length / 6));
    const drawn = pages.flatMap((p) => drawnQrs(p.content));
    expect(drawn.sort()).toEqual(urls.map(expectedModules).sort());
  });

  it('embeds a subset of the CJK font whose ToUnicode map reads the Chinese text back', async () => {
    const { objects, pages } = await pdfOf();
    const fonts = [...objects.values()].filter((o) => /\/Type \/Font\b/.test(o.dict));
    // Only the Type0 font and its descendant: no standard-14 font, no predefined CJK CMap.
    expect(fonts.map((f) => /\/Subtype \/(\w+)/.exec(f.dict)?.[1]).sort()).toEqual(['CIDFontType0', 'Type0']);
    expect(fonts.every((f) => !/STSong|UniGB|Helvetica/.test(f.dict))).toBe(true);
    const descriptors = [...objects.values()].filter((o) => /\/Type \/FontDescriptor/.test(o.dict));
    expect(descriptors).toHaveLength(1);
    const descriptor = descriptors[0]!.dict;
    // A subset's name carries a six-letter tag (ISO 32000-1 §9.6.4).
    expect(descriptor).toMatch(/\/FontName \/[A-Z]{6}\+NotoSansCJKsc-Regular\b/);
    const file = ref(objects, descriptor, 'FontFile3') ?? ref(objects, descriptor, 'FontFile2');
    expect(file?.data?.length).toBeGreaterThan(1000);
    // The whole face is about 16 MB of CFF; the glyphs of a sheet are a small part of it.
    expect(file!.data!.length).toBeLessThan(1_000_000);
    const text = pages.map((p) => p.lines.join('\n')).join('\n');
    for (const words of [
      '莲花花园',
      'Lianhua Garden',
      '1栋1号梯',
      '电梯安全码',
      '使用登记证号 Registration no.',
      '96333',
      '0755-8000-9000',
      '3110440300000001',
    ])
      expect(text).toContain(words);
    expect(text).not.toContain('\ufffd');
    // Black on the white card: a fill colour left over from the QR's white square hides a line.
    expect(new Set(pages.flatMap((p) => p.fills))).toEqual(new Set(['0 0 0']));
  });

  it("draws a building's sheet with exactly that building's cars", async () => {
    const cars = await t.db
      .selectFrom('elevators')
      .select(['public_token', 'name', 'building_id'])
      .where('estate_id', '=', 'lianhua')
      .execute();
    const mine = cars.filter((c) => c.building_id === 'lianhua-b2');
    expect(mine.length).toBeGreaterThan(0);
    expect(mine.length).toBeLessThan(cars.length);
    const { pages } = await pdfOf('?building=lianhua-b2');
    const drawn = pages.flatMap((p) => drawnQrs(p.content));
    expect(drawn.sort()).toEqual(
      mine.map((c) => expectedModules(`http://lift.test/e/${c.public_token}`)).sort(),
    );
    const lines = pages.flatMap((p) => p.lines);
    for (const car of cars) {
      const shown = lines.some((l) => l.includes(car.name));
      expect(shown, car.name).toBe(car.building_id === 'lianhua-b2');
    }
    expect(lines).toContain('莲花花园');

    const svg = await t.app.inject({
      url: '/api/v1/estates/lianhua/stickers.svg?building=lianhua-b2',
      headers: { cookie: anju },
    });
    expect(svg.statusCode).toBe(200);
    expect([...svg.body.matchAll(/<path class="qr" /g)]).toHaveLength(mine.length);
  });

  it("answers 404 for a building outside the estate or unknown, and another firm's building", async () => {
    const hexin = await t.login('duty-hexin');
    for (const ext of ['svg', 'pdf']) {
      for (const building of ['xiangmi-b1', 'nowhere']) {
        const res = await t.app.inject({
          url: `/api/v1/estates/lianhua/stickers.${ext}?building=${building}`,
          headers: { cookie: anju },
        });
        expect(res.statusCode).toBe(404);
      }
      const theirs = await t.app.inject({
        url: `/api/v1/estates/lianhua/stickers.${ext}?building=lianhua-b1`,
        headers: { cookie: hexin },
      });
      expect(theirs.statusCode).toBe(404);
    }
  });

  it('answers another firm 404, a technician 403 and no login 401', async () => {
    const hexin = await t.login('duty-hexin');
    const tech = await t.login('tech-wang');
    for (const ext of ['svg', 'pdf']) {
      const url = `/api/v1/estates/lianhua/stickers.${ext}`;
      expect((await t.app.inject({ url, headers: { cookie: hexin } })).statusCode).toBe(404);
      expect(
        (await t.app.inject({ url: `/api/v1/estates/nowhere/stickers.${ext}`, headers: { cookie: anju } }))
          .statusCode,
      ).toBe(404);
      expect((await t.app.inject({ url, headers: { cookie: tech } })).statusCode).toBe(403);
      expect((await t.app.inject({ url })).statusCode).toBe(401);
    }
  });
});

describe('QR sticker sheets without the CJK font', () => {
  let t: TestApi;
  const logged: { level: number; code?: string; msg: string }[] = [];
  beforeAll(async () => {
    const log = pino({ level: 'warn' }, { write: (line: string) => logged.push(JSON.parse(line)) });
    t = await startTestApi({
      config: { STICKER_FONT_FILE: '/nonexistent/NotoSansCJK-Regular.ttc' },
      deps: { log },
    });
    await t.app.ready();
  });
  afterAll(async () => t.close());

  it('says so at start, with the code and the package to install', () => {
    const warning = logged.find((l) => l.code === 'STICKER_FONT_MISSING');
    expect(warning?.level).toBe(40);
    expect(warning?.msg).toContain('fonts-noto-cjk');
  });

  it('answers the PDF with STICKER_FONT_MISSING, naming the package to install; the SVG still draws', async () => {
    const cookie = await t.login('duty-anju');
    const pdf = await t.app.inject({ url: '/api/v1/estates/lianhua/stickers.pdf', headers: { cookie } });
    expect(pdf.statusCode).toBe(503);
    expect(pdf.json()).toMatchObject({ code: 'STICKER_FONT_MISSING' });
    expect(pdf.json().message).toContain('fonts-noto-cjk');
    const svg = await t.app.inject({ url: '/api/v1/estates/lianhua/stickers.svg', headers: { cookie } });
    expect(svg.statusCode).toBe(200);
  });
});
