import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { SAME_ORIGIN, startTestApi, type TestApi } from '../helpers/api-harness.ts';

let api: TestApi;
beforeAll(async () => {
  api = await startTestApi();
});
afterAll(() => api.close());

const as = async (username: string) => ({ cookie: await api.login(username), origin: SAME_ORIGIN });

describe('the admin user API', () => {
  it('creates a committee member who can then log in, scoped to their estate', async () => {
    const created = await api.app.inject({
      method: 'POST',
      url: '/api/v1/users',
      headers: await as('admin'),
      payload: {
        username: 'committee-xiangmi',
        display_name: '香蜜业委会',
        role: 'committee_member',
        estate_id: 'xiangmi',
        password: 'a-long-password-1',
      },
    });
    expect(created.statusCode, created.body).toBe(201);
    expect(created.json()).not.toHaveProperty('password_hash');
    const login = await api.app.inject({
      method: 'POST',
      url: '/api/v1/auth/login',
      payload: { username: 'committee-xiangmi', password: 'a-long-password-1' },
      remoteAddress: '10.77.0.1',
    });
    expect(login.statusCode).toBe(200);
    expect(login.json()).toMatchObject({ role: 'committee_member', estate_ids: ['xiangmi'] });
    const audit = await api.db
      .selectFrom('audit_log')
      .selectAll()
      .where('action', '=', 'user.create')
      .execute();
    expect(audit).toHaveLength(1);
  });

  it.each([
    ['a role without its scope', { role: 'property_manager' }],
    ['a scope that does not exist', { role: 'committee_member', estate_id: 'nowhere' }],
    ['two scopes at once', { role: 'technician', company_id: 'huaxia-lift', estate_id: 'lianhua' }],
    ['an admin with a scope', { role: 'admin', estate_id: 'lianhua' }],
  ])('refuses %s with a 400 that says why', async (_label, scope) => {
    const res = await api.app.inject({
      method: 'POST',
      url: '/api/v1/users',
      headers: await as('admin'),
      payload: { username: 'someone', display_name: 'X', password: 'a-long-password-1', ...scope },
    });
    expect(res.statusCode).toBe(400);
    expect(res.json().message).toMatch(/needs|does not exist|has no/);
  });

  it('answers 409 for a taken username, 403 for a non-admin, 401 without login', async () => {
    const payload = {
      username: 'duty-anju',
      display_name: 'X',
      role: 'admin',
      password: 'a-long-password-1',
    };
    const taken = await api.app.inject({
      method: 'POST',
      url: '/api/v1/users',
      headers: await as('admin'),
      payload,
    });
    expect(taken.statusCode).toBe(409);
    for (const user of ['duty-anju', 'committee-lianhua']) {
      const res = await api.app.inject({ method: 'GET', url: '/api/v1/users', headers: await as(user) });
      expect(res.statusCode, user).toBe(403);
    }
    expect((await api.app.inject({ method: 'GET', url: '/api/v1/users' })).statusCode).toBe(401);
  });

  it('changes a password and removes a user, ending their session', async () => {
    const techCookie = await as('tech-wang');
    const changed = await api.app.inject({
      method: 'PATCH',
      url: '/api/v1/users/tech-wang',
      headers: await as('admin'),
      payload: { password: 'another-password-2' },
    });
    expect(changed.statusCode).toBe(200);
    const removed = await api.app.inject({
      method: 'DELETE',
      url: '/api/v1/users/tech-wang',
      headers: await as('admin'),
    });
    expect(removed.statusCode).toBe(204);
    const after = await api.app.inject({ method: 'GET', url: '/api/v1/auth/me', headers: techCookie });
    expect(after.statusCode).toBe(401);
    const again = await api.app.inject({
      method: 'DELETE',
      url: '/api/v1/users/tech-wang',
      headers: await as('admin'),
    });
    expect(again.statusCode).toBe(404);
  });
});
