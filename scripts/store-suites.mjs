// Prints the test files that reach the store's opener (store/db.ts) through their imports, one a
// line: the suites scripts/test.sh runs a second time on PostgreSQL. Derived rather than
// listed, so a new suite that opens a store runs on both dialects without anyone
// remembering to add it.
import { existsSync, readdirSync, readFileSync } from 'node:fs';
import { dirname, join, relative, resolve } from 'node:path';

const root = resolve(dirname(new URL(import.meta.url).pathname), '..');
const STORE = join(root, 'store/db.ts');
const IMPORT = /(?:from|import)\s*\(?\s*'(\.{1,2}\/[^']+)'/g;

const importsOf = new Map();
function imports(file) {
  if (!importsOf.has(file)) {
    const text = existsSync(file) ? readFileSync(file, 'utf8') : '';
    importsOf.set(
      file,
      [...text.matchAll(IMPORT)].map(([, spec]) => resolve(dirname(file), spec)),
    );
  }
  return importsOf.get(file);
}

/** Whether the store's opener is in the file's import closure (a walk per test file). */
function reachesStore(file) {
  const seen = new Set([file]);
  const queue = [file];
  while (queue.length > 0) {
    const next = queue.pop();
    if (next === STORE) return true;
    for (const dep of imports(next)) {
      if (!seen.has(dep)) {
        seen.add(dep);
        queue.push(dep);
      }
    }
  }
  return false;
}

function* testFiles(dir) {
  for (const entry of readdirSync(dir, { withFileTypes: true })) {
    const path = join(dir, entry.name);
    if (entry.isDirectory()) yield* testFiles(path);
    else if (entry.name.endsWith('.test.ts')) yield path;
  }
}

for (const file of [...testFiles(join(root, 'tests'))].sort()) {
  if (reachesStore(file)) console.log(relative(root, file));
}
