/**
 * Tamper evidence: edit (a flipped byte, or a forged entry with a recomputed hash),
 * delete, reorder, insert and truncate an export; edit every other field of it (header,
 * postings, anchor); the verifier must name the first bad index (or the header field)
 * every time, and the CLI must exit non-zero naming it.
 */
import { execFile } from 'node:child_process';
import { writeFileSync } from 'node:fs';
import { join } from 'node:path';
import { promisify } from 'node:util';
import fc from 'fast-check';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { type ChainEntry, EMPTY_HEAD, hashEntry } from '../../ledger/chain.ts';
import { buildExport, type LedgerExport } from '../../ledger/export.ts';
import { postingsOf, verifyExport } from '../../ledger/export-verify.ts';
import { createFundLedger } from '../../ledger/ledger.ts';
import { storeOver } from '../../store/store.ts';
import { registryWithFleet, smallFleet, tempDir } from '../helpers/fixtures.ts';
import { ACTORS, manualClock, sequentialIds } from '../helpers/ledger-fixtures.ts';

let exp: LedgerExport;
/** Months 2025-03..2025-04 of the same ledger: it starts at an anchor in February. */
let periodExp: LedgerExport;
let cleanup: () => Promise<void>;
const dir = tempDir('liftwatch-ledger-tamper-');

beforeAll(async () => {
  const reg = await registryWithFleet(smallFleet(2));
  cleanup = reg.cleanup;
  // February: the fund, its rule and three contributions; March: income and its reversal;
  // April: an expenditure. The period export of March–April then starts mid-chain.
  const clock = manualClock(Date.UTC(2025, 1, 3, 4, 0, 0));
  const ledger = createFundLedger({
    repository: storeOver(reg.db).ledger,
    clock: clock.now,
    newId: sequentialIds(),
  });
  let n = 0;
  const meta = (actor: (typeof ACTORS)[keyof typeof ACTORS]) => {
    clock.advance(60_000);
    return { fundId, actor, idempotencyKey: `tamper-${++n}-key` };
  };
  const fund = await ledger.openFund(
    { actor: ACTORS.proposer, idempotencyKey: 'tamper-open' },
    { estateId: 'te', name: 'Fund' },
  );
  const fundId = fund.id;
  await ledger.setContributionRule(meta(ACTORS.proposer), {
    effectiveFrom: '2025-01',
    rateFenPerM2Month: 118,
    areaCentiM2: 1_000_000,
    shareBp: 2000,
  });
  for (const period of ['2025-01', '2025-02', '2025-03'])
    await ledger.recordContribution(meta(ACTORS.proposer), { period, amountFen: 236_000 });
  clock.set(Date.UTC(2025, 2, 10, 4, 0, 0));
  const wrong = await ledger.recordOtherIncome(meta(ACTORS.proposer), {
    source: 'interest',
    amountFen: 999,
    memo: 'typo',
  });
  await ledger.reverse(meta(ACTORS.proposer), { transactionId: wrong.id, reason: 'wrong amount' });
  clock.set(Date.UTC(2025, 3, 8, 4, 0, 0));
  const x = await ledger.propose(meta(ACTORS.proposer), {
    amountFen: 50_000,
    kind: 'parts',
    purpose: 'Door roller',
    payee: 'MC',
  });
  await ledger.attach(meta(ACTORS.proposer), {
    expenditureId: x.id,
    kind: 'quote',
    filename: 'q.pdf',
    mediaType: 'application/pdf',
    content: Buffer.from('quote'),
  });
  await ledger.decide(meta(ACTORS.manager), { expenditureId: x.id, decision: 'approve' });
  await ledger.decide(meta(ACTORS.committee), { expenditureId: x.id, decision: 'approve' });
  await ledger.pay(meta(ACTORS.proposer), { expenditureId: x.id });
  exp = await buildExport(storeOver(reg.db).ledger, fundId, { utcOffsetMinutes: 480 });
  periodExp = await buildExport(storeOver(reg.db).ledger, fundId, {
    utcOffsetMinutes: 480,
    period: { from: '2025-03', to: '2025-04' },
  });
});
afterAll(async () => {
  await cleanup();
  dir.remove();
});

const clone = (): LedgerExport => structuredClone(exp);
const withEntries = (entries: ChainEntry[]): LedgerExport => ({ ...clone(), entries });
const badIndex = (e: LedgerExport, pinned?: { seq: number; hash: string }) => {
  const r = verifyExport(e, pinned);
  return r.ok ? null : r.index;
};
/**
 * The tail cut after `keep` entries by a careful forger: the postings of the cut entries
 * go too, and the head is kept, rewritten to the new last entry, or deleted.
 */
function cutTail(source: LedgerExport, keep: number, head: 'kept' | 'rewritten' | 'deleted'): LedgerExport {
  const e = structuredClone(source);
  e.entries = e.entries.slice(0, keep);
  const lastSeq = e.entries.at(-1)?.seq ?? e.anchor?.seq ?? 0;
  e.postings = e.postings.filter((p) => p.seq <= lastSeq);
  const last = e.entries.at(-1) ?? e.anchor;
  if (head === 'rewritten') e.head = last ? { seq: last.seq, hash: last.hash } : EMPTY_HEAD;
  if (head === 'deleted') delete (e as Partial<LedgerExport>).head;
  return e;
}

/** A forger who knows the format: the entry hashes correctly, only its links can betray it. */
const rehash = (e: ChainEntry): ChainEntry => ({ ...e, hash: hashEntry(e) });

/** Changes one leaf (one character of a string, one bit of a number) somewhere in `value`. */
function flipLeaf(value: unknown, pick: number, charAt: number): unknown {
  const leaves: { parent: Record<string, unknown> | unknown[]; key: string | number }[] = [];
  const walk = (v: unknown) => {
    if (v === null || typeof v !== 'object') return;
    for (const [k, child] of Object.entries(v)) {
      const key = Array.isArray(v) ? Number(k) : k;
      if (child !== null && typeof child === 'object') walk(child);
      else leaves.push({ parent: v as Record<string, unknown>, key });
    }
  };
  walk(value);
  const leaf = leaves[pick % leaves.length]!;
  const parent = leaf.parent as Record<string | number, unknown>;
  const old = parent[leaf.key];
  if (typeof old === 'number') parent[leaf.key] = old ^ 1;
  else if (typeof old === 'boolean') parent[leaf.key] = !old;
  else if (typeof old === 'string' && old.length > 0) {
    const i = charAt % old.length;
    const c = old[i] === 'a' ? 'b' : 'a';
    parent[leaf.key] = old.slice(0, i) + c + old.slice(i + 1);
  } else parent[leaf.key] = old === null ? 0 : 'x';
  return value;
}

describe('verifier', () => {
  it('accepts the untouched export, against its own pinned head too', () => {
    expect(exp.entries.length).toBeGreaterThanOrEqual(12);
    expect(verifyExport(exp)).toMatchObject({ ok: true, count: exp.entries.length });
    expect(verifyExport(exp, exp.head).ok).toBe(true);
  });

  it('names the entry where any byte was flipped', () => {
    fc.assert(
      fc.property(fc.nat(), fc.nat(), fc.nat(), (i, pick, charAt) => {
        const e = clone();
        const index = i % e.entries.length;
        flipLeaf(e.entries[index], pick, charAt);
        expect(badIndex(e)).toBe(index);
      }),
      { numRuns: 500 },
    );
  });

  it('names a forged entry whose hash was recomputed', () => {
    for (let index = 0; index < exp.entries.length; index++) {
      const entries = clone().entries;
      entries[index] = rehash({ ...entries[index]!, data: { forged: true } });
      // The last entry has no successor to betray it: only the pinned head does.
      expect(badIndex(withEntries(entries), exp.head), `index ${index}`).toBe(index);
    }
  });

  it('names the position of a deleted entry', () => {
    for (let index = 0; index < exp.entries.length; index++) {
      const entries = clone().entries;
      entries.splice(index, 1);
      expect(badIndex(withEntries(entries)), `index ${index}`).toBe(index);
    }
  });

  it('names the first moved entry of a reorder', () => {
    fc.assert(
      fc.property(fc.nat(), fc.nat(), (a, b) => {
        const n = exp.entries.length;
        const [i, j] = [a % n, b % n].sort((x, y) => x - y) as [number, number];
        fc.pre(i !== j);
        const entries = clone().entries;
        [entries[i], entries[j]] = [entries[j]!, entries[i]!];
        expect(badIndex(withEntries(entries))).toBe(i);
      }),
      { numRuns: 300 },
    );
  });

  it('names an inserted entry, copied or forged to fit', () => {
    const n = exp.entries.length;
    for (let index = 0; index < n; index++)
      for (let source = 0; source < n; source++) {
        const entries = clone().entries;
        entries.splice(index, 0, structuredClone(entries[source]!));
        // A copy put right before its original is byte-identical to it: the original then
        // stands where the copy should, so the first bad index is one further on.
        const expected = source === index ? index + 1 : index;
        expect(badIndex(withEntries(entries)), `copy of ${source} at ${index}`).toBe(expected);
      }
    for (let index = 0; index < n; index++) {
      const entries = clone().entries;
      const prev =
        index === 0 ? EMPTY_HEAD : { seq: entries[index - 1]!.seq, hash: entries[index - 1]!.hash };
      const forged = rehash({
        fund_id: exp.fund.id,
        seq: prev.seq + 1,
        kind: 'transaction',
        at: 1,
        data: { x: 1 },
        prev_hash: prev.hash,
        hash: '',
      });
      entries.splice(index, 0, forged);
      expect(badIndex(withEntries(entries)), `forged at ${index}`).toBe(index);
    }
  });

  it('detects truncation against a pinned head, even with the head and postings rewritten to fit', () => {
    for (let keep = 0; keep < exp.entries.length; keep++) {
      const e = cutTail(exp, keep, 'kept');
      expect(badIndex(e)).toBe(keep);
      const fitted = cutTail(exp, keep, 'rewritten');
      // Entry 0 is the fund's opening: an export without it is no full export.
      expect(badIndex(fitted)).toBe(keep === 0 ? 0 : null);
      if (keep > 0) expect(verifyExport(fitted)).toMatchObject({ ok: true, pinned: false });
      expect(badIndex(fitted, exp.head)).toBe(keep);
      // What the QR page shows: the seq and the first 16 hex digits.
      expect(badIndex(fitted, { seq: exp.head.seq, hash: exp.head.hash.slice(0, 16) })).toBe(keep);
    }
  });

  it('refuses an export whose head is missing', () => {
    const e: Partial<LedgerExport> = clone();
    delete e.head;
    expect(verifyExport(e)).toMatchObject({ ok: false, part: 'header', field: 'head' });
    const cut = cutTail(exp, 9, 'deleted');
    expect(verifyExport(cut)).toMatchObject({ ok: false, field: 'head' });
  });
});

type Path = (string | number)[];
interface Mutation {
  label: string;
  path: Path;
  apply: (root: Record<string, unknown>) => void;
}

const parentOf = (root: unknown, path: Path) =>
  path.slice(0, -1).reduce<unknown>((v, k) => (v as Record<string | number, unknown>)[k], root) as Record<
    string | number,
    unknown
  >;

/** A different value of the same kind: digits count down, letters change, numbers go up by one. */
function changed(v: unknown): unknown {
  if (typeof v === 'number') return v + 1;
  if (typeof v === 'boolean') return !v;
  if (v === null) return 'x';
  const s = v as string;
  if (s === '') return 'x';
  const c = s.at(-1) as string;
  const d = /\d/.test(c) ? (c === '0' ? '1' : String(Number(c) - 1)) : c === 'a' ? 'b' : 'a';
  return s.slice(0, -1) + d;
}

/** Every field path of `value`: change each leaf, remove each key, drop and swap each array element. */
function mutationsOf(value: unknown, path: Path = []): Mutation[] {
  const out: Mutation[] = [];
  const at = (p: Path) => p.map((k) => (typeof k === 'number' ? `[${k}]` : `.${k}`)).join('');
  if (value === null || typeof value !== 'object') {
    out.push({
      label: `change ${at(path)}`,
      path,
      apply: (root) => {
        const parent = parentOf(root, path);
        parent[path.at(-1)!] = changed(parent[path.at(-1)!]);
      },
    });
    return out;
  }
  if (Array.isArray(value)) {
    value.forEach((item, i) => {
      out.push({
        label: `drop ${at(path)}[${i}]`,
        path: [...path, i],
        apply: (root) => {
          (parentOf(root, [...path, i]) as unknown as unknown[]).splice(i, 1);
        },
      });
      if (i + 1 < value.length && JSON.stringify(item) !== JSON.stringify(value[i + 1]))
        out.push({
          label: `swap ${at(path)}[${i}] and [${i + 1}]`,
          path: [...path, i],
          apply: (root) => {
            const list = parentOf(root, [...path, i]) as unknown as unknown[];
            [list[i], list[i + 1]] = [list[i + 1], list[i]];
          },
        });
      out.push(...mutationsOf(item, [...path, i]));
    });
    return out;
  }
  for (const [k, child] of Object.entries(value)) {
    out.push({
      label: `remove ${at([...path, k])}`,
      path: [...path, k],
      apply: (root) => {
        delete parentOf(root, [...path, k])[k];
      },
    });
    out.push(...mutationsOf(child, [...path, k]));
  }
  return out;
}

describe('every field of a real export', () => {
  it.each([
    ['a full export', () => exp],
    ['a period export (March–April, anchored in February)', () => periodExp],
  ])(
    'names the first bad place when any field of %s is changed, removed, dropped or reordered',
    (_, source) => {
      const original = source();
      expect(verifyExport(original, original.head)).toMatchObject({ ok: true, pinned: true });
      if (original === periodExp) expect(original.anchor).not.toBeNull();
      const mutations = mutationsOf(original);
      expect(mutations.length).toBeGreaterThan(400);
      for (const m of mutations) {
        const e = structuredClone(original) as unknown as Record<string, unknown>;
        m.apply(e);
        const r = verifyExport(e);
        expect(r.ok, m.label).toBe(false);
        if (r.ok) continue;
        const [top, index] = m.path as [string, number | undefined];
        if ((top === 'entries' || top === 'postings') && index !== undefined) {
          // An element, or a field inside it: that element is the first bad one.
          expect({ part: r.part, index: r.index }, m.label).toEqual({ part: top, index });
        } else if (top === 'period' && r.part === 'postings') {
          // Another period is another set of postings: the first one that differs is named.
          expect(r.index, m.label).not.toBeNull();
        } else {
          expect(r.field?.split(/[.[]/)[0], `${m.label}: ${r.reason}`).toBe(top);
        }
      }
    },
  );
});

/**
 * Fifteen ways to tamper with an export, the ones the issue counted among them. The
 * verifier must catch all of them against the published head, and all but one without
 * it: an export cut short with its head rewritten to fit is whole on its own, which is
 * why an unpinned run ends "UNPINNED" (CLI exit 3), never "OK".
 */
describe('catalogue of tampered exports', () => {
  const forgedHead = (e: LedgerExport) => {
    const last = e.entries.at(-1)!;
    e.head = { seq: last.seq, hash: last.hash };
  };
  const cases: [string, () => LedgerExport][] = [
    [
      'an amount edited in an entry',
      () => {
        const e = clone();
        const tx = e.entries.find((x) => x.kind === 'transaction')!;
        (tx.data as { postings: { debit: number }[] }).postings[0]!.debit += 100;
        return e;
      },
    ],
    [
      'an entry hash edited',
      () => {
        const e = clone();
        e.entries[4]!.hash = hashEntry({ ...e.entries[4]!, at: 0 });
        return e;
      },
    ],
    ['an entry deleted mid-chain', () => withEntries(clone().entries.filter((_, i) => i !== 5))],
    [
      'two entries swapped',
      () => {
        const entries = clone().entries;
        [entries[3], entries[6]] = [entries[6]!, entries[3]!];
        return withEntries(entries);
      },
    ],
    [
      'an entry copied in',
      () => {
        const entries = clone().entries;
        entries.splice(7, 0, structuredClone(entries[2]!));
        return withEntries(entries);
      },
    ],
    [
      'a forged entry with a recomputed hash inserted',
      () => {
        const entries = clone().entries;
        const prev = entries[5]!;
        entries.splice(
          6,
          0,
          rehash({ ...prev, seq: prev.seq + 1, prev_hash: prev.hash, data: { forged: true } }),
        );
        return withEntries(entries);
      },
    ],
    [
      'an amount edited in postings[] only (what the CSV shows)',
      () => {
        const e = clone();
        e.postings[2]!.debitFen += 100_000;
        return e;
      },
    ],
    [
      'a posting dropped from postings[] only',
      () => {
        const e = clone();
        e.postings.splice(1, 1);
        return e;
      },
    ],
    [
      'the first entries dropped, the anchor moved to a later entry (not a period export)',
      () => {
        const e = clone();
        e.anchor = e.entries[2]!;
        e.genesis = e.entries[0]!;
        e.entries = e.entries.slice(3);
        e.postings = postingsOf(e.entries, {});
        return e;
      },
    ],
    [
      'the first entries of a period dropped, the anchor moved into the period',
      () => {
        const e = structuredClone(periodExp);
        e.anchor = e.entries[1]!;
        e.entries = e.entries.slice(2);
        const range = { fromAt: Date.UTC(2025, 1, 28, 16), toAt: Date.UTC(2025, 3, 30, 16) };
        e.postings = postingsOf(e.entries, range);
        return e;
      },
    ],
    [
      'the fund renamed in the header',
      () => {
        const e = clone();
        e.fund.name = 'Another fund';
        return e;
      },
    ],
    [
      'the estate changed in the header',
      () => {
        const e = clone();
        e.fund.estateId = 'other';
        return e;
      },
    ],
    [
      'a forged last entry with a recomputed hash, head left alone',
      () => {
        const entries = clone().entries;
        entries[entries.length - 1] = rehash({ ...entries.at(-1)!, data: { forged: true } });
        return withEntries(entries);
      },
    ],
    ['the tail cut, the head deleted', () => cutTail(exp, 9, 'deleted')],
    [
      'the tail cut, the head rewritten to fit',
      () => {
        const e = cutTail(exp, 9, 'kept');
        forgedHead(e);
        return e;
      },
    ],
  ];

  it('catches 15 of 15 against the published head, and 14 of 15 without it (the 15th is reported unpinned)', () => {
    expect(cases).toHaveLength(15);
    let unpinned = 0;
    let pinned = 0;
    for (const [label, make] of cases) {
      const withoutPin = verifyExport(make());
      if (!withoutPin.ok) unpinned++;
      else expect(withoutPin.pinned, label).toBe(false);
      const withPin = verifyExport(make(), exp.head);
      expect(withPin.ok, label).toBe(false);
      if (!withPin.ok) pinned++;
    }
    expect({ unpinned, pinned }).toEqual({ unpinned: 14, pinned: 15 });
  });
});

describe('CLI', () => {
  const run = promisify(execFile);
  const cli = async (...args: string[]) => {
    try {
      const { stdout } = await run('node_modules/.bin/tsx', ['ledger/cli.ts', ...args], {
        cwd: process.cwd(),
      });
      return { code: 0, out: stdout };
    } catch (error) {
      const e = error as { code: number; stdout: string; stderr: string };
      return { code: e.code, out: e.stdout + e.stderr };
    }
  };
  const save = (name: string, data: string) => {
    const file = join(dir.path, name);
    writeFileSync(file, data);
    return file;
  };

  it('exits 0 on an intact export and non-zero naming the first bad index otherwise', async () => {
    const good = save('good.json', JSON.stringify(exp, null, 2));
    // The head as the QR page prints it: "#SEQ" and the first 16 hex digits.
    const ok = await cli('verify', good, '--head', `#${exp.head.seq} ${exp.head.hash.slice(0, 16)}`);
    expect(ok).toMatchObject({ code: 0 });
    expect(ok.out).toContain(`${exp.head.seq}:${exp.head.hash}`);
    // Whole on its own, but nothing pinned: never a plain OK.
    const unpinned = await cli('verify', good);
    expect(unpinned.code).toBe(3);
    expect(unpinned.out).toContain('UNPINNED');

    // A literal byte flip in the file: one hex digit of entry 5's hash.
    const text = JSON.stringify(exp, null, 2);
    const target = exp.entries[5]!.hash;
    const flipped = target.replace(/^./, (c) => (c === '0' ? '1' : '0'));
    const edited = await cli(
      'verify',
      save('edited.json', text.replace(`"hash": "${target}"`, `"hash": "${flipped}"`)),
    );
    expect(edited.code).toBe(1);
    expect(edited.out).toMatch(/index 5\b/);

    const truncated = cutTail(exp, 9, 'rewritten');
    const cut = await cli(
      'verify',
      save('cut.json', JSON.stringify(truncated)),
      '--head',
      `${exp.head.seq}:${exp.head.hash}`,
    );
    expect(cut.code).toBe(1);
    expect(cut.out).toMatch(/index 9\b/);
    expect(cut.out).toContain('truncated');

    expect((await cli('verify')).code).toBe(2);
    expect((await cli('verify', good, '--head', 'nonsense')).code).toBe(2);
  });
});
