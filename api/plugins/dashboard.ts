/**
 * Serves the built console (dashboard/dist) at /app/. At registration it builds the
 * console first when dist is missing or older than its sources (dashboard/build.ts,
 * esbuild), so `npm start` needs no separate build step. Hashed assets are cached for a
 * year; index.html is revalidated every time so a new build is picked up at once.
 * @fastify/static is only a transitive dependency here, so this small handler does it.
 */
import { readFile } from 'node:fs/promises';
import { extname, join, normalize, sep } from 'node:path';
import { fileURLToPath } from 'node:url';
import type { FastifyReply } from 'fastify';
import fp from 'fastify-plugin';

export interface DashboardOptions {
  /** Default: dashboard/dist next to this repository's api/. */
  distDir?: string;
  /** Build at start when missing or stale (default true); false in production images built ahead. */
  build?: boolean;
}

const DEFAULT_DIST = fileURLToPath(new URL('../../dashboard/dist/', import.meta.url));

const CONTENT_TYPES: Record<string, string> = {
  '.html': 'text/html; charset=utf-8',
  '.js': 'text/javascript; charset=utf-8',
  '.css': 'text/css; charset=utf-8',
  '.map': 'application/json; charset=utf-8',
  '.json': 'application/json; charset=utf-8',
  '.svg': 'image/svg+xml',
  '.png': 'image/png',
  '.ico': 'image/x-icon',
  '.woff2': 'font/woff2',
};

/** Only names esbuild writes: no dot-files, no `..`, nothing outside dist. */
function safePath(root: string, wanted: string): string | null {
  if (wanted.split('/').some((part) => part.startsWith('.'))) return null;
  const full = normalize(join(root, wanted));
  return full.startsWith(root.endsWith(sep) ? root : root + sep) ? full : null;
}

export default fp<DashboardOptions>(
  async (app, options) => {
    const root = options.distDir ?? DEFAULT_DIST;
    if (options.build !== false) {
      try {
        const { buildDashboard } = await import('../../dashboard/build.ts');
        const result = await buildDashboard({ outDir: root.replace(/[\\/]$/, '') });
        if (result.built) app.log.info({ files: result.files.length }, 'dashboard built');
      } catch (error) {
        // The API still serves residents and the console API without its UI.
        app.log.error({ err: error }, 'dashboard build failed; /app/ will answer 503');
      }
    }

    /**
     * Sends the file and says whether it could. Returns a boolean, never the reply: a Fastify
     * reply is thenable, so awaiting it waits for the response to finish and yields nothing,
     * and the caller then sent a second answer on top of the first.
     */
    async function sent(reply: FastifyReply, file: string, immutable: boolean): Promise<boolean> {
      let body: Buffer;
      try {
        body = await readFile(file);
      } catch {
        return false;
      }
      reply
        .type(CONTENT_TYPES[extname(file)] ?? 'application/octet-stream')
        .header('cache-control', immutable ? 'public, max-age=31536000, immutable' : 'no-cache')
        .header('x-content-type-options', 'nosniff')
        .send(body);
      return true;
    }

    app.get('/app', { schema: { hide: true } }, (_request, reply) => reply.redirect('/app/'));

    app.get('/app/', { schema: { hide: true } }, async (_request, reply) => {
      if (await sent(reply, join(root, 'index.html'), false)) return reply;
      return reply
        .code(503)
        .type('text/plain; charset=utf-8')
        .send('The dashboard is not built: run npm run build:dashboard');
    });

    app.get<{ Params: { '*': string } }>('/app/*', { schema: { hide: true } }, async (request, reply) => {
      const file = safePath(root, request.params['*']);
      // Names under assets/ carry a content hash, so they can be cached for good.
      if (file && (await sent(reply, file, request.params['*'].startsWith('assets/')))) return reply;
      return reply.callNotFound();
    });
  },
  { name: 'lift-dashboard', dependencies: ['lift-security'] },
);
