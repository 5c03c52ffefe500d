import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { HEXIN_ELEVATOR, SAME_ORIGIN, startTestApi, type TestApi } from '../helpers/api-harness.ts';

/** Every route that takes an id or a scope filter, with firm B's id and a missing id. */
const FOREIGN_ROUTES: {
  method: 'GET' | 'POST' | 'DELETE';
  foreign: string;
  missing: string;
  body?: object;
}[] = [
  { method: 'GET', foreign: '/api/v1/alerts/alert-hexin-1', missing: '/api/v1/alerts/alert-nope' },
  {
    method: 'POST',
    foreign: '/api/v1/alerts/alert-hexin-1/acknowledge',
    missing: '/api/v1/alerts/alert-nope/acknowledge',
    body: { note: 'on my way' },
  },
  {
    method: 'POST',
    foreign: '/api/v1/alerts/alert-hexin-1/resolve',
    missing: '/api/v1/alerts/alert-nope/resolve',
    body: { note: 'fixed', resolution: 'fault' },
  },
  { method: 'GET', foreign: '/api/v1/alerts?estate=xiangmi', missing: '/api/v1/alerts?estate=nope' },
  { method: 'GET', foreign: '/api/v1/alerts?building=xiangmi-b1', missing: '/api/v1/alerts?building=nope' },
  {
    method: 'GET',
    foreign: `/api/v1/alerts?elevator=${HEXIN_ELEVATOR}`,
    missing: '/api/v1/alerts?elevator=nope',
  },
  { method: 'GET', foreign: '/api/v1/reports/report-hexin-1', missing: '/api/v1/reports/nope' },
  {
    method: 'POST',
    foreign: '/api/v1/reports/report-hexin-1/status',
    missing: '/api/v1/reports/nope/status',
    body: { status: 'in_progress' },
  },
  { method: 'GET', foreign: '/api/v1/reports?estate=xiangmi', missing: '/api/v1/reports?estate=nope' },
  { method: 'GET', foreign: '/api/v1/visits/visit-hexin-1', missing: '/api/v1/visits/nope' },
  {
    method: 'GET',
    foreign: `/api/v1/visits?elevator=${HEXIN_ELEVATOR}`,
    missing: '/api/v1/visits?elevator=nope',
  },
  { method: 'GET', foreign: `/api/v1/elevators/${HEXIN_ELEVATOR}`, missing: '/api/v1/elevators/nope' },
  { method: 'GET', foreign: '/api/v1/elevators?estate=xiangmi', missing: '/api/v1/elevators?estate=nope' },
];

const WRITES: { url: string; body: object }[] = [
  { url: '/api/v1/alerts/alert-anju-1/acknowledge', body: { note: 'x' } },
  { url: '/api/v1/alerts/alert-anju-1/resolve', body: { note: 'x', resolution: 'fault' } },
  { url: '/api/v1/reports/report-anju-1/status', body: { status: 'resolved' } },
];

describe('tenancy (BOLA)', () => {
  let t: TestApi;
  let anju: string;
  beforeAll(async () => {
    t = await startTestApi();
    anju = await t.login('duty-anju');
  });
  afterAll(async () => t.close());

  for (const route of FOREIGN_ROUTES) {
    it(`firm A gets 404 for firm B on ${route.method} ${route.foreign}, same as a missing id`, async () => {
      const ask = (url: string) =>
        t.app.inject({
          method: route.method,
          url,
          headers: { cookie: anju, origin: SAME_ORIGIN },
          payload: route.body,
        });
      const foreign = await ask(route.foreign);
      const missing = await ask(route.missing);
      expect(foreign.statusCode).toBe(404);
      expect(missing.statusCode).toBe(404);
      expect(foreign.json()).toEqual(missing.json());
    });
  }

  it('lists without filters contain only firm A estates', async () => {
    for (const url of [
      '/api/v1/alerts',
      '/api/v1/reports',
      '/api/v1/visits',
      '/api/v1/elevators?limit=200',
    ]) {
      const res = await t.app.inject({ url, headers: { cookie: anju } });
      expect(res.statusCode).toBe(200);
      const estates = new Set(res.json().items.map((i: { estate_id: string }) => i.estate_id));
      expect(estates.size).toBeGreaterThan(0);
      expect([...estates].every((e) => e === 'lianhua' || e === 'longgang')).toBe(true);
    }
    const estates = await t.app.inject({ url: '/api/v1/estates', headers: { cookie: anju } });
    expect(
      estates
        .json()
        .map((e: { id: string }) => e.id)
        .sort(),
    ).toEqual(['lianhua', 'longgang']);
  });

  it('firm B cannot revoke firm A tokens', async () => {
    const created = await t.app.inject({
      method: 'POST',
      url: '/api/v1/auth/tokens',
      headers: { cookie: anju, origin: SAME_ORIGIN },
      payload: { name: 'script' },
    });
    const hexin = await t.login('duty-hexin');
    const res = await t.app.inject({
      method: 'DELETE',
      url: `/api/v1/auth/tokens/${created.json().id}`,
      headers: { cookie: hexin, origin: SAME_ORIGIN },
    });
    expect(res.statusCode).toBe(404);
  });

  it('a committee member reads their estate but every write is 403', async () => {
    const committee = await t.login('committee-lianhua');
    const read = await t.app.inject({ url: '/api/v1/alerts/alert-anju-1', headers: { cookie: committee } });
    expect(read.statusCode).toBe(200);
    const other = await t.app.inject({
      url: '/api/v1/alerts/alert-anju-1?x=1',
      headers: { cookie: committee },
    });
    expect(other.statusCode).toBe(200);
    const longgang = await t.app.inject({
      url: '/api/v1/alerts?estate=longgang',
      headers: { cookie: committee },
    });
    expect(longgang.statusCode).toBe(404);
    for (const w of WRITES) {
      const res = await t.app.inject({
        method: 'POST',
        url: w.url,
        headers: { cookie: committee, origin: SAME_ORIGIN },
        payload: w.body,
      });
      expect(res.statusCode, w.url).toBe(403);
      expect(res.json().code).toBe('FORBIDDEN');
    }
  });

  it('anonymous writes and reads are 401', async () => {
    for (const w of WRITES) {
      const res = await t.app.inject({ method: 'POST', url: w.url, payload: w.body });
      expect(res.statusCode, w.url).toBe(401);
      expect(res.json()).toMatchObject({ statusCode: 401, code: 'UNAUTHENTICATED' });
    }
    expect((await t.app.inject({ url: '/api/v1/alerts' })).statusCode).toBe(401);
    expect(
      (await t.app.inject({ url: '/api/v1/alerts', headers: { cookie: 'lw_session=forged' } })).statusCode,
    ).toBe(401);
  });

  it('a technician sees only the visits of their company and no alerts', async () => {
    const tech = await t.login('tech-wang');
    const alerts = await t.app.inject({ url: '/api/v1/alerts', headers: { cookie: tech } });
    expect(alerts.statusCode).toBe(403);
    const visits = await t.app.inject({ url: '/api/v1/visits', headers: { cookie: tech } });
    expect(visits.statusCode).toBe(200);
    expect(visits.json().items.every((v: { company_id: string }) => v.company_id === 'huaxia-lift')).toBe(
      true,
    );
  });
});
