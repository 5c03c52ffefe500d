/**
 * One list export, two files: the same header and rows as CSV (api/exports/csv.ts) or as an
 * Excel sheet (lib/xlsx.ts). Time columns hold instants (epoch ms): Beijing time as text in
 * the CSV, Beijing wall-clock time as Excel dates with a format in the sheet, so the two
 * files say the same and only Excel's can be sorted and computed on.
 */
import { addSheet, localTime, workbook, type XlsxColumn, xlsxBytes } from '../../lib/xlsx.ts';
import { beijingTime, toCsv } from './csv.ts';

const BEIJING_OFFSET_MINUTES = 480;

export type ExportCell = string | number | null | undefined;

export interface ExportTable {
  /** The sheet's name (Chinese, what the file holds). */
  title: string;
  /** kind 'seconds': the cells are instants (epoch ms or null). */
  columns: XlsxColumn[];
  rows: ExportCell[][];
}

const isTime = (c: XlsxColumn) => c.kind === 'seconds' || c.kind === 'time';

export function tableCsv(table: ExportTable): string {
  const times = table.columns.map(isTime);
  return toCsv(
    table.columns.map((c) => c.header),
    table.rows.map((row) => row.map((v, i) => (times[i] ? beijingTime(v as number | null) : v))),
  );
}

export function tableXlsx(table: ExportTable): Promise<Buffer> {
  const times = table.columns.map(isTime);
  const book = workbook();
  addSheet(
    book,
    table.title,
    table.columns,
    table.rows.map((row) =>
      row.map((v, i) =>
        times[i] ? localTime(v as number | null, BEIJING_OFFSET_MINUTES) : v === '' ? null : v,
      ),
    ),
  );
  return xlsxBytes(book);
}
