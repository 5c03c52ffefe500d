/**
 * GET /api/v1/people: the names behind usernames and technician ids, limited to the people
 * of the caller's estates (another firm's staff stay unnamed).
 */
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { startTestApi, type TestApi } from '../helpers/api-harness.ts';

let api: TestApi;
beforeAll(async () => {
  api = await startTestApi();
});
afterAll(() => api.close());

async function people(username: string) {
  const res = await api.app.inject({
    method: 'GET',
    url: '/api/v1/people',
    headers: { cookie: await api.login(username) },
  });
  expect(res.statusCode, res.body).toBe(200);
  return res.json() as { users: Record<string, string>; technicians: Record<string, string> };
}

describe('people names', () => {
  it("names a firm's staff, its estates' committee and their technicians, and no one else's", async () => {
    const anju = await people('duty-anju');
    expect(anju.users).toMatchObject({
      'duty-anju': '安居值班员',
      'manager-anju': '安居物业经理',
      'committee-lianhua': '莲花业委会',
      'tech-wang': '王师傅',
    });
    expect(anju.users).not.toHaveProperty('duty-hexin');
    expect(anju.users).not.toHaveProperty('admin');
    expect(Object.keys(anju.technicians).sort()).toEqual(['tech-li', 'tech-wang', 'tech-zhao']);

    const hexin = await people('duty-hexin');
    expect(hexin.users).toHaveProperty('duty-hexin', '和信值班员');
    expect(hexin.users).not.toHaveProperty('duty-anju');
    expect(hexin.users).not.toHaveProperty('committee-lianhua');
    expect(Object.keys(hexin.technicians).sort()).toEqual(['tech-li', 'tech-wang']);
  });

  it('gives an admin everyone, and asks for a login', async () => {
    const admin = await people('admin');
    expect(admin.users).toMatchObject({ admin: '系统管理员', 'duty-hexin': '和信值班员' });
    const anonymous = await api.app.inject({ method: 'GET', url: '/api/v1/people' });
    expect(anonymous.statusCode).toBe(401);
  });
});
