/**
 * CSV for people who open it in Excel: UTF-8 with a byte-order mark (without it Excel on a
 * Chinese Windows reads the bytes as GBK and the Chinese turns to mojibake), CRLF lines,
 * RFC 4180 quoting, times in Beijing time (UTC+8, no daylight saving), and text a resident
 * typed defused so Excel does not run it as a formula (CWE-1236).
 */

const BOM = '\uFEFF';
const BEIJING_OFFSET_MS = 8 * 3_600_000;

/** 1_716_177_600_000 → "2024-05-20 12:00:00" (Beijing time); null → "". */
export function beijingTime(ms: number | null | undefined): string {
  if (ms === null || ms === undefined) return '';
  return new Date(ms + BEIJING_OFFSET_MS).toISOString().slice(0, 19).replace('T', ' ');
}

function cell(value: string | number | null | undefined): string {
  if (value === null || value === undefined) return '';
  let text = String(value);
  // A leading =, +, -, @, tab or CR makes Excel evaluate the cell; a quote mark keeps it text.
  if (typeof value === 'string' && /^[=+\-@\t\r]/.test(text)) text = `'${text}`;
  return /[",\r\n]/.test(text) ? `"${text.replaceAll('"', '""')}"` : text;
}

export function toCsv(header: string[], rows: (string | number | null | undefined)[][]): string {
  return BOM + [header, ...rows].map((row) => row.map(cell).join(',')).join('\r\n') + '\r\n';
}
