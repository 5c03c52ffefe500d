/**
 * The console's files at /app/ (api/plugins/dashboard.ts, @fastify/static over dashboard/dist,
 * which vitest's global setup builds): each answered once, counted once with its real status,
 * cached as their names allow, and nothing logged as an error. Without a build the API says so
 * with a 503 and builds nothing itself. The handler used to await the reply it had just sent (a
 * Fastify reply is thenable), find nothing, and send a 503 on top: the browser got 200,
 * the log FST_ERR_REP_ALREADY_SENT and /metrics a 5xx for every page load.
 */
import { existsSync } from 'node:fs';
import { join } from 'node:path';
import Fastify from 'fastify';
import fp from 'fastify-plugin';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import dashboard from '../../api/plugins/dashboard.ts';
import { sourceHash } from '../../dashboard/build.ts';
import { startTestApi, type TestApi } from '../helpers/api-harness.ts';
import { capturingLogger, tempDir } from '../helpers/fixtures.ts';

describe('the console files at /app/', () => {
  let t: TestApi;
  const { log, lines } = capturingLogger();
  const logged = lines as { level: number; msg?: string; err?: { code?: string } }[];

  beforeAll(async () => {
    t = await startTestApi({ deps: { log } });
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
    expect(page.headers['cache-control']).toBe('no-cache');
    expect(page.headers['x-content-type-options']).toBe('nosniff');
    const file = await t.app.inject({ url: `/app/${asset}` });
    expect(file.statusCode).toBe(200);
    expect(file.headers['cache-control']).toBe('public, max-age=31536000, immutable');
    expect(file.headers['x-content-type-options']).toBe('nosniff');

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

  it('serves the service worker from the same origin, naming this build and its shell', async () => {
    const sw = await t.app.inject({ url: '/app/sw.js' });
    expect(sw.statusCode).toBe(200);
    expect(sw.headers['content-type']).toContain('javascript');
    // Revalidated like index.html: a new build's worker is found at once.
    expect(sw.headers['cache-control']).toBe('no-cache');
    const build = JSON.parse(/const BUILD = (\{.*\});/.exec(sw.body)![1]!) as {
      version: string;
      shell: string[];
    };
    expect(build.version).toBe(await sourceHash());
    const page = (await t.app.inject({ url: '/app/' })).body;
    const linked = [...page.matchAll(/(?:src|href)="\.\/(assets\/[^"]+)"/g)].map((m) => m[1]!);
    expect(build.shell).toEqual(expect.arrayContaining(['./', ...linked]));
    expect(build.shell.some((f) => f.endsWith('.map'))).toBe(false);
    for (const file of build.shell)
      expect((await t.app.inject({ url: `/app/${file}` })).statusCode).toBe(200);
  });

  it('answers 404 for the build stamp and for a path out of dist', async () => {
    expect((await t.app.inject({ url: '/app/.build.json' })).statusCode).toBe(404);
    const out = await t.app.inject({ url: '/app/..%2f..%2fpackage.json' });
    expect([403, 404]).toContain(out.statusCode);
  });
});

describe('the console without a build', () => {
  it('answers 503 naming the build command, and the API builds nothing', async () => {
    const dir = tempDir('liftwatch-no-dist-');
    const distDir = join(dir.path, 'dist');
    const app = Fastify({ logger: false });
    // The dashboard plugin needs the security plugin's headers first; only its name matters here.
    await app.register(fp(async () => {}, { name: 'lift-security' }));
    await app.register(dashboard, { distDir });
    try {
      const page = await app.inject({ url: '/app/' });
      expect(page.statusCode).toBe(503);
      expect(page.body).toBe('The dashboard is not built: run npm run build:dashboard');
      expect((await app.inject({ url: '/app/assets/main.js' })).statusCode).toBe(404);
      expect(existsSync(distDir)).toBe(false);
    } finally {
      await app.close();
      dir.remove();
    }
  });
});
