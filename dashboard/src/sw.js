/**
 * The console's service worker (issue 15): a technician in a lift shaft reloads #/work with no
 * signal, and the page must still come up with its offline queue (kept in localStorage). Built
 * by dashboard/build.ts, which writes the line `const BUILD = …` with the build's source hash
 * and the files it produced; served from the same origin at /app/sw.js, so the CSP's
 * script-src 'self' covers it and nothing is loosened.
 * - The app shell (index.html and the hashed assets) is cached per build: a new build installs a
 *   new cache and deletes the old ones, so a phone never mixes two builds' files.
 * - Hashed assets: from the cache (their names change with their contents). The page itself:
 *   network first, the cached shell when the network does not answer.
 * - /api: network first, always; only the work list (GET /api/v1/work) is kept, and answered
 *   from the cache when the network fails. Nothing else of the API is stored; logging out
 *   deletes that copy (offline.ts).
 */
const BUILD = { version: 'dev', shell: ['./'] };

const SHELL_CACHE = `lw-shell-${BUILD.version}`;
const API_CACHE = 'lw-api';
const KEPT_API = new Set(['/api/v1/work']);

self.addEventListener('install', (event) => {
  event.waitUntil(
    caches
      .open(SHELL_CACHE)
      .then((cache) => cache.addAll(BUILD.shell))
      .then(() => self.skipWaiting()),
  );
});

self.addEventListener('activate', (event) => {
  event.waitUntil(
    caches
      .keys()
      .then((names) =>
        Promise.all(
          names.filter((n) => n.startsWith('lw-shell-') && n !== SHELL_CACHE).map((n) => caches.delete(n)),
        ),
      )
      .then(() => self.clients.claim()),
  );
});

self.addEventListener('fetch', (event) => {
  const request = event.request;
  if (request.method !== 'GET') return;
  const url = new URL(request.url);
  if (url.origin !== self.location.origin) return;
  if (url.pathname.startsWith('/api/')) {
    if (KEPT_API.has(url.pathname)) event.respondWith(networkFirst(request, API_CACHE));
    return;
  }
  const scope = new URL(self.registration.scope).pathname;
  if (!url.pathname.startsWith(scope)) return;
  if (request.mode === 'navigate') {
    event.respondWith(fetch(request).catch(() => caches.match(new URL('./', self.registration.scope).href)));
    return;
  }
  event.respondWith(caches.match(request).then((hit) => hit ?? fetch(request)));
});

/** The network's answer, kept when it is a success; the kept one when the network fails. */
async function networkFirst(request, cacheName) {
  try {
    const response = await fetch(request);
    if (response.ok) {
      const copy = response.clone();
      await caches.open(cacheName).then((cache) => cache.put(request, copy));
    }
    return response;
  } catch (error) {
    const kept = await caches.match(request, { cacheName });
    if (kept) return kept;
    throw error;
  }
}
