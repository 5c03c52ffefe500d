/**
 * The fund routes through the real API (buildApi, sessions, tenancy): the committee and
 * the firm read and approve their own estate's fund; another firm gets 404, a technician
 * 403; exports verify; replays of an Idempotency-Key answer the first result.
 */
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { verifyExport } from '../../ledger/export-verify.ts';
import { createFundLedger } from '../../ledger/ledger.ts';
import { storeOver } from '../../store/store.ts';
import { SAME_ORIGIN, startTestApi, type TestApi } from '../helpers/api-harness.ts';

let api: TestApi;
let fundId: string;
let expenditureId: string;

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
