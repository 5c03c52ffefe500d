/**
 * CSV exports (GET /api/v1/alerts.csv, visits.csv, reports.csv): what Excel needs (BOM,
 * CRLF, quoting), Chinese headers and words, Beijing time, display names, formula text
 * defused, and the same roles and tenancy as the lists.
 */
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
