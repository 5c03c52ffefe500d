/**
 * Serves the built console (dashboard/dist) at /app/ with @fastify/static. The API never
 * builds it: `npm run build:dashboard` does (dashboard/build.ts), and `npm start`, the demo,
 * the test script and the test runner's global setup run that build first when dist is
 * missing or older than its sources. Hashed assets are cached for a year; index.html is
 * revalidated every time so a new build is picked up at once. Without a build, /app/ answers
 * 503 saying which command makes one.
 */
import { existsSync } from 'node:fs';
import { join, resolve, sep } from 'node:path';
import { fileURLToPath } from 'node:url';
import fastifyStatic from '@fastify/static';
import fp from 'fastify-plugin';

export interface DashboardOptions {
  /** Default: dashboard/dist next to this repository's api/. */
  distDir?: string;
}

const DEFAULT_DIST = fileURLToPath(new URL('../../dashboard/dist/', import.meta.url));
const NOT_BUILT = 'The dashboard is not built: run npm run build:dashboard';

export default fp<DashboardOptions>(
  async (app, options) => {
    const root = resolve(options.distDir ?? DEFAULT_DIST);
    const index = join(root, 'index.html');
    const assets = join(root, 'assets') + sep;
    if (!existsSync(index)) app.log.warn({ distDir: root }, `${NOT_BUILT}; /app/ answers 503 until it is`);

    // An encapsulated scope: reply.sendFile stays ours (the docs' swagger-ui registers its own).
    await app.register(async (scope) => {
      await scope.register(fastifyStatic, {
        root,
        prefix: '/app/',
        // Files are looked up per request (no glob at start), so a rebuild swapped in is served at once.
        wildcard: true,
        index: false,
        redirect: false,
        // Only names the build writes: no dot-files (dist holds its .build.json stamp).
        dotfiles: 'ignore',
        cacheControl: false,
        // Names under assets/ carry a content hash, so they can be cached for good.
        setHeaders: (reply, path) =>
          reply
            .header(
              'cache-control',
              path.startsWith(assets) ? 'public, max-age=31536000, immutable' : 'no-cache',
            )
            .header('x-content-type-options', 'nosniff'),
        suppressWarning: true,
      });
      scope.get('/app/', { schema: { hide: true } }, async (_request, reply) => {
        if (!existsSync(index)) return reply.code(503).type('text/plain; charset=utf-8').send(NOT_BUILT);
        return reply.sendFile('index.html');
      });
    });

    app.get('/app', { schema: { hide: true } }, (_request, reply) => reply.redirect('/app/'));
  },
  { name: 'lift-dashboard', dependencies: ['lift-security'] },
);
