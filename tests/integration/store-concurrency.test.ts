/**
 * Several writer processes against one store at once (the run's store: PostgreSQL under
 * LIFTWATCH_TEST_DATABASE=postgres, else one SQLite file). Each is a real `node` process
 * with its own connection (tests/helpers/store-writer.ts); all start on one signal. What
 * must hold is enforced by the database, not by a queue inside one process:
 *  - the same (elevator, code) raised by every writer → exactly one open alert whose count
 *    is every finding, opened once, every other finding a repeat;
 *  - contributions to one fund with unique and shared idempotency keys → an unbroken chain,
 *    exactly one transaction per key, every writer of a key given the same result, the
 *    same key with another body → 409.
 */
import { type ChildProcess, spawn } from 'node:child_process';
import { randomBytes } from 'node:crypto';
import { createInterface } from 'node:readline';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { hashEntry } from '../../ledger/chain.ts';
import { createFundLedger } from '../../ledger/ledger.ts';
import type { RegistryDb, RegistryTarget } from '../../store/db.ts';
import { storeOver } from '../../store/store.ts';
import { registryWithFleet, smallFleet } from '../helpers/fixtures.ts';
import { ACTORS } from '../helpers/ledger-fixtures.ts';
import type { AlertsOutcome, LedgerOutcome, WriterTask } from '../helpers/store-writer.ts';

const WRITERS = 4;
const WRITER = new URL('../helpers/store-writer.ts', import.meta.url).pathname;

let db: RegistryDb;
let target: RegistryTarget;
let cleanup: () => Promise<void>;

beforeAll(async () => {
  ({ db, target, cleanup } = await registryWithFleet(smallFleet(2)));
});
afterAll(() => cleanup());

interface Writer {
  child: ChildProcess;
  ready: Promise<void>;
  outcome: Promise<unknown>;
}

function startWriter(task: WriterTask): Writer {
  const child = spawn(process.execPath, ['--import', 'tsx', WRITER, JSON.stringify(task)], {
    stdio: ['pipe', 'pipe', 'pipe'],
  });
  let stderr = '';
  child.stderr!.on('data', (chunk) => {
    stderr += chunk;
  });
  const lines = createInterface({ input: child.stdout! });
  let onReady: () => void = () => undefined;
  const ready = new Promise<void>((resolve) => {
    onReady = resolve;
  });
  const outcome = new Promise<unknown>((resolve, reject) => {
    let last = '';
    lines.on('line', (line) => {
      if (line === 'ready') onReady();
      else last = line;
    });
    child.on('exit', (code) => {
      if (code === 0 && last) resolve(JSON.parse(last));
      else reject(new Error(`writer exited ${code}: ${stderr}`));
    });
  });
  // A writer that dies before `ready` must fail the test, not hang it.
  outcome.catch(() => onReady());
  return { child, ready, outcome };
}

/** Starts every writer, waits until all are connected, then lets them go at once. */
async function race<T>(tasks: WriterTask[]): Promise<T[]> {
  const writers = tasks.map(startWriter);
  await Promise.all(writers.map((w) => w.ready));
  for (const w of writers) w.child.stdin!.write('go\n');
  return (await Promise.all(writers.map((w) => w.outcome))) as T[];
}

describe('several writer processes on one store', () => {
  it('keep exactly one open alert per (elevator, code), counting every finding', async () => {
    const perWriter = 25;
    const outcomes = await race<AlertsOutcome>(
      Array.from({ length: WRITERS }, (_, i) => ({
        kind: 'alerts' as const,
        target,
        elevatorId: 't-e1',
        code: 'passenger_trapped' as const,
        findings: perWriter,
        at: 1_700_000_000_000 + i * 1000,
      })),
    );
    const rows = await db
      .selectFrom('alerts')
      .selectAll()
      .where('elevator_id', '=', 't-e1')
      .where('code', '=', 'passenger_trapped')
      .execute();
    expect(rows).toHaveLength(1);
    expect(rows[0]).toMatchObject({ state: 'open', count: WRITERS * perWriter });
    // The latest sighting wins whichever writer came last.
    expect(rows[0]!.last_seen_at).toBe(1_700_000_000_000 + (WRITERS - 1) * 1000 + perWriter - 1);
    const transitions = outcomes.flatMap((o) => o.transitions);
    expect(transitions.filter((t) => t === 'opened')).toHaveLength(1);
    expect(transitions.filter((t) => t === 'repeated')).toHaveLength(WRITERS * perWriter - 1);
    // Four processes taking SQLite's write lock in turn: 12 s alone, over a minute once when
    // the whole suite shared the two cores with other work. Generous, since it proves order.
  }, 180_000);

  it('keep one fund chain unbroken and one entry per idempotency key; another body is a 409', async () => {
    const ledger = createFundLedger({ repository: storeOver(db).ledger });
    const fund = await ledger.openFund(
      { actor: ACTORS.proposer, idempotencyKey: `open-${randomBytes(4).toString('hex')}` },
      { estateId: 'te', name: 'Fund' },
    );
    const run = randomBytes(4).toString('hex');
    const shared = Array.from({ length: 5 }, (_, k) => ({ key: `shared-${run}-${k}`, amountFen: 100 + k }));
    const tasks: WriterTask[] = Array.from({ length: WRITERS }, (_, i) => {
      const own = Array.from({ length: 10 }, (_, j) => ({
        key: `w${i}-${run}-${j}-${randomBytes(4).toString('hex')}`,
        amountFen: 1000 + i * 100 + j,
      }));
      // Every writer sends the shared keys (in its own order); the last one also sends one
      // of them with another body, racing the others' first use of it.
      const mine = i % 2 === 0 ? shared : [...shared].reverse();
      const writes = [...own.slice(0, 5), ...mine, ...own.slice(5)];
      if (i === WRITERS - 1) writes.splice(3, 0, { key: shared[2]!.key, amountFen: 999_999 });
      return { kind: 'ledger', target, fundId: fund.id, actor: ACTORS.proposer, writes };
    });
    const outcomes = await race<LedgerOutcome>(tasks);
    const results = outcomes.flatMap((o) => o.results);

    // No writer met a 500: every write either stored, replayed, or was refused as a mismatch.
    expect(results.filter((r) => r.status === 'error')).toEqual([]);
    const byKey = new Map<string, typeof results>();
    for (const r of results) byKey.set(r.key, [...(byKey.get(r.key) ?? []), r]);
    for (const [key, rs] of byKey) {
      const stored = rs.filter((r) => r.status === 'ok');
      expect(stored.length, key).toBeGreaterThan(0);
      // Everyone who was answered got the same transaction, with the body that won.
      expect(new Set(stored.map((r) => r.id)).size, key).toBe(1);
      expect(new Set(stored.map((r) => r.amountFen)).size, key).toBe(1);
      for (const refused of rs.filter((r) => r.status === 'conflict'))
        expect(refused.amountFen, key).not.toBe(stored[0]!.amountFen);
    }

    // Exactly one transaction per key, and one idempotency record per key.
    const txs = await db
      .selectFrom('ledger_transactions')
      .select(['id', 'seq'])
      .where('fund_id', '=', fund.id)
      .execute();
    expect(txs).toHaveLength(byKey.size);
    const okIds = [...byKey.values()].map((rs) => rs.find((r) => r.status === 'ok')!.id);
    expect(new Set(txs.map((t) => t.id))).toEqual(new Set(okIds));
    const keys = await db
      .selectFrom('ledger_idempotency')
      .select('key')
      .where('scope', '=', `fund:${fund.id}`)
      .execute();
    expect(keys.map((k) => k.key).sort()).toEqual([...byKey.keys()].sort());

    // The chain: seq 1..n without a gap, each entry linked to the one before and hashed right.
    const chain = await ledger.chain(fund.id);
    expect(chain).toHaveLength(1 + byKey.size); // fund_opened + one transaction per key
    chain.forEach((entry, i) => {
      expect(entry.seq).toBe(i + 1);
      if (i > 0) expect(entry.prev_hash).toBe(chain[i - 1]!.hash);
      const { hash, ...body } = entry;
      expect(hashEntry(body)).toBe(hash);
    });
    expect((await ledger.verify(fund.id)).ok).toBe(true);

    // After the race, the same key with another body is refused (409), the same body replayed.
    const meta = { fundId: fund.id, actor: ACTORS.proposer, idempotencyKey: shared[0]!.key };
    await expect(ledger.recordContribution(meta, { period: '2025-03', amountFen: 7 })).rejects.toMatchObject({
      reason: 'IDEMPOTENCY_MISMATCH',
      statusCode: 409,
    });
    const replay = await ledger.recordContribution(meta, {
      period: '2025-03',
      amountFen: shared[0]!.amountFen,
    });
    expect(replay.id).toBe(byKey.get(shared[0]!.key)!.find((r) => r.status === 'ok')!.id);
  }, 180_000);
});
