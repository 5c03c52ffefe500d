/**
 * Builds the console into dashboard/dist with Vite's JS API (`build()`, no config file):
 * src/index.html is the entry, so one hashed JS bundle (socket.io-client included), one
 * hashed CSS file and the rewritten index.html, plus the history charts' chunk (uPlot and
 * its CSS, ~55 kB, imported only by an elevator's page), and sw.js: the service worker
 * (src/sw.js) with this build's source hash and file list, so a phone reloads the technician's
 * page offline from the shell of exactly this build. This is the only place the console is
 * built: the API serves dist and never builds it. `npm run build:dashboard` always builds;
 * `tsx dashboard/build.ts --if-stale` (run by `npm start`, `npm run start:api`, the demo and
 * the test script) and vitest's global setup build only when dist is missing or stale.
 */
import { createHash, randomBytes } from 'node:crypto';
import { existsSync } from 'node:fs';
import { readdir, readFile, rename, rm, writeFile } from 'node:fs/promises';
import { join, relative } from 'node:path';
import { fileURLToPath } from 'node:url';

export const DASHBOARD_DIR = fileURLToPath(new URL('.', import.meta.url));
export const DIST_DIR = join(DASHBOARD_DIR, 'dist');
const SRC_DIR = join(DASHBOARD_DIR, 'src');
const STAMP = '.build.json';

export interface BuildResult {
  outDir: string;
  built: boolean;
  sourceHash: string;
  files: string[];
}

async function sourceFiles(dir = SRC_DIR): Promise<string[]> {
  const entries = await readdir(dir, { withFileTypes: true });
  const nested = await Promise.all(
    entries.map((e) => (e.isDirectory() ? sourceFiles(join(dir, e.name)) : [join(dir, e.name)])),
  );
  return nested.flat().sort();
}

/** A hash of every source file and of this script: a change to either means rebuild. */
export async function sourceHash(): Promise<string> {
  const hash = createHash('sha256');
  for (const file of [...(await sourceFiles()), fileURLToPath(import.meta.url)]) {
    hash
      .update(relative(DASHBOARD_DIR, file))
      .update('\0')
      .update(await readFile(file))
      .update('\0');
  }
  return hash.digest('hex').slice(0, 16);
}

export async function isStale(outDir = DIST_DIR): Promise<boolean> {
  try {
    const stamp = JSON.parse(await readFile(join(outDir, STAMP), 'utf8')) as { sourceHash?: string };
    return stamp.sourceHash !== (await sourceHash());
  } catch {
    return true;
  }
}

/**
 * Builds into a fresh temp dir and swaps it in with rename, so a server reading dist never
 * sees half a build, and two processes building at once both end with a whole one.
 */
export async function buildDashboard(options: { outDir?: string; force?: boolean; minify?: boolean } = {}) {
  const outDir = options.outDir ?? DIST_DIR;
  const hash = await sourceHash();
  if (!options.force && !(await isStale(outDir)))
    return { outDir, built: false, sourceHash: hash, files: [] } satisfies BuildResult;

  const { build } = await import('vite');
  const tmp = `${outDir}.tmp-${randomBytes(4).toString('hex')}`;
  await build({
    // Inline config only: a vite.config file somewhere up the tree must not change this build.
    configFile: false,
    root: SRC_DIR,
    // Relative asset URLs: the API serves the console under /app/.
    base: './',
    logLevel: 'silent',
    publicDir: false,
    build: {
      outDir: tmp,
      emptyOutDir: true,
      assetsDir: 'assets',
      target: ['es2022', 'chrome100', 'safari15', 'firefox100'],
      minify: options.minify ?? true,
      sourcemap: true,
      reportCompressedSize: false,
      modulePreload: { polyfill: false },
    },
  });
  const outputs = await readdir(join(tmp, 'assets'));
  const js = outputs.find((f) => f.endsWith('.js'));
  const css = outputs.find((f) => f.endsWith('.css'));
  if (!js || !css) throw new Error(`dashboard build produced no bundle: ${outputs.join(', ')}`);
  const shell = ['./', ...outputs.filter((f) => !f.endsWith('.map')).map((f) => `assets/${f}`)];
  await writeFile(join(tmp, 'sw.js'), await serviceWorker(hash, shell));
  await writeFile(join(tmp, STAMP), JSON.stringify({ sourceHash: hash, builtAt: new Date().toISOString() }));
  await swapIn(tmp, outDir);
  return {
    outDir,
    built: true,
    sourceHash: hash,
    files: ['index.html', 'sw.js', ...outputs.map((f) => `assets/${f}`)],
  };
}

const BUILD_LINE = "const BUILD = { version: 'dev', shell: ['./'] };";

/** src/sw.js with the build's version and shell in place of its development line. */
export async function serviceWorker(version: string, shell: readonly string[]): Promise<string> {
  const source = await readFile(join(SRC_DIR, 'sw.js'), 'utf8');
  if (!source.includes(BUILD_LINE)) throw new Error(`src/sw.js has lost its line: ${BUILD_LINE}`);
  return source.replace(BUILD_LINE, `const BUILD = ${JSON.stringify({ version, shell })};`);
}

async function swapIn(tmp: string, outDir: string): Promise<void> {
  const old = `${outDir}.old-${randomBytes(4).toString('hex')}`;
  if (existsSync(outDir)) await rename(outDir, old).catch(() => {});
  try {
    await rename(tmp, outDir);
  } catch {
    // Another process swapped in its own build of the same sources first: keep that one.
    await rm(tmp, { recursive: true, force: true });
  }
  await rm(old, { recursive: true, force: true });
}

if (process.argv[1] && fileURLToPath(import.meta.url) === process.argv[1]) {
  // Run by hand, it always builds: that is what someone typing the command wants. The start
  // scripts pass --if-stale, so a start after no change to the sources costs a hash.
  const result = await buildDashboard({ force: !process.argv.includes('--if-stale') });
  const where = relative(process.cwd(), result.outDir);
  console.log(
    result.built
      ? `dashboard built into ${where}: ${result.files.join(', ')}`
      : `dashboard in ${where} is current (sources ${result.sourceHash})`,
  );
}
