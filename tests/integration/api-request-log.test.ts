/**
 * The API's request log: one line per write, per answer of 400 and above and per slow answer,
 * carrying method, route, the URL an operator searches for (cut at 512 characters, query
 * credentials cut), status and milliseconds, and nothing for a quick read.
 */
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { startTestApi, type TestApi } from '../helpers/api-harness.ts';
import { capturingLogger } from '../helpers/fixtures.ts';

interface Line {
  msg?: string;
  method?: string;
  route?: string;
  url?: string;
  status?: number;
  ms?: number;
}

describe('request log', () => {
  let t: TestApi;
  const { log, lines } = capturingLogger();
  const answered = () => (lines as Line[]).filter((l) => l.msg === 'request answered');

  beforeAll(async () => {
    t = await startTestApi({ deps: { log } });
  });
  afterAll(async () => t?.close());

  it('logs an answer of 400 and above with its URL, and not a quick read', async () => {
    const cookie = await t.login('duty-anju');
    lines.length = 0;
    await t.app.inject({ url: '/healthz' });
    const missing = await t.app.inject({ url: '/api/v1/alerts/no-such-alert?lang=zh', headers: { cookie } });
    expect(missing.statusCode).toBe(404);
    expect(answered()).toEqual([
      expect.objectContaining({
        method: 'GET',
        route: '/api/v1/alerts/:id',
        url: '/api/v1/alerts/no-such-alert?lang=zh',
        status: 404,
        ms: expect.any(Number),
      }),
    ]);
  });

  it('logs a write with method, URL, status and milliseconds', async () => {
    lines.length = 0;
    const res = await t.app.inject({
      method: 'POST',
      url: '/api/v1/auth/login?lang=zh',
      payload: { username: 'duty-anju', password: 'not-the-password' },
    });
    expect(res.statusCode).toBe(401);
    const [line, ...more] = answered();
    expect(more).toEqual([]);
    expect(line).toMatchObject({ method: 'POST', url: '/api/v1/auth/login?lang=zh', status: 401 });
    expect(line?.ms).toBeGreaterThanOrEqual(0);
    expect(JSON.stringify(lines)).not.toContain('not-the-password');
  });

  it('keeps a credential put in the query out of the log, and the rest of the URL in it', async () => {
    lines.length = 0;
    await t.app.inject({ url: '/api/v1/alerts?token=tok-SECRET-1&lang=zh&access_token=tok-SECRET-2' });
    const [line] = answered();
    expect(line).toMatchObject({ status: 401, url: '/api/v1/alerts?token=…&lang=zh&access_token=…' });
    expect(JSON.stringify(lines)).not.toContain('tok-SECRET');
  });

  it('cuts a long URL', async () => {
    lines.length = 0;
    await t.app.inject({ url: `/no-such-page?q=${'x'.repeat(2000)}` });
    const [line] = answered();
    expect(line?.status).toBe(404);
    expect(line?.url?.length).toBe(513);
    expect(line?.url?.endsWith('…')).toBe(true);
  });
});
