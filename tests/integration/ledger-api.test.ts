/**
 * The fund routes through the real API (buildApi, sessions, tenancy): the committee and
 * the firm read and approve their own estate's fund; another firm gets 404, a technician
 * 403; exports verify; replays of an Idempotency-Key answer the first result.
 */
import ExcelJS from 'exceljs';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { verifyExport } from '../../ledger/export-verify.ts';
import { createFundLedger } from '../../ledger/ledger.ts';
import { storeOver } from '../../store/store.ts';
import { SAME_ORIGIN, startTestApi, type TestApi } from '../helpers/api-harness.ts';

let api: TestApi;
let fundId: string;
let expenditureId: string;

/**
 * The Excel export read back with exceljs: Chinese headers, one row per posting whose yuan
 * (numbers with a ¥ format) add up to the postings' fen, Beijing wall-clock times, the sum row.
 */
async function expectWorkbookMatches(exp: {
  head: { seq: number };
  postings: { seq: number; at: number; debitFen: number; creditFen: number }[];
}) {
  const res = await call('committee-lianhua', 'GET', `/api/v1/funds/${fundId}/export.xlsx`);
  expect(res.statusCode).toBe(200);
  expect(res.headers['content-type']).toBe(
    'application/vnd.openxmlformats-officedocument.spreadsheetml.sheet',
  );
  expect(res.headers['content-disposition']).toMatch(/filename="fund-.+\.xlsx"/);
  const book = new ExcelJS.Workbook();
  await book.xlsx.load(res.rawPayload as unknown as ArrayBuffer);
  expect(book.worksheets.map((w) => w.name)).toEqual(['说明', '收支明细', '支出申请', '审批记录']);
  const sheet = book.getWorksheet('收支明细')!;
  const header = (sheet.getRow(1).values as unknown[]).slice(1);
  expect(header.slice(0, 8)).toEqual([
    '序号',
    '时间',
    '类型',
    '科目',
    '借方（元）',
    '贷方（元）',
    '所属月份',
    '摘要',
  ]);
  const rows: { seq: number; at: Date; debit: number; credit: number }[] = [];
  sheet.eachRow((row, n) => {
    if (n === 1 || row.getCell(1).value === '合计') return;
    rows.push({
      seq: row.getCell(1).value as number,
      at: row.getCell(2).value as Date,
      debit: row.getCell(5).value as number,
      credit: row.getCell(6).value as number,
    });
  });
  expect(exp.postings.length).toBeGreaterThan(0);
  expect(rows.map((r) => r.seq)).toEqual(exp.postings.map((p) => p.seq));
  const fen = (yuan: number) => Math.round(yuan * 100);
  const sum = (xs: number[]) => xs.reduce((a, b) => a + b, 0);
  expect(sum(rows.map((r) => fen(r.debit)))).toBe(sum(exp.postings.map((p) => p.debitFen)));
  expect(sum(rows.map((r) => fen(r.credit)))).toBe(sum(exp.postings.map((p) => p.creditFen)));
  // Each amount is a number with the ¥ format, not text.
  expect(typeof rows[0]!.debit).toBe('number');
  expect(sheet.getRow(2).getCell(5).numFmt).toContain('¥');
  // Beijing wall-clock time (Excel dates carry no zone).
  expect(rows[0]!.at.getTime()).toBe(exp.postings[0]!.at + 8 * 3_600_000);
  const total = sheet.getRow(exp.postings.length + 2);
  expect(total.getCell(1).value).toBe('合计');
  expect(total.getCell(5).value).toMatchObject({ formula: `SUM(E2:E${exp.postings.length + 1})` });
  const about = book.getWorksheet('说明')!;
  expect(about.getRow(6).values).toEqual([undefined, '链头序号', exp.head.seq]);
}

beforeAll(async () => {
  api = await startTestApi();
  const committee = await api.db
    .selectFrom('users')
    .select('estate_id')
    .where('username', '=', 'committee-lianhua')
    .executeTakeFirstOrThrow();
  const estate = await api.db
    .selectFrom('estates')
    .select(['id', 'property_firm_id'])
    .where('id', '=', committee.estate_id as string)
    .executeTakeFirstOrThrow();
  // The proposer is another manager of the same firm, so duty-anju may approve.
  const proposer = {
    username: 'pm-proposer',
    role: 'property_manager',
    propertyFirmId: estate.property_firm_id,
    estateId: null,
  };
  const ledger = createFundLedger({ repository: storeOver(api.db).ledger, clock: () => api.clock.now });
  const fund = await ledger.openFund(
    { actor: proposer, idempotencyKey: 'api-open-fund' },
    { estateId: estate.id, name: '莲花电梯基金' },
  );
  fundId = fund.id;
  const meta = (idempotencyKey: string) => ({ fundId, actor: proposer, idempotencyKey });
  await ledger.recordContribution(meta('api-contrib-1'), { period: '2025-05', amountFen: 1_000_000 });
  const x = await ledger.propose(meta('api-propose-1'), {
    amountFen: 120_000,
    kind: 'repair',
    purpose: '=cmd|x',
    payee: '华夏电梯',
  });
  expenditureId = x.id;
});
afterAll(() => api.close());

async function call(user: string, method: 'GET' | 'POST', url: string, payload?: object, key?: string) {
  return api.app.inject({
    method,
    url,
    headers: {
      cookie: await api.login(user),
      origin: SAME_ORIGIN,
      ...(key ? { 'idempotency-key': key } : {}),
    },
    ...(payload ? { payload } : {}),
  });
}

describe('fund routes', () => {
  it('shows the balance to the firm and the committee, 404 to another firm, 403 to a technician', async () => {
    for (const user of ['duty-anju', 'committee-lianhua', 'admin']) {
      const res = await call(user, 'GET', `/api/v1/funds/${fundId}`);
      expect(res.statusCode, user).toBe(200);
      expect(res.json()).toMatchObject({ cashFen: 1_000_000, fund: { id: fundId } });
    }
    expect((await call('duty-hexin', 'GET', `/api/v1/funds/${fundId}`)).statusCode).toBe(404);
    expect((await call('duty-hexin', 'GET', '/api/v1/funds/no-such-fund')).statusCode).toBe(404);
    expect((await call('duty-hexin', 'GET', '/api/v1/funds')).json()).toEqual([]);
    expect((await call('tech-wang', 'GET', `/api/v1/funds/${fundId}`)).statusCode).toBe(403);
    const url = `/api/v1/funds/${fundId}/expenditures/${expenditureId}/decision`;
    expect((await call('duty-hexin', 'POST', url, { decision: 'approve' }, 'hexin-try-1')).statusCode).toBe(
      404,
    );
  });

  it('takes both approvals, replays a key, and refuses a reused key with another body', async () => {
    const url = `/api/v1/funds/${fundId}/expenditures/${expenditureId}/decision`;
    expect((await call('committee-lianhua', 'POST', url, { decision: 'approve' })).statusCode).toBe(400);
    const first = await call(
      'committee-lianhua',
      'POST',
      url,
      { decision: 'approve', note: '同意' },
      'cm-decide-001',
    );
    expect(first.statusCode).toBe(200);
    const again = await call(
      'committee-lianhua',
      'POST',
      url,
      { decision: 'approve', note: '同意' },
      'cm-decide-001',
    );
    expect(again.json()).toEqual(first.json());
    const other = await call(
      'committee-lianhua',
      'POST',
      url,
      { decision: 'refuse', note: 'no' },
      'cm-decide-001',
    );
    expect(other.statusCode).toBe(409);
    const firm = await call('duty-anju', 'POST', url, { decision: 'approve' }, 'pm-decide-001');
    expect(firm.json()).toMatchObject({ status: 'approved', missing: [] });
  });

  it('exports JSON that verifies and CSV with a BOM and escaped cells; verifies in place', async () => {
    const json = await call('committee-lianhua', 'GET', `/api/v1/funds/${fundId}/export.json`);
    expect(json.statusCode).toBe(200);
    const exp = json.json();
    expect(verifyExport(exp)).toMatchObject({ ok: true });
    expect(json.headers['x-ledger-head']).toBe(`${exp.head.seq}:${exp.head.hash}`);
    const csv = await call('committee-lianhua', 'GET', `/api/v1/funds/${fundId}/export.csv`);
    expect(csv.rawPayload.subarray(0, 3)).toEqual(Buffer.from([0xef, 0xbb, 0xbf]));
    await expectWorkbookMatches(exp);
    const verify = await call(
      'duty-anju',
      'GET',
      `/api/v1/funds/${fundId}/verify?head=${exp.head.seq}:${exp.head.hash}`,
    );
    expect(verify.json()).toMatchObject({ ok: true, count: exp.entries.length });
    const stale = await call(
      'duty-anju',
      'GET',
      `/api/v1/funds/${fundId}/verify?head=${exp.head.seq + 5}:${exp.head.hash}`,
    );
    expect(stale.json()).toMatchObject({ ok: false, index: exp.entries.length });
    const statement = await call(
      'committee-lianhua',
      'GET',
      `/api/v1/funds/${fundId}/statement?period=2025-05`,
    );
    expect(statement.body).toContain(exp.head.hash);
  });
});
