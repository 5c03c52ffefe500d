/**
 * The property firm's fund flows through the real API (buildApi, sessions, tenancy, a
 * real SQLite registry, files on disk): open the fund, set the rule, record
 * contributions and income, propose with links, upload an invoice, amend (approvals
 * void), pay only once both sides and the owners' vote agree, the emergency path (an open
 * alert, the vote above the threshold, pushed to the committee at once), and
 * that every write is replay-safe, role-checked, tenant-checked and audited.
 */
import { createHash } from 'node:crypto';
import { mkdtemp, readFile, rm } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { io as connect } from 'socket.io-client';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import {
  ANJU_ELEVATOR,
  alertRow,
  listenOnFreePort,
  NOW,
  SAME_ORIGIN,
  startTestApi,
  type TestApi,
} from '../helpers/api-harness.ts';

let api: TestApi;
let dataDir: string;
let fundId = '';
const V = '/api/v1';

beforeAll(async () => {
  dataDir = await mkdtemp(join(tmpdir(), 'lw-ledger-'));
  api = await startTestApi({
    config: { DATA_DIR: dataDir, LEDGER_VOTE_THRESHOLD_FEN: '300000', LEDGER_MAX_ATTACHMENT_BYTES: '4096' },
  });
  // The demo fleet's manager-anju is the second manager of 安居物业: four eyes needs someone other than the proposer.
});
afterAll(async () => {
  await api.close();
  await rm(dataDir, { recursive: true, force: true });
});

interface Sent {
  key?: string;
  body?: object | Buffer;
  type?: string;
}
async function call(user: string, method: 'GET' | 'POST', url: string, sent: Sent = {}) {
  return api.app.inject({
    method,
    url: V + url,
    headers: {
      cookie: await api.login(user),
      origin: SAME_ORIGIN,
      ...(sent.key ? { 'idempotency-key': sent.key } : {}),
      ...(sent.type ? { 'content-type': sent.type } : {}),
    },
    ...(sent.body ? { payload: sent.body } : {}),
  });
}
const post = (user: string, url: string, key: string, body: object | Buffer = {}, type?: string) =>
  call(user, 'POST', url, { key, body, ...(type ? { type } : {}) });
const cash = async () => (await call('committee-lianhua', 'GET', `/funds/${fundId}`)).json().cashFen;

describe('fund bookkeeping', () => {
  it('opens the fund for the firm only; the committee and a technician get 403', async () => {
    const body = { estateId: 'lianhua', name: '莲花电梯维修基金' };
    expect((await post('committee-lianhua', '/funds', 'open-cm-0001', body)).statusCode).toBe(403);
    expect((await post('tech-wang', '/funds', 'open-tech-001', body)).statusCode).toBe(403);
    expect((await post('duty-hexin', '/funds', 'open-hexin-01', body)).statusCode).toBe(404);
    expect((await call('duty-anju', 'POST', '/funds', { body })).statusCode).toBe(400);
    const res = await post('duty-anju', '/funds', 'open-fund-001', body);
    expect(res.statusCode).toBe(200);
    fundId = res.json().id;
  });

  it('sets the rule, records contributions and income; a replay adds nothing', async () => {
    const rule = { effectiveFrom: '2025-04', rateFenPerM2Month: 118, areaCentiM2: 1_000_000, shareBp: 5000 };
    expect(
      (await post('duty-anju', `/funds/${fundId}/contribution-rules`, 'rule-0001', rule)).json(),
    ).toMatchObject(rule);
    const april = await post('duty-anju', `/funds/${fundId}/contributions`, 'contrib-2025-04', {
      period: '2025-04',
      amountFen: 590_000,
    });
    expect(april.statusCode).toBe(200);
    const replay = await post('duty-anju', `/funds/${fundId}/contributions`, 'contrib-2025-04', {
      period: '2025-04',
      amountFen: 590_000,
    });
    expect(replay.json()).toEqual(april.json());
    const clash = await post('duty-anju', `/funds/${fundId}/contributions`, 'contrib-2025-04', {
      period: '2025-04',
      amountFen: 1,
    });
    expect(clash.statusCode).toBe(409);
    await post('duty-anju', `/funds/${fundId}/contributions`, 'contrib-2025-05', {
      period: '2025-05',
      amountFen: 500_000,
    });
    const income = await post('duty-anju', `/funds/${fundId}/income`, 'interest-2025-05', {
      source: 'interest',
      amountFen: 1_000,
      memo: '活期利息',
    });
    expect(income.json().postings).toEqual([
      { account: 'cash', debit: 1_000, credit: 0 },
      { account: 'income:other', debit: 0, credit: 1_000 },
    ]);
    expect(await cash()).toBe(1_091_000);
    const report = await call(
      'committee-lianhua',
      'GET',
      `/funds/${fundId}/contributions?from=2025-04&to=2025-05`,
    );
    expect(report.json()).toEqual([
      { period: '2025-04', expectedFen: 590_000, actualFen: 590_000, differenceFen: 0 },
      { period: '2025-05', expectedFen: 590_000, actualFen: 500_000, differenceFen: -90_000 },
    ]);
    for (const user of ['committee-lianhua', 'tech-wang'])
      expect(
        (
          await post(user, `/funds/${fundId}/income`, `income-${user}`, {
            source: 'subsidy',
            amountFen: 5,
            memo: 'x',
          })
        ).statusCode,
      ).toBe(403);
    expect(
      (
        await call('duty-anju', 'POST', `/funds/${fundId}/contributions`, {
          body: { period: '2025-06', amountFen: 5 },
        })
      ).statusCode,
    ).toBe(400);
  });

  it('reverses a transaction once, with a reason', async () => {
    const wrong = await post('duty-anju', `/funds/${fundId}/income`, 'subsidy-wrong-1', {
      source: 'subsidy',
      amountFen: 7_000,
      memo: '误记',
    });
    const url = `/funds/${fundId}/transactions/${wrong.json().id}/reversal`;
    const rev = await post('duty-anju', url, 'reverse-0001', { reason: '重复记账' });
    expect(rev.json()).toMatchObject({ kind: 'reversal', reversesId: wrong.json().id });
    expect((await post('duty-anju', url, 'reverse-0002', { reason: 'again' })).statusCode).toBe(409);
    expect(await cash()).toBe(1_091_000);
  });
});

describe('expenditures', () => {
  let xid = '';
  const pdf = Buffer.concat([Buffer.from('%PDF-1.4\n'), Buffer.from('发票 invoice 1234\n%%EOF\n')]);

  it('is proposed by the firm with its links; foreign links, the committee and other tenants are refused', async () => {
    const body = {
      amountFen: 120_000,
      kind: 'repair',
      purpose: '更换1号楼1号梯门机皮带',
      payee: '华夏电梯',
      elevatorId: 'lianhua-b2-e1',
      alertIds: ['alert-anju-2'],
      visitIds: ['visit-anju-1'],
      workOrder: 'WO-2025-0517',
    };
    expect(
      (await post('committee-lianhua', `/funds/${fundId}/expenditures`, 'prop-cm-001', body)).statusCode,
    ).toBe(403);
    expect((await post('duty-hexin', `/funds/${fundId}/expenditures`, 'prop-hx-001', body)).statusCode).toBe(
      404,
    );
    const foreign = { ...body, alertIds: ['alert-hexin-1'] };
    expect(
      (await post('duty-anju', `/funds/${fundId}/expenditures`, 'prop-foreign', foreign)).statusCode,
    ).toBe(400);
    const res = await post('duty-anju', `/funds/${fundId}/expenditures`, 'prop-belt-001', body);
    expect(res.statusCode).toBe(200);
    expect(res.json()).toMatchObject({
      status: 'proposed',
      links: { alertIds: ['alert-anju-2'], visitIds: ['visit-anju-1'], workOrder: 'WO-2025-0517' },
      missing: ['firm_approval', 'committee_approval'],
    });
    xid = res.json().id;
  });

  it('stores an invoice on disk with its SHA-256 in the chain; checks type, bytes and size', async () => {
    const url = `/funds/${fundId}/expenditures/${xid}/attachments?kind=invoice&filename=${encodeURIComponent('发票.pdf')}`;
    const res = await post('duty-anju', url, 'attach-inv-001', pdf, 'application/pdf');
    expect(res.statusCode).toBe(200);
    const sha256 = createHash('sha256').update(pdf).digest('hex');
    expect(res.json()).toMatchObject({ kind: 'invoice', filename: '发票.pdf', size: pdf.length, sha256 });
    expect(await readFile(join(dataDir, 'ledger-files', sha256.slice(0, 2), sha256))).toEqual(pdf);
    const exp = (await call('committee-lianhua', 'GET', `/funds/${fundId}/export.json`)).json();
    expect(exp.entries.at(-1)).toMatchObject({ kind: 'attachment', data: { sha256 } });
    const download = await call(
      'committee-lianhua',
      'GET',
      `/funds/${fundId}/expenditures/${xid}/attachments/${res.json().id}`,
    );
    expect(download.rawPayload).toEqual(pdf);
    expect(download.headers['content-type']).toBe('application/pdf');

    expect(
      (await post('duty-anju', url, 'attach-txt-001', Buffer.from('hello'), 'text/plain')).statusCode,
    ).toBe(415);
    expect(
      (await post('duty-anju', url, 'attach-fake-01', Buffer.from('MZ not a pdf'), 'application/pdf'))
        .statusCode,
    ).toBe(415);
    const big = Buffer.concat([Buffer.from('%PDF-'), Buffer.alloc(5000)]);
    expect((await post('duty-anju', url, 'attach-big-001', big, 'application/pdf')).statusCode).toBe(413);
    expect((await post('tech-wang', url, 'attach-tech-01', pdf, 'application/pdf')).statusCode).toBe(403);
  });

  it('refuses to pay without both approvals; an amendment voids them; then pays once', async () => {
    const base = `/funds/${fundId}/expenditures/${xid}`;
    expect((await post('duty-anju', `${base}/payment`, 'pay-early-01')).statusCode).toBe(409);
    expect(
      (await post('duty-anju', `${base}/decision`, 'self-ok-001', { decision: 'approve' })).statusCode,
    ).toBe(403);
    await post('manager-anju', `${base}/decision`, 'mgr-ok-0001', { decision: 'approve' });
    await post('committee-lianhua', `${base}/decision`, 'cm-ok-00001', { decision: 'approve', note: '同意' });
    const amended = await post('duty-anju', `${base}/amount`, 'amend-0001', {
      amountFen: 150_000,
      reason: '加装防护',
    });
    expect(amended.json()).toMatchObject({
      amountVersion: 2,
      missing: ['firm_approval', 'committee_approval'],
    });
    expect(
      (await post('committee-lianhua', `${base}/amount`, 'amend-cm-01', { amountFen: 1, reason: 'x' }))
        .statusCode,
    ).toBe(403);
    expect((await post('duty-anju', `${base}/payment`, 'pay-early-02')).statusCode).toBe(409);
    await post('manager-anju', `${base}/decision`, 'mgr-ok-0002', { decision: 'approve' });
    await post('committee-lianhua', `${base}/decision`, 'cm-ok-00002', { decision: 'approve' });
    const paid = await post('duty-anju', `${base}/payment`, 'pay-belt-001', {});
    expect(paid.statusCode).toBe(200);
    expect(paid.json().expenditure).toMatchObject({ status: 'paid', flags: [] });
    expect((await post('duty-anju', `${base}/payment`, 'pay-belt-001', {})).json()).toEqual(paid.json());
    expect((await post('duty-anju', `${base}/payment`, 'pay-belt-002', {})).statusCode).toBe(409);
    expect(await cash()).toBe(1_091_000 - 150_000);
  });

  it("needs a passed owners' vote above the configured threshold", async () => {
    const res = await post('duty-anju', `/funds/${fundId}/expenditures`, 'prop-big-001', {
      amountFen: 400_000,
      kind: 'major_overhaul',
      purpose: '曳引机大修',
      payee: '华夏电梯',
    });
    expect(res.json()).toMatchObject({ voteRequired: true });
    const base = `/funds/${fundId}/expenditures/${res.json().id}`;
    await post('manager-anju', `${base}/decision`, 'big-mgr-001', { decision: 'approve' });
    await post('committee-lianhua', `${base}/decision`, 'big-cm-0001', { decision: 'approve' });
    const refused = await post('duty-anju', `${base}/payment`, 'big-pay-001');
    expect(refused.statusCode).toBe(409);
    expect(refused.json().message).toContain('owners_vote');
    const tally = {
      eligibleOwners: 300,
      eligibleAreaCentiM2: 3_000_000,
      participatingOwners: 240,
      participatingAreaCentiM2: 2_500_000,
      yesOwners: 200,
      yesAreaCentiM2: 2_000_000,
    };
    expect(
      (await post('committee-lianhua', `${base}/votes`, 'big-vote-01', { tally })).json().votes[0].passed,
    ).toBe(true);
    expect((await post('duty-anju', `${base}/payment`, 'big-pay-002')).statusCode).toBe(200);
  });

  it('pays an emergency first and flags it until the committee ratifies', async () => {
    const res = await post('duty-anju', `/funds/${fundId}/expenditures`, 'prop-sos-001', {
      amountFen: 30_000,
      kind: 'repair',
      purpose: '困人救援后更换门锁',
      payee: '华夏电梯',
      emergencyAlertId: 'alert-anju-1',
    });
    const base = `/funds/${fundId}/expenditures/${res.json().id}`;
    const paid = await post('duty-anju', `${base}/payment`, 'sos-pay-001');
    expect(paid.json().expenditure.flags).toEqual(['awaiting_ratification']);
    const ratified = await post('committee-lianhua', `${base}/decision`, 'sos-cm-001', {
      decision: 'approve',
    });
    expect(ratified.json().flags).toEqual([]);
  });

  it('pushes an emergency to the committee at once; refuses a false alarm and pays above the threshold only after the vote', async () => {
    await api.db
      .insertInto('alerts')
      .values(
        alertRow({
          id: 'alert-false-1',
          elevator_id: ANJU_ELEVATOR,
          estate_id: 'lianhua',
          state: 'resolved',
          resolved_by: 'duty-anju',
          resolved_at: NOW,
          resolve_note: '传感器松动',
          resolution: 'false_alarm',
        }),
      )
      .execute();
    const stale = await post('duty-anju', `/funds/${fundId}/expenditures`, 'prop-sos-false', {
      amountFen: 5_500_000,
      kind: 'repair',
      purpose: '紧急更换主板',
      payee: '华夏电梯',
      emergencyAlertId: 'alert-false-1',
    });
    expect(stale.statusCode).toBe(409);
    expect(stale.json()).toMatchObject({ code: 'CONFLICT' });
    expect(stale.json().message).toMatch(
      /resolved as a false alarm.*still open or was resolved as a real fault/,
    );

    const url = await listenOnFreePort(api);
    const committee = connect(url, {
      transports: ['websocket'],
      extraHeaders: { cookie: await api.login('committee-lianhua') },
      reconnection: false,
    });
    try {
      await new Promise<void>((resolve, reject) => {
        committee.once('connect', () => resolve());
        committee.once('connect_error', reject);
      });
      const pushed = new Promise<Record<string, unknown>>((resolve) =>
        committee.once('fund:emergency', resolve),
      );
      // Above this suite's ¥3,000 threshold: proposed at once, paid only once the owners agree.
      const res = await post('duty-anju', `/funds/${fundId}/expenditures`, 'prop-sos-big', {
        amountFen: 350_000,
        kind: 'repair',
        purpose: '困人故障：更换门机控制器',
        payee: '华夏电梯',
        emergencyAlertId: 'alert-anju-1',
      });
      expect(res.json()).toMatchObject({ voteRequired: true, missing: ['owners_vote'] });
      expect(await pushed).toMatchObject({
        event: 'proposed',
        fund_id: fundId,
        expenditure_id: res.json().id,
        amount_fen: 350_000,
        emergency_alert_id: 'alert-anju-1',
        missing: ['owners_vote'],
      });
      const list = (await call('committee-lianhua', 'GET', `/funds/${fundId}/expenditures`)).json();
      expect(list[0]).toMatchObject({ id: res.json().id, emergencyAlertId: 'alert-anju-1' });
      const base = `/funds/${fundId}/expenditures/${res.json().id}`;
      const early = await post('duty-anju', `${base}/payment`, 'sos-big-pay-1');
      expect(early.statusCode).toBe(409);
      expect(early.json().message).toContain('owners_vote');
    } finally {
      committee.disconnect();
    }
  });

  it('audits every write and keeps a chain that verifies', async () => {
    const actions = (
      await api.db.selectFrom('audit_log').select('action').where('action', 'like', 'fund.%').execute()
    ).map((r) => r.action);
    for (const a of [
      'fund.open',
      'fund.contribution_rule',
      'fund.contribution',
      'fund.income',
      'fund.reverse',
      'fund.propose',
      'fund.attach',
      'fund.amend',
      'fund.pay',
      'fund.vote',
    ])
      expect(actions, a).toContain(a);
    expect((await call('committee-lianhua', 'GET', `/funds/${fundId}/verify`)).json()).toMatchObject({
      ok: true,
    });
  });
});
