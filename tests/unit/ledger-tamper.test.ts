/**
 * Tamper evidence: edit (a flipped byte, or a forged entry with a recomputed hash),
 * delete, reorder, insert and truncate an export; the verifier must name the first bad
 * index every time, and the CLI must exit non-zero naming it.
 */
import { execFile } from 'node:child_process';
import { writeFileSync } from 'node:fs';
import { join } from 'node:path';
import { promisify } from 'node:util';
import fc from 'fast-check';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { type ChainEntry, hashEntry } from '../../api/ledger/chain.ts';
import { buildExport, type LedgerExport, verifyExport } from '../../api/ledger/export.ts';
import { createFundLedger } from '../../api/ledger/ledger.ts';
import { registryWithFleet, smallFleet, tempDir } from '../helpers/fixtures.ts';
import { ACTORS, manualClock, sequentialIds } from '../helpers/ledger-fixtures.ts';

let exp: LedgerExport;
let cleanup: () => Promise<void>;
const dir = tempDir('liftwatch-ledger-tamper-');

beforeAll(async () => {
  const reg = await registryWithFleet(smallFleet(2));
  cleanup = reg.cleanup;
  const clock = manualClock();
  const ledger = createFundLedger({ db: reg.db, clock: clock.now, newId: sequentialIds() });
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
  const wrong = await ledger.recordOtherIncome(meta(ACTORS.proposer), {
    source: 'interest',
    amountFen: 999,
    memo: 'typo',
  });
  await ledger.reverse(meta(ACTORS.proposer), { transactionId: wrong.id, reason: 'wrong amount' });
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
  exp = await buildExport(reg.db, fundId, { now: clock.now(), utcOffsetMinutes: 480 });
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
        index === 0 ? exp.anchor : { seq: entries[index - 1]!.seq, hash: entries[index - 1]!.hash };
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

  it('detects truncation against a pinned head, even with the claimed head rewritten', () => {
    for (let keep = 0; keep < exp.entries.length; keep++) {
      const e = withEntries(clone().entries.slice(0, keep));
      expect(badIndex(e)).toBe(keep);
      const last = e.entries.at(-1);
      e.head = last ? { seq: last.seq, hash: last.hash } : exp.anchor;
      expect(badIndex(e)).toBeNull();
      expect(badIndex(e, exp.head)).toBe(keep);
    }
  });
});

describe('CLI', () => {
  const run = promisify(execFile);
  const cli = async (...args: string[]) => {
    try {
      const { stdout } = await run('node_modules/.bin/tsx', ['api/ledger/cli.ts', ...args], {
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
    const ok = await cli('verify', good, '--head', `${exp.head.seq}:${exp.head.hash}`);
    expect(ok).toMatchObject({ code: 0 });
    expect(ok.out).toContain(`${exp.head.seq}:${exp.head.hash}`);

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

    const truncated = withEntries(clone().entries.slice(0, 9));
    truncated.head = { seq: truncated.entries[8]!.seq, hash: truncated.entries[8]!.hash };
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
