/**
 * Just enough of a PDF reader for the sticker tests: the numbered objects with their
 * (inflated) streams, the fonts, the ToUnicode maps, and the text each page shows read back
 * through those maps, as a reader's copy-and-paste or search would. Not a general parser:
 * it reads what pdfkit writes (direct /Length, Flate streams, Identity-H Type0 fonts).
 */
import { inflateSync } from 'node:zlib';

export interface PdfObject {
  dict: string;
  /** The stream, inflated when it is Flate-compressed; null for an object without one. */
  data: Buffer | null;
}

export function readObjects(pdf: Buffer): Map<number, PdfObject> {
  const text = pdf.toString('latin1');
  const objects = new Map<number, PdfObject>();
  const header = /(\d+) 0 obj\s/g;
  for (let m = header.exec(text); m; m = header.exec(text)) {
    const from = m.index + m[0].length;
    const end = text.indexOf('endobj', from);
    const streamAt = text.indexOf('stream', from);
    if (streamAt === -1 || streamAt > end) {
      objects.set(Number(m[1]), { dict: text.slice(from, end).trim(), data: null });
      continue;
    }
    const dict = text.slice(from, streamAt).trim();
    const start = streamAt + (text.startsWith('stream\r\n', streamAt) ? 8 : 7);
    const length = Number(/\/Length (\d+)/.exec(dict)?.[1]);
    const raw = pdf.subarray(start, start + length);
    objects.set(Number(m[1]), { dict, data: /\/FlateDecode/.test(dict) ? inflateSync(raw) : raw });
    header.lastIndex = start + length;
  }
  return objects;
}

/** The object a dictionary's key refers to (`/Key N 0 R`). */
export function ref(objects: Map<number, PdfObject>, dict: string, key: string): PdfObject | undefined {
  const n = new RegExp(`/${key} (\\d+) 0 R`).exec(dict)?.[1];
  return n === undefined ? undefined : objects.get(Number(n));
}

/** A ToUnicode CMap as glyph code → text (bfchar and both bfrange forms, UTF-16BE values). */
export function readToUnicode(cmap: string): Map<number, string> {
  const map = new Map<number, string>();
  // Whitespace inside a hex string is ignored (§7.3.4.3): pdfkit writes a ligature as <0066 0066>.
  const utf16 = (hex: string) => Buffer.from(hex.replace(/\s/g, ''), 'hex').swap16().toString('utf16le');
  for (const block of cmap.matchAll(/beginbfchar([\s\S]*?)endbfchar/g))
    for (const [, code, value] of block[1]!.matchAll(/<([0-9a-f]+)>\s*<([0-9a-f\s]+)>/gi))
      map.set(Number.parseInt(code!, 16), utf16(value!));
  for (const block of cmap.matchAll(/beginbfrange([\s\S]*?)endbfrange/g)) {
    for (const [, lo, hi, rest] of block[1]!.matchAll(
      /<([0-9a-f]+)>\s*<([0-9a-f]+)>\s*(\[[^\]]*\]|<[0-9a-f\s]+>)/gi,
    )) {
      const first = Number.parseInt(lo!, 16);
      const last = Number.parseInt(hi!, 16);
      if (rest!.startsWith('[')) {
        let code = first;
        for (const v of rest!.matchAll(/<([0-9a-f\s]+)>/gi)) map.set(code++, utf16(v[1]!));
      } else {
        const base = Number.parseInt(rest!.slice(1, -1), 16);
        for (let c = first; c <= last; c++) map.set(c, String.fromCharCode(base + c - first));
      }
    }
  }
  return map;
}

/** A page's content streams in order (one /Contents ref or an array of them). */
function pageContents(objects: Map<number, PdfObject>, page: string): string {
  const list = /\/Contents \[([^\]]*)\]/.exec(page)?.[1] ?? /\/Contents (\d+ 0 R)/.exec(page)?.[1] ?? '';
  return [...list.matchAll(/(\d+) 0 R/g)]
    .map((r) => objects.get(Number(r[1]))?.data?.toString('latin1') ?? '')
    .join('\n');
}

export interface PdfPage {
  content: string;
  /** Each text-showing operator's string, decoded through its font's ToUnicode map. */
  lines: string[];
  /** The fill colour ('r g b', 0-1) each of `lines` is painted in. */
  fills: string[];
}

/**
 * The pages in document order, their text read back through ToUnicode. Every font is
 * expected to be the one Type0 font pdfkit embeds per face, with 2-byte Identity-H codes.
 */
export function readPages(pdf: Buffer): { objects: Map<number, PdfObject>; pages: PdfPage[] } {
  const objects = readObjects(pdf);
  const tree = [...objects.values()].find((o) => /\/Type \/Pages\b/.test(o.dict));
  const kids = [.../\/Kids \[([^\]]*)\]/.exec(tree?.dict ?? '')![1]!.matchAll(/(\d+) 0 R/g)].map(
    (k) => objects.get(Number(k[1]))!,
  );
  const toUnicode = new Map<string, Map<number, string>>();
  for (const font of objects.values())
    if (/\/Subtype \/Type0/.test(font.dict)) {
      const cmap = ref(objects, font.dict, 'ToUnicode');
      if (cmap?.data) toUnicode.set(font.dict, readToUnicode(cmap.data.toString('latin1')));
    }
  const pages = kids.map((page) => {
    const content = pageContents(objects, page.dict);
    const resources = ref(objects, page.dict, 'Resources')?.dict ?? page.dict;
    const fontRefs = new Map(
      [.../\/Font <<([^>]*)>>/.exec(resources)![1]!.matchAll(/\/(\w+) (\d+) 0 R/g)].map((f) => [
        f[1]!,
        objects.get(Number(f[2]))!.dict,
      ]),
    );
    const lines: string[] = [];
    const fills: string[] = [];
    // The fill colour through q/Q, as pdfkit writes it: `r g b scn` after `/DeviceRGB cs` (SCN strokes).
    const saved: string[] = [];
    let fill = '0 0 0';
    let font = '';
    const ops =
      /(^|\n)(q|Q)(?=\n)|([\d.]+ [\d.]+ [\d.]+) scn|\/(\w+) [\d.]+ Tf|\[((?:<[0-9a-fA-F]*>|[-\d.\s])*)\] TJ/g;
    for (const op of content.matchAll(ops)) {
      if (op[2] === 'q') saved.push(fill);
      else if (op[2] === 'Q') fill = saved.pop() ?? fill;
      else if (op[3] !== undefined) fill = op[3];
      else if (op[4] !== undefined) font = fontRefs.get(op[4]) ?? '';
      else if (op[5] !== undefined) {
        const map = toUnicode.get(font) ?? new Map<number, string>();
        const hex = [...op[5].matchAll(/<([0-9a-f]*)>/gi)].map((s) => s[1]).join('');
        let line = '';
        for (let i = 0; i < hex.length; i += 4)
          line += map.get(Number.parseInt(hex.slice(i, i + 4), 16)) ?? '\ufffd';
        lines.push(line);
        fills.push(fill);
      }
    }
    return { content, lines, fills };
  });
  return { objects, pages };
}

/**
 * Problems with the file structure a strict reader would stumble on: the header, `startxref`
 * pointing at the table, and every in-use entry's byte offset landing on its object (§7.5).
 */
export function xrefProblems(pdf: Buffer): string[] {
  const text = pdf.toString('latin1');
  const problems: string[] = [];
  if (!/^%PDF-1\.\d\n/.test(text)) problems.push('no %PDF header');
  const startxref = Number(/startxref\s+(\d+)\s+%%EOF\s*$/.exec(text)?.[1] ?? Number.NaN);
  if (!text.startsWith('xref', startxref)) return [...problems, `startxref ${startxref} is not the table`];
  const header = /^xref\s+0 (\d+)\s+/.exec(text.slice(startxref));
  if (!header) return [...problems, 'no xref subsection 0'];
  const entries = text.slice(startxref + header[0].length).split(/\r?\n/);
  for (let i = 1; i < Number(header[1]); i++) {
    const entry = /^(\d{10}) (\d{5}) ([nf])/.exec(entries[i] ?? '');
    if (!entry) problems.push(`entry ${i} malformed`);
    else if (entry[3] === 'n' && !text.startsWith(`${i} 0 obj`, Number(entry[1])))
      problems.push(`object ${i} not at ${Number(entry[1])}`);
  }
  return problems;
}
