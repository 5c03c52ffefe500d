/**
 * The disk side of the writer's buffer: an append-only file of line-protocol lines, read
 * back from the front in order and truncated once fully replayed. Synchronous I/O on
 * purpose: it runs only while InfluxDB is unreachable, and order matters more than overlap.
 * A restart replays the file from the start; points already written are rewritten with the
 * same series and timestamp, which InfluxDB treats as an overwrite.
 */
import { closeSync, fstatSync, ftruncateSync, mkdirSync, openSync, readSync, writeSync } from 'node:fs';
import { join } from 'node:path';

const READ_CHUNK_BYTES = 4 * 1024 * 1024;
const NEWLINE = 0x0a;

export class SpillFile {
  readonly path: string;
  private fd = -1;
  private size = 0;
  private readOffset = 0;
  /** Lines written and not yet read back. */
  points = 0;

  constructor(
    dir: string,
    private readonly maxBytes: number,
  ) {
    this.path = join(dir, 'influx-spill.lp');
    mkdirSync(dir, { recursive: true });
  }

  open(): void {
    this.fd = openSync(this.path, 'a+');
    this.size = fstatSync(this.fd).size;
    this.readOffset = 0;
    this.points = this.size > 0 ? this.countLines() : 0;
  }

  get hasData(): boolean {
    return this.points > 0;
  }

  get bytes(): number {
    return this.size - this.readOffset;
  }

  /** Appends the lines if they fit under the cap; false means the caller must count them dropped. */
  append(lines: readonly string[]): boolean {
    if (lines.length === 0) return true;
    // Writes can arrive before start() or after stop(); they still belong on disk.
    if (this.fd < 0) this.open();
    const text = `${lines.join('\n')}\n`;
    const bytes = Buffer.byteLength(text);
    if (this.size + bytes > this.maxBytes) return false;
    writeSync(this.fd, text);
    this.size += bytes;
    this.points += lines.length;
    return true;
  }

  /** Up to `max` lines from the front, in the order they were appended. */
  read(max: number): string[] {
    const lines: string[] = [];
    if (this.points === 0) return lines;
    const buffer = Buffer.allocUnsafe(Math.min(READ_CHUNK_BYTES, this.size - this.readOffset));
    const length = readSync(this.fd, buffer, 0, buffer.length, this.readOffset);
    let start = 0;
    while (lines.length < max) {
      const end = buffer.indexOf(NEWLINE, start);
      if (end < 0 || end >= length) break;
      if (end > start) lines.push(buffer.toString('utf8', start, end));
      start = end + 1;
    }
    this.readOffset += start;
    this.points -= lines.length;
    if (this.readOffset >= this.size) this.reset();
    return lines;
  }

  close(): void {
    if (this.fd < 0) return;
    closeSync(this.fd);
    this.fd = -1;
  }

  private reset(): void {
    ftruncateSync(this.fd, 0);
    this.size = 0;
    this.readOffset = 0;
    this.points = 0;
  }

  private countLines(): number {
    const buffer = Buffer.allocUnsafe(READ_CHUNK_BYTES);
    let count = 0;
    let position = 0;
    while (position < this.size) {
      const length = readSync(this.fd, buffer, 0, buffer.length, position);
      if (length === 0) break;
      for (let i = buffer.indexOf(NEWLINE, 0); i >= 0 && i < length; i = buffer.indexOf(NEWLINE, i + 1))
        count++;
      position += length;
    }
    return count;
  }
}
