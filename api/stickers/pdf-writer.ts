/**
 * A minimal PDF 1.4 writer (ISO 32000-1 / PDF Reference 1.4, §3.4 file structure): numbered
 * indirect objects, Flate-compressed streams, a cross-reference table of exact byte offsets
 * and a trailer. Enough for vector drawings and text in the standard fonts; nothing else.
 */
import { deflateSync } from 'node:zlib';

export type PdfObject = string | { dict: string; stream: Buffer };

export class PdfDocument {
  readonly #objects: (PdfObject | null)[] = [];

  /** Reserves an object number, so objects can refer to each other before they are written. */
  reserve(): number {
    this.#objects.push(null);
    return this.#objects.length;
  }

  set(ref: number, object: PdfObject): void {
    this.#objects[ref - 1] = object;
  }

  add(object: PdfObject): number {
    const ref = this.reserve();
    this.set(ref, object);
    return ref;
  }

  /** A content stream, compressed: a page of QR runs is mostly repeated digits. */
  stream(content: string, extraDict = ''): PdfObject {
    const data = deflateSync(Buffer.from(content, 'latin1'));
    return { dict: `<< /Length ${data.length} /Filter /FlateDecode${extraDict} >>`, stream: data };
  }

  toBuffer(rootRef: number, infoRef?: number): Buffer {
    const chunks: Buffer[] = [];
    let offset = 0;
    const write = (b: Buffer | string) => {
      const buf = typeof b === 'string' ? Buffer.from(b, 'latin1') : b;
      chunks.push(buf);
      offset += buf.length;
    };
    // The second line's high bytes tell transfer tools the file is binary (§3.4.1).
    write('%PDF-1.4\n%\xe2\xe3\xcf\xd3\n');
    const offsets: number[] = [];
    this.#objects.forEach((object, i) => {
      if (object === null) throw new Error(`PDF object ${i + 1} reserved but never set`);
      offsets.push(offset);
      write(`${i + 1} 0 obj\n`);
      if (typeof object === 'string') write(object);
      else {
        write(`${object.dict}\nstream\n`);
        write(object.stream);
        write('\nendstream');
      }
      write('\nendobj\n');
    });
    const xrefAt = offset;
    // Each entry is exactly 20 bytes, end-of-line included (§3.4.3).
    write(`xref\n0 ${offsets.length + 1}\n0000000000 65535 f \n`);
    for (const o of offsets) write(`${String(o).padStart(10, '0')} 00000 n \n`);
    const info = infoRef ? ` /Info ${infoRef} 0 R` : '';
    write(
      `trailer\n<< /Size ${offsets.length + 1} /Root ${rootRef} 0 R${info} >>\nstartxref\n${xrefAt}\n%%EOF\n`,
    );
    return Buffer.concat(chunks);
  }
}

/** A literal string: backslash, parentheses escaped; only printable ASCII reaches here. */
export function pdfLiteral(text: string): string {
  return `(${text.replace(/[\\()]/g, '\\$&')})`;
}

/** UCS-2 big-endian hex, for the UniGB-UCS2-H CMap; characters outside the BMP become '?'. */
export function pdfUcs2Hex(text: string): string {
  let hex = '';
  for (const ch of text) {
    const code = ch.codePointAt(0)!;
    hex += (code > 0xffff ? 0x3f : code).toString(16).padStart(4, '0');
  }
  return `<${hex}>`;
}

/** Info strings in UTF-16BE with a BOM, so a Chinese title shows in the viewer (§3.8.1). */
export function pdfTextString(text: string): string {
  const utf16 = Buffer.from(text, 'utf16le').swap16().toString('hex');
  return `<feff${utf16}>`;
}
