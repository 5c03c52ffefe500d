/**
 * Folders are the architecture, checked: store/ is the only place that builds SQL, and the
 * parts receive repositories (store/store.ts), never the query builder. Scans every .ts
 * file outside store/ and tests/ for an import of 'kysely', a query-builder call
 * (selectFrom, insertInto, updateTable, deleteFrom, sql`…`) or an import of the builder's
 * own modules (store/db.ts, store/dialect.ts).
 */
import { readdirSync, readFileSync } from 'node:fs';
import { join, relative, sep } from 'node:path';
import { describe, expect, it } from 'vitest';

const ROOT = join(import.meta.dirname, '..', '..');
/** Anywhere: installed and built code. At the root: the store itself, the tests, runtime data. */
const SKIPPED = new Set(['node_modules', 'dist']);
const SKIPPED_AT_ROOT = new Set(['store', 'tests', 'data']);

function sourceFiles(dir: string): string[] {
  const out: string[] = [];
  for (const entry of readdirSync(dir, { withFileTypes: true })) {
    if (entry.isDirectory()) {
      const skipped = SKIPPED.has(entry.name) || (dir === ROOT && SKIPPED_AT_ROOT.has(entry.name));
      if (!skipped && !entry.name.startsWith('.')) out.push(...sourceFiles(join(dir, entry.name)));
    } else if (entry.name.endsWith('.ts') && !entry.name.endsWith('.d.ts')) {
      out.push(relative(ROOT, join(dir, entry.name)).split(sep).join('/'));
    }
  }
  return out;
}

const RULES: { name: string; pattern: RegExp }[] = [
  { name: "imports 'kysely'", pattern: /from\s+['"]kysely['"]|import\(\s*['"]kysely['"]\s*\)/ },
  { name: 'builds a query', pattern: /\.(selectFrom|insertInto|updateTable|deleteFrom)\s*\(/ },
  { name: 'writes raw SQL', pattern: /\bsql\s*(<[^>\n]*>)?\s*`/ },
  { name: 'takes the query builder', pattern: /store\/(db|dialect)\.ts['"]/ },
];

function offences(text: string): string[] {
  return RULES.filter((r) => r.pattern.test(text)).map((r) => r.name);
}

const files = sourceFiles(ROOT);

describe('store/ is the only place that builds queries', () => {
  it('finds the parts to scan', () => {
    // A scan that finds nothing would pass for the wrong reason.
    expect(files).toContain('api/app.ts');
    expect(files).toContain('ledger/ledger.ts');
    expect(files.some((f) => f.startsWith('store/') || f.startsWith('tests/'))).toBe(false);
  });

  it('recognises each way of reaching the database', () => {
    expect(offences("import { sql } from 'kysely';")).toEqual(["imports 'kysely'"]);
    expect(offences("await db.selectFrom('alerts').selectAll()")).toEqual(['builds a query']);
    expect(offences("trx.insertInto ('x')")).toEqual(['builds a query']);
    expect(offences('await sql<number>`select 1`.execute(db)')).toEqual(['writes raw SQL']);
    expect(offences("import type { RegistryDb } from '../store/db.ts';")).toEqual([
      'takes the query builder',
    ]);
    expect(offences("import type { Store } from '../store/store.ts';\nstore.users.list();")).toEqual([]);
  });

  it('no file outside store/ and tests/ builds a query or takes the builder', () => {
    const found = files.flatMap((f) =>
      offences(readFileSync(join(ROOT, f), 'utf8')).map((o) => `${f}: ${o}`),
    );
    expect(found).toEqual([]);
  });
});
