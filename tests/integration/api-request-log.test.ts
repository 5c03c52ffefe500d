/**
 * The API's request log: one line per write, per answer of 400 and above and per slow answer,
 * carrying the URL an operator searches for (cut at 512 characters), and nothing for a quick read.
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
      }),
    ]);
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
