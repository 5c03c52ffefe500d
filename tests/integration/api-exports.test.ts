/**
 * CSV exports (GET /api/v1/alerts.csv, visits.csv, reports.csv): what Excel needs (BOM,
 * CRLF, quoting), Chinese headers and words, Beijing time, display names, formula text
 * defused, and the same roles and tenancy as the lists. The Excel twins (.xlsx), read back
 * with exceljs, hold the CSV's rows for the same filter, with times as dated cells.
 */
import ExcelJS from 'exceljs';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { ANJU_ELEVATOR, alertRow, startTestApi, type TestApi, visitRow } from '../helpers/api-harness.ts';

let api: TestApi;
beforeAll(async () => {
  api = await startTestApi();
  await api.db
    .insertInto('alerts')
    .values(
      alertRow({
        id: 'alert-anju-csv',
        elevator_id: ANJU_ELEVATOR,
        estate_id: 'lianhua',
        state: 'resolved',
        opened_at: Date.UTC(2025, 4, 20, 4, 0, 0),
        resolved_by: 'duty-anju',
        resolved_at: Date.UTC(2025, 4, 20, 4, 20, 0),
        resolve_note: '=HYPERLINK("http://x") 已放人, "门机"复位',
        resolution: 'fault',
      }),
    )
    .execute();
});
afterAll(() => api.close());

async function get(username: string | null, url: string) {
  return api.app.inject({
    method: 'GET',
    url,
    headers: username ? { cookie: await api.login(username) } : {},
  });
}

const lines = (body: string) =>
  body
    .replace(/^\uFEFF/, '')
    .split('\r\n')
    .filter(Boolean);

describe('CSV exports', () => {
  it('exports alerts with a BOM, Chinese words, Beijing time, display names and defused formulas', async () => {
    const res = await get('duty-anju', '/api/v1/alerts.csv?state=resolved');
    expect(res.statusCode, res.body).toBe(200);
    expect(res.headers['content-type']).toBe('text/csv; charset=utf-8');
    expect(res.headers['content-disposition']).toMatch(
      /^attachment; filename="alerts-\d{4}-\d{2}-\d{2}\.csv"$/,
    );
    expect(res.rawPayload.subarray(0, 3)).toEqual(Buffer.from([0xef, 0xbb, 0xbf]));
    const [header, ...rows] = lines(res.body);
    expect(header).toBe(
      '编号,小区,电梯,使用登记证号,告警,级别,状态,结论,发生时间,最近一次,次数,确认人,确认时间,确认备注,处理人,解决时间,处理备注,证据',
    );
    const row = rows.find((r) => r.startsWith('alert-anju-csv,'));
    expect(row).toContain(',莲花花园,1栋1号梯,');
    expect(row).toContain(',困人,紧急,已解决,故障已处理,2025-05-20 12:00:00,');
    expect(row).toContain(',安居值班员,2025-05-20 12:20:00,');
    expect(row).toContain(',"\'=HYPERLINK(""http://x"") 已放人, ""门机""复位",');
    expect(row).toMatch(/,停梯时长：45 秒$/);
    expect(res.body).not.toMatch(/passenger_trapped|duty-anju|xiangmi|香蜜湖苑/);
  });

  it('exports visits and reports in Chinese', async () => {
    const visits = await get('duty-anju', '/api/v1/visits.csv');
    expect(visits.statusCode, visits.body).toBe(200);
    const [vHeader, vRow] = lines(visits.body);
    expect(vHeader).toMatch(/^编号,小区,电梯,使用登记证号,维保类别,维保人员,签到时间/);
    expect(vRow).toContain(',半月保养,王师傅,');
    expect(vRow).toContain(',已结束,已核实,92,');
    expect(visits.body).not.toContain('half_monthly');

    const reports = await get('duty-anju', '/api/v1/reports.csv');
    expect(reports.statusCode, reports.body).toBe(200);
    const [rHeader, rRow] = lines(reports.body);
    expect(rHeader).toBe('受理编号,小区,电梯,使用登记证号,问题类型,说明,状态,提交时间,更新时间,处理人,回复');
    expect(rRow).toMatch(/^ANJU2-TEST2,莲花花园,1栋1号梯,\d+,门异常,door bounces,待处理,/);
  });

  it('says a fake visit’s caps as the judge’s Chinese sentences, never as "其他 0/0"', async () => {
    await api.db
      .insertInto('maintenance_visits')
      .values(
        visitRow({
          id: 'visit-fake-csv',
          elevator_id: ANJU_ELEVATOR,
          estate_id: 'lianhua',
          evidence_score: 19,
          verdict: 'fake',
          reasons_json: JSON.stringify([
            { criterion: 'out_of_service', points: 3.1, max: 25, reason: '3 min' },
            {
              criterion: 'cap_fake',
              points: 0,
              max: 0,
              reason: 'only 3 min out of passenger service',
              zh: '电梯停止载客仅 3 分钟，不到半月保养最少 30 分钟的三分之一',
            },
            { criterion: 'cap_suspect', points: 0, max: 0, reason: 'no check-out' },
          ]),
        }),
      )
      .execute();
    const visits = await get('duty-anju', '/api/v1/visits.csv?verdict=fake');
    const row = lines(visits.body).find((r) => r.startsWith('visit-fake-csv,'));
    expect(row).toMatch(
      /,停止载客（检修或停用）时长 3\.1\/25；电梯停止载客仅 3 分钟，不到半月保养最少 30 分钟的三分之一；维保记录不完整或时长过短$/,
    );
    expect(row).not.toMatch(/其他|0\/0/);
  });

  it('keeps to the tenancy and the roles of the lists', async () => {
    const hexin = await get('duty-hexin', '/api/v1/alerts.csv');
    expect(hexin.statusCode).toBe(200);
    expect(hexin.body).not.toContain('莲花花园');
    expect((await get('duty-hexin', '/api/v1/alerts.csv?estate=lianhua')).statusCode).toBe(404);
    expect((await get(null, '/api/v1/reports.csv')).statusCode).toBe(401);
    expect((await get('tech-wang', '/api/v1/alerts.csv')).statusCode).toBe(403);
    const techVisits = await get('tech-wang', '/api/v1/visits.csv');
    expect(techVisits.statusCode).toBe(200);
    expect(lines(techVisits.body).length).toBeGreaterThan(1);
  });
});

/** RFC 4180 fields of a CSV body (BOM dropped), quoted commas and newlines kept in their field. */
function csvTable(body: string): string[][] {
  const rows: string[][] = [];
  let row: string[] = [];
  let field = '';
  let quoted = false;
  const text = body.replace(/^\uFEFF/, '');
  for (let i = 0; i < text.length; i++) {
    const c = text[i]!;
    if (quoted) {
      if (c === '"' && text[i + 1] === '"') {
        field += '"';
        i++;
      } else if (c === '"') quoted = false;
      else field += c;
    } else if (c === '"') quoted = true;
    else if (c === ',') {
      row.push(field);
      field = '';
    } else if (c === '\r' && text[i + 1] === '\n') {
      row.push(field);
      rows.push(row);
      row = [];
      field = '';
      i++;
    } else field += c;
  }
  return rows;
}

/** A sheet's cells as the CSV writes them: dates as Beijing wall-clock text, numbers as digits. */
function sheetTable(sheet: ExcelJS.Worksheet): string[][] {
  const rows: string[][] = [];
  for (let n = 1; n <= sheet.rowCount; n++) {
    const row = sheet.getRow(n);
    const cells: string[] = [];
    for (let i = 1; i <= sheet.columnCount; i++) {
      const v = row.getCell(i).value;
      cells.push(
        v instanceof Date
          ? v.toISOString().slice(0, 19).replace('T', ' ')
          : v === null || v === undefined
            ? ''
            : String(v),
      );
    }
    rows.push(cells);
  }
  return rows;
}

/** The CSV's quote mark that keeps formula-like text inert; a workbook's text cell needs none. */
const undefused = (cell: string) => (/^'[=+\-@\t\r]/.test(cell) ? cell.slice(1) : cell);

describe('Excel exports', () => {
  async function both(username: string, list: string, query: string) {
    const csv = await get(username, `/api/v1/${list}.csv${query}`);
    const xlsx = await get(username, `/api/v1/${list}.xlsx${query}`);
    expect(csv.statusCode, csv.body).toBe(200);
    expect(xlsx.statusCode, xlsx.body).toBe(200);
    expect(xlsx.headers['content-type']).toBe(
      'application/vnd.openxmlformats-officedocument.spreadsheetml.sheet',
    );
    expect(xlsx.headers['content-disposition']).toMatch(
      new RegExp(`^attachment; filename="${list}-\\d{4}-\\d{2}-\\d{2}\\.xlsx"$`),
    );
    expect(xlsx.headers['x-liftwatch-truncated']).toBe('false');
    const book = new ExcelJS.Workbook();
    await book.xlsx.load(xlsx.rawPayload as unknown as ArrayBuffer);
    expect(book.worksheets).toHaveLength(1);
    const sheet = book.worksheets[0]!;
    return { csv: csvTable(csv.body), sheet, table: sheetTable(sheet) };
  }

  it.each([
    ['duty-anju', 'alerts', '?state=resolved', '告警'],
    ['duty-anju', 'alerts', '', '告警'],
    ['duty-anju', 'visits', '?verdict=verified', '维保记录'],
    ['tech-wang', 'visits', '', '维保记录'],
    ['duty-anju', 'reports', '?status=received', '居民报修'],
    ['duty-hexin', 'reports', '', '居民报修'],
  ])("%s: %s%s as a workbook holds the CSV's rows", async (username, list, query, title) => {
    const { csv, sheet, table } = await both(username, list, query);
    expect(sheet.name).toBe(title);
    expect(csv.length).toBeGreaterThan(1);
    expect(table).toEqual(csv.map((row) => row.map(undefused)));
  });

  it('writes times as dated cells in Beijing time and keeps formula text as text', async () => {
    const { sheet, table } = await both('duty-anju', 'alerts', '?state=resolved');
    const header = table[0]!;
    const at = sheet.getRow(1 + table.findIndex((r) => r[0] === 'alert-anju-csv'));
    const opened = at.getCell(header.indexOf('发生时间') + 1);
    expect(opened.value).toEqual(new Date(Date.UTC(2025, 4, 20, 12, 0, 0)));
    expect(opened.numFmt).toBe('yyyy-mm-dd hh:mm:ss');
    const note = at.getCell(header.indexOf('处理备注') + 1);
    expect(note.type).toBe(ExcelJS.ValueType.String);
    expect(note.value).toBe('=HYPERLINK("http://x") 已放人, "门机"复位');
    expect(table.flat().join('\n')).not.toMatch(/passenger_trapped|duty-anju|xiangmi|香蜜湖苑/);
  });

  it('keeps to the tenancy and the roles of the lists', async () => {
    expect((await get('duty-hexin', '/api/v1/alerts.xlsx?estate=lianhua')).statusCode).toBe(404);
    expect((await get(null, '/api/v1/reports.xlsx')).statusCode).toBe(401);
    expect((await get('tech-wang', '/api/v1/alerts.xlsx')).statusCode).toBe(403);
  });
});
