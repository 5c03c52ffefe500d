/**
 * The one Excel writer behind every .xlsx the service hands out (the fund's workbook, the
 * console's lists): a sheet with a bold, frozen header row and column widths; amounts as
 * numbers with a ¥ format and times as Excel dates with a format, so Excel sums and sorts
 * them (text would not). Excel dates carry no zone: a time is written as the local
 * wall-clock time people read (`localTime`).
 */
import ExcelJS from 'exceljs';

export const XLSX_TYPE = 'application/vnd.openxmlformats-officedocument.spreadsheetml.sheet';

const FORMATS = {
  yuan: '"¥"#,##0.00;-"¥"#,##0.00',
  time: 'yyyy-mm-dd hh:mm',
  seconds: 'yyyy-mm-dd hh:mm:ss',
} as const;

export interface XlsxColumn {
  header: string;
  width: number;
  /** yuan: a number in yuan; time / seconds: a Date from `localTime`, shown to the minute / second. */
  kind?: keyof typeof FORMATS;
}

/** A new workbook, signed as ours. */
export function workbook(): ExcelJS.Workbook {
  const book = new ExcelJS.Workbook();
  book.creator = 'Lift Watch';
  return book;
}

export function addSheet(
  book: ExcelJS.Workbook,
  name: string,
  columns: readonly XlsxColumn[],
  rows: readonly unknown[][],
): ExcelJS.Worksheet {
  const ws = book.addWorksheet(name, { views: [{ state: 'frozen', ySplit: 1 }] });
  ws.columns = columns.map((c) => ({
    header: c.header,
    width: c.width,
    ...(c.kind ? { style: { numFmt: FORMATS[c.kind] } } : {}),
  }));
  ws.getRow(1).font = { bold: true };
  for (const r of rows) ws.addRow(r);
  return ws;
}

/** An instant as the wall-clock time at `utcOffsetMinutes` (Beijing: 480), for a date cell. */
export function localTime(at: number | null | undefined, utcOffsetMinutes: number): Date | null {
  return at === null || at === undefined ? null : new Date(at + utcOffsetMinutes * 60_000);
}

export async function xlsxBytes(book: ExcelJS.Workbook): Promise<Buffer> {
  return Buffer.from(await book.xlsx.writeBuffer());
}
