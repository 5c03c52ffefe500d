/**
 * The `regulator` role (issue 16): a government platform's account pulls the GB/T 24476 data
 * sets (GET /api/v1/regulator/{dataset}, by session or bearer token) and nothing else. Every
 * other GET under /api/v1 (taken from the app's own route table, so a new route is covered
 * the day it is added) answers 403 before any lookup, and so do the console's writes.
 */
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { REGULATOR_DATASETS } from '../../protocol/regulator.ts';
import { startTestApi, type TestApi } from '../helpers/api-harness.ts';

/** Required query strings, so a route answers past its validation (a 400 would hide a leak). */
const QUERY: Record<string, string> = { '/api/v1/funds/lianhua/statement': '?period=2025-05' };

/** Every GET route under /api/v1, from Fastify's route tree, with its params filled in. */
function getRoutes(t: TestApi): string[] {
  const tree = t.app.printRoutes({ commonPrefix: false });
  const urls: string[] = [];
  // Each level indents four characters; a child's segment continues its parent's path.
  const stack: string[] = [];
  for (const line of tree.split('\n')) {
    const m = /^([│ ]*)[├└]── (\S+)(?: \(([A-Z, ]+)\))?/.exec(line);
    if (!m) continue;
    const depth = m[1]!.length / 4;
    stack.length = depth;
    const path = (stack[depth - 1] ?? '') + m[2]!;
    stack[depth] = path;
    if (path.startsWith('/api/v1/') && m[3]?.split(', ').includes('GET'))
      urls.push(path.replace(/:(\w+)/g, 'lianhua'));
  }
  return urls;
}

describe('the regulator role', () => {
  let t: TestApi;
  let cookie: string;

  beforeAll(async () => {
    t = await startTestApi();
    cookie = await t.login('regulator-sz');
  }, 120_000);

  afterAll(async () => {
    await t?.close();
  });

  it('pulls every data set, by session and by bearer token', async () => {
    for (const dataset of REGULATOR_DATASETS) {
      const res = await t.app.inject({ url: `/api/v1/regulator/${dataset}`, headers: { cookie } });
      expect(res.statusCode, dataset).toBe(200);
      if (dataset !== 'running_status') expect(res.json().items.length, dataset).toBeGreaterThan(0);
    }
    // Basic information carries the fleet file's manufacturer and install date (the demo fleet names them).
    const basic = await t.app.inject({
      url: '/api/v1/regulator/basic_info?estate=lianhua',
      headers: { cookie },
    });
    const lift = (basic.json().items as { elevator_id: string }[]).find(
      (i) => i.elevator_id === 'lianhua-b1-e1',
    );
    expect(lift).toMatchObject({ manufacturer: '日立电梯（中国）有限公司', install_date: '2008-01-15' });
    // …and the inspection certificate's date, as stored from the fleet file.
    const [row] = await t.db
      .selectFrom('elevators')
      .select('inspection_due')
      .where('id', '=', 'lianhua-b1-e1')
      .execute();
    expect(row!.inspection_due).toMatch(/^\d{4}-\d{2}-\d{2}$/);
    expect(lift).toMatchObject({ next_inspection_date: row!.inspection_due });
    const created = await t.app.inject({
      method: 'POST',
      url: '/api/v1/auth/tokens',
      headers: { cookie, origin: 'http://lift.test' },
      payload: { name: 'platform' },
    });
    expect(created.statusCode).toBeLessThan(300);
    const token = created.json().token as string;
    const res = await t.app.inject({
      url: '/api/v1/regulator/fault_records?estate=lianhua',
      headers: { authorization: `Bearer ${token}` },
    });
    expect(res.statusCode).toBe(200);
    expect(res.json().items.length).toBeGreaterThan(0);
  });

  it('gets 403 from every other console and fund read', async () => {
    const urls = getRoutes(t).filter(
      (u) => !u.startsWith('/api/v1/auth') && !u.startsWith('/api/v1/regulator/'),
    );
    expect(urls.length).toBeGreaterThan(30);
    const answered: Record<string, number> = {};
    for (const url of urls)
      answered[url] = (await t.app.inject({ url: url + (QUERY[url] ?? ''), headers: { cookie } })).statusCode;
    const notForbidden = Object.entries(answered).filter(([, status]) => status !== 403);
    expect(notForbidden).toEqual([]);
    // The admin still reads them: the 403 is the role's, not a broken route.
    const admin = await t.login('admin');
    expect((await t.app.inject({ url: '/api/v1/alerts', headers: { cookie: admin } })).statusCode).toBe(200);
  });

  it('gets 403 from the console writes', async () => {
    const writes = [
      {
        method: 'POST' as const,
        url: '/api/v1/alerts/alert-anju-1/acknowledge',
        payload: { note: '已知悉' },
      },
      { method: 'POST' as const, url: '/api/v1/fleet/reload', payload: {} },
    ];
    for (const w of writes) {
      const res = await t.app.inject({ ...w, headers: { cookie, origin: 'http://lift.test' } });
      expect(res.statusCode, w.url).toBe(403);
    }
  });
});
