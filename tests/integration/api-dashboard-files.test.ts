/**
 * The console's files at /app/: each answered once, counted once with its real status, and
 * nothing logged as an error. The handler used to await the reply it had just sent (a
 * Fastify reply is thenable), find nothing, and send a 503 on top: the browser got 200,
 * the log FST_ERR_REP_ALREADY_SENT and /metrics a 5xx for every page load.
 */
import { Writable } from 'node:stream';
import pino from 'pino';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { startTestApi, type TestApi } from '../helpers/api-harness.ts';

describe('the console files at /app/', () => {
  let t: TestApi;
  const logged: { level: number; msg?: string; err?: { code?: string } }[] = [];

  beforeAll(async () => {
    const sink = new Writable({
      write(chunk, _encoding, done) {
        for (const line of String(chunk).split('\n')) if (line) logged.push(JSON.parse(line));
        done();
      },
    });
    t = await startTestApi({ deps: { log: pino({ level: 'info' }, sink) } });
  });
  afterAll(async () => t?.close());

  const counted = async (route: string, status: string) => {
    const body = (await t.app.inject({ url: '/metrics' })).body;
    const line = body
      .split('\n')
      .find((l) =>
        l.startsWith(`liftwatch_api_requests_total{method="GET",route="${route}",status="${status}"}`),
      );
    return line ? Number(line.split(' ').pop()) : 0;
  };

  it('answers index.html and an asset with 200, counts 2xx, and logs no error', async () => {
    const page = await t.app.inject({ url: '/app/' });
    expect(page.statusCode).toBe(200);
    expect(page.headers['content-type']).toContain('text/html');
    const asset = page.body.match(/(?:src|href)="\.\/(assets\/[^"]+)"/)?.[1];
    expect(asset, 'index.html links a hashed asset').toBeTruthy();
    const file = await t.app.inject({ url: `/app/${asset}` });
    expect(file.statusCode).toBe(200);
    expect(file.headers['cache-control']).toContain('immutable');

    expect(await counted('/app/', '2xx')).toBe(1);
    expect(await counted('/app/', '5xx')).toBe(0);
    expect(await counted('/app/*', '2xx')).toBe(1);
    expect(await counted('/app/*', '4xx')).toBe(0);
    const errors = logged.filter((l) => l.level >= 50 || l.err?.code === 'FST_ERR_REP_ALREADY_SENT');
    expect(errors).toEqual([]);
  });

  it('answers 404 for a file that is not there, once, through the not-found handler', async () => {
    const missing = await t.app.inject({ url: '/app/assets/nothing-here.js' });
    expect(missing.statusCode).toBe(404);
    expect(await counted('unmatched', '4xx')).toBe(1);
    expect(await counted('/app/*', '2xx')).toBe(1); // the asset above, and nothing more
  });
});
