/**
 * Issue 15, the duty officer's alarm and the resident's loop, through the real API and the
 * real alert lifecycle on a real store (SQLite, and PostgreSQL with
 * LIFTWATCH_TEST_DATABASE=postgres):
 * - a resident's "有人被困" report opens the car's passenger_trapped alert, or joins the one
 *   the detector opened (and the reverse): one alert whose sources and evidence show both;
 * - "到场" is its own step (duty officer or technician), audited, a lost race answered 200
 *   with the standing arrival;
 * - the QR page's fault history and the receipt page show response, arrival and clearance;
 * - the resident confirms (or reopens) and rates on the receipt page;
 * - the monthly SLA report per estate, JSON and CSV, scoped by tenancy.
 */
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import type { AlertMessage } from '../../protocol/index.ts';
import { NOW, SAME_ORIGIN, startTestApi, type TestApi } from '../helpers/api-harness.ts';

const CAR = 'lianhua-b1-e2';
const OTHER_CAR = 'lianhua-b2-e2';
const MIN = 60_000;

describe('duty officer alarm and resident loop', () => {
  let t: TestApi;
  beforeAll(async () => {
    t = await startTestApi({ config: { API_REPORT_RATE_MAX: '50' } });
  });
  afterAll(async () => t.close());

  let ip = 0;
  async function fileReport(elevatorId: string, category: string, description: string) {
    const token = await t.tokenOf(elevatorId);
    const res = await t.app.inject({
      method: 'POST',
      url: `/e/${token}/reports`,
      headers: { 'content-type': 'application/x-www-form-urlencoded' },
      payload: `category=${category}&description=${encodeURIComponent(description)}&lang=zh`,
      remoteAddress: `192.0.2.${++ip}`,
    });
    expect(res.statusCode).toBe(303);
    const location = res.headers.location as string;
    const receipt = location.split('/reports/')[1]!.split('?')[0]!;
    const row = await t.db
      .selectFrom('resident_reports')
      .selectAll()
      .where('receipt', '=', receipt)
      .executeTakeFirstOrThrow();
    return { location, row };
  }

  const trappedAlerts = (elevatorId: string) =>
    t.db
      .selectFrom('alerts')
      .selectAll()
      .where('elevator_id', '=', elevatorId)
      .where('code', '=', 'passenger_trapped')
      .execute();

  async function act(user: string, alertId: string, action: string, payload: object) {
    return t.app.inject({
      method: 'POST',
      url: `/api/v1/alerts/${alertId}/${action}`,
      headers: { cookie: await t.login(user), origin: SAME_ORIGIN },
      payload,
    });
  }

  it('a resident trap report opens the alarm; the detector then joins the same alert', async () => {
    const before = t.published.length;
    const { row } = await fileReport(CAR, 'trapped', '电梯停在5楼，里面有人');
    const [alert, ...more] = await trappedAlerts(CAR);
    expect(more).toHaveLength(0);
    expect(alert).toMatchObject({ state: 'open', severity: 'critical', sources: 'resident', count: 1 });
    expect(row.alert_id).toBe(alert!.id);
    // Published like a detected trap (the socket push and the webhooks hear it from there).
    const opened = t.published.slice(before).map((p) => p.payload as AlertMessage);
    expect(opened).toMatchObject([{ id: alert!.id, transition: 'opened', sources: ['resident'] }]);
    expect(opened[0]!.evidence['resident_reports']).toMatchObject([{ receipt: row.receipt }]);
    // The detector sees the car stopped with someone inside: same alert, both sources.
    await t.lifecycle.apply([
      {
        kind: 'raise',
        elevatorId: CAR,
        code: 'passenger_trapped',
        at: NOW + 5_000,
        evidence: { stopped_s: 40 },
      },
    ]);
    const [joined, ...none] = await trappedAlerts(CAR);
    expect(none).toHaveLength(0);
    expect(joined).toMatchObject({ id: alert!.id, count: 2, sources: 'resident,detector' });
    const evidence = JSON.parse(joined!.evidence_json);
    expect(evidence.stopped_s).toBe(40);
    expect(evidence.resident_reports).toHaveLength(1);
    const last = t.published.at(-1)!.payload as AlertMessage;
    expect(last).toMatchObject({ transition: 'repeated', sources: ['resident', 'detector'] });
  });

  it('the detector first, then a resident: one alert, the report linked to it', async () => {
    await t.lifecycle.apply([
      {
        kind: 'raise',
        elevatorId: OTHER_CAR,
        code: 'passenger_trapped',
        at: NOW,
        evidence: { stopped_s: 35 },
      },
    ]);
    const { row } = await fileReport(OTHER_CAR, 'trapped', '有人被困');
    const alerts = await trappedAlerts(OTHER_CAR);
    expect(alerts).toHaveLength(1);
    expect(alerts[0]).toMatchObject({ sources: 'detector,resident', count: 2 });
    expect(row.alert_id).toBe(alerts[0]!.id);
    // A second resident joins too; the evidence keeps both reports.
    await fileReport(OTHER_CAR, 'trapped', '还有人在里面');
    const again = await trappedAlerts(OTHER_CAR);
    expect(again).toHaveLength(1);
    expect(JSON.parse(again[0]!.evidence_json).resident_reports).toHaveLength(2);
  });

  it('other reports raise no alarm', async () => {
    const { row } = await fileReport('lianhua-b2-e1', 'noise', '有异响');
    expect(row.alert_id).toBeNull();
    expect(await trappedAlerts('lianhua-b2-e1')).toHaveLength(0);
  });

  it('到场: its own step, for the duty officer or the technician; the first arrival stands', async () => {
    const [alert] = await trappedAlerts(CAR);
    t.clock.now = alert!.opened_at + 2 * MIN;
    expect((await act('duty-anju', alert!.id, 'acknowledge', { note: '已派人' })).statusCode).toBe(200);
    // The committee reads alerts but does not act on them; another firm does not see it.
    expect((await act('committee-lianhua', alert!.id, 'arrive', {})).statusCode).toBe(403);
    expect((await act('duty-hexin', alert!.id, 'arrive', {})).statusCode).toBe(404);
    t.clock.now = alert!.opened_at + 12 * MIN;
    const first = await act('tech-wang', alert!.id, 'arrive', { note: '已到达轿厢' });
    expect(first.statusCode).toBe(200);
    expect(first.json()).toMatchObject({
      state: 'acknowledged',
      arrived_by: 'tech-wang',
      arrived_at: alert!.opened_at + 12 * MIN,
      arrive_note: '已到达轿厢',
    });
    expect((t.published.at(-1)!.payload as AlertMessage).transition).toBe('arrived');
    t.clock.now += MIN;
    const late = await act('duty-anju', alert!.id, 'arrive', {});
    expect(late.statusCode).toBe(200);
    expect(late.json()).toMatchObject({ arrived_by: 'tech-wang', arrived_at: alert!.opened_at + 12 * MIN });
    const audit = await t.db
      .selectFrom('audit_log')
      .select(['actor', 'detail_json'])
      .where('action', '=', 'alert.arrive')
      .orderBy('id')
      .execute();
    expect(audit.map((a) => [a.actor, JSON.parse(a.detail_json!).applied])).toEqual([
      ['tech-wang', true],
      ['duty-anju', false],
    ]);
    expect(JSON.parse(audit[1]!.detail_json!).current.arrived_by).toBe('tech-wang');
  });

  it('the resident sees response, arrival and clearance, then confirms and rates', async () => {
    const [alert] = await trappedAlerts(CAR);
    const report = await t.db
      .selectFrom('resident_reports')
      .selectAll()
      .where('alert_id', '=', alert!.id)
      .executeTakeFirstOrThrow();
    const token = await t.tokenOf(CAR);
    const receiptUrl = `/e/${token}/reports/${report.receipt}?lang=zh`;
    const feedback = (body: string) =>
      t.app.inject({
        method: 'POST',
        url: `/e/${token}/reports/${report.receipt}/feedback`,
        headers: { 'content-type': 'application/x-www-form-urlencoded' },
        payload: body,
        remoteAddress: `192.0.2.${++ip}`,
      });
    let page = (await t.app.inject({ url: receiptUrl })).body;
    expect(page).toContain('已向物业值班发出紧急警报');
    expect(page).toMatch(/响应: [^<]+<span class="muted">\(2 分钟\)/);
    expect(page).toMatch(/到场: [^<]+<span class="muted">\(12 分钟\)/);
    expect(page).not.toContain('id="feedback"');
    // Not handled yet: no rating.
    expect((await feedback('outcome=fixed&rating=5')).statusCode).toBe(409);

    t.clock.now = alert!.opened_at + 25 * MIN;
    expect(
      (await act('duty-anju', alert!.id, 'resolve', { resolution: 'fault', note: '已救出' })).statusCode,
    ).toBe(200);
    page = (await t.app.inject({ url: receiptUrl })).body;
    expect(page).toContain('已处理');
    expect(page).toMatch(/处置完毕: [^<]+<span class="muted">\(25 分钟\)/);
    expect(page).toContain('问题解决了吗？');
    // Not fixed: the report is reopened and counted.
    t.clock.now += MIN;
    expect((await feedback('outcome=not_fixed&rating=2')).statusCode).toBe(303);
    let row = await t.db
      .selectFrom('resident_reports')
      .selectAll()
      .where('id', '=', report.id)
      .executeTakeFirstOrThrow();
    expect(row).toMatchObject({ status: 'received', feedback: 'not_fixed', rating: 2, reopen_count: 1 });
    page = (await t.app.inject({ url: receiptUrl })).body;
    expect(page).toContain('已重新交给物业处理');
    expect(page).not.toContain('id="feedback"');
    // The firm handles it again; now the resident confirms and rates 4.
    t.clock.now += MIN;
    const moved = await t.app.inject({
      method: 'POST',
      url: `/api/v1/reports/${report.id}/status`,
      headers: { cookie: await t.login('duty-anju'), origin: SAME_ORIGIN },
      payload: { status: 'resolved', reply: '已更换门机' },
    });
    expect(moved.statusCode).toBe(200);
    t.clock.now += MIN;
    expect((await feedback('outcome=fixed&rating=4')).statusCode).toBe(303);
    row = await t.db
      .selectFrom('resident_reports')
      .selectAll()
      .where('id', '=', report.id)
      .executeTakeFirstOrThrow();
    expect(row).toMatchObject({ status: 'resolved', feedback: 'fixed', rating: 4, reopen_count: 1 });
    page = (await t.app.inject({ url: receiptUrl })).body;
    expect(page).toContain('★★★★☆');
    expect((await feedback('outcome=fixed&rating=5')).statusCode).toBe(409);
    // A rating outside 1–5 is refused.
    expect((await feedback('outcome=fixed&rating=9')).statusCode).toBe(400);

    // The QR page's fault history shows the three times.
    const qr = (await t.app.inject({ url: `/e/${token}` })).body;
    expect(qr).toMatch(/响应 2 分钟 · <span class="">到场 12 分钟<\/span> · 处置完毕 25 分钟/);
  });

  it('the monthly SLA report per estate, scoped by tenancy, with a Chinese CSV', async () => {
    const get = async (user: string, url: string) =>
      t.app.inject({ url, headers: { cookie: await t.login(user) } });
    const res = await get('duty-anju', '/api/v1/sla?month=2025-05');
    expect(res.statusCode).toBe(200);
    const body = res.json();
    expect(body.estates.map((e: { estate_id: string }) => e.estate_id)).toEqual(['lianhua', 'longgang']);
    const lianhua = body.estates[0];
    // Seeded alert-anju-1 (open 2 days, never answered) plus the two trapped cars of this suite.
    expect(lianhua).toMatchObject({
      estate_name: '莲花花园',
      alerts: 3,
      from_residents: 2,
      response_counted: 3,
      response_within: 1,
      median_response_ms: 2 * MIN,
      arrival_within: 1,
      median_arrival_ms: 12 * MIN,
      reports: 5,
      feedback: 1,
      reopened: 1,
      reopen_rate: 1,
      ratings: 1,
      average_rating: 4,
    });
    expect(lianhua.response_rate).toBeCloseTo(1 / 3);
    // The committee sees its estate only; another firm's estate is a 404.
    const committee = (await get('committee-lianhua', '/api/v1/sla?month=2025-05')).json();
    expect(committee.estates.map((e: { estate_id: string }) => e.estate_id)).toEqual(['lianhua']);
    expect((await get('duty-hexin', '/api/v1/sla?month=2025-05&estate=lianhua')).statusCode).toBe(404);
    expect((await get('tech-wang', '/api/v1/sla?month=2025-05')).statusCode).toBe(403);
    const csv = await get('duty-anju', '/api/v1/sla.csv?month=2025-05&estate=lianhua');
    expect(csv.statusCode).toBe(200);
    expect(csv.headers['content-type']).toContain('text/csv');
    const lines = csv.body.split('\r\n');
    expect(lines[0]!.startsWith('\uFEFF月份,小区,紧急警报')).toBe(true);
    expect(lines[0]).toContain('3分钟响应率');
    expect(lines[0]).toContain('30分钟到场率');
    expect(lines[0]).toContain('平均评分');
    expect(lines[1]).toMatch(/^2025-05,莲花花园,3,2,1,33\.3%,2,/);
  });

  it("a linked report's status follows its alert in the console's list, filters and count; the firm cannot move it", async () => {
    const car = 'lianhua-b1-e1';
    const { row } = await fileReport(car, 'trapped', '困在3楼');
    const { row: plain } = await fileReport(car, 'door', '门关不上');
    const cookie = await t.login('duty-anju');
    const listed = async (status?: string) => {
      const res = await t.app.inject({
        method: 'GET',
        url: `/api/v1/reports?elevator=${car}&limit=50${status ? `&status=${status}` : ''}`,
        headers: { cookie },
      });
      expect(res.statusCode).toBe(200);
      const items = res.json().items as {
        id: string;
        status: string;
        alert_step: string | null;
        follows_alert: boolean;
      }[];
      return Object.fromEntries(items.map((r) => [r.id, [r.status, r.alert_step, r.follows_alert]]));
    };
    /** Which of the two reports the status filter finds: the filter (SQL) agrees with the answer's status. */
    const filtered = async () => {
      const out: Record<string, string[]> = {};
      for (const status of ['received', 'in_progress', 'resolved', 'rejected']) {
        const found = await listed(status);
        out[status] = [row.id, plain.id]
          .filter((id) => id in found)
          .map((id) => (id === row.id ? 'linked' : 'plain'));
        for (const id of Object.keys(found)) expect(found[id]![0]).toBe(status);
      }
      return out;
    };
    const move = (id: string, status: string) =>
      t.app.inject({
        method: 'POST',
        url: `/api/v1/reports/${id}/status`,
        headers: { cookie, origin: SAME_ORIGIN },
        payload: { status },
      });

    expect(await listed()).toMatchObject({
      [row.id]: ['received', 'open', true],
      [plain.id]: ['received', null, false],
    });
    expect(await filtered()).toEqual({
      received: ['linked', 'plain'],
      in_progress: [],
      resolved: [],
      rejected: [],
    });
    // The firm moves its own queue items, never one its alert moves.
    const refused = await move(row.id, 'in_progress');
    expect(refused.statusCode).toBe(409);
    expect(refused.json().code).toBe('REPORT_FOLLOWS_ALERT');
    const alertId = row.alert_id!;
    expect((await act('duty-anju', alertId, 'acknowledge', { note: '已派人' })).statusCode).toBe(200);
    expect((await listed())[row.id]).toEqual(['in_progress', 'acknowledged', true]);
    expect((await act('duty-anju', alertId, 'arrive', {})).statusCode).toBe(200);
    expect((await listed())[row.id]).toEqual(['in_progress', 'arrived', true]);
    expect(await filtered()).toEqual({
      received: ['plain'],
      in_progress: ['linked'],
      resolved: [],
      rejected: [],
    });
    expect(
      (await act('duty-anju', alertId, 'resolve', { resolution: 'fault', note: '已救出' })).statusCode,
    ).toBe(200);
    // Resolved with its alert: no longer open, so the nav's count (received + in_progress) drops it.
    expect(await listed()).toMatchObject({
      [row.id]: ['resolved', 'resolved', true],
      [plain.id]: ['received', null, false],
    });
    expect(await filtered()).toEqual({
      received: ['plain'],
      in_progress: [],
      resolved: ['linked'],
      rejected: [],
    });
    expect((await move(row.id, 'rejected')).statusCode).toBe(409);
    const one = await t.app.inject({ method: 'GET', url: `/api/v1/reports/${row.id}`, headers: { cookie } });
    expect(one.json()).toMatchObject({
      id: row.id,
      alert_id: alertId,
      alert_step: 'resolved',
      status: 'resolved',
    });
    // The stored status stays where the resident filed it; the plain report is still the firm's to move.
    const stored = await t.db
      .selectFrom('resident_reports')
      .select('status')
      .where('id', '=', row.id)
      .executeTakeFirstOrThrow();
    expect(stored.status).toBe('received');
    expect((await move(plain.id, 'in_progress')).statusCode).toBe(200);
    // The exports say the same: 已解决 for the linked report.
    const csv = await t.app.inject({
      method: 'GET',
      url: `/api/v1/reports.csv?elevator=${car}&status=resolved`,
      headers: { cookie },
    });
    expect(csv.body).toContain(`${row.receipt},`);
    expect(csv.body).not.toContain(`${plain.receipt},`);
  });

  it('the monthly SLA counts reports by the status the list shows: a report follows its resolved alert', async () => {
    const cookie = await t.login('duty-anju');
    const get = (url: string) => t.app.inject({ url, headers: { cookie } });
    const month = '2025-05';
    const from = Date.UTC(2025, 3, 30, 16);
    const to = Date.UTC(2025, 4, 31, 16);
    /** How many of lianhua's reports of the month the console's list finds with this status. */
    const listed = async (status: string) => {
      const res = await get(
        `/api/v1/reports?estate=lianhua&status=${status}&from=${from}&to=${to}&limit=200`,
      );
      expect(res.statusCode).toBe(200);
      return (res.json().items as unknown[]).length;
    };
    const sla = async () => (await get(`/api/v1/sla?month=${month}&estate=lianhua`)).json().estates[0];
    const lianhua = await sla();
    expect(lianhua.reports_resolved + lianhua.reports_rejected + lianhua.reports_open).toBe(lianhua.reports);
    expect(lianhua.reports_resolved).toBe(await listed('resolved'));
    expect(lianhua.reports_rejected).toBe(await listed('rejected'));
    expect(lianhua.reports_open).toBe((await listed('received')) + (await listed('in_progress')));
    // A resident traps on a car: open with its alarm, resolved with it, while the report's own
    // stored status stays 'received' (counted by that, it would still read as open).
    const { row } = await fileReport('lianhua-b2-e1', 'trapped', '困在7楼');
    const open = await sla();
    expect(open).toMatchObject({
      reports: lianhua.reports + 1,
      reports_open: lianhua.reports_open + 1,
      reports_resolved: lianhua.reports_resolved,
    });
    expect((await act('duty-anju', row.alert_id!, 'acknowledge', { note: '已派人' })).statusCode).toBe(200);
    expect(
      (await act('duty-anju', row.alert_id!, 'resolve', { resolution: 'fault', note: '已救出' })).statusCode,
    ).toBe(200);
    expect(await sla()).toMatchObject({
      reports_open: lianhua.reports_open,
      reports_resolved: lianhua.reports_resolved + 1,
    });
    const csv = await get(`/api/v1/sla.csv?month=${month}&estate=lianhua`);
    const [header, line] = csv.body.replace('\uFEFF', '').split('\r\n') as [string, string];
    const cells = Object.fromEntries(header.split(',').map((h, i) => [h, line.split(',')[i]]));
    expect(cells['其中已解决']).toBe(String(lianhua.reports_resolved + 1));
    expect(cells['其中未办结']).toBe(String(lianhua.reports_open));
  });
});
