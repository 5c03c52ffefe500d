import { inflateSync } from 'node:zlib';
import QRCode from 'qrcode';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { startTestApi, type TestApi } from '../helpers/api-harness.ts';

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

/** Checks the file structure byte for byte and returns the inflated content streams. */
function parsePdf(pdf: Buffer): { pages: number; streams: string[] } {
  const text = pdf.toString('latin1');
  expect(text.startsWith('%PDF-1.4\n')).toBe(true);
  expect(text.endsWith('%%EOF\n')).toBe(true);
  const startxref = Number(/startxref\n(\d+)\n%%EOF\n$/.exec(text)?.[1]);
  expect(text.slice(startxref, startxref + 5)).toBe('xref\n');
  const header = /^xref\n0 (\d+)\n/.exec(text.slice(startxref))!;
  const size = Number(header[1]);
  const entries = text.slice(startxref + header[0].length, startxref + header[0].length + size * 20);
  expect(entries.slice(0, 20)).toBe('0000000000 65535 f \n');
  for (let i = 1; i < size; i++) {
    const entry = entries.slice(i * 20, i * 20 + 20);
    expect(entry).toMatch(/^\d{10} 00000 n \n$/);
    const offset = Number(entry.slice(0, 10));
    expect(text.slice(offset, offset + `${i} 0 obj`.length)).toBe(`${i} 0 obj`);
  }
  const trailer = /trailer\n<< \/Size (\d+) \/Root (\d+) 0 R/.exec(text)!;
  expect(Number(trailer[1])).toBe(size);
  const streams: string[] = [];
  for (const m of text.matchAll(/<< \/Length (\d+) \/Filter \/FlateDecode >>\nstream\n/g)) {
    const start = m.index + m[0].length;
    const length = Number(m[1]);
    expect(text.slice(start + length, start + length + 10)).toBe('\nendstream');
    streams.push(inflateSync(pdf.subarray(start, start + length)).toString('latin1'));
  }
  const pages = Number(/\/Type \/Pages \/Kids \[[^\]]*\] \/Count (\d+)/.exec(text)?.[1]);
  return { pages, streams };
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
      'Registration code',
    ])
      expect(svg).toContain(words);
    expect(svg).toContain('>3110440300000001<');
  });

  it('writes a structurally valid PDF 1.4 whose QR rectangles are the right matrices', async () => {
    const res = await t.app.inject({
      url: '/api/v1/estates/lianhua/stickers.pdf',
      headers: { cookie: anju },
    });
    expect(res.statusCode).toBe(200);
    expect(res.headers['content-type']).toBe('application/pdf');
    const { pages, streams } = parsePdf(res.rawPayload);
    expect(pages).toBe(Math.ceil(urls.length / 6));
    const drawn: string[] = [];
    for (const content of streams) {
      for (const block of content.matchAll(/ cm % qr (\d+)\n([\d \nre]*?)f Q/g)) {
        const runs = [...block[2]!.matchAll(/(\d+) (\d+) (\d+) 1 re/g)].map(
          (r) => [Number(r[1]), Number(r[2]), Number(r[3])] as [number, number, number],
        );
        drawn.push(fromRuns(Number(block[1]), runs));
      }
    }
    expect(drawn.sort()).toEqual(urls.map(expectedModules).sort());
    const all = streams.join('\n');
    expect(all).toContain('(Lianhua Garden)');
    expect(all).toContain('(96333)');
    expect(all).toContain('(0755-8000-9000)');
    // 莲花花园 in UCS-2, shown with the predefined-CMap CJK font.
    expect(all).toContain('/CJK 11 Tf');
    expect(all.toLowerCase()).toContain('<83b282b182b156ed>');
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
