import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { SAME_ORIGIN, startTestApi, TEST_PASSWORD, type TestApi } from '../helpers/api-harness.ts';

describe('accounts and credentials', () => {
  let t: TestApi;
  beforeAll(async () => {
    t = await startTestApi({ config: { API_LOGIN_RATE_PER_MIN: '4' } });
  });
  afterAll(async () => t.close());

  const login = (username: string, password: string, ip: string) =>
    t.app.inject({
      method: 'POST',
      url: '/api/v1/auth/login',
      payload: { username, password },
      remoteAddress: ip,
    });

  it('sets an HttpOnly SameSite session cookie on login and refuses wrong passwords alike', async () => {
    const ok = await login('duty-anju', TEST_PASSWORD, '203.0.113.1');
    expect(ok.statusCode).toBe(200);
    const cookie = ok.cookies.find((c) => c.name === 'lw_session')!;
    expect(cookie).toMatchObject({ httpOnly: true, sameSite: 'Lax', path: '/' });
    const wrong = await login('duty-anju', 'nope-nope', '203.0.113.1');
    const unknown = await login('nobody', 'nope-nope', '203.0.113.1');
    expect(wrong.statusCode).toBe(401);
    expect(wrong.json()).toEqual(unknown.json());
    const stored = await t.db.selectFrom('api_sessions').select('id_hash').execute();
    expect(stored.map((s) => s.id_hash)).not.toContain(cookie.value);
  });

  it('rate-limits login per address', async () => {
    const codes: number[] = [];
    for (let i = 0; i < 6; i++) codes.push((await login('admin', `guess-${i}`, '203.0.113.99')).statusCode);
    expect(codes.slice(0, 4)).toEqual([401, 401, 401, 401]);
    expect(codes.slice(4)).toEqual([429, 429]);
    const limited = await login('admin', TEST_PASSWORD, '203.0.113.99');
    expect(limited.json()).toMatchObject({ statusCode: 429, code: 'RATE_LIMITED' });
  });

  it('issues bearer tokens that work until revoked', async () => {
    const cookie = await t.login('duty-hexin');
    const created = await t.app.inject({
      method: 'POST',
      url: '/api/v1/auth/tokens',
      headers: { cookie, origin: SAME_ORIGIN },
      payload: { name: 'wecom bot' },
    });
    expect(created.statusCode).toBe(201);
    const { id, token } = created.json();
    const bearer = { authorization: `Bearer ${token}` };
    const me = await t.app.inject({ url: '/api/v1/auth/me', headers: bearer });
    expect(me.json()).toMatchObject({ username: 'duty-hexin', estate_ids: ['xiangmi'] });
    expect((await t.app.inject({ url: '/api/v1/alerts', headers: bearer })).statusCode).toBe(200);
    const revoked = await t.app.inject({
      method: 'DELETE',
      url: `/api/v1/auth/tokens/${id}`,
      headers: { cookie, origin: SAME_ORIGIN },
    });
    expect(revoked.statusCode).toBe(204);
    expect((await t.app.inject({ url: '/api/v1/alerts', headers: bearer })).statusCode).toBe(401);
    const actions = await t.db
      .selectFrom('audit_log')
      .select('action')
      .where('actor', '=', 'duty-hexin')
      .execute();
    expect(actions.map((a) => a.action)).toEqual(
      expect.arrayContaining(['auth.login', 'token.create', 'token.revoke']),
    );
  });

  it('logout ends the session', async () => {
    const res = await login('committee-lianhua', TEST_PASSWORD, '203.0.113.5');
    const cookie = `lw_session=${res.cookies[0]!.value}`;
    expect((await t.app.inject({ url: '/api/v1/auth/me', headers: { cookie } })).statusCode).toBe(200);
    expect(
      (
        await t.app.inject({
          method: 'POST',
          url: '/api/v1/auth/logout',
          headers: { cookie, origin: SAME_ORIGIN },
        })
      ).statusCode,
    ).toBe(204);
    expect((await t.app.inject({ url: '/api/v1/auth/me', headers: { cookie } })).statusCode).toBe(401);
  });
});
